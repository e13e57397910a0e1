"""Region registry: one id per place, whatever the sender calls it.

Reports say 城关街道总工会, 城关街道, 城关 or 城關街道 for the same place, and
tallies add typos. Every fact is tied to a region id of the federation's
directory (etl/directory.py) through the name, an alias or the official
code, so charts group correctly and a later rename or merge is one
`successor_id` instead of a rewrite of old facts. Placeholders from templates
(xx镇, **街道, 某镇) are never turned into regions: such facts keep their raw
text and get the 'placeholder_region' flag. A name the directory does not
know is never turned into a region silently: the upload pages and the
command line show it with suggestions (etl/unknown_regions.py: a typo of a
directory name, or a place of another county) and a person chooses
(`Choice`: map to an existing region, add under a parent, or leave out).

How names are spelled and what kind of place they name is etl/region_names.py
(rules in lexicon/region_rules.toml); describing a name the directory lacks is
etl/unknown_regions.py. This module is the exact lookup a load relies on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.region_names import canonical_name, canonical_names, code_key, infer_level, names_a_place
from etl.vocab import is_placeholder


@dataclass
class RegionResolver:
    """Name → id lookups against the directory, loaded once per unit of work.

    Names, aliases and official codes (9 or 12 digits) are looked up as written, without their union-body
    suffix, and without a county prefix the directory knows (青禾区城关街道). A name the directory does not
    know resolves to None: regions are added only by the directory (etl/directory.py) or by a person's
    choice for a name an upload brings (`BatchResolver.add_region`), never silently.
    """

    con: duckdb.DuckDBPyConnection
    by_name: dict[str, int] = field(default_factory=dict)
    county_names: list[str] = field(default_factory=list)
    ended: dict[int, tuple[int, int]] = field(default_factory=dict)  # id → (last year, successor) of renamed/merged

    def __post_init__(self) -> None:
        for rid, name, level, code, last, succ in self.con.execute(
                "SELECT id, name, level, code, last_year, successor_id FROM regions").fetchall():
            self.by_name[name] = rid
            if last is not None and succ is not None:
                self.ended[rid] = (last, succ)
            if level in ("区县", "地市"):
                self.county_names.append(name)
            key = code_key(code)
            if key:
                self.by_name.setdefault(key, rid)
        for alias, rid in self.con.execute("SELECT alias, region_id FROM region_aliases").fetchall():
            self.by_name.setdefault(alias, rid)
        self.county_names.sort(key=len, reverse=True)

    def _lookup(self, raw: str, name: str) -> int | None:
        for key in (name, raw.strip(), canonical_name(raw.strip()), code_key(raw)):
            if key and key in self.by_name:
                return self.by_name[key]
        # 青禾区城关街道 → 城关街道 when the county prefix is a known region.
        for county in self.county_names:
            if name.startswith(county) and len(name) > len(county):
                rest = name[len(county):]
                if rest in self.by_name:
                    return self.by_name[rest]
        return None

    def resolve(self, raw: str | None) -> int | None:
        """Region id for `raw`; None for empty, placeholder or relative names and for names not in the directory."""
        if not names_a_place(raw):
            return None
        return self._lookup(raw, canonical_name(raw))  # type: ignore[arg-type]

    def in_year(self, region_id: int, year: int) -> int:
        """The region that `region_id` had become by `year` (its successor after a rename or merge)."""
        seen = {region_id}
        while region_id in self.ended and year > self.ended[region_id][0]:
            region_id = self.ended[region_id][1]
            if region_id in seen:
                break
            seen.add(region_id)
        return region_id

    def successors_by_year(self, ids: pa.Array, years: pa.Array | pa.ChunkedArray) -> pa.Array:
        """`ids` with each region replaced by what it had become in the row's year (see `in_year`)."""
        if not self.ended:
            return ids
        idv = pc.fill_null(ids, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        yv = pc.fill_null(years, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        hit = np.isin(idv, np.fromiter(self.ended, dtype=np.int64)) & (yv >= 0)
        if not hit.any():
            return ids
        out = idv.copy()
        for rid, year in set(zip(idv[hit].tolist(), yv[hit].tolist(), strict=True)):
            out[hit & (idv == rid) & (yv == year)] = self.in_year(rid, year)
        return pa.array(out, pa.int32(), mask=pc.is_null(ids).to_numpy(zero_copy_only=False))


# What a person chose for a name the directory does not know (the upload pages, `ingest --map/--new-regions-under`).
MAP, ADD, SKIP = "map", "add", "skip"


@dataclass(frozen=True)
class Choice:
    """MAP: the name is another spelling of `target` (an existing region; kept as its alias).
    ADD: a new region of that name, as a child of `target` (an existing region).
    SKIP: leave that name's rows out of the load (the original stays in the archive)."""

    action: str
    target: str | None = None

    def __post_init__(self) -> None:
        if self.action not in (MAP, ADD, SKIP) or (self.action != SKIP and not self.target):
            raise ValueError(f"bad region choice {self!r}")


class BatchResolver(RegionResolver):
    """RegionResolver for one load: each distinct name resolved once, unknown ones collected.

    A load (etl/load.py) asks `resolve_all` for every name of a file, then `apply` for the unknown ones with
    the person's choices: new regions and aliases are written in the caller's transaction, marked with the
    batch, so undoing the batch removes them again (etl/batches.py).
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.placeholders: set[str] = set()  # names seen by resolve_all that are template stand-ins (xx镇)
        self.unknown: dict[str, str] = {}  # raw name → canonical name, for names the directory does not know
        self.created: list[int] = []

    def resolve_all(self, raws: Iterable[str | None]) -> dict[str | None, int | None]:
        out: dict[str | None, int | None] = {}
        raws = list(raws)
        canonical_names(raws)
        for raw in raws:
            if raw in out:
                continue
            out[raw] = None
            if raw and raw.strip() and is_placeholder(raw):
                self.placeholders.add(raw)
            elif names_a_place(raw):
                name = canonical_name(raw)
                out[raw] = self._lookup(raw, name)  # type: ignore[arg-type]
                if out[raw] is None:
                    self.unknown[raw] = name  # type: ignore[index]
        return out

    def region_id(self, name: str) -> int:
        """The id of an existing region by name or alias; LookupError (Chinese) when there is none."""
        rid = self.resolve(name)
        if rid is None:
            raise LookupError(f"地区名录中没有“{name}”。")
        return rid

    def apply(self, choices: Mapping[str, Choice], batch_id: int,
              first_years: Mapping[str, int | None] | None = None) -> dict[str, int | None]:
        """Carry out the choices for unknown names: raw name → region id (None: its rows are left out)."""
        out: dict[str, int | None] = {}
        for raw, choice in choices.items():
            if choice.action == SKIP:
                out[raw] = None
            elif choice.action == MAP:
                out[raw] = rid = self.region_id(choice.target)  # type: ignore[arg-type]
                self.add_alias(raw.strip(), rid, batch_id)
            else:
                name = canonical_name(raw)
                rid = self.resolve(name)
                if rid is None:
                    rid = self.add_region(name, self.region_id(choice.target), batch_id,  # type: ignore[arg-type]
                                          (first_years or {}).get(raw))
                if raw.strip() != name:
                    self.add_alias(raw.strip(), rid, batch_id)
                out[raw] = rid
        return out

    def add_region(self, name: str, parent_id: int, batch_id: int | None, first_year: int | None = None,
                   level: str | None = None) -> int:
        """A new region under `parent_id` (level from its name unless given), marked as made by `batch_id`."""
        rid = self.con.execute(
            "INSERT INTO regions (name, level, parent_id, first_year, created_batch) VALUES (?, ?, ?, ?, ?) "
            "RETURNING id", [name, level or infer_level(name), parent_id, first_year, batch_id]).fetchone()[0]
        self.by_name[name] = rid
        self.created.append(rid)
        return rid

    def add_alias(self, alias: str, region_id: int, batch_id: int | None) -> None:
        if not alias or alias in self.by_name:
            return
        self.con.execute("INSERT INTO region_aliases (alias, region_id, batch_id) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING", [alias, region_id, batch_id])
        self.by_name[alias] = region_id
