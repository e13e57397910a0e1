"""数据上传: upload a tally → confirm the column mapping → see the checks → confirm → summary.

Thin on purpose: reading, checking and loading live in etl/tally/upload.py.
No database connection outlives a single action.
"""

import hashlib
import json
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, region_choice, safe
from dashboard.db import archive_path, db_path, settings
from dashboard.provenance import lines_html
from etl.batches import LoadError
from etl.catalog import load_catalog
from etl.tally import upload as up
from etl.tally.report import error_workbook
from etl.tally.store import load_mappings, save_mapping
from etl.tally.template import build_template

DB = db_path()
ARCHIVE = archive_path()
account = auth.me()
PROBLEMS_SHOWN = 2000  # rows of the problem table on the page (the downloadable list has them all, up to its cap)
CATEGORY_PAGE = {"formation": ("app_pages/formation.py", "工会组建"),
                 "membership": ("app_pages/membership.py", "会员发展"),
                 "contracts": ("app_pages/contracts.py", "集体合同"), "hardship": ("app_pages/hardship.py", "困难帮扶")}
ss = st.session_state

st.title("数据上传")
st.caption("上传乡镇（街道）报来的统计表。系统会识别表头、逐格检查，确认后作为一个可撤销的批次导入。"
           + ("" if account.may_for("upload", None) else f"您可以导入的地区：{account.scope.text()}（含下属单位）。"))
