"""Sign-in on the page: who is using the app, the forms to sign in and out, the first administrator.

The browser's Streamlit session holds a random token (st.session_state); the
database holds its sha256 and decides every run whether it is still good
(etl/sessions.py: idle and total limits, account changes). A page reload
starts a new Streamlit session, so it asks to sign in again.

Whether a person who has not signed in may view is a setting
(view_without_sign_in); by default only while the server listens on this
machine alone: a server that the office network can reach asks everyone to
sign in. The first administrator can be set up in the app only from the
server's own machine (or while it listens only there); otherwise with
`python -m etl user add NAME --role 管理` on the server.
"""

from __future__ import annotations

import contextlib
import time

import streamlit as st

from dashboard.db import db_path, settings
from etl import accounts, db, sessions
from etl.accounts import VISITOR, Account, AccountError
from etl.sessions import Policy

TOKEN = "auth_token"  # the session's token (never shown, never in a URL)
LAST = "auth_last"  # (account, monotonic time) of the last good check: used while another process writes
NOTICE = "auth_notice"  # why the last session ended, shown once on the sign-in form
RUN = "auth_run"  # the account app.py checked at the start of this run (pages read it with `me`)
LOCAL_ADDRESSES = ("127.0.0.1", "localhost", "::1")
CHECK_WAIT = 0.5  # seconds a session check waits for a writer before using the last good check
LAST_GOOD = 300.0  # how old that last good check may be (seconds)


def policy() -> Policy:
    return Policy.of(settings())


def listens_locally() -> bool:
    """Does the server accept only this machine? Streamlit's server.address; empty means every interface."""
    address = st.get_option("server.address")
    return str(address or "").strip() in LOCAL_ADDRESSES


def view_without_sign_in() -> bool:
    """The setting when given; else viewing is open only while the server listens on this machine alone."""
    chosen = settings().view_without_sign_in
    return listens_locally() if chosen is None else bool(chosen)


def on_this_machine() -> bool:
    """Is the browser on the server's machine (or can only such a browser reach the server)?"""
    if listens_locally():
        return True
    ip = getattr(st.context, "ip_address", None)
    return ip is not None and ip in ("127.0.0.1", "::1")


def current() -> Account:
    """The signed-in account, checked against the database on every run; VISITOR when nobody is signed in."""
    token = st.session_state.get(TOKEN)
    if not token:
        return VISITOR
    path = db_path()
    if not path.exists():
        st.session_state.pop(TOKEN, None)
        return VISITOR
    try:
        with db.connect(path, read_only=True, wait=CHECK_WAIT) as con:
            check = sessions.check_session(con, token, policy())
    except db.DatabaseBusy:  # a writer holds the file: the last good check stands for a while
        last = st.session_state.get(LAST)
        if last and time.monotonic() - last[1] < LAST_GOOD:
            return last[0]
        # Nothing to fall back on (the first run after signing in, e.g. while another person's sign-in
        # writes in this process): wait as long as any page read does.
        with db.connect(path, read_only=True, wait=settings().read_wait) as con:
            check = sessions.check_session(con, token, policy())
    if check.end or check.touch:
        with contextlib.suppress(db.DatabaseBusy), db.transaction(path, wait=CHECK_WAIT) as con:
            if check.end:
                sessions.end_session(con, token, check.end)
            else:
                sessions.touch(con, token)
    if check.account is None:
        st.session_state.pop(TOKEN, None)
        st.session_state.pop(LAST, None)
        if check.why:
            st.session_state[NOTICE] = check.why
        return VISITOR
    st.session_state[LAST] = (check.account, time.monotonic())
    return check.account


def start_run() -> Account:
    """Check the session once per run (app.py), for the router and every page of the run."""
    account = current()
    st.session_state[RUN] = account
    return account


def me() -> Account:
    """The account of this run (checked by app.py); checks afresh when a page runs without the router."""
    account = st.session_state.get(RUN)
    return account if account is not None else current()


def has_accounts() -> bool:
    path = db_path()
    if not path.exists():
        return False
    with db.connect(path, read_only=True, wait=settings().read_wait) as con:
        return accounts.count_users(con) > 0


def sign_in_form() -> None:
    """用户名, 密码, 登录; a wrong password, a lock or an expired session said in Chinese."""
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(notice)
    with st.form("sign_in", enter_to_submit=True):
        name = st.text_input("用户名", key="sign_in_name")
        password = st.text_input("密码", type="password", key="sign_in_password")
        go = st.form_submit_button("登录", type="primary", icon=":material/login:")
    if go:
        _open_session(name, password)


def first_admin_form() -> None:
    """The first run: no account exists yet, so the administrator is set up here (or on the command line)."""
    st.info("还没有任何账号。请先设置管理员账号：之后用它登录，在“账号管理”中为其他人员建立账号。")
    if not on_this_machine():
        st.warning("为安全起见，管理员账号只能在服务器本机设置：请在服务器上打开本页面，或运行\n\n"
                   "`python -m etl user add 姓名 --role 管理`")
        return
    with st.form("first_admin"):
        name = st.text_input("管理员用户名", key="first_admin_name", placeholder="如：王主任")
        pw = st.text_input(f"密码（至少 {accounts.PASSWORD_MIN} 个字符）", type="password", key="first_admin_pw")
        pw2 = st.text_input("再输入一次密码", type="password", key="first_admin_pw2")
        go = st.form_submit_button("创建管理员账号并登录", type="primary")
    if not go:
        return
    if pw != pw2:
        st.error("两次输入的密码不一致。")
        return
    try:
        with db.transaction(db_path(), wait=settings().lock_wait) as con:
            accounts.first_admin(con, name, pw)
    except AccountError as exc:
        st.error(str(exc))
        return
    _open_session(name, pw)


def _open_session(name: str, password: str) -> None:
    """Sign in and keep the session's token (both forms end here); a refusal is shown in Chinese."""
    try:
        token = sessions.sign_in(db_path(), name, password, policy(), wait=settings().lock_wait)
    except AccountError as exc:
        st.error(str(exc))
        return
    st.session_state[TOKEN] = token
    st.rerun()


def sign_out(account: Account) -> None:
    token = st.session_state.pop(TOKEN, None)
    st.session_state.pop(LAST, None)
    st.session_state.pop(RUN, None)
    if token:
        with contextlib.suppress(db.DatabaseBusy), db.transaction(db_path(), wait=settings().lock_wait) as con:
            sessions.end_session(con, token, "signed_out", account.actor())
    st.rerun()


def sidebar(account: Account) -> None:
    """Who is signed in, and the way out (or in)."""
    with st.sidebar:
        if account.signed_in:
            st.caption(f"已登录：{account.label()}")
            if st.button("退出登录", key="sign_out", icon=":material/logout:"):
                sign_out(account)
        else:
            first = not has_accounts()  # the first run: say where the administrator is set up
            st.page_link("app_pages/account.py", label="设置管理员账号" if first else "登录",
                         icon=":material/login:")


def gate(account: Account, action: str) -> bool:
    """May this run show a page that needs `action`? If not, say why (and offer to sign in)."""
    if not account.signed_in and not view_without_sign_in():
        st.title("工会统计看板")
        st.caption("本看板在网络上提供服务，请先登录。")
        sign_in_form() if has_accounts() else first_admin_form()
        return False
    if account.may_open(action):
        return True
    st.title("无权访问")
    st.error(account.refusal(action))
    if not account.signed_in:
        sign_in_form() if has_accounts() else first_admin_form()
    return False
