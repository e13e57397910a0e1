"""总览: KPI cards for a chosen year with 同比, a trend, and the biggest movers.

With several regions chosen the trend has one line per region and the rate cards show each region's value
(rates cannot be added up). The metric and the year are in the URL (`ov_metric`, `ov_year`).
"""

import pandas as pd
import streamlit as st

from dashboard import cache, charts, filters, links, safe, summary, views

KPI = ["union_orgs_total", "members_total", "union_coverage_rate",
       "membership_rate", "cc_workers_covered", "aid_amount"]

fed = cache.get("federation")
st.title(f"{fed.name} · 统计总览" if fed else "工会统计总览")
f = filters.current()
one = views.one_region(f)  # trends of one region link each point to its sources
views.scope_caption(f)
period = f.periods[0]
trend = cache.get("trend", KPI, f.region_ids, f.year_from, f.year_to, f.periods)
several = len(f.region_ids) > 1
per = pd.concat([cache.get("trend", KPI, (rid,), f.year_from, f.year_to, f.periods).assign(region=name)
                 for rid, name in zip(f.region_ids, f.region_names, strict=True)]) if several else None

have = (per if several else trend).dropna(subset=["value"])
years = sorted({int(y) for y in have.loc[have["period"] == period, "year"]})
# Years only some towns reported are labelled with their count and are not the default: the cards open on the
# last complete year, the partial one is a click away and says what it is (no 同比 across it).
partial = {int(r["year"]): charts.count_label(r) for _, r in trend[(trend["period"] == period) & trend["partial"]
                                                                   & trend["value"].notna()].iterrows()}
year = views.year_choice(years, links.OVERVIEW_YEAR, default=summary.latest_year(trend, period, complete_only=True),
                         partial=partial)
upto = trend[trend["year"] <= year] if year else trend
cards = summary.kpis(upto, KPI, period, complete_only=year not in partial)
views.kpi_cards(cards, regions=per[per["year"] <= year] if several and year else per)

st.subheader("趋势")
metric = views.url_widget(st.selectbox, "指标", KPI, links.OVERVIEW_METRIC, fmt=links.metric_label)
if several:  # one line per region: a summed line would hide which town moved
    views.show(charts.trend(per[per["metric"] == metric], series="region",
                            title=f"{links.metric_label(metric)}：各地区"))
else:
    views.show(charts.trend(trend[trend["metric"] == metric], region=one))

st.subheader(f"变化最大的地区（{year or f.year_to}年，与上年同期相比）")
moved = cache.get("changes", KPI, f.region_ids, year or f.year_to, period)
changes = summary.changes_table(moved)
if changes.empty:  # st.table of no rows would say "empty" in English
    st.info("所选年份和地区暂无可与上年同期比较的数据。")
else:
    changes["地区"] = changes["地区"].map(safe.md)  # st.table renders markdown: names shown as written
    st.table(changes.set_index("地区"))
views.excluded_note(KPI, f)
