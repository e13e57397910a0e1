"""地区详情: one region's profile: every metric over time, and the uploads behind it.

The town and the trend's metric are in the URL (`town`, `town_metric`) and remembered for the session, so a
shared link, a drill-down from a ranking or heat map, and a return from another page all show the same town.
"""

import streamlit as st

from dashboard import cache, charts, filters, fmt, links, safe, views
from etl.vocab import BATCH_STATUS_ZH, KIND_ZH, PERIOD_ZH

st.title("地区详情")
f = filters.current()
regions = cache.get("regions")
names = list(regions["name"])
name = views.url_widget(st.selectbox, "地区", names, links.TOWN, views.town_default(f, names))
rid = int(regions.loc[regions["name"] == name, "id"].iloc[0])

profile = cache.get("region_profile", rid, f.year_from, f.year_to)
if profile["value"].notna().sum() == 0:
    st.info(f"{safe.md(name)} 在 {f.year_from}–{f.year_to} 年没有本级上报的数据（由下级汇总的数字见各专题页）。")
else:
    half = f.periods[0]
    part = profile[profile["period"] == half].copy()
    part["shown"] = [fmt.number(v, u, a) for v, u, a in
                     zip(part["value"], part["unit"], part["approx"], strict=True)]
    table = part.pivot_table(index="name_zh", columns="year", values="shown", aggfunc="first", dropna=False)
    table.index.name, table.columns.name = "指标", None
    table.columns = [f"{y}年" for y in table.columns]
    st.subheader(f"各项指标（{PERIOD_ZH[half]}）")
    st.table(table.fillna("—"))
    codes = views.town_metrics(rid, f)
    metric = views.url_widget(st.selectbox, "趋势指标", codes, links.TOWN_METRIC, fmt=links.metric_label)
    views.show(charts.trend(profile[profile["metric"] == metric], title=f"{name}", region=name))
    last = part[part["metric"] == metric].dropna(subset=["value"])
    if len(last) and st.button("查看这个数字的来源", icon=":material/search:"):
        views.open_sources(name, metric, int(last["year"].max()), half)

st.subheader("文件与上传批次")
files = cache.get("region_files", rid)
files["file"] = files["file"].map(safe.md)  # st.table renders markdown: names shown as written
files["kind"] = files["kind"].map(lambda k: KIND_ZH.get(k, k))
files["batch_status"] = files["batch_status"].map(lambda s: BATCH_STATUS_ZH.get(s, s))
files["created_at"] = files["created_at"].map(lambda t: f"{t:%Y-%m-%d %H:%M}")
st.table(files.rename(columns={"file": "文件", "kind": "类型", "batch_id": "批次", "created_at": "导入时间",
                               "batch_status": "批次状态", "n_facts": "数据条数", "n_active": "有效条数",
                               "first_year": "起始年", "last_year": "截止年"}).set_index("文件"))
