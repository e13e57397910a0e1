"""Small streamlit building blocks the pages share (so each page stays a few dozen lines)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import cache, filters, safe
from dashboard.filters import Filters
from dashboard.summary import Kpi
from etl.vocab import PERIOD_H1, PERIOD_ZH

CHART_SEQ = "_chart_keys_this_run"
PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def show(fig: go.Figure, key: str | None = None) -> None:
    """Draw a figure with our own theme (theme=None keeps streamlit from restyling it).

    Clicking a point that stands for one region's figure opens 数据来源 for it (the
    charts put [region, metric, year, period] in each point's customdata).
    """
    if key is None:
        # Stable across reruns, distinct within one: two charts alike in title and traces (two empty ones)
        # get their order on the page. app.py clears the counter before every run.
        base = f"chart-{fig.layout.title.text or ''}-{len(fig.data)}"
        seen = st.session_state.setdefault(CHART_SEQ, {})
        seen[base] = seen.get(base, -1) + 1
        key = f"{base}-{seen[base]}" if seen[base] else base
    event = st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key, on_select="rerun",
                            selection_mode="points")
    points = event.selection.points if event else []
    cell = points[0].get("customdata") if points else None
    if cell and cell[0]:
        open_sources(*cell)


def open_sources(region: str, metric: str, year: int, period: str) -> None:
    """Go to 数据来源 for one cell. The cell travels in session state; the sources page writes it into the URL
    itself, so the view can be bookmarked."""
    st.session_state["open_sources"] = {"src_region": region, "src_metric": metric, "src_year": str(year),
                                        "src_period": period}
    st.switch_page("app_pages/sources.py")


def one_region(f: Filters) -> str | None:
    """The single region a trend is about, if the filter picks exactly one."""
    return f.region_names[0] if len(f.region_names) == 1 else None


def excluded_note(metrics: Sequence[str], f: Filters) -> int:
    """Say how many facts the charts leave out and why, with a link to the review page."""
    ex = cache.get("excluded", list(metrics), f.year_from, f.year_to)
    total = int(ex["n"].sum()) if len(ex) else 0
    if total:
        reasons = "，".join(f"{r}{n}条" for r, n in zip(ex["reason"], ex["n"], strict=True))
        st.caption(f"另有 {total} 条数据未计入图表（{reasons}），需人工核对。")
        st.page_link("app_pages/review.py", label="去审核页处理", icon=":material/fact_check:")
    return total


def kpi_cards(items: Sequence[Kpi], columns: int = 3) -> None:
    """KPI cards: latest value, 同比 change, a small FY trend line."""
    cols = st.columns(columns)
    for i, k in enumerate(items):
        with cols[i % columns]:
            label = k.name_zh + (f"（{k.year}年{PERIOD_ZH[k.period] if k.period == PERIOD_H1 else ''}）"
                                 if k.year else "")
            hist = [v for v in k.history if v == v]  # drop NaN: the card line is a hint, the page charts show gaps
            st.metric(label, k.text, delta=k.delta, delta_description="同比" if k.delta else None,
                      border=True, chart_data=hist if len(hist) > 1 else None,
                      help=("含约数；" if k.approx else "") + ("仅为已上报下级的合计，不完整；" if k.partial else "")
                      + ("来源不一致，请到数据来源页核对。" if k.conflict else "") or None)


def scope_caption(f: Filters) -> None:
    st.caption(f"范围：{safe.md(f.label)}。上半年与全年分开统计；期末存量不跨期相加，当期流量才累计。"
               "空缺年份显示为断点而非 0。")


TOP = 24  # towns in small multiples, heat maps and stacked bars


def area(title: str, metrics: Sequence[str]) -> tuple[Filters, str | None, pd.DataFrame]:
    """The opening every area page shares: title, filters, scope note and the metrics' trend table.

    Returns the filters, the single region trends are about (or None) and the trend rows.
    """
    st.title(title)
    f = filters.current()
    scope_caption(f)
    trend = cache.get("trend", list(metrics), f.region_ids, f.year_from, f.year_to, f.periods)
    return f, one_region(f), trend


def top_note(towns, top: int = TOP) -> None:
    """Say when a per-town view shows only the leading towns."""
    if towns["region"].nunique() >= top:
        st.caption(f"地区较多，分镇图只显示最新值最大的前 {top} 个地区；完整名单见覆盖率页与地区详情页。")
