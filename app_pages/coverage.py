"""覆盖率: 建会率, 入会率, 集体合同建制率 by town: ranking against the target, town × year heat map."""

import streamlit as st

from dashboard import cache, charts, filters, fmt, targets, views
from etl.catalog import load_catalog

RATES = ["union_coverage_rate", "membership_rate", "cc_coverage_rate"]

st.title("覆盖率")
f = filters.current()
views.scope_caption(f)
metric = st.radio("指标", RATES, format_func=lambda c: load_catalog()[c].name_zh, horizontal=True,
                  key="coverage_metric")
name = load_catalog()[metric].name_zh
grid = cache.get("by_region", [metric], f.region_ids, f.year_from, f.year_to, [f.periods[0]], top=views.TOP)
years = sorted(grid.dropna(subset=["value"])["year"].unique())
if not years:
    st.info("所选范围内没有这一指标的数据。")
else:
    year = st.select_slider("年份", years, value=int(years[-1]), key="coverage_year")
    now = cache.get("by_region", [metric], f.region_ids, year, year, [f.periods[0]]).dropna(subset=["value"])
    target = targets.target_for(metric, int(year))
    if target is not None:
        below = int((now["value"] < target).sum())
        st.caption(f"目标 {fmt.number(target, '%')}：{len(now) - below} 个地区达标，{below} 个未达标。")
    views.show(charts.ranking(now, target=target, title=f"{year}年{name}排名"))
    views.top_note(grid)
    views.show(charts.heatmap(grid, title=f"{name}：地区 × 年份"))
views.excluded_note(RATES, f)
