"""KPI figures and 'what changed most', computed from query results (pandas only, no SQL, no streamlit)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import fmt


@dataclass(frozen=True)
class Kpi:
    metric: str
    name_zh: str
    unit: str
    year: int | None
    period: str
    value: float | None
    previous: float | None  # same period one year earlier (同比)
    approx: str | None  # 'about' | 'at_least' | 'at_most'
    conflict: bool
    history: tuple[float | None, ...]  # values over the year range, NaN for gaps
    partial: bool = False  # a sum of only the child regions that reported

    @property
    def text(self) -> str:
        return fmt.number(self.value, self.unit, self.approx)

    @property
    def delta(self) -> str | None:
        return fmt.change(self.value, self.previous, self.unit)


def kpis(trend: pd.DataFrame, metrics: list[str], period: str = "FY") -> list[Kpi]:
    """Latest value of each metric for one period, with last year's for 同比."""
    out = []
    for code in metrics:
        g = trend[(trend["metric"] == code) & (trend["period"] == period)].sort_values("year")
        have = g[g["value"].notna()]
        name = g["name_zh"].iloc[0] if len(g) else code
        unit = g["unit"].iloc[0] if len(g) else ""
        if have.empty:
            out.append(Kpi(code, name, unit, None, period, None, None, None, False, tuple(g["value"])))
            continue
        last = have.iloc[-1]
        prev = g[g["year"] == last["year"] - 1]["value"]
        out.append(Kpi(code, name, unit, int(last["year"]), period, float(last["value"]),
                       float(prev.iloc[0]) if len(prev) and pd.notna(prev.iloc[0]) else None,
                       last["approx"] if isinstance(last["approx"], str) else None, bool(last["conflict"]),
                       tuple(g["value"]), bool(last.get("partial", False))))
    return out


def latest_year(trend: pd.DataFrame, period: str = "FY") -> int | None:
    """Last year with any value for this period (the KPI cards' year)."""
    years = trend.loc[(trend["period"] == period) & trend["value"].notna(), "year"]
    return int(years.max()) if len(years) else None


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """queries.changes as a Chinese table: 地区, 指标, 年份, 本期, 上年同期, 变化 (with arrows)."""
    m = changes
    return pd.DataFrame({
        "地区": m["region"],
        "指标": m["name_zh"],
        "年份": m["year"].astype(int),
        "本期": [fmt.number(v, u, a)
               for v, u, a in zip(m["value"], m["unit"], m["approx"], strict=True)],
        "上年同期": [fmt.number(v, u) for v, u in zip(m["prev"], m["unit"], strict=True)],
        "变化": [fmt.arrow(v, p, u) for v, p, u in zip(m["value"], m["prev"], m["unit"], strict=True)],
    }).reset_index(drop=True)


def per_region(trends: pd.DataFrame, metric: str, year: int | None, period: str = "FY") -> pd.DataFrame:
    """Each region's own value of one metric in one year (rates cannot be added across regions, so a card
    for several regions shows these instead of a sum): columns region, value, approx, text; sorted high to low."""
    g = trends[(trends["metric"] == metric) & (trends["period"] == period) & (trends["year"] == year)]
    g = g[g["value"].notna()].sort_values(["value", "region"], ascending=[False, True])
    return g.assign(text=[fmt.number(v, u, a if isinstance(a, str) else None)
                          for v, u, a in zip(g["value"], g["unit"], g["approx"], strict=True)]
                    )[["region", "value", "approx", "text"]].reset_index(drop=True)


def spread_text(rows: pd.DataFrame, unit: str) -> str:
    """'95.3%～97.6%' (lowest to highest) for a card; one value alone stays one value; '—' for none."""
    if rows.empty:
        return "—"
    lo, hi = rows["value"].min(), rows["value"].max()
    return fmt.number(lo, unit) if lo == hi else f"{fmt.number(lo, unit)}～{fmt.number(hi, unit)}"
