"""A page that fails: the details go to the server's log, the person reads one line in Chinese.

Streamlit would print a page's exception, traceback and all, to whoever is looking: file paths,
SQL and data from the database, to a visitor on the office network. app.py hands every
exception a page raises (other than the project's own UnionError, whose message is written for
people) to `show`: it logs the traceback with a short reference, says on screen that something
went wrong and which reference to quote, and shows the details only where that is safe
(`show_error_details`; by default while the server listens on this machine alone, or to a 管理
account). `.streamlit/config.toml` sets client.showErrorDetails = "none" for anything that
escapes app.py.
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from etl.accounts import Account

LOG = logging.getLogger("union.dashboard")
if not LOG.handlers:  # Streamlit configures only its own loggers: give ours a line on the server's stderr
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    LOG.addHandler(_handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


def details_shown(account: Account, chosen: bool | None, local: bool) -> bool:
    """The setting when given; else on this machine alone, or to an account that may change settings."""
    if chosen is not None:
        return chosen
    return local or account.may("settings")


def _where() -> str:
    try:
        return str(st.context.url or "")
    except Exception:  # outside a browser session (AppTest): no URL to log
        return ""


def show(exc: BaseException, account: Account, details: bool) -> str:
    """Log `exc` with a reference, say so in Chinese, and add the details when `details`. Returns the reference."""
    ref = secrets.token_hex(3)
    LOG.error("页面出错 ref=%s url=%s user=%s", ref, _where(), account.name if account.signed_in else "-",
              exc_info=exc)
    st.error(f"页面出错了，未能显示（错误编号 {ref}）。详细情况已记入服务器日志；请刷新页面重试，"
             f"或把错误编号告诉管理员。", icon=":material/error:")
    if details:
        st.exception(exc)
    return ref
