"""上传报告: a work report (工作总结) → who sent each document, each figure with its sentence → per figure load /
load as checked / correct / leave out → confirm → one undoable batch.

Thin on purpose: reading, re-reading with a chosen body and applying the row choices live in etl/report_upload.py.
"""

import hashlib
import json

import pandas as pd
import streamlit as st

from dashboard import auth, region_choice, safe
from dashboard.db import archive_path, db_path
from etl import report_upload as ru
from etl.batches import LoadError
from etl.catalog import load_catalog

DB = db_path()
ARCHIVE = archive_path()
account = auth.me()
may_review = account.may("review")  # confirming a figure is reviewing it
ss = st.session_state

st.title("上传报告")
st.caption("上传工作总结或讲话稿（.txt / .docx / 文字版 .pdf，简体或繁体均可）。系统找出其中的统计数字，"
           "每个数字都附原文句子；核对、更正后确认，作为一个可撤销的批次导入。")

done = ss.pop("report_done", None)
if done:
    st.success(safe.md(done))
    st.page_link("app_pages/review.py", label="到“审核”页核对带标记的数据", icon=":material/fact_check:")
    st.page_link("app_pages/history.py", label="查看导入记录（可撤销）", icon=":material/history:")

file = st.file_uploader("选择报告文件", type=ru.REPORT_TYPES, key=f"report_file{ss.get('report_uploads', '')}")
if file is None:
    st.stop()

data = file.getvalue()
sha = hashlib.sha256(data).hexdigest()
if ss.get("report_sha") != (sha, account.id):
    ss["report_read"] = ru.prepare_report(data, file.name, db_path=DB, archive_dir=ARCHIVE, account=account)
    ss["report_sha"], ss["report_bodies"] = (sha, account.id), {}
read = ss["report_read"]

for p in read.file.problems:  # messages quote file names and text: shown as written
    (st.error if p.severity == "error" else st.warning)(safe.md(p.message))
if not read.readable:
    st.stop()
if read.already:
    st.info(read.already)
    st.stop()

docs = read.file.documents
body = ru.rules()["body"]
st.subheader("1. 报送单位")
st.caption(body["help"])
names = ru.body_options(DB)
bodies: dict[str, str] = ss["report_bodies"]
for d in docs:
    options = names if d.region in names else [d.region or "", *names]
    label = f"{body['label']}：第 {d.segment + 1} 篇《{d.title or file.name}》" if len(docs) > 1 else body["label"]
    chosen = st.selectbox(label, options, index=options.index(bodies.get(d.doc_id, d.region or "")),
                          key=f"body_{sha[:12]}_{d.segment}",
                          format_func=lambda n, g=d.region: (body["guess"].format(name=n) if n == g
                                                             else n) if n else body["none"])
    if chosen != (d.region or ""):
        bodies[d.doc_id] = chosen
    else:
        bodies.pop(d.doc_id, None)
plan_key = json.dumps(bodies, sort_keys=True, ensure_ascii=False)
if ss.get("report_plan_key") != (sha, plan_key):
    ss["report_plan"], ss["report_plan_key"] = (ru.with_bodies(read, bodies, db_path=DB, account=account),
                                                (sha, plan_key))
plan = ss["report_plan"]
facts = plan.loadable

st.subheader("2. 核对数据")
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
    refused = [{**row, "地区": r.region} for r, row in zip(
        plan.refused, ru.fact_rows(plan, [r.fact for r in plan.refused]), strict=True)]
    st.dataframe(pd.DataFrame(refused).drop(columns=["处理", "问题"]), hide_index=True, key="report_refused",
                 column_config={"数值": st.column_config.NumberColumn(format="localized")})
    if not facts:
        st.stop()
    st.markdown(f"**可以导入的 {len(facts)} 条：**")

