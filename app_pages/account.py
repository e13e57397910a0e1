"""账号: sign in (or set up the first administrator); once signed in, who you are, your password, sign out."""

import streamlit as st

from dashboard import auth
from dashboard.db import db_path, settings
from etl import accounts, db, permissions

st.title("账号")
account = auth.me()
if not account.signed_in:
    if auth.has_accounts():
        st.caption("请输入管理员为您建立的用户名和密码。")
        auth.sign_in_form()
    else:
        auth.first_admin_form()
    st.stop()

role = permissions.rules().roles[account.role]
st.markdown(f"**{account.name}** · 角色：{role.zh}")
st.caption(role.about)
if role.scoped:
    st.markdown(f"地区范围：{account.scope.text()}（含下属单位）")
done = st.session_state.pop("password_changed", None)
if done:
    st.success(done)

with st.form("own_password", clear_on_submit=True):
    st.markdown("**修改密码**")
    current = st.text_input("当前密码", type="password", key="own_pw_current")
    new = st.text_input(f"新密码（至少 {accounts.PASSWORD_MIN} 个字符）", type="password", key="own_pw_new")
    again = st.text_input("再输入一次新密码", type="password", key="own_pw_again")
    go = st.form_submit_button("修改密码")
if go:
    if new != again:
        st.error("两次输入的新密码不一致。")
    else:
        try:
            with db.transaction(db_path(), wait=settings().lock_wait) as con:
                accounts.change_own_password(con, account, current, new, st.session_state.get(auth.TOKEN))
        except accounts.AccountError as exc:
            st.error(str(exc))
        else:
            st.session_state["password_changed"] = "密码已修改。您在其他浏览器中的登录已退出。"
            st.rerun()

if st.button("退出登录", key="sign_out_page", icon=":material/logout:"):
    auth.sign_out(account)
