"""审核: facts that need a person (low confidence, flags, conflicting sources): accept, correct or reject.

Any other figure too: 数据来源 links here with ?fact=ID, so a wrong number seen on a chart is corrected
(value, metric, year, period, region) as a new version like a flagged one.
"""

import pandas as pd
import streamlit as st

from dashboard import actions, auth, cache, fmt, safe
from etl.catalog import load_catalog
from etl.vocab import PERIOD_ZH, review_reasons

st.title("审核")
st.caption("低可信度、带标记（模板、年份不明、重复文档等）、抽取时要求人工确认、或多个来源数字不一致的数据。"
           "更正会保存为新版本，原始数据保留，可通过撤销批次恢复；驳回可以撤销。")
account = auth.me()
rejected = st.session_state.get("review_rejected")
if rejected is not None:  # the last rejection, undoable right here (and on 数据来源)
    c1, c2 = st.columns([4, 1])
    c1.info(f"已驳回编号 {rejected} 的数据，它不再计入任何图表。")
    if c2.button("撤销驳回", key="unreject_last", icon=":material/undo:"):
        try:
            actions.unreject(rejected, account)
        except actions.ReviewError as exc:
            st.error(safe.md(exc))
        else:
            st.session_state.pop("review_rejected", None)
            st.toast(f"已撤销驳回：编号 {rejected} 的数据重新计入。")
            st.rerun()
queue = cache.get("review_queue")
if account.scope.ids and not account.may_for("review", None):  # a scoped reviewer sees their regions (and none)
    queue = queue[queue["region_id"].isna() | queue["region_id"].isin(list(account.scope.ids))]
    st.caption(f"只列出您的范围（{account.scope.text()}）内的数据，以及尚无地区的数据。")
asked = st.query_params.get("fact", "")  # a figure chosen on 数据来源, flagged or not
target = cache.get("review_fact", int(asked)) if asked.isdigit() else None
if asked and (target is None or target.empty):
    st.warning(f"编号 {asked} 的数据已不是有效数据（可能已被更正或驳回），请回到“数据来源”重新选择。")
    target = None
if target is not None:
    fact_ids = set(queue["id"])
    queue = pd.concat([target, queue[queue["id"] != int(asked)]], ignore_index=True)
    if int(asked) not in fact_ids:
        st.info(f"编号 {asked} 的数据来自“数据来源”页：它不在待审核名单中，也可以在下面更正。",
                icon=":material/search:")
if queue.empty:
    st.success("没有待审核的数据。")
    st.stop()


table = queue.assign(
    原因=["、".join(review_reasons(r.flags, r.confidence, bool(r.needs_review), r.conflict))
        for r in queue.itertuples()],
    数值=[fmt.number(v, u, a) for v, u, a in zip(queue["value"], queue["unit"], queue["approx"], strict=True)],
    期别=queue["period"].map(PERIOD_ZH).fillna("—"),
    年份=["—" if pd.isna(y) else str(int(y)) for y in queue["year"]],
)[["id", "region", "metric_zh", "数值", "年份", "期别", "原因", "evidence", "file", "source_cell"]]
table.columns = ["编号", "地区", "指标", "数值", "年份", "期别", "原因", "原文", "文件", "单元格"]
total = cache.get("review_total")
shown = f"，下面是最紧要的 {len(table)} 条" if total > len(table) else ""
st.markdown(f"共 **{total}** 条待审核{shown}。点选一行，或在下面按编号选择。")
picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                      key="review_table")
rows = picked.selection.rows if picked else []
ids = [int(i) for i in queue["id"]]
labels = {int(r.id): f"编号 {int(r.id)} · {r.region} · {r.metric_zh}" for r in queue.itertuples()}
first = 1 + rows[0] if rows else (1 if target is not None else 0)
chosen = st.selectbox("要处理的数据", [None, *ids], index=first, key=f"review_pick{asked}",
                      placeholder="请选择", format_func=lambda i: "（请选择）" if i is None else labels[i])
last = st.session_state.pop("review_last", None)
if chosen is None:
    if last is not None and last not in ids:  # the fact this person had open left the queue meanwhile
        st.info(f"编号 {last} 的数据已由他人处理，不在待审核列表中了；本次操作未保存。请另选一条。")
    st.stop()
st.session_state["review_last"] = chosen

fact = queue[queue["id"] == chosen].iloc[0]
st.subheader(f"处理数据 {int(fact['id'])}：{safe.md(fact['region'])} · {safe.md(fact['metric_zh'])}")
st.caption(f"审核人：{safe.md(account.name)}")
regions = cache.get("regions")
if not account.may_for("review", None):  # a scoped reviewer may move a figure only within their regions
    regions = regions[regions["id"].isin(list(account.scope.ids))]
catalog = load_catalog()
with st.form("review_form"):
    new_value = st.number_input(f"更正后的数值（单位：{fact['unit']}；不改则留空）", value=None, step=1.0)
    new_metric = st.selectbox("更正后的指标", [None, *[c for c in catalog if c != fact["metric"]]],
                              placeholder="不改", format_func=lambda c: "不改" if c is None
                              else f"{catalog[c].name_zh}（{catalog[c].unit}）")
    new_year = st.number_input("更正后的年份（不改则留空）", value=None, min_value=1990, max_value=2100, step=1)
    new_period = st.selectbox("更正后的期别", [None, "FY", "H1"], placeholder="不改",
                              format_func=lambda p: "不改" if p is None else PERIOD_ZH[p])
    new_region = st.selectbox("更正后的地区", [None, *regions["name"]], placeholder="不改",
                              format_func=lambda n: "不改" if n is None else n)
    c1, c2, c3 = st.columns(3)
    do_accept = c1.form_submit_button("确认无误", icon=":material/check:")
    do_correct = c2.form_submit_button("保存更正", icon=":material/edit:")
    do_reject = c3.form_submit_button("驳回", icon=":material/close:")

if do_accept or do_correct or do_reject:
    try:
        st.session_state.pop("review_rejected", None)
        if do_accept:
            actions.accept(int(fact["id"]), account)
        elif do_reject:
            actions.reject(int(fact["id"]), account)
            st.session_state["review_rejected"] = int(fact["id"])
        else:
            rid = None if new_region is None else int(regions.loc[regions["name"] == new_region, "id"].iloc[0])
            actions.correct(int(fact["id"]), account, value=new_value, metric=new_metric,
                            year=None if new_year is None else int(new_year), period=new_period, region_id=rid)
    except actions.ReviewError as exc:
        st.error(safe.md(exc))
        st.stop()
    # No cache clearing: the write changed the file, so every page's next run reads the new version.
    st.session_state.pop("review_last", None)
    st.toast("已保存。")
    if asked:  # the figure from 数据来源 is handled: back to the queue
        st.query_params.pop("fact", None)
    st.rerun()
