"""Small streamlit building blocks the pages share (so each page stays a few dozen lines)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import cache, db, filters, links, provenance, safe, summary
from dashboard.filters import Filters
from dashboard.summary import Kpi
from etl.archive import ArchiveError, read_archived

CHART_SEQ = "_chart_keys_this_run"
# Plotly's toolbar in Chinese (its own `locale` mechanism; the strings are data in plotly_zh.json), and only the
# buttons a reader needs: download the picture, reset the axes. Zoom and pan fight with click-to-open.
PLOTLY_LOCALE = json.loads((Path(__file__).with_name("plotly_zh.json")).read_text(encoding="utf-8"))
PLOTLY_CONFIG = {
    "displaylogo": False, "locale": "zh-CN", "locales": {"zh-CN": PLOTLY_LOCALE},
    "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
                               "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

Click = Literal["sources", "region"] | None


def show(fig: go.Figure, key: str | None = None, click: Click = "sources") -> None:
    """Draw a figure with our own theme (theme=None keeps streamlit from restyling it).

    Each point of a chart carries [region, metric, year, period] in its customdata. A click opens
    数据来源 for that figure (click="sources", trends), or 地区详情 for that town (click="region", rankings
    and heat maps: the drill from the district to a town); click=None draws a chart that does not react.
    """
    if key is None:
        # Stable across reruns, distinct within one: two charts alike in title and traces (two empty ones)
        # get their order on the page. app.py clears the counter before every run.
        base = f"chart-{fig.layout.title.text or ''}-{len(fig.data)}"
        seen = st.session_state.setdefault(CHART_SEQ, {})
        seen[base] = seen.get(base, -1) + 1
        key = f"{base}-{seen[base]}" if seen[base] else base
    name = fig.layout.title.text or "图表"
    config = {**PLOTLY_CONFIG, "toImageButtonOptions": {**PLOTLY_CONFIG["toImageButtonOptions"],
                                                        "filename": name.split("（")[0]}}
    if click is None:
        st.plotly_chart(fig, theme=None, config=config, key=key)
        return
    event = st.plotly_chart(fig, theme=None, config=config, key=key, on_select="rerun", selection_mode="points")
    points = event.selection.points if event else []
    cell = points[0].get("customdata") if points else None
    if not (cell and cell[0]):
        return
    if click == "region":
        open_region(cell[0], cell[1])
    else:
        open_sources(*cell)


def _switch(page: str, params: dict[str, str]) -> None:
    """Open a page on a view, so that Back returns to this one.

    st.switch_page(query_params=…) makes two history entries: first this page's path with the new
    parameters, then the new page. Back stops at the first, so it carries this page's own parameters too
    (the view's widgets follow the URL, see `url_widget`) and shows this same view; the other page's
    parameters in it are ignored here, and this page's are ignored there.
    """
    here = {k: st.query_params[k] for k in st.query_params if k not in params}
    st.switch_page(page, query_params={**here, **params})


def open_sources(region: str, metric: str, year: int, period: str) -> None:
    """Go to 数据来源 for one cell; the cell travels in the URL, so Back returns here and the view can be shared."""
    _switch("app_pages/sources.py", links.sources_params(region, metric, year, period))


def open_region(town: str, metric: str | None = None) -> None:
    """Drill down: 地区详情 of one town (with the trend of the metric that was clicked)."""
    _switch("app_pages/region.py", links.region_params(town, metric))


# ---- page choices in the URL

URL_WROTE = "_url_wrote"  # parameter → the text this session last wrote to the URL
URL_KEPT = "_url_kept"  # parameter → the value last chosen (a widget's own state is dropped on a page switch)


def url_widget(widget: Callable[..., Any], label: str, options: Sequence[Any], key: str, default: Any = None,
               fmt: Callable[[Any], str] = str, **kwargs: Any) -> Any:
    """A choice widget whose value is in the URL under `key`, written as the option's label (what it shows).

    The URL sets the widget when it says something this session did not write (a shared link, Back or
    Forward, a chart click); otherwise the widget keeps the value last chosen, also after a visit to
    another page; `default` (else the first option) before anything was chosen. The value is then written
    back, defaults too, so every link is complete. A link may also hold the option itself (a metric's
    code, as links did before); a value that is neither is ignored with a note. Why not
    `bind="query-params"`: a page whose parameters are bound cannot hand them to st.switch_page, so Back
    after a chart click would land on the defaults.
    """
    options = list(options)
    if widget in (st.selectbox, st.multiselect):  # else its empty input says "Choose an option"
        kwargs.setdefault("placeholder", f"请选择{label}")
    wrote = st.session_state.setdefault(URL_WROTE, {})
    kept = st.session_state.setdefault(URL_KEPT, {})
    by_text = {**{str(o): o for o in options}, **{fmt(o): o for o in options}}  # older links held the code
    raw = st.query_params.get(key)
    if raw is not None and raw != wrote.get(key):
        if raw in by_text:
            st.session_state[key] = by_text[raw]
        else:
            st.caption(f"网址中的“{safe.md(raw[:40])}”不是可选的{label}，已改用默认值。")
    if st.session_state.get(key) not in options:
        st.session_state[key] = kept[key] if kept.get(key) in options else (
            default if default in options else options[0])
    value = widget(label, options, key=key, format_func=fmt, **kwargs)
    kept[key] = value
    wrote[key] = fmt(value)
    if st.query_params.get(key) != wrote[key]:
        st.query_params[key] = wrote[key]
    return value


# ---- the defaults of 数据来源 and 地区详情

SOURCES_METRIC = "members_total"


def source_years(f: Filters) -> list[int]:
    """The years 数据来源 offers: every year with data, and the sidebar's range."""
    lo, hi = cache.get("year_bounds") or (f.year_from, f.year_to)
    return list(range(min(lo, f.year_from), max(hi, f.year_to) + 1))


def sources_year_default(region_id: int, metric: str, years: Sequence[int]) -> int:
    """数据来源's year before anyone picks one: the region's latest year with this figure, else the last year."""
    have = cache.get("region_profile", region_id, min(years), max(years)).dropna(subset=["value"])
    have = have[have["metric"] == metric]
    latest = int(have["year"].max()) if len(have) else int(years[-1])
    return latest if latest in years else int(years[-1])


def town_default(f: Filters, names: Sequence[str]) -> str:
    """地区详情's town before anyone picks one: the sidebar's first region, else the top region."""
    return f.region_names[0] if f.region_names and f.region_names[0] in names else names[0]


def town_metrics(region_id: int, f: Filters) -> list[str]:
    """The metrics 地区详情 offers for its trend: those the town has figures for."""
    profile = cache.get("region_profile", region_id, f.year_from, f.year_to)
    return sorted(set(profile.dropna(subset=["value"])["metric"]))


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _archived(sha256: str, archive: str) -> bytes | None:
    try:
        return read_archived(sha256, archive)
    except ArchiveError:
        return None


def original_file(sha256: str | None, name: str | None, key: str) -> None:
    """A button that downloads the uploaded file exactly as it was archived (or says it is missing)."""
    if not sha256:
        return
    data = _archived(sha256, str(db.archive_path()))
    if data is None:
        st.caption("原始文件不在归档目录中，无法下载。")
        return
    st.download_button("下载原始文件", data, file_name=name or sha256[:12], key=key, icon=":material/download:")


@st.cache_data(show_spinner=False, max_entries=256, ttl=3600)
def _tally_row(sha256: str, archive: str, name: str, cell: str) -> str | None:
    data = _archived(sha256, archive)
    return provenance.tally_row(data, name, cell) if data is not None else None


def tally_row(sha256: str | None, name: str | None, cell: str) -> None:
    """The sheet row a tally figure came from, under its header rows, the figure's cell marked."""
    table = _tally_row(sha256, str(db.archive_path()), name or "", cell) if sha256 else None
    if table:
        st.markdown(table, unsafe_allow_html=True)  # provenance escapes every cell text

def year_choice(years: Sequence[int], key: str, label: str = "年份", default: int | None = None,
                partial: dict[int, str] | None = None) -> int | None:
    """One year among those with data, as a row of buttons (every year visible, unlike a slider), in the URL
    under `key`; `default` (else the latest year) by default. `partial`: years only some units reported,
    with their count ('4/8镇街'), labelled so ('2025年（4/8镇街已报）'). None when there is no year."""
    years = [int(y) for y in years]
    if len(years) < 2:
        return years[0] if years else None
    partial = partial or {}
    first = default if default in years else years[-1]
    return url_widget(st.segmented_control, label, years, key, first, required=True,
                      fmt=lambda y: f"{y}年（{partial[y]}已报）" if y in partial else f"{y}年")


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


def kpi_cards(items: Sequence[Kpi], columns: int = 3, regions: pd.DataFrame | None = None) -> None:
    """KPI cards: the value of the latest complete year (or the one asked for), 同比 change, a small trend.

    `regions`: per-region trends (summary.per_region's input) when several regions are chosen. A rate
    cannot be added up across regions, so its card shows the lowest～highest region and lists every
    region's value in its help; a card without a figure says why it shows "—".
    """
    cols = st.columns(columns)
    for i, k in enumerate(items):
        with cols[i % columns]:
            spread = (summary.per_region(regions, k.metric, k.year or _last_year(regions, k), k.period)
                      if regions is not None else None)
            label = k.name_zh + (f"（{k.when}）" if k.year else "")  # 2024年，8/8镇街 · 2025年，4/8镇街已报
            hist = [v for v in k.history if v == v]  # drop NaN: the card line is a hint, the page charts show gaps
            notes = (("含约数；" if k.approx else "")
                     + (f"仅为{k.count}已报的合计，不完整，不计算同比；" if k.partial else "")
                     + (f"{k.newer[0]}年仅{k.newer[1]}已报，未作为最新数字；" if k.newer and not k.partial else "")
                     + ("来源不一致，请到数据来源页核对。" if k.conflict else ""))
            text = k.text
            if k.value is None and spread is not None and len(spread):
                year = _last_year(regions, k)
                label = f"{k.name_zh}（{year}年，{len(spread)}个地区）"
                text = summary.spread_text(spread, k.unit)
                notes = ("比率不能跨地区相加，这里是各地区的最低～最高值。" if k.unit == "%" else "") + "各地区：" + \
                    "；".join(f"{r.region} {r.text}" for r in spread.itertuples())
                hist = []
            elif k.value is None:
                notes = "所选范围内没有这一指标的数据（空缺年份不按 0 计），所以显示“—”。"
            elif spread is not None and len(spread) > 1:
                notes += "各地区：" + "；".join(f"{r.region} {r.text}" for r in spread.itertuples())
            st.metric(label, text, delta=k.delta, delta_description="同比" if k.delta else None,
                      border=True, chart_data=hist if len(hist) > 1 else None, help=notes or None)


def _last_year(regions: pd.DataFrame | None, k: Kpi) -> int | None:
    """The last year any region has this metric (the card of a rate over several regions has no sum's year)."""
    if regions is None:
        return None
    have = regions[(regions["metric"] == k.metric) & (regions["period"] == k.period) & regions["value"].notna()]
    return int(have["year"].max()) if len(have) else None


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
