"""集体合同: enterprises under collective contracts, workers covered, wage bargaining."""

import streamlit as st

from dashboard import cache, charts, views

METRICS = ["cc_enterprises", "wage_cc_enterprises", "cc_workers_covered", "cc_coverage_rate"]

f, one, trend = views.area("集体合同", METRICS)  # one: the single region whose trend points link to sources
towns = cache.get("by_region", METRICS, f.region_ids, f.year_from, f.year_to, f.periods, top=views.TOP)

left, right = st.columns(2)
with left:
    views.show(charts.trend(trend[trend["metric"].isin(["cc_enterprises", "wage_cc_enterprises"])],
                            title="签订集体合同 / 工资集体协商企业数", region=one))
with right:
    views.show(charts.trend(trend[trend["metric"] == "cc_workers_covered"], title="集体合同覆盖职工数", region=one))

st.subheader("各镇（街道）对比")
views.top_note(towns)
covered = towns[(towns["metric"] == "cc_workers_covered") & (towns["period"] == f.periods[0])]
views.show(charts.small_multiples(covered, title="集体合同覆盖职工数"))
views.excluded_note(METRICS, f)
