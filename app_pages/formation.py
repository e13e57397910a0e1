"""工会组建: union counts and new unions over the years, and per town."""

import streamlit as st

from dashboard import cache, charts, views

METRICS = ["union_orgs_total", "union_orgs_new", "union_coverage_rate"]

f, one, trend = views.area("工会组建", METRICS)  # one: the single region whose trend points link to sources
towns = cache.get("by_region", METRICS, f.region_ids, f.year_from, f.year_to, f.periods, top=views.TOP)

left, right = st.columns(2)
with left:
    views.show(charts.trend(trend[trend["metric"] == "union_orgs_total"], title="工会组织总数（期末）", region=one))
with right:
    views.show(charts.trend(trend[trend["metric"] == "union_orgs_new"], title="新建工会组织数（当期）", region=one))

st.subheader("各镇（街道）对比")
views.top_note(towns)
latest = towns[(towns["metric"] == "union_orgs_total") & (towns["period"] == f.periods[0])].dropna(subset=["value"])
if len(latest):
    year = int(latest["year"].max())
    views.show(charts.ranking(latest[latest["year"] == year], title=f"{year}年工会组织总数"), click="region")
views.show(charts.small_multiples(towns[towns["metric"] == "union_coverage_rate"], title="建会率（全年）"))
views.excluded_note(METRICS, f)
