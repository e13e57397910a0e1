"""Administration panels shared by pages: backup and restore.

Shown on 导入记录 in an expander until accounts exist (issue 10 adds an admin
page; it calls `backup_panel` too). The work itself is etl/backup.py, the same
code as `python -m etl backup` / `restore`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import safe
from etl.backup import BackupError, backup, default_folder, list_backups, restore
from etl.db import DatabaseBusy


def backup_panel(db: Path, archive: Path) -> None:
    """Back up now; restore a listed backup after an explicit confirmation (the current database is kept)."""
    folder = default_folder(db)
    st.caption(f"备份包括数据库和全部原文件，看板运行时也可以做，保存在 {safe.md(folder)}。"
               "恢复时当前数据库会改名保留，不删除任何文件。命令行：python -m etl backup / python -m etl restore。")
    done = st.session_state.pop("backup_message", None)
    if done:
        st.success(safe.md(done))
    if st.button("立即备份", key="backup_now", icon=":material/backup:"):
        try:
            with st.spinner("正在备份…"):
                info = backup(db, archive)
        except (BackupError, DatabaseBusy, OSError) as exc:
            st.error(safe.md(exc))
        else:
            st.session_state["backup_message"] = info.to_text()
            st.rerun()
    found = {str(b.path): b for b in list_backups(folder)}
    if not found:
        st.caption("还没有备份。")
        return
    pick = st.selectbox("从备份恢复", list(found), key="restore_pick",
                        format_func=lambda p: f"{found[p].created_at} · 批次 {found[p].batches} 个 · "
                                              f"数据 {found[p].facts} 条 · 原文件 {found[p].archive_files} 个")
    sure = st.checkbox("我确认用这个备份替换当前数据库（当前数据库会改名保留）", key="restore_sure")
    if st.button("恢复", key="restore_go", disabled=not sure, icon=":material/restore:"):
        try:
            with st.spinner("正在检查备份并恢复…"):
                summary = restore(pick, db, archive)
        except (BackupError, DatabaseBusy, OSError) as exc:
            st.error(safe.md(exc))
        else:
            st.session_state["backup_message"] = summary.to_text()
            st.session_state.pop("restore_sure", None)
            st.rerun()
