"""工会统计看板: the router. Shared filters in the sidebar, then the chosen page.

Icons are Material names (bundled with streamlit): emoji need a colour-emoji font the
projector PCs and the test browser may not have.

Pages are listed here: add a line to add a page. Their scripts live in app_pages/, not pages/:
Streamlit would auto-discover a pages/ folder and route a fresh server's first request by it,
around this router (the docs suggest another name for exactly this).
"""

import logging
import os

import duckdb
import streamlit as st

from dashboard import db, filters, safe, views
from etl.errors import UnionError
from etl.settings import load as load_settings

log = logging.getLogger("union.app")

st.set_page_config(page_title="工会统计看板", page_icon=":material/insights:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("app_pages/formation.py", title="工会组建", icon=":material/apartment:"),
    st.Page("app_pages/membership.py", title="会员发展", icon=":material/groups:"),
    st.Page("app_pages/contracts.py", title="集体合同", icon=":material/handshake:"),
    st.Page("app_pages/hardship.py", title="困难帮扶", icon=":material/volunteer_activism:"),
    st.Page("app_pages/coverage.py", title="覆盖率", icon=":material/percent:"),
    st.Page("app_pages/region.py", title="地区详情", icon=":material/location_on:"),
    st.Page("app_pages/present.py", title="汇报模式", icon=":material/slideshow:"),
    st.Page("app_pages/sources.py", title="数据来源", icon=":material/search:"),
    st.Page("app_pages/review.py", title="审核", icon=":material/fact_check:"),
    st.Page("app_pages/upload.py", title="数据上传", icon=":material/upload_file:"),
    st.Page("app_pages/upload_report.py", title="上传报告", icon=":material/description:"),
    st.Page("app_pages/history.py", title="导入记录", icon=":material/history:"),
    # Last, so the first ten (what the sidebar shows before "View more") stay as they were.
    st.Page("app_pages/check_draft.py", title="核对稿件", icon=":material/spellcheck:"),
    st.Page("app_pages/draft_paragraphs.py", title="起草数字段落", icon=":material/edit_note:"),
]

page = st.navigation(PAGES)
st.session_state[views.CHART_SEQ] = {}
try:
    db.use(load_settings())  # read once per run (environment, union.toml) and handed down to every page
    filters.sidebar()
    page.run()
except (UnionError, FileNotFoundError) as exc:  # our own Chinese messages (may quote a file's name)
    st.error(safe.md(exc))
except Exception as exc:  # readers never see a traceback: say what happened, keep the details in the log
    if os.environ.get("UNION_RAISE_ERRORS"):  # tests: let AppTest see the exception itself
        raise
    log.exception("page %s failed", page.title)
    what = "暂时无法读取数据库" if isinstance(exc, duckdb.Error) else "页面出错了"
    st.error(f"{what}（{safe.md(type(exc).__name__)}），详情已记录在服务器日志中。请刷新页面重试；"
             "如反复出现，请联系管理员。")
