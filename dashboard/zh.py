"""The app in Chinese where Streamlit has no setting for it: one stylesheet (zh.css) drawn on every run.

The toolbar labels below are data: a Streamlit upgrade that adds a button means one more line here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

# Streamlit's English table/chart toolbar labels (aria-label of the button) → what the tooltip says instead.
TOOLBAR_ZH = {
    "Show/hide columns": "显示或隐藏列",
    "Download as CSV": "下载表格（CSV）",
    "Search": "在表格中查找",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Add row": "添加一行",
    "Delete row": "删除所选行",
    "Delete rows": "删除所选行",
    "Copy to clipboard": "复制",
}


@cache
def stylesheet(max_mb: int) -> str:
    css = (Path(__file__).with_name("zh.css")).read_text(encoding="utf-8")
    rules = "\n".join(
        f'body:has([data-testid="stBaseButton-elementToolbar"][aria-label="{en}"]:is(:hover, :focus-visible)) '
        f'[data-testid="stTooltipContent"] p::after {{ content: "{zh}"; }}' for en, zh in TOOLBAR_ZH.items())
    return css.replace("{toolbar_rules}", rules).replace("{max_mb}", str(max_mb))


def apply() -> None:
    """Draw the stylesheet (app.py, every run: a run's elements replace the previous run's)."""
    st.html(f"<style>{stylesheet(int(st.get_option('server.maxUploadSize')))}</style>")
