"""Shared sidebar filters (regions, years, H1/FY), kept in the URL so a view can be bookmarked.

app.py draws them once per run, before the page, so every page sees the same
choice; the URL carries `region=白沙镇,青石镇&years=2019-2024&period=FY`.
On the first run of a session the URL sets the widgets; afterwards the
widgets set the URL. A URL can be typed or pasted by anyone: a value that is
not one of the choices falls back to the default, and the page says so
(`url_note`, shown by `show_url_notes`) instead of failing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import cache, safe
from etl.vocab import PERIOD_ZH

PERIOD_CHOICES = {"全年": ("FY",), "上半年": ("H1",), "全年和上半年": ("FY", "H1")}
PERIOD_URL = {"全年": "FY", "上半年": "H1", "全年和上半年": "FY,H1"}
URL_KEYS = ("region", "years", "period")


@dataclass(frozen=True)
class Filters:
    """What the user chose; region_ids are never both an area and one of its own towns."""

    region_ids: tuple[int, ...]
    region_names: tuple[str, ...]
    year_from: int
    year_to: int
    periods: tuple[str, ...]
    default_scope: bool  # nothing chosen: the top-level area(s)

    @property
    def label(self) -> str:
        where = "、".join(self.region_names) if len(self.region_names) <= 3 else f"{len(self.region_names)}个地区"
        half = "、".join(PERIOD_ZH[p] for p in self.periods)
        return f"{where} · {self.year_from}–{self.year_to}年 · {half}"


def _drop_nested(ids: list[int], regions: pd.DataFrame) -> list[int]:
    """Remove regions whose ancestor is also selected (their figures are already inside it)."""
    parent = dict(zip(regions["id"], regions["parent_id"], strict=True))
    chosen = set(ids)
    out = []
    for rid in ids:
        p, nested = parent.get(rid), False
        while p is not None and not pd.isna(p):
            if p in chosen:
                nested = True
                break
            p = parent.get(int(p))
        if not nested:
            out.append(rid)
    return out


YEAR_URL = re.compile(r"^([0-9]{4})-([0-9]{4})$")  # ASCII digits only: '²'.isdigit() is True, int('²') fails


def url_note(key: str, value: str, fallback: str) -> None:
    """Remember that URL parameter `key` had an unusable value (shown once by `show_url_notes`)."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    st.session_state.setdefault("url_notes", []).append(
        f"网址中的参数 {key}=“{shown}” 无效，已改用{fallback}。")


def show_url_notes() -> None:
    """Say which URL parameters were ignored (values shown as written, never as markdown)."""
    for note in st.session_state.pop("url_notes", []):
        st.caption(safe.md(note))


def _init_from_url(names: list[str], lo: int, hi: int) -> None:
    qp = st.query_params
    asked = [n for n in qp.get("region", "").split(",") if n]
    st.session_state.flt_regions = [n for n in asked if n in names]
    unknown = [n for n in asked if n not in names]
    if unknown:
        url_note("region", ",".join(unknown), "其余地区（不认识的地区名已忽略）" if len(unknown) < len(asked)
                 else "全区")
    y0, y1 = lo, hi
    years = qp.get("years", "")
    m = YEAR_URL.match(years)
    if m:
        a, b = int(m[1]), int(m[2])
        y0, y1 = max(lo, min(a, b)), min(hi, max(a, b))
    elif years:
        url_note("years", years, f"全部年份 {lo}–{hi}")
    st.session_state.flt_years = (y0, y1) if y0 <= y1 else (lo, hi)
    by_url = {v: k for k, v in PERIOD_URL.items()}
    period = qp.get("period", "FY")
    if period not in by_url:
        url_note("period", period, "全年")
    st.session_state.flt_period = by_url.get(period, "全年")
    st.session_state.flt_ready = True


