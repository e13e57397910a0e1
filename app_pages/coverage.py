"""覆盖率: 建会率, 入会率, 集体合同建制率 by town: ranking against the target, town × year heat map.

The metric and the year are in the URL (`cov_metric`, `cov_year`); a click on a town's bar or on a heat-map
cell opens that town's 地区详情.
"""

import streamlit as st

from dashboard import cache, charts, filters, fmt, links, targets, views
from etl.catalog import load_catalog

RATES = ["union_coverage_rate", "membership_rate", "cc_coverage_rate"]

st.title("覆盖率")
f = filters.current()
views.scope_caption(f)
metric = views.url_widget(st.radio, "指标", RATES, links.COVERAGE_METRIC, fmt=links.metric_label, horizontal=True)
name = load_catalog()[metric].name_zh
grid = cache.get("by_region", [metric], f.region_ids, f.year_from, f.year_to, [f.periods[0]], top=views.TOP)
years = [int(y) for y in sorted(grid.dropna(subset=["value"])["year"].unique())]
if not years:
    st.info("所选范围内没有这一指标的数据。")
else:
    year = views.year_choice(years, links.COVERAGE_YEAR)
    now = cache.get("by_region", [metric], f.region_ids, year, year, [f.periods[0]]).dropna(subset=["value"])
    target = targets.target_for(metric, int(year))
    if target is not None:
        below = int((now["value"] < target).sum())
        st.caption(f"目标 {fmt.number(target, '%')}：{len(now) - below} 个地区达标，{below} 个未达标。"
                   "点击地区查看其详情。")
    views.show(charts.ranking(now, target=target, title=f"{year}年{name}排名"), click="region")
    views.top_note(grid)
    views.show(charts.heatmap(grid, title=f"{name}：地区 × 年份"), click="region")
views.excluded_note(RATES, f)