acts = ru.action_labels(may_review)
if all(f.needs_review or f.flags for f in facts):  # the shipped model certifies no report figure by itself
    st.info("从报告中读出的数字，都要有人对照原文核对后才进入图表。"
            + (f"核对无误的，在“处理”一列选“{acts['confirm']}”；" if may_review else "导入后由审核人员在“审核”页确认；")
            + "识别有误的，直接在表中改正。", icon=":material/fact_check:")
checked_note = ("改过的数据按已核对导入。" if may_review
                else "改过的数据按您填写的导入，带标记的仍由审核人员确认。")
st.caption(f"“处理”一列：{acts['load']}（按识别结果导入，带标记的到“审核”页再确认）"
           + (f"、{acts['confirm']}（您已核对无误，导入后直接进入图表）" if may_review else "")
           + f"、{acts['drop']}。指标、数值、年份、期间识别错了，就**双击**单元格（或选中后按回车）修改；"
           + checked_note + "金额以元计。")
table = pd.DataFrame(ru.fact_rows(plan))
edited = st.data_editor(
    table, key=f"report_rows_{sha[:12]}_{hashlib.sha256(plan_key.encode()).hexdigest()[:8]}", hide_index=True,
    disabled=["单位", "约数", "地区", "原文", "标记"],
    column_order=[c for c in table.columns if c != "问题"],  # what still stands is listed under the table
    column_config={
        "处理": st.column_config.SelectboxColumn(options=list(acts.values()), required=True, width="small"),
        "指标": st.column_config.SelectboxColumn(options=[m.name_zh for m in load_catalog().values()],
                                                 required=True, width="medium"),
        "数值": st.column_config.NumberColumn(format="localized"),
        "年份": st.column_config.SelectboxColumn(options=ru.year_options([f.year for f in facts if f.year]),
                                                 width="small"),
        "期间": st.column_config.SelectboxColumn(options=ru.period_options(), required=True, width="small"),
        "原文": st.column_config.TextColumn(width="large"),
    })
rows = edited.to_dict("records")
applied = ru.apply_rows(plan, rows, may_review)
open_rows: dict[str, list[int]] = {}  # problem → rows it still stands on
for i, r in enumerate(rows):
    for p in ru.row_problems(r) if r["处理"] != acts["drop"] else []:
        open_rows.setdefault(p, []).append(i + 1)
if open_rows:
    st.warning("还有要处理的地方（也可以照样导入，这些数据会在“审核”页等待确认）：\n\n"
               + "\n".join(f"- 第 {'、'.join(map(str, n))} 行：{p}" for p, n in open_rows.items()))

st.subheader("3. 确认导入")
k1, k2, k3 = st.columns(3)
k1.metric("将导入", f"{len(applied.file.facts)} 条")
k2.metric("已更正", f"{applied.edited} 条")
k3.metric("不导入", f"{applied.dropped} 条")
if not applied.file.facts:
    st.info("所有数据都选了“不导入”，没有要导入的内容。")
    st.stop()
choices = region_choice.choose(plan.unknown, key="report")
waiting = region_choice.undecided(choices)
if waiting:
    st.caption(f"还有 {waiting} 个名录外的地区没有选择处理方式。")
if st.button(f"确认导入{f'其余 {len(facts)} 条' if plan.refused else ''}", type="primary", key="report_commit",
             disabled=bool(waiting)):
    try:
        summary = ru.commit_report(plan, db_path=DB, archive_dir=ARCHIVE, account=account, rows=rows,
                                   region_choices=choices)
    except LoadError as exc:
        st.error(safe.md(exc))
        st.stop()
    extra = "".join([f"，其中 {applied.edited} 条按您的更正" if applied.edited else "",
                     f"，{applied.dropped} 条未导入" if applied.dropped else ""])
    ss["report_done"] = f"已导入批次 {summary.batch_id}：{summary.documents} 篇文档，{summary.facts} 条数据{extra}。"
    for k in ("report_read", "report_plan", "report_plan_key", "report_sha", "report_bodies"):
        ss.pop(k, None)
    ss["report_uploads"] = ss.get("report_uploads", 0) + 1  # a new uploader: the loaded file is cleared
    st.rerun()
