"""工会统计看板: the router. Shared filters in the sidebar, then the chosen page.

Icons are Material names (bundled with streamlit): emoji need a colour-emoji font the
projector PCs and the test browser may not have.

Pages are listed here (st.navigation does not scan pages/): add a line to add a page.
"""

import logging
import os

import duckdb
import streamlit as st

from dashboard import filters, safe, views
from etl.db import DatabaseBusy

log = logging.getLogger("union.app")

st.set_page_config(page_title="工会统计看板", page_icon=":material/insights:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/formation.py", title="工会组建", icon=":material/apartment:"),
    st.Page("pages/membership.py", title="会员发展", icon=":material/groups:"),
    st.Page("pages/contracts.py", title="集体合同", icon=":material/handshake:"),
    st.Page("pages/hardship.py", title="困难帮扶", icon=":material/volunteer_activism:"),
    st.Page("pages/coverage.py", title="覆盖率", icon=":material/percent:"),
    st.Page("pages/region.py", title="地区详情", icon=":material/location_on:"),
    st.Page("pages/present.py", title="汇报模式", icon=":material/slideshow:"),
    st.Page("pages/sources.py", title="数据来源", icon=":material/search:"),
    st.Page("pages/review.py", title="审核", icon=":material/fact_check:"),
    st.Page("pages/upload.py", title="数据上传", icon=":material/upload_file:"),
    st.Page("pages/upload_report.py", title="上传报告", icon=":material/description:"),
    st.Page("pages/history.py", title="导入记录", icon=":material/history:"),
]

views.register(PAGES)
page = st.navigation(PAGES)
try:
    filters.sidebar()
    page.run()
except (DatabaseBusy, FileNotFoundError) as exc:  # our own Chinese messages
    st.error(safe.md(exc))
except Exception as exc:  # readers never see a traceback: say what happened, keep the details in the log
    if os.environ.get("UNION_RAISE_ERRORS"):  # tests: let AppTest see the exception itself
        raise
    log.exception("page %s failed", page.title)
    what = "暂时无法读取数据库" if isinstance(exc, duckdb.Error) else "页面出错了"
    st.error(f"{what}（{safe.md(type(exc).__name__)}），详情已记录在服务器日志中。请刷新页面重试；"
             "如反复出现，请联系管理员。")
