"""Figures from DataFrames: each function takes a query result and returns a plotly Figure.

No streamlit here: the PNG/PPTX export reuses these functions unchanged.
Conventions every chart keeps: values shown in 万/亿 when large (axis title
says so), hover text in full Chinese formatting, approximate values (近, 余)
drawn hollow / hatched and labelled 约, missing years left as gaps, H1 and FY
in separate panels, conflicting sources marked with a red ring. A partial
figure (a sum of only the towns that reported) is its own trace in a trend,
an open diamond labelled with its count (4/7), never joined by a line to the
complete years; a town due to report that did not is shown as 未报 in
rankings and heat maps, not left out.

Region names come from uploaded files, and plotly reads a little HTML in its
labels (<a href>, <b>): every name is escaped (`_text`) and none is pasted
into a hover template, so a town called '<a href=…>' is shown as written.

Building a figure costs far more than the query behind it (measured: 70% of a
page's time), so each chart is remembered by the content of its DataFrame
and its arguments (`_memo`). The figures handed out are shared: treat them as
read-only (export.deck.for_slide copies before changing one).
"""

from __future__ import annotations

import functools
import hashlib
import html
import math
import threading
from collections import OrderedDict

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard import fmt, theme
from etl.vocab import PERIOD_ZH, PERIODS

PERIOD_ORDER = [PERIOD_ZH[p] for p in PERIODS]
MEMO_SIZE = 256  # figures remembered per chart function


def _text(value: object) -> str:
    """A label from the data, shown as written (plotly would read <a>, <b>, <br> in it)."""
    return html.escape(str(value), quote=False)


def _key(value: object) -> object:
    """A hashable stand-in for an argument: DataFrames by their content."""
    if isinstance(value, pd.DataFrame):
        digest = hashlib.blake2b(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes(), digest_size=16)
        return ("frame", tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), len(value), digest.digest())
    hash(value)
    return value


def _memo(fn):
    """Remember the last MEMO_SIZE figures of `fn` by argument content (not by object identity)."""
    cache: OrderedDict = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            key = (tuple(_key(a) for a in args), tuple(sorted((k, _key(v)) for k, v in kwargs.items())))
        except TypeError:  # an unhashable argument (a list column): build afresh
            return fn(*args, **kwargs)
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        fig = fn(*args, **kwargs)
        with lock:
            cache[key] = fig
            while len(cache) > MEMO_SIZE:
                cache.popitem(last=False)
        return fig

    wrapper.cache_clear = cache.clear
    return wrapper


def _scaled(df: pd.DataFrame, unit: str) -> tuple[pd.Series, str]:
    """Values divided for display, and the unit label for the axis (万人, 亿元, %)."""
    div, big = fmt.scale_for(df["value"].abs().max(), unit)
    return df["value"] / div, f"{big}{unit}"


def _approx(df: pd.DataFrame, partial: bool = True) -> pd.Series:
    """True where the value is approximate (approx holds 'about' / 'at_least' / 'at_most' or a bool), and,
    with `partial`, where it is a sum of only the parts that reported (it is not the whole either)."""
    if "approx" not in df:
        approx = pd.Series(False, index=df.index)
    else:
        approx = df["approx"].map(lambda a: bool(a) if isinstance(a, str | bool) else False).astype(bool)
    if partial and "partial" in df:
        approx = approx | df["partial"].fillna(False).astype(bool)
    return approx


def _partial(df: pd.DataFrame) -> pd.Series:
    """True where a value stands and is a partial sum."""
    if "partial" not in df:
        return pd.Series(False, index=df.index)
    return df["partial"].fillna(False).astype(bool) & df["value"].notna()


def count_label(r: pd.Series | dict) -> str:
    """'4/7镇街' for a summed figure: units that reported / units due."""
    n, m = r.get("n_children"), r.get("n_expected")
    if n is None or m is None or pd.isna(n) or pd.isna(m):
        return ""
    return f"{int(n)}/{int(m)}{r.get('unit_word') or ''}"


