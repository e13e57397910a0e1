"""工会统计看板: the router. Shared filters in the sidebar, then the chosen page.

Icons are Material names (bundled with streamlit): emoji need a colour-emoji font the
projector PCs and the test browser may not have.

Pages are listed here: add a line to add a page. Their scripts live in app_pages/, not pages/:
Streamlit would auto-discover a pages/ folder and route a fresh server's first request by it,
around this router (the docs suggest another name for exactly this).
"""

import streamlit as st

from dashboard import cache, db, filters, views
from etl.errors import UnionError
from etl.settings import load as load_settings

st.set_page_config(page_title="工会统计看板", page_icon=":material/insights:", layout="wide")

DIRECTORY = st.Page("app_pages/directory.py", title="地区名录", icon=":material/account_tree:")
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
    st.Page("app_pages/reporting.py", title="报送情况", icon=":material/checklist:"),
    DIRECTORY,
]

page = st.navigation(PAGES)
st.session_state[views.CHART_SEQ] = {}
try:
    db.use(load_settings())  # read once per run (environment, union.toml) and handed down to every page
    fed = cache.get("federation") if db.db_path().exists() else None
    if fed is None:  # first run: the federation and its directory come before anything else
        if not db.db_path().exists():
            st.error(f"数据库文件不存在：{db.db_path()}。如果这是首次使用，请在下面设置本会（将新建该文件）；"
                     "如果数据库在别处，请检查 UNION_DB 或 union.toml 中的路径。")
        DIRECTORY.run()
        st.stop()
    st.set_page_config(page_title=f"{fed.name} · 工会统计看板")
    filters.sidebar()
    page.run()
except (UnionError, FileNotFoundError) as exc:
    st.error(str(exc))
