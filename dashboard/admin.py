"""Administration panels shared by pages: backup and restore.

Shown on 导入记录 in an expander until accounts exist (issue 10 adds an admin
page; it calls `backup_panel` too). The work itself is etl/backup.py, the same
code as `python -m etl backup` / `restore`. Both buttons act in callbacks, so
the confirmation box can be cleared after a restore (a widget's value may only
be reset before it is drawn).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import safe
from etl.backup import BackupError, backup, list_backups, restore
from etl.db import DatabaseBusy
from etl.settings import Settings


def _backup(db: Path, archive: Path, folder: Path) -> None:
    try:
        st.session_state["backup_message"] = ("success", backup(db, archive, backups=folder).to_text())
    except (BackupError, DatabaseBusy, OSError) as exc:
        st.session_state["backup_message"] = ("error", str(exc))


def _restore(db: Path, archive: Path) -> None:
    try:
        summary = restore(st.session_state["restore_pick"], db, archive)
        st.session_state["backup_message"] = ("success", summary.to_text())
    except (BackupError, DatabaseBusy, OSError) as exc:
        st.session_state["backup_message"] = ("error", str(exc))
    st.session_state["restore_sure"] = False  # the next restore is confirmed afresh


def backup_panel(settings: Settings) -> None:
    """Back up now; restore a listed backup after an explicit confirmation (the current database is kept)."""
    db, archive, folder = settings.db, settings.archive_dir, settings.backups_dir
    where = str(folder).replace("`", "")  # a path and commands as code: typed as shown, not translated
    st.caption(f"备份包括数据库和全部原文件，看板运行时也可以做，保存在 `{where}`。"
               "恢复时当前数据库会改名保留，不删除任何文件。命令行：`python -m etl backup` / `python -m etl restore`。")
    done = st.session_state.pop("backup_message", None)
    if done:
        (st.success if done[0] == "success" else st.error)(safe.md(done[1]))
    st.button("立即备份", key="backup_now", icon=":material/backup:", on_click=_backup, args=(db, archive, folder))
    found = {str(b.path): b for b in list_backups(folder)}
    if not found:
        st.caption("还没有备份。")
        return
    st.selectbox("从备份恢复", list(found), key="restore_pick",
                 format_func=lambda p: f"{found[p].created_at} · 批次 {found[p].batches} 个 · "
                                       f"数据 {found[p].facts} 条 · 原文件 {found[p].archive_files} 个")
    sure = st.checkbox("我确认用这个备份替换当前数据库（当前数据库会改名保留）", key="restore_sure")
    st.button("恢复", key="restore_go", disabled=not sure, icon=":material/restore:", on_click=_restore,
              args=(db, archive))
