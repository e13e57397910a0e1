"""地区详情: one region's profile: every metric over time, and the uploads behind it."""

import streamlit as st

from dashboard import cache, charts, filters, fmt, safe, views
from etl.vocab import PERIOD_ZH

st.title("地区详情")
f = filters.current()
regions = cache.get("regions")
names = list(regions["name"])
wanted = filters.url_choice("town", names, f.region_names[0] if f.region_names else names[0])
name = st.selectbox("地区", names, index=names.index(wanted), key="region_pick")
filters.show_url_notes()
st.query_params["town"] = name
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
    st.subheader(f"各项指标（{PERIOD_ZH[half]}）")
    st.dataframe(table.fillna("—"), width="stretch")
    metric = st.selectbox("趋势指标", sorted(set(profile.dropna(subset=["value"])["metric"])),
                          format_func=lambda c: profile.loc[profile["metric"] == c, "name_zh"].iloc[0],
                          key="region_metric")
    views.show(charts.trend(profile[profile["metric"] == metric], title=f"{name}", region=name))
    last = part[part["metric"] == metric].dropna(subset=["value"])
    if len(last) and st.button("查看这个数字的来源", icon=":material/search:"):
        views.open_sources(name, metric, int(last["year"].max()), half)

st.subheader("文件与上传批次")
files = cache.get("region_files", rid)
st.dataframe(files.rename(columns={"file": "文件", "kind": "类型", "batch_id": "批次", "created_at": "导入时间",
                                   "batch_status": "批次状态", "n_facts": "数据条数", "n_active": "有效条数",
                                   "first_year": "起始年", "last_year": "截止年"}),
             hide_index=True, width="stretch")
