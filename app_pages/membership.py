"""会员发展: members, new members and membership rate, over years and per town."""

import streamlit as st

from dashboard import cache, charts, views

METRICS = ["members_total", "members_new", "workers_total", "membership_rate"]

f, one, trend = views.area("会员发展", METRICS)  # one: the single region whose trend points link to sources
towns = cache.get("by_region", METRICS, f.region_ids, f.year_from, f.year_to, f.periods, top=views.TOP)

left, right = st.columns(2)
with left:
    views.show(charts.trend(trend[trend["metric"].isin(["members_total", "workers_total"])],
                            title="会员总数与职工总数（期末）", region=one))
with right:
    views.show(charts.trend(trend[trend["metric"] == "members_new"], title="新发展会员数（当期）", region=one))

st.subheader("各镇（街道）对比")
views.top_note(towns)
members = towns[(towns["metric"] == "members_total") & (towns["period"] == f.periods[0])]
views.show(charts.small_multiples(members, title="会员总数"))
views.show(charts.heatmap(towns[(towns["metric"] == "membership_rate") & (towns["period"] == f.periods[0])],
                          title="入会率（%）"), click="region")
views.excluded_note(METRICS, f)
