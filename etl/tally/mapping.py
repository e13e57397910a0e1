"""Header text → what the column holds (Column); cell text → number.

Rules live in etl/lexicon/tally_headers.toml. Matching order, most specific
first: a role word (地区, 年度 …) exactly, a metric synonym exactly, a family
(a noun family × the unit the header counts in: 送温暖慰问困难职工(户) is
aid_households, 慰问金(万元) aid_amount), then the longest metric synonym
contained in the header (so 新发展会员数(人) is members_new, never
members_total). A header naming a part of a figure (其中, 女会员, 帮扶资金 by
source) is matched only by an exact synonym.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, NamedTuple

from etl.tally.config import Unit, lexicon, norm
from etl.tally.read import col_letter

ROLES = ("region", "year", "period", "metric", "value", "unit", "ignore")


@dataclass(frozen=True)
class HeaderGuess:
    role: str  # one of ROLES, 'figure' (a metric column) or 'unknown'
    metric: str | None = None
    unit: Unit | None = None  # from the header, e.g. (万元)
    exact: bool = True


def split_unit(text: str) -> tuple[str, Unit | None]:
    """'帮扶金额(万元)' → ('帮扶金额', Unit('元', 10000)); '建会率%' → ('建会率', %)."""
    lx = lexicon()
    s = norm(text)
    unit = None
    m = lx.unit_re.search(s)
    if m:
        unit = lx.units[m.group(1) or m.group(2)]
        s = (s[: m.start()] + s[m.end():]).strip()
    elif s.endswith("%"):
        unit, s = lx.units["%"], s[:-1]
    return s, unit


def guess_header(text: str) -> HeaderGuess:
    """Classify one header text (parent and child already joined by the caller)."""
    lx = lexicon()
    name, unit = split_unit(text)
    if not name:
        return HeaderGuess("unknown", unit=unit)
    for role, words in lx.roles.items():
        if name in words:
            return HeaderGuess(role, unit=unit)
    for code, words in lx.metrics.items():
        if name in words:
            return HeaderGuess("figure", code, unit)
    if any(w in name for w in lx.subsets):
        return HeaderGuess("unknown", unit=unit)
    family = family_of(name, unit)
    if family:
        return HeaderGuess("figure", family, unit)
    best: tuple[int, str] | None = None
    for code, words in lx.metrics.items():
        if not _may_be(code, name, unit):
            continue
        for w in words:  # longest first
            if len(w) >= 3 and w in name and (best is None or len(w) > best[0]):
                best = (len(w), code)
                break
    if best:
        return HeaderGuess("figure", best[1], unit, exact=False)
    return HeaderGuess("unknown", unit=unit)


def measure_of(name: str, unit: Unit | None) -> str | None:
    """The catalog unit a header counts in: its bracketed unit, else its last word (慰问户数 → 户)."""
    if unit is not None:
        return unit.to
    return next((u for w, u in lexicon().measures if name.endswith(w)), None)


def family_of(name: str, unit: Unit | None) -> str | None:
    """The metric of the first family whose nouns, unit and vetoes fit the header (name without its unit)."""
    measure = measure_of(name, unit)
    if measure is None:
        return None
    for f in lexicon().families:
        if (measure in f.units and all(any(w in name for w in group) for group in f.nouns)
                and not any(w in name for w in f.veto)):
            return f.metric
    return None


def _may_be(code: str, name: str, unit: Unit | None) -> bool:
    """Whether a header merely containing a synonym of `code` may be read as it: it counts in the metric's
    unit (when it says) and holds no veto word of the metric's families (投保金额 is no 参保人数)."""
    from etl.catalog import load_catalog

    measure = measure_of(name, unit)
    if measure is not None and measure != load_catalog()[code].unit:
        return False
    return not any(w in name for f in lexicon().families if f.metric == code for w in f.veto)


def unit_of(text: Any) -> Unit | None:
    """A unit cell of the long layout ('万元', '人')."""
    return lexicon().units.get(norm(text).strip("()"))


def metric_of(text: Any) -> tuple[str | None, Unit | None]:
    """A metric-name cell of the long layout ('帮扶金额(万元)')."""
    g = guess_header(str(text))
    return (g.metric if g.role == "figure" else None), g.unit


_INF = float("inf")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SEPARATORS = str.maketrans("", "", ",，'’ \u00a0\u3000_")


class Parsed(NamedTuple):  # a tuple, not a dataclass: built once per cell, so creation cost matters
    value: float | None
    error: str | None = None  # Chinese reason when the cell is not a number
    percent_text: bool = False  # written as '92.3%'
    scale: float = 1.0  # a trailing 万 in the cell


@cache
def _unit_words() -> tuple[tuple[str, float], ...]:
    return tuple((w, u.scale) for w, u in sorted(lexicon().units.items(), key=lambda kv: -len(kv[0])) if w != "%")


