"""Chinese number formatting: 万/亿, thousands separators, 同比/环比 changes, percent.

Counts below 10万 keep every digit (leaders compare them with the reports);
larger counts and all money from 1万 up use 万 or 亿 with two decimals, the way
the reports themselves write them (7.98万人, 21.13万元).
"""

from __future__ import annotations

import pandas as pd

from etl.vocab import APPROX_ZH

APPROX_PREFIX = {**APPROX_ZH, True: "约"}  # True: approximate, kind unknown (a sum of some approximate parts)


def _missing(v: object) -> bool:
    """None, NaN and pd.NA all mean 'no figure'."""
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _trim(x: float, digits: int) -> str:
    s = f"{x:,.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def scale_for(max_abs: float, unit: str) -> tuple[float, str]:
    """Divisor and prefix (万/亿) for a set of values of this unit."""
    if unit == "%" or _missing(max_abs):
        return 1.0, ""
    if max_abs >= 1e8:
        return 1e8, "亿"
    if max_abs >= (1e4 if unit == "元" else 1e5):
        return 1e4, "万"
    return 1.0, ""


def number(v: float | None, unit: str = "", approx: str | bool | None = None, with_unit: bool = True) -> str:
    """One figure as a Chinese reader expects it: 1,234家 · 7.98万人 · 21.13万元 · 1.2亿元 · 92.3%."""
    if _missing(v):
        return "—"
    v = float(v)
    prefix = APPROX_PREFIX.get(approx, "") if isinstance(approx, str | bool) and approx else ""
    if unit == "%":
        return f"{prefix}{_trim(v, 1)}%"
    div, big = scale_for(abs(v), unit)
    body = _trim(v / div, 2) if div > 1 else (f"{v:,.0f}" if v.is_integer() else _trim(v, 2))
    return f"{prefix}{body}{big}{unit if with_unit else ''}"


def change(cur: float | None, prev: float | None, unit: str = "") -> str | None:
    """Signed change for st.metric's delta: '+12.3%' or, for rates, '+1.2个百分点'. None when unknown."""
    if _missing(cur) or _missing(prev):
        return None
    cur, prev = float(cur), float(prev)
    if unit == "%":
        d = cur - prev
        return f"{'+' if d >= 0 else '-'}{_trim(abs(d), 1)}个百分点"
    if prev == 0:
        return None
    r = (cur - prev) / abs(prev) * 100
    return f"{'+' if r >= 0 else '-'}{_trim(abs(r), 1)}%"


def arrow(cur: float | None, prev: float | None, unit: str = "", label: str = "同比") -> str:
    """Change with an arrow for tables and captions: '同比 ▲12.3%', '环比 ▼0.5个百分点', '同比 持平'."""
    d = change(cur, prev, unit)
    if d is None:
        return f"{label} —"
    if d.lstrip("+-") in ("0%", "0个百分点"):
        return f"{label} 持平"
    return f"{label} {'▲' if d.startswith('+') else '▼'}{d[1:]}"


def completion(actual: float | None, target: float | None) -> str:
    """完成率 against a target: '完成率 96.5%'."""
    if _missing(actual) or _missing(target) or not target:
        return "完成率 —"
    return f"完成率 {_trim(float(actual) / float(target) * 100, 1)}%"
