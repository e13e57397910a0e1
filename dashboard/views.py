"""Small streamlit building blocks the pages share (so each page stays a few dozen lines)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import cache, filters, safe
from dashboard.filters import Filters
from dashboard.summary import Kpi

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


_pages: dict[str, st.Page] = {}


def register(pages: Sequence) -> None:
    """Remember app.py's st.Page objects: switch_page with a bare path inside st.navigation fell back
    to the old pages/ folder navigation (measured in the browser), so links use the objects."""
    for p in pages:
        path = getattr(p, "_page", None)
        if path is not None and not callable(path):
            _pages[Path(str(path)).as_posix().split("/pages/")[-1].removeprefix("pages/")] = p


def page(file: str):
    """The registered st.Page for 'pages/<file>' (or the path itself when app.py did not register it)."""
    return _pages.get(file.removeprefix("pages/"), file)


def show(fig: go.Figure, key: str | None = None) -> None:
    """Draw a figure with our own theme (theme=None keeps streamlit from restyling it).

    Clicking a point that stands for one region's figure opens 数据来源 for it (the
    charts put [region, metric, year, period] in each point's customdata).
    """
    key = key or f"chart-{fig.layout.title.text or ''}-{len(fig.data)}"
    event = st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, key=key, on_select="rerun",
                            selection_mode="points")
    points = event.selection.points if event else []
    cell = points[0].get("customdata") if points else None
    if cell and cell[0]:
        open_sources(*cell)


def open_sources(region: str, metric: str, year: int, period: str) -> None:
    """Go to 数据来源 for one cell. The cell travels in session state, not in switch_page's query_params:
    passing query_params there dropped the app back to the old pages/ navigation (seen in chromium);
    the sources page writes them into the URL itself."""
    st.session_state["open_sources"] = {"src_region": region, "src_metric": metric, "src_year": str(year),
                                        "src_period": period}
    st.switch_page(page("pages/sources.py"))


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
        st.page_link(page("pages/review.py"), label="去审核页处理", icon=":material/fact_check:")
    return total


def kpi_cards(items: Sequence[Kpi], columns: int = 3) -> None:
    """KPI cards: latest value, 同比 change, a small FY trend line."""
    cols = st.columns(columns)
    for i, k in enumerate(items):
        with cols[i % columns]:
            label = k.name_zh + (f"（{k.year}年{'上半年' if k.period == 'H1' else ''}）" if k.year else "")
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
