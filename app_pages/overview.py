"""总览: KPI cards for the latest period with 同比, a trend, and the biggest movers."""

import streamlit as st

from dashboard import cache, charts, filters, summary, views
from etl.catalog import load_catalog

KPI = ["union_orgs_total", "members_total", "union_coverage_rate",
       "membership_rate", "cc_workers_covered", "aid_amount"]

fed = cache.get("federation")
st.title(f"{fed.name} · 统计总览" if fed else "工会统计总览")
f = filters.current()
one = views.one_region(f)  # trends of one region link each point to its sources
views.scope_caption(f)
period = f.periods[0]
trend = cache.get("trend", KPI, f.region_ids, f.year_from, f.year_to, f.periods)
cards = summary.kpis(trend, KPI, period)  # the latest complete year; a newer partial one is one click away
if views.partial_toggle(cards, "overview_partial"):
    cards = summary.kpis(trend, KPI, period, complete_only=False)
views.kpi_cards(cards)

st.subheader("趋势")
metric = st.selectbox("指标", KPI, format_func=lambda c: load_catalog()[c].name_zh, key="overview_metric")
views.show(charts.trend(trend[trend["metric"] == metric], region=one))

st.subheader("变化最大的地区（与上年同期相比）")
# the cards' year: the complete one (a metric with no complete year shows a partial one, which does not decide)
latest = (max((k.year for k in cards if k.year and not k.partial), default=None)
          or max((k.year for k in cards if k.year), default=None) or f.year_to)
moved = cache.get("changes", KPI, f.region_ids, latest, period)
st.dataframe(summary.changes_table(moved), hide_index=True, width="stretch")
views.excluded_note(KPI, f)