st.download_button("下载统计表模板", build_template(), "统计表模板.xlsx", key="template",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

done = ss.pop("tally_done", None)
if done:
    st.success(safe.md(done["text"]))
    for path, label in done["links"]:
        st.page_link(path, label=f"查看{label}图表", icon=":material/bar_chart:")
    st.page_link("app_pages/history.py", label="查看导入记录（可撤销）", icon=":material/history:")

file = st.file_uploader("选择统计表（.xlsx / .xlsm / .xls / .csv）", type=["xlsx", "xlsm", "xls", "csv"],
                        key=f"tally_file{ss.get('tally_uploads', '')}")  # a new key after a load empties it
if file is None:
    st.stop()

data = file.getvalue()
sha = hashlib.sha256(data).hexdigest()
if ss.get("tally_sha") != sha:  # another file: the town corrections were for the last one
    ss["tally_sha"], ss["tally_regions"], ss["tally_keep"] = sha, {}, []
mapping = ss.setdefault("tally_mapping", {})  # this session's column choices, over the remembered ones
regions, keep = ss["tally_regions"], ss["tally_keep"]
plan_key = (sha, json.dumps([mapping, regions, keep], sort_keys=True, ensure_ascii=False), account.id)
if ss.get("tally_plan_key") != plan_key:
    ss["tally_plan"] = up.prepare(data, file.name, db_path=DB, archive_dir=ARCHIVE, mapping=mapping,
                                  max_mb=settings().tally_max_mb, regions=regions, keep_regions=keep,
                                  account=account)
    ss["tally_plan_key"] = plan_key
plan: up.Plan = ss["tally_plan"]
if not plan.tables:  # nothing could be read: over a limit, unreadable, or not a tally
    for p in plan.errors:
        st.error(safe.md(p.message))
    st.stop()

st.subheader("1. 识别结果")
st.caption("请核对每一列“识别为”什么。识别错了，就**双击**“识别为”一列的单元格（或选中后按回车），从下拉框中改选；"
           "改动立即生效，并会记住，下次上传表头相同的表时自动沿用。")
labels = list(up.choice_labels().values())
version = ss.setdefault("tally_map_version", 0)  # a new editor after each applied change: no stale edits
for t in plan.tables:
    st.markdown(f"**工作表“{safe.md(t.grid.name)}”第 {t.header_rows[0] + 1} 行起**：{up.LAYOUT_ZH[t.layout]}"
                + (f"；标题“{safe.md(t.title)}”" if t.title else "") + (f"；年份 {t.year}" if t.year else ""))
    edited = st.data_editor(pd.DataFrame(up.mapping_rows(t)), key=f"map_{sha[:12]}_{t.key}_{t.number}_{version}",
                            hide_index=True, height="content", disabled=["列", "表头", "需确认"],
                            column_config={"识别为": st.column_config.SelectboxColumn(options=labels, required=True,
                                                                                      width="medium")})
    changed = up.changed_choices(t, list(edited["识别为"]))
    if changed:
        mapping[t.key] = {**mapping.get(t.key, {}), **changed}
        remembered = up.merge_mappings(load_mappings(DB), {t.key: mapping[t.key]})[t.key]
        save_mapping(DB, t.key, [c.header for c in t.columns], remembered,  # remembered for the next file
                     user=account.actor())
        ss["tally_map_version"] = version + 1
        st.rerun()

st.subheader("2. 检查结果")
refused = [p for p in plan.errors if p.code == "out_of_scope"]
if refused:  # rows this account may not load, named before the full list of problems
    st.error(f"有 {len(refused)} 行的地区不在您的填报范围（{account.scope.text()}）内，这些行不能由您导入：")
    st.html(lines_html([f"{p.where}：{p.message}" for p in refused]))
c1, c2, c3 = st.columns(3)
c1.metric("识别出的数据", f"{len(plan.analysis.facts)} 条")
c2.metric("错误（阻止导入）", len(plan.errors))
c3.metric("提醒", len(plan.warnings))

for u in plan.typos:  # a town taken for a typo: one click corrects it (or keeps it as a new town)
    with st.container(border=True):
        st.markdown(f"**{u.where}**：地区“{u.name}”不在地区名录中，像是笔误。")
        cols = st.columns([1] * (len(u.near) + 1) + [2])
        for col, name in zip(cols, u.near, strict=False):
            if col.button(f"改为{name}", key=f"fix_{u.name}_{name}", type="primary", icon=":material/edit:"):
                regions[u.name] = name
                st.rerun()
        if cols[len(u.near)].button("不是笔误，保留原名", key=f"keep_{u.name}"):
            keep.append(u.name)
            st.rerun()
for old, new in list(regions.items()):
    c1, c2 = st.columns([4, 1])
    c1.info(f"已把地区“{old}”改为“{new}”，导入时按“{new}”记录（原表不变）。", icon=":material/check:")
    if c2.button("撤销更正", key=f"unfix_{old}"):
        regions.pop(old)
        st.rerun()

if plan.problems:
    rows = up.problem_rows(plan, PROBLEMS_SHOWN)
    lines = max(-(-len(r["问题说明"]) // 38) for r in rows)  # about 38 characters a line at this width
    tall = 35 if lines == 1 else min(max(66, 12 + 22 * lines), 132)  # the grid wraps text only above 64 px
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="problems", row_height=tall,
                 height=min(40 + tall * len(rows), 600),
                 column_config={"级别": st.column_config.TextColumn(width=50),
                                "位置": st.column_config.TextColumn(width=150),
                                "单元格内容": st.column_config.TextColumn(width=110),
                                "问题说明": st.column_config.TextColumn(width=560)})
    more = len(plan.problems) > PROBLEMS_SHOWN
    st.caption("按工作表、行、列排列。" + (f"共 {len(plan.problems)} 条问题，这里列出前 {PROBLEMS_SHOWN} 条；"
                                         "全部问题见下面生成的问题清单。" if more else ""))
    # Built only when asked for (a big workbook took minutes and gigabytes when built on every rerun).
    made = st.session_state.get("tally_report")
    if made and made[0] == plan_key:
        st.download_button("下载标注了问题的原表", made[1], f"{Path(file.name).stem}_问题标注.xlsx", key="error_report",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/download:")
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
    replace = [c.fact_id for c, keep_new in zip(plan.conflicts, chosen["用本表替换"], strict=True) if keep_new]
    st.caption("未勾选的保留数据库中的原值，本表的对应数字不导入。")

choices = region_choice.choose(plan.outside, key="tally")

st.subheader("3. 确认导入")
if plan.already:
    st.info(plan.already)
    st.stop()
partial = False
if plan.errors:
    partial = st.checkbox("只导入没有错误的行（有错误的行、疑似笔误的地区不导入）", key="partial")
if (plan.readable and not (plan.errors and not partial)) and not up.select(plan, replace, partial).facts:
    st.info("表中的数据与数据库中已有的完全相同（或都选择了保留原值），没有需要导入的新数据。")
    st.stop()
waiting = region_choice.undecided(choices)
if waiting:
    st.caption(f"还有 {waiting} 个名录外的地区没有选择处理方式。")
if st.button("确认导入", type="primary", key="tally_confirm",
             disabled=(bool(plan.errors) and not partial) or bool(waiting)):
    try:
        summary = up.commit(plan, db_path=DB, archive_dir=ARCHIVE, replace=replace, partial=partial, account=account,
                            region_choices=choices)
    except (up.UploadRefused, LoadError) as exc:
        st.error(safe.md(exc))
        st.stop()
    cats = {load_catalog()[f.metric].category for f in plan.analysis.facts}
    ss["tally_done"] = {"text": up.done_text(plan, up.select(plan, replace, partial), summary),
                        "links": [CATEGORY_PAGE[c] for c in CATEGORY_PAGE if c in cats]}
    for k in ("tally_plan_key", "tally_sha"):
        ss.pop(k, None)
    ss["tally_uploads"] = ss.get("tally_uploads", 0) + 1
    st.rerun()
