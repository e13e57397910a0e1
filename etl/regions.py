"""Region registry: one id per place, whatever the sender calls it.

Reports say 城关街道总工会, 城关街道, 城关 or 城關街道 for the same place, and
tallies add typos. Every fact is tied to a region id through the name or an
alias, so charts group correctly and a later rename or merge is one
`successor_id` instead of a rewrite of old facts. Placeholders from templates
(xx镇, **街道, 某镇) are never turned into regions: such facts keep their raw
text and get the 'placeholder_region' flag.

Rules (body suffixes, level suffixes, placeholder characters) live in
lexicon/region_rules.toml; the seed registry in lexicon/regions.csv.
"""

from __future__ import annotations

import csv
import difflib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import duckdb
import pyarrow as pa

from etl.normalize import normalize
from etl.vocab import is_placeholder

LEXICON = Path(__file__).parent / "lexicon"
LEVELS = ("区县", "乡镇街道", "企业", "村社区", "其他")
DEFAULT_LEVEL = "其他"


@dataclass(frozen=True)
class Rules:
    body_suffixes: tuple[str, ...]  # longest first
    level_suffixes: tuple[tuple[str, str], ...]  # (suffix, level), longest suffix first
    placeholder_chars: frozenset[str]
    generic_words: tuple[str, ...]  # longest first
    relative_stems: frozenset[str]


@cache
def rules() -> Rules:
    """The naming rules from lexicon/region_rules.toml, read once."""
    with open(LEXICON / "region_rules.toml", "rb") as f:
        spec = tomllib.load(f)
    levels = spec["level_suffixes"]
    bad = {lv for lv in levels.values() if lv not in LEVELS}
    if bad:
        raise ValueError(f"region_rules.toml: unknown level(s) {sorted(bad)}; allowed {LEVELS}")
    return Rules(
        body_suffixes=tuple(sorted(spec["body_suffixes"], key=len, reverse=True)),
        level_suffixes=tuple(sorted(levels.items(), key=lambda kv: len(kv[0]), reverse=True)),
        placeholder_chars=frozenset(normalize(spec["placeholder"]["chars"]).text),
        generic_words=tuple(sorted(spec["placeholder"]["generic_words"], key=len, reverse=True)),
        relative_stems=frozenset(spec["relative"]["stems"]),
    )


@lru_cache(maxsize=65536)
def canonical_name(raw: str | None) -> str:
    """The place name without union-body suffixes, Simplified and half-width, no spaces.

    城关街道总工会 → 城关街道; 城關街道 → 城关街道; ' 白沙镇工会 ' → 白沙镇.
    Cached: a tally names the same towns on every row, and the rules are data read once.
    """
    if not raw:
        return ""
    name = "".join(normalize(raw).text.split())
    changed = True
    while changed and name not in rules().body_suffixes:  # "总工会" alone stays as is
        changed = False
        for suffix in rules().body_suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
                break
    return name


@lru_cache(maxsize=65536)
def split_level(name: str) -> tuple[str, str | None]:
    """(stem, level) by the longest matching level suffix; level None when none matches.

    Cached, like canonical_name: a tally's thousands of towns are each asked about several times.
    """
    for suffix, level in rules().level_suffixes:
        if name.endswith(suffix):
            return name[: -len(suffix)], level
    return name, None


def infer_level(name: str) -> str:
    """Level from the name's suffix (镇 → 乡镇街道, 公司 → 企业 …), 其他 when unknown."""
    return split_level(canonical_name(name))[1] or DEFAULT_LEVEL


def is_relative(raw: str | None) -> bool:
    """True for 本镇, 我区, 全街道, and a level word alone (区, 镇): the reporting body, not a name."""
    stem, level = split_level(canonical_name(raw))
    return level is not None and (not stem or stem in rules().relative_stems)


@dataclass(frozen=True)
class SeedRegion:
    name: str
    level: str
    parent: str | None
    code: str | None
    aliases: tuple[str, ...]


@cache
def seed_registry() -> tuple[SeedRegion, ...]:
    """Rows of lexicon/regions.csv (parents listed before children)."""
    with open(LEXICON / "regions.csv", encoding="utf-8") as f:
        return tuple(
            SeedRegion(
                name=r["name"].strip(),
                level=r["level"].strip() or DEFAULT_LEVEL,
                parent=r["parent"].strip() or None,
                code=r["code"].strip() or None,
                aliases=tuple(a.strip() for a in r["aliases"].split("|") if a.strip()),
            )
            for r in csv.DictReader(f)
        )


