"""账号管理 (管理): every account, a new one, a role, regions, a password reset, an unlock, a stop.

Each change is one transaction with its audit record (etl/accounts.py); a changed account's
open sessions end, so its new rights apply from its next sign-in.
"""

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import auth, cache
from dashboard.db import db_path, settings
from etl import accounts, db, permissions

st.title("账号管理")
st.caption("填报、审核账号须指定地区范围（含下属单位）；查看、管理账号不受地区限制。账号有改动时，"
           "该账号已登录的会话会退出，下次登录时按新的角色和范围生效。所有改动都记入“操作记录”。")
admin = auth.me()
rules = permissions.rules()
done = st.session_state.pop("users_done", None)
if done:
    st.success(done)


def change(what: str, fn: Callable[..., None]) -> None:
    """Run one account change in its own transaction; a Chinese error stays on the page."""
    try:
        with db.transaction(db_path(), wait=settings().lock_wait) as con:
            fn(con)
    except accounts.AccountError as exc:
        st.error(str(exc))
        return
    st.session_state["users_done"] = what
    st.rerun()


with db.connect(db_path(), read_only=True, wait=settings().read_wait) as con:
    people = accounts.users(con)
now = dt.datetime.now()


def status(u: dict) -> str:
    if not u["active"]:
        return "已停用"
    if u["locked_until"] is not None and u["locked_until"] > now:
        return f"已锁定（到 {u['locked_until']:%H:%M}）"
    return "正常"


st.dataframe(pd.DataFrame([{
    "用户名": u["name"], "角色": permissions.role_zh(u["role"]), "地区范围": "、".join(u["regions"]) or "—",
    "状态": status(u), "最近登录": f"{u['last_sign_in']:%Y-%m-%d %H:%M}" if u["last_sign_in"] else "—",
    "建立时间": f"{u['created_at']:%Y-%m-%d %H:%M}"} for u in people]), hide_index=True, key="users_table")

region_names = list(cache.get("regions")["name"])
role_keys = list(rules.roles)


def role_label(k: str) -> str:
    return f"{rules.roles[k].zh}：{rules.roles[k].about}"


with st.expander("新建账号", icon=":material/person_add:"):
    with st.form("new_user", clear_on_submit=True):
        name = st.text_input("用户名", key="new_user_name", placeholder="如：李红（城关）")
        role = st.selectbox("角色", role_keys, format_func=role_label, key="new_user_role")
        regions = st.multiselect("地区范围（填报、审核须选）", region_names, key="new_user_regions",
                                 placeholder="选择一个或多个地区")
        password = st.text_input(f"初始密码（至少 {accounts.PASSWORD_MIN} 个字符，请当面告知本人并让其修改）",
                                 type="password", key="new_user_password")
        go = st.form_submit_button("建立账号", type="primary")
    if go:
        change(f"已建立账号“{name.strip()}”。",
               lambda con: accounts.add_user(con, admin.actor(), name, role, password, regions))

st.subheader("修改账号")
pick = st.selectbox("账号", [u["name"] for u in people], key="edit_user", index=None, placeholder="请选择")
if pick is None:
    st.stop()
u = next(x for x in people if x["name"] == pick)
with st.form("edit_user_form"):
    role = st.selectbox("角色", role_keys, index=role_keys.index(u["role"]), format_func=role_label,
                        key=f"edit_role_{u['id']}")
    regions = st.multiselect("地区范围", region_names, default=[r for r in u["regions"] if r in region_names],
                             key=f"edit_regions_{u['id']}")
    active = st.checkbox("允许登录", value=bool(u["active"]), key=f"edit_active_{u['id']}")
    go = st.form_submit_button("保存")
if go:
    scoped = rules.roles[role].scoped
    change(f"已保存账号“{pick}”。", lambda con: accounts.update_user(
        con, admin.actor(), pick, role=role, regions=regions if scoped else [], active=active))

c1, c2 = st.columns(2)
with c1.form("reset_password", clear_on_submit=True):
    new = st.text_input("重设密码", type="password", key=f"reset_pw_{u['id']}")
    go = st.form_submit_button("重设密码")
if go:
    change(f"已为“{pick}”重设密码，请当面告知本人。", lambda con: accounts.set_password(con, admin.actor(), pick, new))
if u["locked_until"] is not None and u["locked_until"] > now and c2.button("解锁", key=f"unlock_{u['id']}"):
    change(f"已解锁账号“{pick}”。", lambda con: accounts.unlock(con, admin.actor(), pick))
