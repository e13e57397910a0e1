"""The tally lexicon (etl/lexicon/tally_headers.toml), loaded once.

Header synonyms, unit scales, totals/notes words and limits are data so staff
can teach the reader a new way of writing a header without touching code.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

LEXICON = Path(__file__).resolve().parent.parent / "lexicon" / "tally_headers.toml"


@dataclass(frozen=True)
class Unit:
    to: str  # catalog unit
    scale: float


@dataclass(frozen=True)
class Lexicon:
    limits: dict[str, float]
    roles: dict[str, tuple[str, ...]]  # role -> normalised synonyms
    metrics: dict[str, tuple[str, ...]]  # code -> normalised synonyms, longest first
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
    from etl.catalog import load_catalog

    raw = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    limits = {k: float(v) for k, v in raw["limits"].items()}
    roles = {k: tuple(norm(s) for s in v) for k, v in raw["roles"].items()}
    metrics: dict[str, tuple[str, ...]] = {}
    for code, m in load_catalog().items():
        syn = {norm(m.name_zh), *(norm(s) for s in raw["metrics"].get(code, []))}
        metrics[code] = tuple(sorted(syn, key=len, reverse=True))
    unknown = set(raw["metrics"]) - set(metrics)
    if unknown:
        raise ValueError(f"tally_headers.toml names metrics missing from the catalog: {sorted(unknown)}")
    units = {norm(k): Unit(v["to"], float(v["scale"])) for k, v in raw["units"].items()}
    unit_alt = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return Lexicon(
        limits=limits,
        roles=roles,
        metrics=metrics,
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
