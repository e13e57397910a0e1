"""操作记录 (管理): the audit trail, newest first: who did what, when, before → after, in which batch."""

import pandas as pd
import streamlit as st

from dashboard.db import db_path, settings
from etl import audit, db

st.title("操作记录")
st.caption("每一次写入都有记录：导入、撤销、更正、确认、驳回、撤销驳回、列对应、账号变更和登录。"
           "记录与改动在同一事务中写入，不能在页面上修改或删除。")
c1, c2, c3 = st.columns([2, 2, 1])
with db.connect(db_path(), read_only=True, wait=settings().read_wait) as con:
    names = [r[0] for r in con.execute("SELECT DISTINCT user_name FROM audit_log ORDER BY 1").fetchall()]
who = c1.selectbox("人员", [None, *names], format_func=lambda n: "全部" if n is None else n, key="audit_user")
what = c2.selectbox("操作", [None, *audit.ACTION_ZH], key="audit_action",
                    format_func=lambda a: "全部" if a is None else audit.ACTION_ZH[a])
limit = c3.selectbox("条数", [50, 200, 1000], index=1, key="audit_limit")
with db.connect(db_path(), read_only=True, wait=settings().read_wait) as con:
    rows = audit.log(con, limit=limit, user=who, action=what)
if not rows:
    st.info("没有符合条件的记录。")
    st.stop()
st.dataframe(pd.DataFrame([{
    "时间": f"{r['done_at']:%Y-%m-%d %H:%M:%S}", "人员": r["user_name"], "途径": audit.VIA_ZH.get(r["via"], r["via"]),
    "操作": audit.ACTION_ZH.get(r["action"], r["action"]),
    "批次": "—" if r["batch_id"] is None else str(r["batch_id"]),  # text: an empty cell would read "None"
    "说明": r["summary"], "改动前": r["before"] or "", "改动后": r["after"] or ""} for r in rows]),
    hide_index=True, key="audit_table")
