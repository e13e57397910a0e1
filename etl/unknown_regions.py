"""Names an upload brings that the directory does not know, described for the person who decides.

A load never adds a region silently (etl/regions.py). Before it, the upload
pages and `ingest` list each unknown name with what it might be: a typo of a
directory name (`suggestions`, by edit distance and shared stems: 白杉镇 for
白沙镇, 云溪乡 for 云溪镇) or a place of the same name in another county
(`elsewhere`, from the national table). The messages are data
(lexicon/directory.toml [messages]). Apart from the resolver because this is
fuzzy matching for people, not the exact lookups a load relies on.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from etl.federation import current, directory_rules
from etl.region_names import canonical_name, split_level
from etl.regions import BatchResolver


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


def elsewhere(name: str, area_code: str | None) -> list[str]:
    """Places of the national table named `name` that lie outside the area with code `area_code`.

    '北京市东城区东华门街道' style (province, city, county, township), so staff see a town of another
    county as such instead of adding it to their own.
    """
    from etl.divisions import full_name, townships_named

    prefix = (area_code or "").rstrip("0")
    if len(prefix) % 2:  # codes go in pairs of digits (province 2, city 4, county 6): keep whole levels
        prefix += "0"
    return [full_name(d) for d in townships_named(canonical_name(name))
            if not (prefix and d.stat_code.startswith(prefix))]


def describe_unknown(con: duckdb.DuckDBPyConnection, raws: Mapping[str, tuple[int, str]],
                     area_code: str | None = None) -> list[Unknown]:
    """Unknown names (raw → (rows, first place)) with suggestions from the directory and the national table."""
    spelled = spellings(con)
    return [Unknown(raw, canonical_name(raw), tuple(suggestions(raw, spelled)),
                    tuple(elsewhere(raw, area_code)), rows, where)
            for raw, (rows, where) in raws.items()]


def find_unknown(con: duckdb.DuckDBPyConnection, counts: Mapping[str | None, int],
                 where: Mapping[str, str] | None = None) -> list[Unknown]:
    """The names among `counts` (raw name → facts naming it) the directory lacks, described for a person
    (suggestions, places of the same name elsewhere), in the order first met. `where`: the cell or file
    that first names each."""
    resolver = BatchResolver(con)
    resolver.resolve_all(counts)
    fed = current(con)
    found = {raw: (int(counts[raw]), (where or {}).get(raw, "")) for raw in resolver.unknown}
    return describe_unknown(con, found, fed.code if fed else None)