def _cells(df: pd.DataFrame, region: str | None = None) -> list[list]:
    """customdata per point: [region, metric, year, period] of the cell it shows, so a click can open
    its sources. region is '' where the point is a sum of several regions (no single source)."""
    out = []
    for _, r in df.iterrows():
        name = r.get("region", region) or ""
        if r.get("from_children"):
            name = ""
        out.append([name, r.get("metric", ""), int(r["year"]) if pd.notna(r.get("year")) else 0,
                    r.get("period", "")])
    return out


def _hover(df: pd.DataFrame) -> list[str]:
    out = []
    for _, r in df.iterrows():
        text = fmt.number(r["value"], r.get("unit", ""), r.get("approx"))
        if r.get("conflict"):
            text += "（来源不一致，见数据来源页）"
        via = r.get("via")
        if isinstance(via, str) and via:
            text += f"（合并前：{via}之和" if "、" in via else f"（更名前：{via}"
            text += "，部分未报，不完整）" if r.get("partial") else "）"
        elif r.get("partial") and r.get("from_children"):
            text += f"（部分：{count_label(r)}已报，不完整，不与完整年份比较）"
        elif r.get("from_children"):
            text += f"（由{count_label(r) or '下级'}汇总）"
        out.append(text)
    return out


def _unit_label(fig: go.Figure, unit_label: str, title: str | None) -> None:
    """The unit, written level (rotated CJK axis titles are hard to read on a projector): as the title's
    subtitle when there is a title (a long title plus its unit was cut off on a half-width chart), else
    above the y axis."""
    if title:
        fig.update_layout(title={"text": _text(title),
                                 "subtitle": {"text": _text(f"单位：{unit_label}") if unit_label else ""}})
        fig.update_layout(margin={"t": 84})
    elif unit_label:
        fig.add_annotation(text=f"单位：{unit_label}", xref="paper", yref="paper", x=0, y=1.0, xanchor="left",
                           yanchor="bottom", yshift=24, showarrow=False, font={"size": 14, "color": "#555"})


