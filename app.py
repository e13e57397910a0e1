"""工会统计看板: the router. Shared filters in the sidebar, then the chosen page.

Icons are Material names (bundled with streamlit): emoji need a colour-emoji font the
projector PCs and the test browser may not have. The favicon is a local file: a Material favicon is
fetched from an outside font host, which fails offline.

Pages are listed here with the action each needs (etl/lexicon/roles.toml): add a line to add a page.
A page a person may not use is left out of their navigation, and its URL shows a Chinese refusal
instead of the page (dashboard/auth.py); the actions on a page check again where they write.

Page scripts live in app_pages/, not pages/: Streamlit would auto-discover a pages/ folder and
route a fresh server's first request by it, around this router (the docs suggest another name).
"""

from pathlib import Path

import streamlit as st

from dashboard import auth, cache, db, failures, filters, safe, views, zh
from etl.accounts import VISITOR
from etl.errors import UnionError
from etl.settings import load as load_settings

st.set_page_config(page_title="工会统计看板", page_icon=Path(__file__).parent / "dashboard" / "favicon.png",
                   layout="wide")

# script, title, icon, the action it needs (etl/lexicon/roles.toml; None: everyone, signed in or not)
PAGES = [
    ("app_pages/overview.py", "总览", ":material/dashboard:", "view"),
    ("app_pages/formation.py", "工会组建", ":material/apartment:", "view"),
    ("app_pages/membership.py", "会员发展", ":material/groups:", "view"),
    ("app_pages/contracts.py", "集体合同", ":material/handshake:", "view"),
    ("app_pages/hardship.py", "困难帮扶", ":material/volunteer_activism:", "view"),
    ("app_pages/coverage.py", "覆盖率", ":material/percent:", "view"),
    ("app_pages/region.py", "地区详情", ":material/location_on:", "view"),
    ("app_pages/present.py", "汇报模式", ":material/slideshow:", "view"),
    ("app_pages/sources.py", "数据来源", ":material/search:", "view"),
    ("app_pages/review.py", "审核", ":material/fact_check:", "review"),
    ("app_pages/upload.py", "数据上传", ":material/upload_file:", "upload"),
    ("app_pages/upload_report.py", "上传报告", ":material/description:", "upload"),
    ("app_pages/history.py", "导入记录", ":material/history:", "history"),
    ("app_pages/check_draft.py", "核对稿件", ":material/spellcheck:", "view"),
    ("app_pages/draft_paragraphs.py", "起草数字段落", ":material/edit_note:", "view"),
    ("app_pages/users.py", "账号管理", ":material/manage_accounts:", "accounts"),
    ("app_pages/audit.py", "操作记录", ":material/policy:", "accounts"),
    ("app_pages/account.py", "账号", ":material/account_circle:", None),
    ("app_pages/reporting.py", "报送情况", ":material/checklist:", "view"),
    ("app_pages/directory.py", "地区名录", ":material/account_tree:", "view"),  # changing it: "directory"
]
DIRECTORY = "app_pages/directory.py"

st.session_state[views.CHART_SEQ] = {}
try:
    db.use(load_settings())  # read once per run (environment, union.toml) and handed down to every page
    account = auth.start_run()
    open_to = account.signed_in or auth.view_without_sign_in()
    fed = cache.get("federation") if db.db_path().exists() else None
    if fed is None:  # first run: the federation and its directory come before anything else (and signing in)
        first = st.navigation([st.Page(DIRECTORY, title="设置本会", icon=":material/account_tree:", default=True),
                               st.Page("app_pages/account.py", title="账号", icon=":material/account_circle:")],
                              position="hidden")
        zh.apply()
        auth.sidebar(account)
        if not db.db_path().exists():
            st.error(f"数据库文件不存在：{db.db_path()}。如果这是首次使用，请在下面设置本会（将新建该文件）；"
                     "如果数据库在别处，请检查 UNION_DB 或 union.toml 中的路径。")
        if first.url_path != "directory" or account.may("directory") or not auth.has_accounts():
            first.run()  # the set-up (nobody to ask yet: whoever installs it; else 管理), or the sign-in page
        else:
            st.info("本会尚未设置（名称、辖区和地区名录）。请管理员登录后完成设置。")
            auth.gate(account, "directory")
        st.stop()
    # Every page is routed (so a bookmarked URL reaches the gate below and is refused in Chinese);
    # only the pages this person may use are in the navigation.
    pages = {path: st.Page(path, title=title, icon=icon, default=path == PAGES[0][0],
                           visibility="visible" if action is None or (open_to and account.may_open(action))
                           else "hidden")
             for path, title, icon, action in PAGES}
    need = {page.url_path: action for (_, _, _, action), page in zip(PAGES, pages.values(), strict=True)}
    page = st.navigation(list(pages.values()), expanded=True)  # no English "View N more" hiding pages
    zh.apply()
    auth.sidebar(account)
    st.set_page_config(page_title=f"{fed.name} · 工会统计看板")
    if need[page.url_path] is None or auth.gate(account, need[page.url_path]):
        filters.sidebar()
        page.run()
except (UnionError, FileNotFoundError) as exc:  # our own Chinese messages (may quote a file's name)
    st.error(safe.md(exc))
except Exception as exc:  # a bug: the details to the server's log (and to whom they are safe to show)
    who = st.session_state.get(auth.RUN) or VISITOR
    failures.show(exc, who, failures.details_shown(who, load_settings().show_error_details, auth.listens_locally()))
