"""导入记录: every batch (time, kind, files, facts, who loaded it, who undid it) with an undo that asks first.

Undo is offered on one's own batches (填报) or on any (管理); the confirmation says
the size in words and what is withdrawn with it (corrections, acceptances,
rejections made on its facts). Each action opens the database for itself and closes it.
"""

import streamlit as st

from dashboard import admin, auth, safe
from dashboard.db import db_path, forget, settings
from etl import permissions
from etl.batches import LoadError, database_status, undo_batch, undo_preview
from etl.vocab import BATCH_STATUS_ZH, KIND_ZH

DB = db_path()
account = auth.me()

st.title("导入记录")
msg = st.session_state.pop("undo_message", None)
if msg:
    st.success(safe.md(msg))
try:
    status = database_status(DB)
except FileNotFoundError:
    st.info("还没有数据库：请先在“数据上传”页上传统计表，或在“上传报告”页上传工作报告。")
    if account.may("settings"):
        with st.expander("备份与恢复"):
            admin.backup_panel(settings())
    st.stop()

st.caption(f"有效数据 {status['facts']} 条，文档 {status['documents']} 篇，共 {len(status['batches'])} 个导入批次。"
           + ("您可以撤销任何批次。" if account.may("undo_any") else
              "您可以撤销自己导入的批次。" if account.may("undo_own") else ""))
if not status["batches"]:
    st.info("还没有导入过数据。")

pending = st.session_state.get("undo_pending")
if pending is not None:  # asked to undo: say what it will do, then wait for the second click
    try:
        plan = undo_preview(DB, int(pending), wait=settings().read_wait)
    except LoadError as exc:
        st.session_state.pop("undo_pending", None)
        st.error(safe.md(exc))
    else:
        with st.container(border=True, key="undo_confirm_box"):
            st.warning(safe.md(plan.to_text()), icon=":material/warning:")
            c1, c2, _ = st.columns([2, 2, 6])
            if c1.button("确认撤销", type="primary", key="undo_confirm", icon=":material/undo:"):
                st.session_state.pop("undo_pending", None)
                if not account.may_undo(plan.owner):
                    st.error(permissions.undo_refusal(plan.batch_id, plan.owner))
                    st.stop()
                try:
                    summary = undo_batch(DB, plan.batch_id, wait=settings().lock_wait, user=account.actor())
                except LoadError as exc:
                    st.error(safe.md(exc))
                    st.stop()
                forget()
                st.session_state["undo_message"] = summary.to_text()
                st.rerun()
            if c2.button("取消", key="undo_cancel"):
                st.session_state.pop("undo_pending", None)
                st.rerun()

widths = [1, 3, 2, 5, 2, 2, 3, 2]
head = st.columns(widths)
for col, text in zip(head, ["批次", "时间", "类型", "文件", "数据条数", "导入人", "状态", ""], strict=True):
    col.markdown(f"**{text}**")
for b in status["batches"]:
    c = st.columns(widths)
    c[0].write(str(b["id"]))
    c[1].write(b["created_at"].replace("T", " "))
    c[2].write(KIND_ZH.get(b["kind"], b["kind"]))
    files = b["files"]  # names chosen by whoever sent the files: shown as written, never as markdown
    c[3].markdown(safe.md("、".join(files[:3]) + (f" 等 {len(files)} 个" if len(files) > 3 else "")
                          or (b.get("note") or "—")))
    c[4].write(f"{b['facts']:,}")
    c[5].markdown(safe.md(b["user"] or "—"))
    state = BATCH_STATUS_ZH.get(b["status"], b["status"])
    if b["status"] == "undone":
        state += f"（{b['undone_by'] or '—'}，{(b['undone_at'] or '').replace('T', ' ')[5:16]}）"
    c[6].write(state)
    if b["status"] == "loaded" and account.may_undo(b["user"]) and c[7].button("撤销", key=f"undo_{b['id']}"):
        st.session_state["undo_pending"] = int(b["id"])
        st.rerun()

if account.may("settings"):  # backup and restore (issue 14): for accounts that may change settings
    st.divider()
    with st.expander("备份与恢复", icon=":material/backup:"):
        admin.backup_panel(settings())