def year_ticks(first: int, last: int, max_labels: int = 6) -> dict:
    """A year axis that never rotates its labels (rotated years were cut to '201'): every year while they
    fit, else every 2nd (3rd, …) year counted back from the last one, so the latest year is always labelled."""
    step = max(1, -(-(last - first + 1) // max_labels))  # ceil
    return {"tickmode": "array", "tickvals": list(range(last, first - 1, -step))[::-1], "tickangle": 0,
            "tickformat": "d", "automargin": True}


def legend_below() -> dict:
    """A legend under the plot, measured from the bottom of the figure (plotly then makes room for it), so it
    never sits on the x axis's labels however tall they are."""
    return {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0, "xanchor": "left"}


def empty(message: str = "所选范围内没有数据") -> go.Figure:
    """A blank chart that says why it is blank (instead of an empty axis)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 20, "color": "#666"}, x=0.5, y=0.5,
                       xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return theme.apply(fig, height=260)


@_memo
def trend(df: pd.DataFrame, series: str = "name_zh", title: str | None = None, height: int = 420,
          region: str | None = None) -> go.Figure:
    """Lines over years, one colour per `series`, one panel per period (全年 / 上半年).

    Rows with NaN values stay in so that lines break at missing years. `region` names the single
    region the lines are about (then a click on a point can open that figure's sources).
    """
    if df.empty or df["value"].notna().sum() == 0:
        return empty()
    unit = df["unit"].iloc[0]
    periods = [p for p in PERIOD_ORDER if p in set(df.loc[df["value"].notna(), "period_zh"])]
    fig = make_subplots(rows=1, cols=len(periods), shared_yaxes=True, subplot_titles=periods,
                        horizontal_spacing=0.04)
    values, unit_label = _scaled(df, unit)
    df = df.assign(shown=values)
    names = list(dict.fromkeys(df[series]))
    shown_partial = False
    for col, period in enumerate(periods, start=1):
        part = df[df["period_zh"] == period].sort_values("year")
        have = part.loc[part["value"].notna(), "year"]
        # The panel ends with its own last figure: a 全年 axis does not run into a year that has only 上半年 data.
        first, last = int(part["year"].min()), int(have.max())
        fig.update_xaxes(range=[first - 0.4, last + 0.4], **year_ticks(first, last, 6 if len(periods) == 1 else 4),
                         row=1, col=col)
        for i, name in enumerate(names):
            g = part[part[series] == name]
            color = theme.PALETTE[i % len(theme.PALETTE)]
            partial = _partial(g)
            whole = g.assign(shown=g["shown"].where(~partial))  # partial years break the line
            approx = _approx(whole, partial=False)
            fig.add_trace(go.Scatter(
                x=whole["year"], y=whole["shown"], name=_text(name), legendgroup=str(i), showlegend=col == 1,
                mode="lines+markers", connectgaps=False, line={"color": color, "width": 3},
                marker={"size": 9, "color": [("white" if a else color) for a in approx],
                        "line": {"color": color, "width": 2}},
                text=_hover(g), hovertemplate="%{x}年 %{fullData.name}：%{text}<extra></extra>",
                customdata=_cells(g, region),
            ), row=1, col=col)
            if partial.any():
                p = g[partial]
                fig.add_trace(go.Scatter(
                    x=p["year"], y=p["shown"], mode="markers+text", name="部分上报（不完整）",
                    legendgroup="partial", showlegend=not shown_partial,
                    marker={"symbol": "diamond-open", "size": 14, "color": color, "line": {"width": 2.5}},
                    text=[f"部分 {count_label(r)}" for _, r in p.iterrows()], textposition="top center",
                    textfont={"color": color, "size": 13},
                    hovertext=[f"{_text(name)}：{h}" for h in _hover(p)],  # the name as written, never a template
                    hovertemplate="%{x}年 %{hovertext}<extra></extra>",
                    customdata=_cells(p, region),
                ), row=1, col=col)
                shown_partial = True
            bad = g[g.get("conflict", pd.Series(False, index=g.index)).fillna(False).astype(bool)]
            if not bad.empty:
                fig.add_trace(go.Scatter(
                    x=bad["year"], y=bad["shown"], mode="markers", name="来源不一致", legendgroup="conflict",
                    showlegend=False, hoverinfo="skip",
                    marker={"size": 20, "color": "rgba(0,0,0,0)", "line": {"color": theme.CONFLICT_COLOR, "width": 2}},
                ), row=1, col=col)
    if unit == "%":
        fig.update_yaxes(rangemode="normal")  # rates move by a few points: a zero baseline flattens them
    _unit_label(fig, unit_label, title)
    if len(names) == 1 and not shown_partial:
        fig.update_layout(showlegend=False)
    else:  # below the plot: above it the legend collides with the 全年/上半年 panel titles
        fig.update_layout(legend=legend_below())
    return theme.apply(fig, height)


@_memo
def ranking(df: pd.DataFrame, target: float | None = None, title: str | None = None, limit: int = 30) -> go.Figure:
    """Towns ranked, best at the top, each labelled with its value.

    Counts and money: bars from zero. Rates: towns sit within a few points of each other (95.3 % and
    96.6 % look alike on a 0–100 axis), so each town is a dot on an axis zoomed to the values and the
    target, joined to the dashed target line by a segment coloured by which side it is on, and labelled
    with its gap to the target. More than `limit` regions: the best and the worst limit/2, with a gap row.
    Towns that were due and did not report (`status` 'missing', or 'exempt': 不适用) are listed at the
    bottom of a bar ranking, labelled, with no bar (a rate ranking names them in its title): missing,
    not absent.
    """
    gaps = df[df["value"].isna() & df.get("status", pd.Series(None, index=df.index)).isin(["missing", "exempt"])]
    df = df[df["value"].notna()].sort_values("value")
    if df.empty and gaps.empty:
        return empty()
    if len(df) > limit:
        half = limit // 2
        n_hidden = len(df) - 2 * half
        gap = df.iloc[[0]].assign(region=f"…（其余 {n_hidden} 个）", value=float("nan"), approx=False)
        df = pd.concat([df.head(half), gap, df.tail(half)])
    unit = (df if len(df) else gaps)["unit"].iloc[0]
    if unit == "%" and len(df):
        missing = f"（未报：{'、'.join(gaps['region'])}）" if len(gaps) else ""
        return _rate_ranking(df, target, (title or "") + missing or None)
    values, unit_label = _scaled(df, unit) if len(df) else (df["value"], unit)
    approx = _approx(df)
    labels = [fmt.number(v, unit, a) for v, a in zip(df["value"], df.get("approx", approx), strict=True)]
    fig = go.Figure(go.Bar(
        x=values, y=[_text(r) for r in df["region"]], orientation="h", text=labels, textposition="outside",
        cliponaxis=False,
        marker={"color": theme.PALETTE[0], "pattern": {"shape": ["/" if a else "" for a in approx]}},
        hovertemplate="%{y}：%{text}<extra></extra>", customdata=_cells(df), name="已报",
    ))
    if len(gaps):
        gaps = gaps.sort_values("region")
        said = [MISSING_ZH.get(s, "未报") for s in gaps["status"]]
        fig.add_trace(go.Bar(
            x=[0] * len(gaps), y=[_text(r) for r in gaps["region"]], orientation="h", text=said,
            textposition="outside",
            cliponaxis=False, marker={"color": theme.MISSING_COLOR}, textfont={"color": theme.MISSING_COLOR},
            hovertemplate="%{y}：%{text}<extra></extra>", name="未报",
        ))
        order = [_text(r) for r in [*gaps["region"], *df["region"]]]  # bottom to top: missing under the last
        fig.update_yaxes(categoryorder="array", categoryarray=order)
    if target is not None and len(df):
        div, _ = fmt.scale_for(df["value"].abs().max(), unit)
        fig.add_vline(x=target / div, line={"color": theme.TARGET_COLOR, "dash": "dash", "width": 2},
                      annotation_text=f"目标 {fmt.number(target, unit)}", annotation_position="top")
    fig.update_xaxes(title_text=unit_label, showgrid=True, gridcolor="#e5e5e5")
    fig.update_layout(showlegend=False)
    if title:
        fig.update_layout(title=_text(title + (f"（{len(gaps)}个未报）" if len(gaps) else "")))
    return theme.apply(fig, max(300, 40 * (len(df) + len(gaps)) + 120))


MISSING_ZH = {"missing": "未报", "exempt": "不适用"}


def rate_axis(values: pd.Series, target: float | None = None) -> tuple[float, float]:
    """An x range that holds every value and the target with a margin, in whole points (never past 100)."""
    lo, hi = float(values.min()), float(values.max())
    if target is not None:
        lo, hi = min(lo, target), max(hi, target)
    pad = max(0.5, (hi - lo) * 0.25)
    return max(0.0, math.floor(lo - pad)), min(100.0, math.ceil(hi + pad))


def _rate_ranking(df: pd.DataFrame, target: float | None, title: str | None) -> go.Figure:
    """Dot plot of rates on a zoomed axis, with the gap to the target (see `ranking`)."""
    cells = _cells(df)  # the names as stored: a click opens that town
    df = df.assign(region=[_text(r) for r in df["region"]])  # shown as written (plotly reads <a>, <b>, <br>)
    shown = df[df["value"].notna()]
    approx = _approx(df)
    x0, x1 = rate_axis(shown["value"], target)
    labels = []
    for v, a in zip(df["value"], df.get("approx", approx), strict=True):
        text = fmt.number(v, "%", a)
        if target is not None and pd.notna(v):
            d = v - target
            text += f"（{'+' if d >= 0 else '−'}{fmt.number(round(abs(d), 1), '%')[:-1]}）"
        labels.append(text if pd.notna(v) else "")
    fig = go.Figure()
    if target is not None:  # the gap: a segment from the target to each town, coloured by its side
        for side, color in ((True, theme.PALETTE[0]), (False, theme.TARGET_COLOR)):
            part = shown[(shown["value"] >= target) == side]
            xs, ys = [], []
            for v, r in zip(part["value"], part["region"], strict=True):
                xs += [target, v, None]
                ys += [r, r, None]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": color, "width": 6},
                                     hoverinfo="skip", showlegend=False))
        fig.add_vline(x=target, line={"color": theme.TARGET_COLOR, "dash": "dash", "width": 2},
                      annotation_text=f"目标 {fmt.number(target, '%')}", annotation_position="top")
    colors = [theme.PALETTE[0] if target is None or v >= target else theme.TARGET_COLOR for v in df["value"]]
    fig.add_trace(go.Scatter(
        x=df["value"], y=df["region"], mode="markers+text", text=labels, textposition="middle right",
        cliponaxis=False, customdata=cells, hovertemplate="%{y}：%{text}<extra></extra>",
        marker={"size": 16, "color": ["white" if a else c for a, c in zip(approx, colors, strict=True)],
                "line": {"color": colors, "width": 3}}, showlegend=False,
    ))
    note = "%（括号内为与目标之差，单位：个百分点）" if target is not None else "%（坐标轴不从 0 开始）"
    fig.update_xaxes(range=[x0, x1], title_text=note, showgrid=True, gridcolor="#e5e5e5", tickformat=",~r")
    fig.update_yaxes(categoryorder="array", categoryarray=list(df["region"]), showgrid=True, gridcolor="#f0f0f0")
    fig.update_layout(margin={"r": 170})  # room for the labels right of the best town's dot
    if title:
        fig.update_layout(title=_text(title))
    return theme.apply(fig, max(300, 40 * len(df) + 120))


@_memo
def heatmap(df: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Town × year grid of one metric; each cell shows its value. A town due that year that did not report
    is a grey 未报 cell (不适用 when so marked); a year a town did not exist stays blank."""
    status = df.get("status", pd.Series(None, index=df.index))
    gaps = df[df["value"].isna() & status.isin(["missing", "exempt"])]
    df = df[df["value"].notna()]
    if df.empty:
        return empty()
    unit = df["unit"].iloc[0]
    grid = df.pivot_table(index="region", columns="year", values="value", aggfunc="first")
    extra = sorted(set(gaps["region"]) - set(grid.index))
    grid = grid.reindex(index=[*grid.index, *extra])
    lo = int(min(grid.columns.min(), gaps["year"].min() if len(gaps) else grid.columns.min()))
    hi = int(max(grid.columns.max(), gaps["year"].max() if len(gaps) else grid.columns.max()))
    years = list(range(lo, hi + 1))
    grid = grid.reindex(columns=years)
    grid = grid.loc[grid.mean(axis=1).sort_values(na_position="first").index]
    text = grid.map(lambda v: fmt.number(v, unit, with_unit=False) if pd.notna(v) else "")
    metric = df["metric"].iloc[0] if "metric" in df else ""
    period = df["period"].iloc[0] if "period" in df else ""
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[str(y) for y in years], y=[_text(r) for r in grid.index], text=text.values,
        texttemplate="%{text}",
        colorscale=theme.SEQUENTIAL, hoverongaps=False, xgap=2, ygap=2, hoverinfo="skip",
        colorbar={"title": {"text": unit}},
    ))
    # A heat map's cells cannot be selected in plotly, so each cell also gets an invisible square point:
    # hovering it shows the figure, clicking it opens the town (customdata [region, metric, year, period]).
    cells = [(region, y, v) for region in grid.index for y, v in zip(years, grid.loc[region], strict=True)]
    fig.add_trace(go.Scatter(
        x=[str(y) for _, y, _ in cells], y=[_text(r) for r, _, _ in cells], mode="markers", showlegend=False,
        marker={"symbol": "square", "size": 26, "color": "rgba(0,0,0,0)"},
        customdata=[[r, metric, y, period] for r, y, _ in cells],
        text=[f"{fmt.number(v, unit)}" if pd.notna(v) else "无数据" for _, _, v in cells],
        hovertemplate="%{y} %{x}年：%{text}（点击查看该地区）<extra></extra>",
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 1}},
    ))
    if len(gaps):
        said = gaps.assign(said=[MISSING_ZH.get(s, "未报") for s in gaps["status"]]).pivot_table(
            index="region", columns="year", values="said", aggfunc="first").reindex(index=grid.index, columns=years)
        fig.add_trace(go.Heatmap(
            z=said.notna().astype(float).where(said.notna()).values, x=[str(y) for y in years],
            y=[_text(r) for r in grid.index],
            text=said.astype(object).fillna("").values, texttemplate="%{text}", colorscale=[[0, theme.MISSING_FILL],
                                                                           [1, theme.MISSING_FILL]],
            showscale=False, hoverongaps=False, xgap=2, ygap=2, textfont={"color": theme.MISSING_COLOR},
            hovertemplate="%{y} %{x}年：%{text}<extra></extra>",
        ))
    fig.update_yaxes(rangemode="normal")
    fig.update_xaxes(type="category")  # "2019", not "2,019"
    if title:
        fig.update_layout(title=_text(title))
    return theme.apply(fig, max(320, 38 * len(grid) + 140))


