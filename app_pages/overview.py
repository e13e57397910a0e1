"""总览: KPI cards for the latest period with 同比, a trend, and the biggest movers."""

import streamlit as st

from dashboard import cache, charts, filters, summary, views
from etl.catalog import load_catalog

KPI = ["union_orgs_total", "members_total", "union_coverage_rate",
       "membership_rate", "cc_workers_covered", "aid_amount"]

st.title("工会统计总览")
f = filters.current()
one = views.one_region(f)  # trends of one region link each point to its sources
views.scope_caption(f)
period = f.periods[0]
trend = cache.get("trend", KPI, f.region_ids, f.year_from, f.year_to, f.periods)
views.kpi_cards(summary.kpis(trend, KPI, period))

st.subheader("趋势")
metric = st.selectbox("指标", KPI, format_func=lambda c: load_catalog()[c].name_zh, key="overview_metric")
views.show(charts.trend(trend[trend["metric"] == metric], region=one))

st.subheader("变化最大的地区（与上年同期相比）")
latest = summary.latest_year(trend, period) or f.year_to
moved = cache.get("changes", KPI, f.region_ids, latest, period)
st.dataframe(summary.changes_table(moved), hide_index=True, width="stretch")
views.excluded_note(KPI, f)
