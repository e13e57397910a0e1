"""上传报告: a work report (工作总结) → extracted figures with their sentences → confirm → one undoable batch."""


import pandas as pd
import streamlit as st

from dashboard import auth, safe
from dashboard.db import archive_path, db_path
from etl.batches import LoadError
from etl.report_upload import REPORT_TYPES, commit_report, fact_rows, prepare_report

DB = db_path()
ARCHIVE = archive_path()
account = auth.me()

st.title("上传报告")
st.caption("上传工作总结或讲话稿（.txt / .docx / 文字版 .pdf，简体或繁体均可）。系统找出其中的统计数字，"
           "每个数字都附原文句子；确认后作为一个可撤销的批次导入。")

done = st.session_state.pop("report_done", None)
if done:
    st.success(safe.md(done))
    st.page_link("app_pages/review.py", label="到“审核”页核对带标记的数据", icon=":material/fact_check:")
    st.page_link("app_pages/history.py", label="查看导入记录（可撤销）", icon=":material/history:")

file = st.file_uploader("选择报告文件", type=REPORT_TYPES, key="report_file")
if file is None:
    st.stop()

data = file.getvalue()
if st.session_state.get("report_plan_name") != (file.name, len(data), account.id):
    st.session_state["report_plan"] = prepare_report(data, file.name, db_path=DB, archive_dir=ARCHIVE, account=account)
    st.session_state["report_plan_name"] = (file.name, len(data), account.id)
plan = st.session_state["report_plan"]

for p in plan.file.problems:  # messages quote file names and text: shown as written
    (st.error if p.severity == "error" else st.warning)(safe.md(p.message))
if not plan.readable:
    st.stop()
if plan.already:
    st.info(plan.already)
    st.stop()

docs = plan.file.documents
c1, c2, c3 = st.columns(3)
c1.metric("文档", f"{len(docs)} 篇")
c2.metric("找到的数据", f"{len(plan.file.facts)} 条")
c3.metric("带标记待核", f"{sum(1 for f in plan.file.facts if f.flags or f.needs_review)} 条")
if any(d.is_template for d in docs):
    st.warning("这份报告含有占位符（如 xx镇、X家、20xx年），像是范本：其中的数据会带“模板”标记，"
               "不进入图表，需在“审核”页确认。")
if not plan.file.facts:
    st.info("没有找到可以导入的统计数字。")
    st.stop()
if plan.refused:  # figures for regions outside this account's scope: named, and left out of the load
    st.error(f"以下 {len(plan.refused)} 条数据的地区不在您的填报范围（{account.scope.text()}）内，不能由您导入：")
    st.dataframe(pd.DataFrame([{**row, "地区": r.region} for r, row in zip(
        plan.refused, fact_rows(plan, [r.fact for r in plan.refused]), strict=True)]), hide_index=True,
        key="report_refused", column_config={"数值": st.column_config.NumberColumn(format="localized")})
    if not plan.loadable:
        st.stop()
    st.markdown(f"**可以导入的 {len(plan.loadable)} 条：**")
st.dataframe(pd.DataFrame(fact_rows(plan, plan.loadable)), hide_index=True, key="report_facts",
             column_config={"数值": st.column_config.NumberColumn(format="localized")})

if st.button(f"确认导入{f'其余 {len(plan.loadable)} 条' if plan.refused else ''}", type="primary",
             key="report_commit"):
    try:
        summary = commit_report(plan, db_path=DB, archive_dir=ARCHIVE, account=account)
    except LoadError as exc:
        st.error(safe.md(exc))
        st.stop()
    st.session_state["report_done"] = (f"已导入批次 {summary.batch_id}：{summary.documents} 篇文档，"
                                       f"{summary.facts} 条数据。")
    for k in ("report_plan", "report_plan_name", "report_file"):
        st.session_state.pop(k, None)
    st.rerun()
