"""KPI figures and 'what changed most', computed from query results (pandas only, no SQL, no streamlit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import fmt
from dashboard.charts import count_label
from etl.vocab import PERIOD_H1, PERIOD_ZH


@dataclass(frozen=True)
class Kpi:
    metric: str
    name_zh: str
    unit: str
    year: int | None
    period: str
    value: float | None
    previous: float | None  # same period one year earlier (同比), only when both years are complete
    approx: str | None  # 'about' | 'at_least' | 'at_most'
    conflict: bool
    history: tuple[float | None, ...]  # values over the year range, NaN for gaps
    partial: bool = False  # a sum of only the child regions that reported
    from_children: bool = False  # summed from the towns (not the region's own report)
    count: str = ""  # '7/7镇街' for a sum: units that reported / units due
    newer: tuple[int, str] | None = None  # a later year left out for being partial: (year, '4/7镇街')

    @property
    def text(self) -> str:
        return fmt.number(self.value, self.unit, self.approx)

    @property
    def delta(self) -> str | None:
        return fmt.change(self.value, self.previous, self.unit)

    @property
    def when(self) -> str:
        """'2024年，7/7镇街', '2025年，4/7镇街已报', '2024年' (the region's own figure)."""
        if self.year is None:
            return ""
        half = PERIOD_ZH[self.period] if self.period == PERIOD_H1 else ""
        if self.partial:
            return f"{self.year}年{half}，{self.count}已报"
        return f"{self.year}年{half}，{self.count}" if self.from_children and self.count else f"{self.year}年{half}"


def kpis(trend: pd.DataFrame, metrics: list[str], period: str = "FY", complete_only: bool = True) -> list[Kpi]:
    """The latest value of each metric for one period, with last year's for 同比.

    By default the latest complete year (every town due reported, or the region's own figure): a newer
    partial year is named in `newer`, one click away (`complete_only=False` shows it). 同比 compares two
    complete years only; a metric with no complete year at all shows its latest partial one, marked.
    """
    out = []
    for code in metrics:
        g = trend[(trend["metric"] == code) & (trend["period"] == period)].sort_values("year")
        have = g[g["value"].notna()]
        name = g["name_zh"].iloc[0] if len(g) else code
        unit = g["unit"].iloc[0] if len(g) else ""
        if have.empty:
            out.append(Kpi(code, name, unit, None, period, None, None, None, False, tuple(g["value"])))
            continue
        partial = have["partial"].astype(bool) if "partial" in have else pd.Series(False, index=have.index)
        whole = have[~partial]
        last = whole.iloc[-1] if complete_only and len(whole) else have.iloc[-1]
        later = have[(have["year"] > last["year"]) & partial]
        newer = (int(later.iloc[-1]["year"]), count_label(later.iloc[-1])) if len(later) else None
        prev = whole[whole["year"] == last["year"] - 1]["value"]
        is_partial = bool(last.get("partial", False))
        out.append(Kpi(code, name, unit, int(last["year"]), period, float(last["value"]),
                       float(prev.iloc[0]) if len(prev) and not is_partial else None,
                       last["approx"] if isinstance(last["approx"], str) else None, bool(last["conflict"]),
                       tuple(g["value"]), is_partial, bool(last.get("from_children", False)), count_label(last),
                       newer))
    return out


def latest_year(trend: pd.DataFrame, period: str = "FY", complete_only: bool = False) -> int | None:
    """Last year with any value for this period (the KPI cards' year); with `complete_only`, a complete one."""
    rows = (trend["period"] == period) & trend["value"].notna()
    if complete_only and "partial" in trend:
        rows &= ~trend["partial"].astype(bool)
    years = trend.loc[rows, "year"]
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


def reporting_status(grid: pd.DataFrame, year: int, period: str, since, today=None) -> pd.DataFrame:
    """queries.reporting_grid with each cell's status (etl.reporting.status; 不适用 where marked) and its label."""
    from etl.reporting import EXEMPT, STATUS_ZH, status

    def one(r) -> str:
        if pd.notna(r["exemption_id"]):
            return EXEMPT
        received = r["received"] if pd.notna(r["received"]) else None
        if isinstance(received, dt.datetime):  # pandas gives a DATE as a Timestamp
            received = received.date()
        return status(received, year, period, since, today)

    out = grid.copy()
    out["status"] = [one(r) for _, r in out.iterrows()] if len(out) else []
    out["status_zh"] = out["status"].map(STATUS_ZH)
    return out


def reporting_summary(table: pd.DataFrame) -> dict[str, list[str]]:
    """Units by how far they have got: every figure in, some in, none in (不适用 counts as in)."""
    from etl.reporting import EXEMPT, LATE, REPORTED

    out: dict[str, list[str]] = {"all": [], "some": [], "none": [], "late": []}
    for region, g in table.groupby("region", sort=False):
        done = g["status"].isin([REPORTED, LATE, EXEMPT])
        key = "all" if done.all() else "some" if done.any() else "none"
        out[key].append(region)
        if (g["status"] == LATE).any():
            out["late"].append(region)
    return out


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
