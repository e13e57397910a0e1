"""Region registry: one id per place, whatever the sender calls it.

Reports say 城关街道总工会, 城关街道, 城关 or 城關街道 for the same place, and
tallies add typos. Every fact is tied to a region id of the federation's
directory (etl/directory.py) through the name, an alias or the official
code, so charts group correctly and a later rename or merge is one
`successor_id` instead of a rewrite of old facts. Placeholders from templates
(xx镇, **街道, 某镇) are never turned into regions: such facts keep their raw
text and get the 'placeholder_region' flag. A name the directory does not
know is never turned into a region silently: the upload pages and the
command line show it with suggestions (`describe_unknown`: a typo of a
directory name, or a place of another county) and a person chooses
(`Choice`: map to an existing region, add under a parent, or leave out).

Rules (body suffixes, level suffixes, placeholder characters) live in
lexicon/region_rules.toml; who reports to whom, deadlines and the messages
about unknown names in lexicon/directory.toml.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.normalize import normalize
from etl.vocab import is_placeholder

LEXICON = Path(__file__).parent / "lexicon"
LEVELS = ("地市", "区县", "乡镇街道", "村社区", "企业", "行业", "其他")
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


def code_key(code: str | None) -> str | None:
    """An official code as the directory stores it: 12 digits (a 9-digit township code padded with zeros)."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return None
    return code.ljust(12, "0")


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


def names_a_place(raw: str | None) -> bool:
    """False for empty text, template placeholders (xx镇) and relative words (本镇, 我区): they name no region."""
    return bool(raw and raw.strip()) and not is_placeholder(raw) and not is_relative(raw)


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


def resolve(con: duckdb.DuckDBPyConnection, raw: str | None) -> int | None:
    """Region id by name, alias or official code; None for unknown names and for placeholders (xx镇, 某镇)."""
    return RegionResolver(con).resolve(raw)


# ---- names the directory does not know: suggestions for the person who decides ---------------------------------

@dataclass(frozen=True)
class Unknown:
    """A name an upload brings that the directory lacks, with what it might be."""

    raw: str
    name: str  # canonical (no 总工会, Simplified)
    suggestions: tuple[str, ...] = ()  # directory regions it may be a misspelling of, best first
    elsewhere: tuple[str, ...] = ()  # places of that name in the national table outside the federation's area
    rows: int = 0  # facts (tally cells, report figures) that name it
    where: str = ""  # the first cell or file that names it

    @property
    def message(self) -> str:
        """The Chinese explanation (etl/lexicon/directory.toml [messages])."""
        msgs = directory_rules()["messages"]
        text = msgs["unknown"].format(raw=self.raw, rows=self.rows)
        if self.suggestions:
            text += msgs["typo"].format(near="、".join(self.suggestions))
        if self.elsewhere:
            text += msgs["elsewhere"].format(places="；".join(self.elsewhere[:3]),
                                             more=msgs["more"] if len(self.elsewhere) > 3 else "")
        return text


@cache
def directory_rules() -> dict:
    """etl/lexicon/directory.toml: who reports to whom, count words, deadlines, messages."""
    with open(LEXICON / "directory.toml", "rb") as f:
        return tomllib.load(f)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (names are short: a plain dynamic programme is fast enough)."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _score(name: str, key: str) -> float | None:
    """How close a directory spelling is to an unknown name (lower is closer); None when not close."""
    if name == key:
        return 0.0
    stem, _ = split_level(name)
    kstem, _ = split_level(key)
    if stem and stem == kstem:  # the same place with another level word: 云溪镇 for 云溪乡
        return 0.5
    d = edit_distance(name, key)
    if d <= max(1, min(len(name), len(key)) // 4):  # one character off in a short name: 白杉镇 for 白沙镇
        return float(d)
    short, long_ = sorted((name, key), key=len)
    if len(short) >= 2 and long_.startswith(short):  # 东湖街 for 东湖街道
        return 1.5
    ratio = difflib.SequenceMatcher(None, name, key).ratio()
    return 3.0 - ratio if ratio >= 0.6 else None


def suggestions(name: str, spellings: Mapping[str, str], n: int = 3) -> list[str]:
    """Up to `n` directory regions whose name or alias (`spellings`: spelling → region name) is close to `name`."""
    name = canonical_name(name)
    if not name:
        return []
    scored: dict[str, float] = {}
    for key, region in spellings.items():
        s = _score(name, canonical_name(key))
        if s is not None and s < scored.get(region, 99.0):
            scored[region] = s
    return [r for r, _ in sorted(scored.items(), key=lambda kv: (kv[1], kv[0]))[:n]]


def spellings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every name and alias of the directory → the region's name."""
    out = {n: n for (n,) in con.execute("SELECT name FROM regions").fetchall()}
    for alias, name in con.execute(
            "SELECT a.alias, r.name FROM region_aliases a JOIN regions r ON r.id = a.region_id").fetchall():
        out.setdefault(alias, name)
    return out


def suggest(con: duckdb.DuckDBPyConnection, raw: str | None, n: int = 3) -> list[str]:
    """Up to `n` registered region names close to `raw` (for '是否为…' in messages)."""
    return suggestions(raw or "", spellings(con), n)


def elsewhere(name: str, area_code: str | None) -> list[str]:
    """Places of the national table named `name` that lie outside the area with code `area_code`.

    '北京市东城区东华门街道' style (province, city, county, township), so staff see a town of another
    county as such instead of adding it to their own.
    """
    from etl.divisions import by_code, townships_named

    prefix = (area_code or "").rstrip("0")
    if len(prefix) % 2:  # codes go in pairs of digits (province 2, city 4, county 6): keep whole levels
        prefix += "0"
    out = []
    for d in townships_named(canonical_name(name)):
        if prefix and d.stat_code.startswith(prefix):
            continue
        chain, code = [d.name], d.parent
        while code:
            up = by_code().get(code)
            if up is None:
                break
            if up.name not in ("市辖区", "县"):
                chain.insert(0, up.name)
            code = up.parent
        out.append("".join(chain))
    return out


def describe_unknown(con: duckdb.DuckDBPyConnection, raws: Mapping[str, tuple[int, str]],
                     area_code: str | None = None) -> list[Unknown]:
    """Unknown names (raw → (rows, first place)) with suggestions from the directory and the national table."""
    spelled = spellings(con)
    return [Unknown(raw, canonical_name(raw), tuple(suggestions(raw, spelled)),
                    tuple(elsewhere(raw, area_code)), rows, where)
            for raw, (rows, where) in raws.items()]


def current_region(con: duckdb.DuckDBPyConnection, region_id: int) -> int:
    """Follow successor_id (renames, merges) to the region that exists today."""
    seen = {region_id}
    while True:
        row = con.execute("SELECT successor_id FROM regions WHERE id = ?", [region_id]).fetchone()
        if row is None or row[0] is None or row[0] in seen:
            return region_id
        region_id = row[0]
        seen.add(region_id)


def find_unknown(con: duckdb.DuckDBPyConnection, counts: Mapping[str | None, int],
                 where: Mapping[str, str] | None = None) -> list[Unknown]:
    """The names among `counts` (raw name → facts naming it) the directory lacks, described for a person
    (suggestions, places of the same name elsewhere), in the order first met. `where`: the cell or file
    that first names each."""
    from etl.directory import current

    resolver = BatchResolver(con)
    resolver.resolve_all(counts)
    fed = current(con)
    found = {raw: (int(counts[raw]), (where or {}).get(raw, "")) for raw in resolver.unknown}
    return describe_unknown(con, found, fed.code if fed else None)
