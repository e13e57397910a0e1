"""数据上传: upload a tally → confirm the column mapping → see the checks → confirm → summary.

Thin on purpose: reading, checking and loading live in etl/tally/upload.py.
No database connection outlives a single action.
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import safe
from dashboard.db import archive_path, db_path, settings
from etl.catalog import load_catalog
from etl.tally import upload as up
from etl.tally.report import error_workbook
from etl.tally.store import save_mapping
from etl.tally.template import build_template

DB = db_path()
ARCHIVE = archive_path()
PROBLEMS_SHOWN = 2000  # rows of the problem table on the page (the downloadable list has them all, up to its cap)
CATEGORY_PAGE = {"formation": ("app_pages/formation.py", "工会组建"),
                 "membership": ("app_pages/membership.py", "会员发展"),
                 "contracts": ("app_pages/contracts.py", "集体合同"), "hardship": ("app_pages/hardship.py", "困难帮扶")}

st.title("数据上传")
st.caption("上传乡镇（街道）报来的统计表。系统会识别表头、逐格检查，确认后作为一个可撤销的批次导入。")
st.download_button("下载统计表模板", build_template(), "统计表模板.xlsx", key="template",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

done = st.session_state.pop("tally_done", None)
if done:
    st.success(safe.md(done["text"]))
    for path, label in done["links"]:
        st.page_link(path, label=f"查看{label}图表", icon="📈")
    st.page_link("app_pages/history.py", label="查看导入记录（可撤销）", icon="🗂️")

file = st.file_uploader("选择统计表（.xlsx / .xlsm / .xls / .csv）", type=["xlsx", "xlsm", "xls", "csv"],
                        key="tally_file")
if file is None:
    st.stop()

data = file.getvalue()
sha = hashlib.sha256(data).hexdigest()
mapping = st.session_state.setdefault("tally_mapping", {})
plan_key = (sha, json.dumps(mapping, sort_keys=True))
if st.session_state.get("tally_plan_key") != plan_key:
    st.session_state["tally_plan"] = up.prepare(data, file.name, db_path=DB, archive_dir=ARCHIVE, mapping=mapping,
                                                max_mb=settings().tally_max_mb)
    st.session_state["tally_plan_key"] = plan_key
plan: up.Plan = st.session_state["tally_plan"]
if not plan.tables:  # nothing could be read: over a limit, unreadable, or not a tally
    for p in plan.errors:
        st.error(safe.md(p.message))
    st.stop()

st.subheader("1. 识别结果")
labels = list(up.choice_labels().values())
for t in plan.tables:
    st.markdown(f"**工作表“{safe.md(t.grid.name)}”第 {t.header_rows[0] + 1} 行起**：{up.LAYOUT_ZH[t.layout]}"
                + (f"；标题“{safe.md(t.title)}”" if t.title else "") + (f"；年份 {t.year}" if t.year else ""))
    edited = st.data_editor(pd.DataFrame(up.mapping_rows(t)), key=f"map_{t.grid.index}_{t.number}", hide_index=True,
                            disabled=["列", "表头", "需确认"],
                            column_config={"识别为": st.column_config.SelectboxColumn(options=labels)})
    changed = up.changed_choices(t, list(edited["识别为"]))
    if changed:
        mapping[t.key] = {**mapping.get(t.key, {}), **changed}
        save_mapping(DB, t.key, [c.header for c in t.columns], mapping[t.key])  # remembered for the next file
        st.rerun()

st.subheader("2. 检查结果")
c1, c2, c3 = st.columns(3)
c1.metric("识别出的数据", f"{len(plan.analysis.facts)} 条")
c2.metric("错误（阻止导入）", len(plan.errors))
c3.metric("提醒", len(plan.warnings))
if plan.problems:
    st.dataframe(pd.DataFrame(up.problem_rows(plan, PROBLEMS_SHOWN)), hide_index=True, key="problems")
    if len(plan.problems) > PROBLEMS_SHOWN:
        st.caption(f"共 {len(plan.problems)} 条问题，这里列出前 {PROBLEMS_SHOWN} 条；全部问题见下面生成的问题清单。")
    # Built only when asked for (a big workbook took minutes and gigabytes when built on every rerun).
    made = st.session_state.get("tally_report")
    if made and made[0] == plan_key:
        st.download_button("下载标注了问题的原表", made[1], f"{Path(file.name).stem}_问题标注.xlsx", key="error_report",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif st.button("生成标注了问题的原表（Excel）", key="make_error_report"):
        with st.spinner("正在生成…"):
            st.session_state["tally_report"] = (plan_key, error_workbook(data, file.name, plan.problems,
                                                                         plan.inspection))
        st.rerun()
else:
    st.success("没有发现问题。")

replace: list[int] = []
if plan.conflicts:
    st.subheader("与数据库中已有数据不一致")
    table = pd.DataFrame(up.conflict_rows(plan))
    chosen = st.data_editor(table, key="conflicts", hide_index=True, disabled=list(table.columns[:-1]))
    replace = [c.fact_id for c, keep in zip(plan.conflicts, chosen["用本表替换"], strict=True) if keep]
    st.caption("未勾选的保留数据库中的原值，本表的对应数字不导入。")

st.subheader("3. 确认导入")
if plan.already:
    st.info(plan.already)
    st.stop()
partial = False
if plan.errors:
    partial = st.checkbox("只导入没有错误的行（有错误的行不导入）", key="partial")
if st.button("确认导入", type="primary", key="tally_confirm", disabled=bool(plan.errors) and not partial):
    try:
        summary = up.commit(plan, db_path=DB, archive_dir=ARCHIVE, replace=replace, partial=partial)
    except up.UploadRefused as exc:
        st.error(safe.md(exc))
        st.stop()
    cats = {load_catalog()[f.metric].category for f in plan.analysis.facts}
    st.session_state["tally_done"] = {"text": summary.to_text(),
                                      "links": [CATEGORY_PAGE[c] for c in CATEGORY_PAGE if c in cats]}
    st.session_state.pop("tally_plan_key", None)
    st.rerun()
