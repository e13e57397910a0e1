"""困难帮扶: aid money, households and people; flows add up over years, per town stacked."""

import streamlit as st

from dashboard import cache, charts, fmt, queries, views

METRICS = ["aid_amount", "aid_households", "aid_recipients", "student_aid_amount", "mutual_aid_payout"]

f, one, trend = views.area("困难帮扶", METRICS)  # one: the single region whose trend points link to sources
towns = cache.get("by_region", ["aid_amount"], f.region_ids, f.year_from, f.year_to, ["FY"], top=views.TOP)

totals = queries.range_total(trend)
cols = st.columns(3)
for col, row in zip(cols * 2, totals.itertuples(), strict=False):
    name = trend.loc[trend["metric"] == row.metric, "name_zh"].iloc[0]
    unit = trend.loc[trend["metric"] == row.metric, "unit"].iloc[0]
    col.metric(f"{name}（{row.basis}）", fmt.number(row.value, unit), border=True)

left, right = st.columns(2)
with left:
    views.show(charts.trend(trend[trend["metric"] == "aid_amount"], title="帮扶慰问金额", region=one))
with right:
    views.show(charts.trend(trend[trend["metric"].isin(["aid_households"])], title="帮扶慰问户数", region=one))

st.subheader("各镇（街道）帮扶金额（全年，堆叠）")
views.top_note(towns)
views.show(charts.stacked(towns, title="帮扶慰问金额构成"))
views.excluded_note(METRICS, f)