def parse_number(v: Any) -> Parsed:
    """A figure cell: numbers as numbers or text with separators, full-width digits, '%', '万'."""
    t = type(v)
    if t is float:
        return Parsed(None, "不是有效数字") if v != v or v in (_INF, -_INF) else Parsed(v)
    if t is int:
        return Parsed(float(v))
    if v is None:
        return Parsed(None)
    if isinstance(v, bool):
        return Parsed(None, "是逻辑值（TRUE/FALSE），不是数字")
    if isinstance(v, int | float):
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return Parsed(None, "不是有效数字")
        return Parsed(float(v))
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return Parsed(None, "是日期，不是数字（请检查单元格格式）")
    s = norm(v)
    if not s or s in lexicon().blank:
        return Parsed(None)
    if s.startswith("#"):
        return Parsed(None, f"是 Excel 错误值 {s}，请修正公式")
    s = s.translate(_SEPARATORS)
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    scale = 1.0
    for word, unit_scale in _unit_words():
        if s.endswith(word) and _NUM.match(s[: -len(word)] or "x"):
            s, scale = s[: -len(word)], unit_scale
            break
    else:
        if s.endswith("万") and _NUM.match(s[:-1] or "x"):
            s, scale = s[:-1], 10000.0
    if not _NUM.match(s):
        return Parsed(None, "不是数字")
    return Parsed(float(s), percent_text=percent, scale=scale)


def parse_year(v: Any) -> int | None:
    """2023, 2023.0, '2023年', '2023年度' → 2023."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return int(v) if float(v).is_integer() else None
    if isinstance(v, dt.date):
        return v.year
    m = re.search(r"(19|20)\d{2}", norm(v))
    return int(m.group(0)) if m else None


def parse_period(v: Any) -> str | None:
    """'上半年' / '1-6月' → 'H1'; '全年' → 'FY'."""
    return _period(norm(v))


@lru_cache(maxsize=1024)
def _period(s: str) -> str | None:
    if not s:
        return None
    for code, words in lexicon().periods.items():
        if s in words:
            return code
    for code, words in lexicon().periods.items():
        if any(w in s for w in words if len(w) >= 2):
            return code
    return None


def find_year_period(text: str) -> tuple[int | None, str | None]:
    """Year and period named in a title such as '2023年上半年各镇(街道)工会组建情况统计表'."""
    s = norm(text)
    m = re.search(r"((?:19|20)\d{2})\s*年", s) or re.fullmatch(r"((?:19|20)\d{2})", s)
    year = int(m.group(1)) if m else None
    period = None
    for code in ("H1", "FY"):
        if any(w in s for w in lexicon().periods[code] if len(w) >= 2 and w != "年度"):
            period = code
            break
    return year, period


@dataclass
class Column:
    index: int
    header: str  # header pieces joined with ' / ', as shown to the user
    role: str  # ROLES, 'figure' (one metric per column) or 'unknown'
    metric: str | None = None
    unit: Unit | None = None
    exact: bool = True  # False: matched by a contained synonym; the page asks for confirmation

    @property
    def letter(self) -> str:
        return col_letter(self.index)


def header_key(columns: list[Column]) -> str:
    """Hash of the normalised header row: remembered column mappings are keyed by it."""
    text = "|".join(norm(c.header) for c in columns)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def columns(fill: list[list[Any]], head: list[int], width: int,
            mapping: dict[str, dict[str, str]] | None) -> list[Column]:
    """What each column of a table holds, from its header rows (a parent row's text joins its children's);
    a user's remembered corrections (by header_key) win over the guess."""
    cols: list[Column] = []
    for c in range(width):
        pieces: list[str] = []
        for h in head:
            v = fill[h][c] if c < len(fill[h]) else None
            if v is not None and norm(v) and (not pieces or norm(v) != norm(pieces[-1])):
                pieces.append(str(v).strip())
        header = " / ".join(pieces)
        g = classify_header(pieces)
        cols.append(Column(c, header, g.role, g.metric, g.unit, g.exact))
    while cols and not cols[-1].header:
        cols.pop()
    roles = {c.role for c in cols}
    if {"metric", "value"} <= roles:
        for col in cols:  # 单位 names a unit column in the long layout, an organisation otherwise
            if col.role == "region" and norm(col.header) == "单位":
                col.role = "unit"
    if mapping:
        for letter, choice in mapping.get(header_key(cols), {}).items():
            for col in cols:
                if col.letter == letter:
                    apply_choice(col, choice)
    return cols


def apply_choice(col: Column, choice: str) -> None:
    """A user's mapping choice: a role name, a metric code or 'ignore'."""
    if choice in ROLES:
        col.role, col.metric = choice, None
    elif choice == "unknown":
        col.role, col.metric = "ignore", None
    else:
        col.role, col.metric = "figure", choice
    col.exact = True


def classify_header(pieces: list[str]) -> HeaderGuess:
    """A column's header cells, parent first: the child alone (unless the parent qualifies it: 工资专项集体合同 /
    覆盖职工), then parent+child, then all joined, then a parent alone when the child adds nothing of its own
    (a unit, 合计): 帮扶资金 / 中央财政 is no 帮扶资金."""
    if not pieces:
        return HeaderGuess("unknown")
    unit = None
    for p in reversed(pieces):
        g = guess_header(p)
        if g.unit:
            unit = g.unit
            break
    lx = lexicon()
    child, _ = split_unit(pieces[-1])
    neutral = not child or child in lx.neutral
    qualified = any(w in norm(p) for p in pieces[:-1] for w in lx.qualifiers)
    candidates = [*(() if qualified else (pieces[-1],)), "".join(pieces[-2:]), "".join(pieces),
                  *(reversed(pieces[:-1]) if neutral else ())]
    guesses = [guess_header(c) for c in candidates]
    for g in guesses:
        if g.role != "unknown" and g.exact:
            return HeaderGuess(g.role, g.metric, g.unit or unit, True)
    for g in guesses:
        if g.role != "unknown":
            return HeaderGuess(g.role, g.metric, g.unit or unit, False)
    return HeaderGuess("unknown", unit=unit)
