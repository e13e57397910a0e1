"""The tally lexicon (etl/lexicon/tally_headers.toml), loaded once.

Header synonyms, unit scales, totals/notes words and limits are data so staff
can teach the reader a new way of writing a header without touching code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from etl.catalog import load_catalog, read_lexicon


@dataclass(frozen=True)
class Unit:
    to: str  # catalog unit
    scale: float


@dataclass(frozen=True)
class Family:
    """A noun family × units → one metric (tally_headers.toml [[families]])."""

    metric: str
    nouns: tuple[tuple[str, ...], ...]  # a word of every group must be in the header
    units: frozenset[str]  # catalog units the header may count in
    veto: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    limits: dict[str, float]
    roles: dict[str, tuple[str, ...]]  # role -> normalised synonyms
    metrics: dict[str, tuple[str, ...]]  # code -> normalised synonyms, longest first
    families: tuple[Family, ...]
    measures: tuple[tuple[str, str], ...]  # (a header's last word, catalog unit), longest word first
    subsets: tuple[str, ...]  # words naming a part of a figure (其中, 女, 农民工 …)
    neutral: frozenset[str]  # child headers that add nothing to their parent (合计, 数量 …)
    qualifiers: tuple[str, ...]  # parent words that change what a child means (专项 …; the subsets too)
    units: dict[str, Unit]
    totals: frozenset[str]
    subtotal: frozenset[str]
    notes: tuple[str, ...]
    blank: frozenset[str]
    periods: dict[str, tuple[str, ...]]
    le_checks: tuple[dict[str, str], ...]
    jump: dict[str, float]
    years: tuple[int, int]
    unit_re: re.Pattern[str]


_SPACE = re.compile(r"\s+")


def norm(text: Any) -> str:
    """Header/cell text in one spelling: half-width, no spaces or line breaks, unified brackets."""
    if text is None:
        return ""
    return _norm(text if type(text) is str else str(text))


@lru_cache(maxsize=1 << 16)  # region names, periods and headers repeat down a sheet
def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text)
    s = s.replace("〔", "(").replace("〕", ")").replace("【", "(").replace("】", ")")
    s = s.replace("*", "").replace("＊", "")
    return _SPACE.sub("", s)


@cache
def lexicon() -> Lexicon:
    """Parse the TOML once. (A server's own size limit is etl.settings' tally_max_mb, passed to analyze.)"""
    raw = read_lexicon("tally_headers.toml")
    limits = {k: float(v) for k, v in raw["limits"].items()}
    roles = {k: tuple(norm(s) for s in v) for k, v in raw["roles"].items()}
    metrics: dict[str, tuple[str, ...]] = {}
    for code, m in load_catalog().items():
        syn = {norm(m.name_zh), *(norm(s) for s in raw["metrics"].get(code, []))}
        metrics[code] = tuple(sorted(syn, key=len, reverse=True))
    unknown = set(raw["metrics"]) - set(metrics)
    units = {norm(k): Unit(v["to"], float(v["scale"])) for k, v in raw["units"].items()}
    families = tuple(Family(f["metric"], tuple(tuple(norm(w) for w in g) for g in f["nouns"]), frozenset(f["units"]),
                            tuple(norm(w) for w in f.get("veto", []))) for f in raw["families"])
    unknown |= {f.metric for f in families} - set(metrics)
    if unknown:
        raise ValueError(f"tally_headers.toml names metrics missing from the catalog: {sorted(unknown)}")
    measures = sorted(((norm(w), u) for u, words in raw["measures"].items() for w in words), key=lambda wu: -len(wu[0]))
    unit_alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return Lexicon(
        limits=limits,
        roles=roles,
        metrics=metrics,
        families=families,
        measures=tuple(measures),
        subsets=tuple(norm(w) for w in raw["subsets"]["words"]),
        neutral=frozenset(norm(w) for w in raw["neutral"]["words"]),
        qualifiers=tuple(norm(w) for w in [*raw["qualifiers"]["words"], *raw["subsets"]["words"]]),
        units=units,
        totals=frozenset(norm(s) for s in raw["rows"]["totals"]),
        subtotal=frozenset(norm(s) for s in raw["rows"]["subtotal"]),
        notes=tuple(norm(s) for s in raw["rows"]["notes"]),
        blank=frozenset(norm(s) for s in raw["rows"]["blank"]),
        periods={k: tuple(norm(s) for s in v) for k, v in raw["periods"].items()},
        le_checks=tuple(raw["checks"]["le"]),
        jump={k: float(v) for k, v in raw["checks"]["jump"].items()},
        years=(int(raw["years"]["min"]), int(raw["years"]["max"])),
        unit_re=re.compile(rf"\((?:单位[:：]?)?({unit_alt})\)|(?:单位[:：]|/)({unit_alt})$"),
    )
