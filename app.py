"""工会统计看板: the router. Shared filters in the sidebar, then the chosen page.

Pages are listed here (st.navigation does not scan pages/): add a line to add a page.
"""

import streamlit as st

from dashboard import filters
from etl.db import DatabaseBusy

st.set_page_config(page_title="工会统计看板", page_icon="📊", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="总览", icon="📊", default=True),
    st.Page("pages/formation.py", title="工会组建", icon="🏢"),
    st.Page("pages/membership.py", title="会员发展", icon="👥"),
    st.Page("pages/contracts.py", title="集体合同", icon="📝"),
    st.Page("pages/hardship.py", title="困难帮扶", icon="🤝"),
    st.Page("pages/coverage.py", title="覆盖率", icon="🎯"),
    st.Page("pages/region.py", title="地区详情", icon="📍"),
    st.Page("pages/present.py", title="汇报模式", icon="🎞️"),
    st.Page("pages/sources.py", title="数据来源", icon="🔎"),
    st.Page("pages/review.py", title="审核", icon="✅"),
    st.Page("pages/upload.py", title="数据上传", icon="📤"),
    st.Page("pages/history.py", title="导入记录", icon="🗂️"),
]

page = st.navigation(PAGES)
try:
    filters.sidebar()
    page.run()
except (DatabaseBusy, FileNotFoundError) as exc:
    st.error(str(exc))