def seed_regions(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the registry rows that are missing (idempotent); returns how many were added."""
    added = 0
    for seed in seed_registry():
        row = con.execute("SELECT id FROM regions WHERE name = ?", [seed.name]).fetchone()
        if row is None:
            parent = con.execute("SELECT id FROM regions WHERE name = ?", [seed.parent]).fetchone() if seed.parent \
                else None
            row = con.execute(
                "INSERT INTO regions (name, level, parent_id, code) VALUES (?, ?, ?, ?) RETURNING id",
                [seed.name, seed.level, parent[0] if parent else None, seed.code],
            ).fetchone()
            added += 1
        for alias in seed.aliases:
            con.execute("INSERT INTO region_aliases VALUES (?, ?) ON CONFLICT DO NOTHING", [alias, row[0]])
    return added


@dataclass
class RegionResolver:
    """Name → id lookups for one unit of work, loaded once from the database.

    Creates unknown regions (level inferred) in the same connection, so they
    belong to the caller's transaction and vanish if it rolls back.
    """

    con: duckdb.DuckDBPyConnection
    create: bool = True
    by_name: dict[str, int] = field(default_factory=dict)
    county_names: list[str] = field(default_factory=list)
    created: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for rid, name, level in self.con.execute("SELECT id, name, level FROM regions").fetchall():
            self.by_name[name] = rid
            if level == "区县":
                self.county_names.append(name)
        for alias, rid in self.con.execute("SELECT alias, region_id FROM region_aliases").fetchall():
            self.by_name.setdefault(alias, rid)
        self.county_names.sort(key=len, reverse=True)

    def _lookup(self, raw: str, name: str) -> int | None:
        for key in (name, raw.strip(), canonical_name(raw.strip())):
            if key in self.by_name:
                return self.by_name[key]
        # 青禾区城关街道 → 城关街道 when the county prefix is a known region.
        for county in self.county_names:
            if name.startswith(county) and len(name) > len(county):
                rest = name[len(county):]
                if rest in self.by_name:
                    return self.by_name[rest]
        return None

    def resolve(self, raw: str | None) -> int | None:
        """Region id for `raw`; None for empty, placeholder or relative names."""
        if not raw or not raw.strip() or is_placeholder(raw) or is_relative(raw):
            return None
        name = canonical_name(raw)
        rid = self._lookup(raw, name)
        if rid is not None or not self.create:
            return rid
        rid = self.con.execute(
            "INSERT INTO regions (name, level) VALUES (?, ?) RETURNING id", [name, infer_level(name)]
        ).fetchone()[0]
        self.by_name[name] = rid
        self.created.append(rid)
        alias = raw.strip()
        if alias != name:
            self.con.execute("INSERT INTO region_aliases VALUES (?, ?) ON CONFLICT DO NOTHING", [alias, rid])
            self.by_name[alias] = rid
        return rid


class BatchResolver(RegionResolver):
    """RegionResolver that resolves each distinct name once and creates all new regions in one INSERT.

    Same answers and the same new ids as calling `resolve` name by name in the
    given order (a name created earlier in the batch is found by later ones,
    aliases included): new regions get provisional negative ids during the
    pass, then ids drawn from region_seq in order.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.placeholders: set[str] = set()  # names seen by resolve_all that are template stand-ins (xx镇)

    def resolve_all(self, raws: Iterable[str | None]) -> dict[str | None, int | None]:
        out: dict[str | None, int | None] = {}
        new: list[tuple[str, str]] = []  # (name, level), in order of creation
        aliases: list[tuple[str, int]] = []  # (alias, provisional id)
        for raw in raws:
            if raw in out:
                continue
            if not raw or not raw.strip():
                out[raw] = None
                continue
            if is_placeholder(raw):
                self.placeholders.add(raw)
                out[raw] = None
                continue
            if is_relative(raw):
                out[raw] = None
                continue
            name = canonical_name(raw)
            rid = self._lookup(raw, name)
            if rid is None and self.create:
                rid = -(len(new) + 1)
                new.append((name, infer_level(name)))
                self.by_name[name] = rid
                alias = raw.strip()
                if alias != name:
                    aliases.append((alias, rid))
                    self.by_name[alias] = rid
            out[raw] = rid
        if not new:
            return out
        ids = sorted(r for (r,) in self.con.execute(
            "SELECT nextval('region_seq') FROM range(?)", [len(new)]).fetchall())
        real = {-(i + 1): rid for i, rid in enumerate(ids)}
        self.con.register("_new_regions", pa.table({
            "id": pa.array(ids, pa.int32()), "name": [n for n, _ in new], "level": [lv for _, lv in new]}))
        try:
            self.con.execute("INSERT INTO regions (id, name, level) SELECT id, name, level FROM _new_regions")
        finally:
            self.con.unregister("_new_regions")
        if aliases:
            self.con.register("_new_aliases", pa.table({
                "alias": [a for a, _ in aliases], "region_id": pa.array([real[r] for _, r in aliases], pa.int32())}))
            try:
                self.con.execute("INSERT INTO region_aliases SELECT alias, region_id FROM _new_aliases "
                                 "ON CONFLICT DO NOTHING")
            finally:
                self.con.unregister("_new_aliases")
        for key, rid in list(self.by_name.items()):
            if rid < 0:
                self.by_name[key] = real[rid]
        self.created.extend(ids)
        return {raw: (real[rid] if rid is not None and rid < 0 else rid) for raw, rid in out.items()}


def resolve(con: duckdb.DuckDBPyConnection, raw: str | None, *, create: bool = True) -> int | None:
    """Region id by name or alias; creates unknown regions; None for placeholders (xx镇, 某镇)."""
    return RegionResolver(con, create=create).resolve(raw)


def suggest(con: duckdb.DuckDBPyConnection, raw: str | None, n: int = 3) -> list[str]:
    """Up to `n` registered region names close to `raw` (for '您是不是要找…' in validation)."""
    name = canonical_name(raw)
    if not name:
        return []
    keys: dict[str, str] = {}
    for rname, in con.execute("SELECT name FROM regions").fetchall():
        keys[rname] = rname
    for alias, rname in con.execute(
        "SELECT a.alias, r.name FROM region_aliases a JOIN regions r ON r.id = a.region_id"
    ).fetchall():
        keys.setdefault(alias, rname)
    out: list[str] = []
    for key in difflib.get_close_matches(name, list(keys), n=n * 4, cutoff=0.5):
        if keys[key] not in out:
            out.append(keys[key])
    return out[:n]


def current_region(con: duckdb.DuckDBPyConnection, region_id: int) -> int:
    """Follow successor_id (renames, merges) to the region that exists today."""
    seen = {region_id}
    while True:
        row = con.execute("SELECT successor_id FROM regions WHERE id = ?", [region_id]).fetchone()
        if row is None or row[0] is None or row[0] in seen:
            return region_id
        region_id = row[0]
        seen.add(region_id)