@_memo
def stacked(df: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Per-year bars stacked by town (flows such as aid money: the parts add up to the whole).

    A year in which some towns due did not report says so above its bar (4/7已报): its bar is not the whole.
    """
    status = df.get("status", pd.Series(None, index=df.index))
    due = df[df["value"].notna() | status.isin(["missing"])].groupby("year")["region"].nunique()
    df = df[df["value"].notna()]
    if df.empty:
        return empty()
    unit = df["unit"].iloc[0]
    values, unit_label = _scaled(df, unit)
    df = df.assign(shown=values)
    fig = go.Figure()
    for i, (region, g) in enumerate(df.groupby("region", sort=True)):
        fig.add_trace(go.Bar(x=g["year"], y=g["shown"], name=_text(region), marker_color=theme.PALETTE[i % 8],
                             text=_hover(g), hovertemplate="%{fullData.name} %{x}年：%{text}<extra></extra>",
                             textposition="none", customdata=_cells(g)))
    got = df.groupby("year")["region"].nunique()
    tops = df.groupby("year")["shown"].sum()
    for year, n in got.items():
        if n < due.get(year, n):
            fig.add_annotation(x=year, y=tops[year], text=f"部分：{n}/{int(due[year])}已报", showarrow=False,
                               yshift=14, font={"color": theme.MISSING_COLOR, "size": 14})
    fig.update_layout(barmode="stack", legend=legend_below())
    fig.update_xaxes(**year_ticks(int(df["year"].min()), int(df["year"].max())))
    _unit_label(fig, unit_label, title)
    return theme.apply(fig, 460)


@_memo
def small_multiples(df: pd.DataFrame, wrap: int = 4, title: str | None = None) -> go.Figure:
    """One small line chart per town on a shared axis, so shapes compare at a glance."""
    df = df[df["period"] == "FY"] if (df["period"] == "FY").any() else df
    regions = sorted(df.loc[df["value"].notna(), "region"].unique())
    if not regions:
        return empty()
    unit = df["unit"].iloc[0]
    values, unit_label = _scaled(df, unit)
    df = df.assign(shown=values)
    rows = (len(regions) + wrap - 1) // wrap
    fig = make_subplots(rows=rows, cols=wrap, shared_yaxes=True, subplot_titles=[_text(r) for r in regions],
                        vertical_spacing=0.12, horizontal_spacing=0.03)
    for i, region in enumerate(regions):
        g = df[df["region"] == region].sort_values("year")
        fig.add_trace(go.Scatter(x=g["year"], y=g["shown"], mode="lines+markers", connectgaps=False,
                                 line={"color": theme.PALETTE[0], "width": 2}, marker={"size": 5},
                                 name=_text(region), text=_hover(g),
                                 hovertemplate="%{fullData.name} %{x}年：%{text}<extra></extra>",
                                 customdata=_cells(g), showlegend=False), row=i // wrap + 1, col=i % wrap + 1)
    # A small panel labels its first and last year only: more would not fit unrotated. The axis ends with the
    # last figure: a 全年 axis does not run into a year that has only 上半年 data (an empty row here).
    have = df.loc[df["value"].notna(), "year"]
    first, last = int(have.min()), int(have.max())
    fig.update_xaxes(tickmode="array", tickvals=sorted({first, last}), tickangle=0, tickformat="d",
                     range=[first - 0.3, last + 0.3])
    if unit == "%":
        fig.update_yaxes(rangemode="normal")
    _unit_label(fig, unit_label, title)
    return theme.apply(fig, 230 * rows + 90)