def sidebar() -> Filters:
    """Draw the filters in the sidebar, sync the URL, remember the result for `current()`."""
    regions = cache.get("regions")
    bounds = cache.get("year_bounds") or (dt.date.today().year, dt.date.today().year)
    lo, hi = bounds
    names = list(regions["name"])
    labels = {r.name: ("　" * int(r.depth)) + r.name for r in regions.itertuples()}
    if "flt_ready" not in st.session_state:
        _init_from_url(names, lo, hi)
    _restore(names, lo, hi)
    with st.sidebar:
        st.markdown("**筛选**")
        st.multiselect("地区", names, key="flt_regions", format_func=labels.get,
                       placeholder="全区（默认）", select_all=False,
                       help="不选即看全区；选上级地区时不必再选其下属镇街。")
        if lo < hi:
            st.slider("年份", min_value=lo, max_value=hi, key="flt_years", format="%d年")
        else:
            st.session_state.flt_years = (lo, hi)
            st.caption(f"年份：{lo}年")
        st.radio("期别", list(PERIOD_CHOICES), key="flt_period", horizontal=True,
                 help="上半年与全年的数字分开统计，不相加。")
        show_url_notes()
    y0, y1 = st.session_state.flt_years
    chosen = [int(regions.loc[regions["name"] == n, "id"].iloc[0]) for n in st.session_state.flt_regions]
    default = not chosen
    if default:  # the federation's area; before the set-up (an old database), the top of the tree
        fed = cache.get("federation")
        chosen = [fed.region_id] if fed else [int(i) for i in regions.loc[regions["depth"] == 0, "id"]]
    ids = _drop_nested(chosen, regions)
    id_to_name = dict(zip(regions["id"], regions["name"], strict=True))
    f = Filters(tuple(ids), tuple(id_to_name[i] for i in ids), int(y0), int(y1),
                PERIOD_CHOICES[st.session_state.flt_period], default)
    _write_url(f, lo, hi)
    st.session_state.filters = f
    st.session_state.flt_saved = (list(st.session_state.flt_regions), (int(y0), int(y1)),
                                  st.session_state.flt_period)
    return f


def _restore(names: list[str], lo: int, hi: int) -> None:
    """Put back widget values streamlit dropped (a st.switch_page mid-run reset the slider to a bare int)."""
    regions, years, period = st.session_state.get("flt_saved", ([], (lo, hi), "全年"))
    ys = st.session_state.get("flt_years")
    if not (isinstance(ys, tuple | list) and len(ys) == 2):
        ys = years
    # The data may have changed under the session (an undo, a restore, another upload): keep the range inside
    # the years there are now, or the slider refuses its own value; a range wholly outside them becomes all years.
    y0, y1 = int(ys[0]), int(ys[1])
    st.session_state.flt_years = (max(lo, y0), min(hi, y1)) if y0 <= hi and y1 >= lo and y0 <= y1 else (lo, hi)
    if not isinstance(st.session_state.get("flt_regions"), list):
        st.session_state.flt_regions = [n for n in regions if n in names]
    elif any(n not in names for n in st.session_state.flt_regions):  # a region that an undo took away
        st.session_state.flt_regions = [n for n in st.session_state.flt_regions if n in names]
    if st.session_state.get("flt_period") not in PERIOD_CHOICES:
        st.session_state.flt_period = period


def _write_url(f: Filters, lo: int, hi: int) -> None:
    """Only the filter keys: other page-specific parameters in the URL are left alone."""
    qp = st.query_params
    wanted = {
        "region": "" if f.default_scope else ",".join(f.region_names),
        "years": "" if (f.year_from, f.year_to) == (lo, hi) else f"{f.year_from}-{f.year_to}",
        "period": "" if f.periods == ("FY",) else ",".join(f.periods),
    }
    for key, value in wanted.items():
        if value and qp.get(key) != value:
            qp[key] = value
        elif not value and key in qp:
            del qp[key]


def current() -> Filters:
    """The filters app.py drew for this run (pages call this, never sidebar())."""
    f = st.session_state.get("filters")
    return f if f is not None else sidebar()
