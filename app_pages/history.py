"""导入记录: every batch (time, kind, files, facts, status) with an undo button; backup and restore below.

Each action opens the database for itself and closes it (etl.load does).
"""


import streamlit as st

from dashboard import admin, safe
from dashboard.db import db_path, settings
from etl.batches import LoadError, database_status, undo_batch
from etl.vocab import BATCH_STATUS_ZH, KIND_ZH

DB = db_path()

st.title("导入记录")
msg = st.session_state.pop("undo_message", None)
if msg:
    st.success(safe.md(msg))
try:
    status = database_status(DB)
except FileNotFoundError:
    st.info("还没有数据库：请先在“数据上传”页上传统计表，或运行 python -m etl ingest。")
    with st.expander("备份与恢复"):
        admin.backup_panel(settings())
    st.stop()

st.caption(f"有效数据 {status['facts']} 条，文档 {status['documents']} 篇，共 {len(status['batches'])} 个导入批次。")
if not status["batches"]:
    st.info("还没有导入过数据。")
head = st.columns([1, 3, 2, 6, 2, 2, 2])
for col, text in zip(head, ["批次", "时间", "类型", "文件", "数据条数", "状态", ""], strict=True):
    col.markdown(f"**{text}**")
for b in status["batches"]:
    c = st.columns([1, 3, 2, 6, 2, 2, 2])
    c[0].write(str(b["id"]))
    c[1].write(b["created_at"].replace("T", " "))
    c[2].write(KIND_ZH.get(b["kind"], b["kind"]))
    files = b["files"]  # names chosen by whoever sent the files: shown as written, never as markdown
    c[3].markdown(safe.md("、".join(files[:3]) + (f" 等 {len(files)} 个" if len(files) > 3 else "")
                          or (b.get("note") or "—")))
    c[4].write(str(b["facts"]))
    c[5].write(BATCH_STATUS_ZH.get(b["status"], b["status"]))
    if b["status"] == "loaded" and c[6].button("撤销", key=f"undo_{b['id']}"):
        try:
            st.session_state["undo_message"] = undo_batch(DB, int(b["id"])).to_text()
        except LoadError as exc:
            st.error(safe.md(exc))
            st.stop()
        st.rerun()

st.divider()
with st.expander("备份与恢复", icon=":material/backup:"):
    admin.backup_panel(settings())
