"""报送情况: for a year and period, which units due reported each figure, which are late or missing; 不适用 marks.

The rule (who is due, when) is etl/reporting.py's; the grid is dashboard.queries.reporting_grid.
"""

import pandas as pd
import streamlit as st

from dashboard import auth, cache, db, filters, safe, summary
from etl import reporting
from etl.vocab import PERIOD_ZH, PERIODS

STATUS_STYLE = {"已报": "background-color:#d9f0e3", "逾期报送": "background-color:#fde9c8",
                "未报": "background-color:#f9d6d2", "未到期": "background-color:#eeeeee", "不适用": "color:#767676"}

st.title("报送情况")
f = filters.current()
fed = cache.get("federation")
regions = cache.get("regions")
parent = f.region_names[0] if len(f.region_names) == 1 else fed.region
parent_id = int(regions.loc[regions["name"] == parent, "id"].iloc[0])
bounds = cache.get("year_bounds") or (f.year_to, f.year_to)
years = list(range(bounds[1] + 1, bounds[0] - 1, -1))  # next year too: what is due before anything came in
c1, c2 = st.columns([1, 2])
year = c1.selectbox("年份", years, index=1 if len(years) > 1 else 0, format_func=lambda y: f"{y}年", key="rep_year")
period = c2.radio("期别", PERIODS, format_func=PERIOD_ZH.get, horizontal=True, key="rep_period",
                  index=PERIODS.index(f.periods[0]))

table = summary.reporting_status(cache.get("reporting_grid", parent_id, year, period), year, period, fed.since)
due = reporting.due_date(year, period)
st.caption(f"{safe.md(parent)}下须报送的单位 × {year}年{PERIOD_ZH[period]}任一单位报过的指标。"
           f"报送期限 {due:%Y年%m月%d日}（{fed.since:%Y年%m月%d日}以前到期的不判逾期）。")
if table.empty:
    st.info(f"{safe.md(parent)}下没有须报送的下级单位（见“地区名录”页的“报送”列）。")
    st.stop()
units = summary.reporting_summary(table)
n = table["region"].nunique()
word = fed.count_word
st.markdown(f"**{len(units['all'])}/{n}{word}已报齐**，{len(units['some'])}个部分已报，{len(units['none'])}个未报"
            + (f"；逾期报送：{safe.md('、'.join(units['late']))}" if units["late"] else "")
            + (f"；未报：{safe.md('、'.join(units['none']))}" if units["none"] else "") + "。")

grid = table.pivot_table(index="region", columns="name_zh", values="status_zh", aggfunc="first", sort=False)
st.dataframe(grid.style.map(lambda v: STATUS_STYLE.get(v, "")), width="stretch", key="rep_grid")

st.subheader("明细")
pick = st.multiselect("只看", list(reporting.STATUS_ZH.values()), key="rep_filter", placeholder="全部状态")
detail = table if not pick else table[table["status_zh"].isin(pick)]
st.dataframe(pd.DataFrame({
    "地区": detail["region"], "指标": detail["name_zh"], "状态": detail["status_zh"], "数值": detail["value"],
    "来源文件": detail["file"].fillna(""), "位置": detail["place"].fillna(""),
    "收到日期": pd.to_datetime(detail["received"]).dt.strftime("%Y-%m-%d").fillna(""),
    "不适用原因": detail["reason"].fillna(""),
}), hide_index=True, width="stretch", key="rep_detail",
    column_config={"数值": st.column_config.NumberColumn(format="localized")})

st.subheader("标记为不适用")
st.caption("某单位本期确实没有这项数字（如该镇没有这类企业）时标记，它就不再算作未报，合计也不再等它。可随时撤回。")
account = auth.me()
if not account.may("review"):
    st.caption("标记和撤回“不适用”需要审核或管理角色。")
    st.stop()
with st.form("rep_exempt"):
    who = st.selectbox("单位", list(dict.fromkeys(table["region"])), key="rep_ex_region")
    names = dict(zip(table["name_zh"], table["metric"], strict=False))
    what = st.multiselect("指标（不选即全部指标）", list(names), key="rep_ex_metrics", placeholder="全部指标")
    reason = st.text_input("原因", key="rep_ex_reason", placeholder="如：该镇无规模以上企业")
    if st.form_submit_button("标记为不适用"):
        rid = int(table.loc[table["region"] == who, "region_id"].iloc[0])
        for code in [names[w] for w in what] or [None]:
            reporting.mark_not_applicable(db.db_path(), rid, year, metric=code, period=period, reason=reason,
                                          user=account.actor())
        db.forget()
        cache.clear()
        st.rerun()

marks = table.dropna(subset=["exemption_id"]).drop_duplicates("exemption_id")
for r in marks.itertuples():
    c1, c2 = st.columns([5, 1])
    what = "全部指标" if pd.isna(r.exempt_metric) else r.name_zh
    c1.markdown(safe.md(f"{r.region}：{what} 不适用（{r.reason or '未注明原因'}）"))
    if c2.button("撤回", key=f"rep_revoke_{int(r.exemption_id)}"):
        reporting.revoke(db.db_path(), int(r.exemption_id), user=account.actor())
        db.forget()
        cache.clear()
        st.rerun()
