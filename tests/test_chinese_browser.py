"""No English on screen: every page in Debian's chromium, every visible text node, input placeholder and
chart-toolbar tooltip checked for Latin words outside a short allow-list (file types, key names).

Paths and commands set as code (typed as shown) are not checked.
Text hidden the way dashboard/zh.css hides Streamlit's English (font-size 0, with Chinese in ::after) is
not on screen and is not listed; Material icon names (drawn as icons by their font) neither.
"""

from __future__ import annotations

import re

import people
import pytest
from chromium import SHOTS
from test_browser import page, sample, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Latin words a Chinese user reads as such: file types and formats, keys on the keyboard and a clicker,
# and the "xx" of template file names (data, shown as it was uploaded).
ALLOWED = {"pptx", "png", "excel", "xlsx", "xlsm", "xls", "csv", "docx", "pdf", "txt", "mb", "pageup", "pagedown",
           "home", "end", "esc", "xx"}
PAGES = ["", "formation", "membership", "contracts", "hardship", "coverage", "region", "present", "sources",
         "review", "upload", "upload_report", "history", "check_draft", "draft_paragraphs", "account"]

LATIN_ON_SCREEN = """() => {
  const out = new Set();
  const latin = /[A-Za-z]{2,}/;
  const shown = (el) => {
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();  // screen-reader-only text is a 1 px box
    return cs.visibility !== "hidden" && cs.display !== "none" && parseFloat(cs.fontSize) > 0
      && r.width > 1 && r.height > 1;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent.trim();
    const el = n.parentElement;
    if (!t || !latin.test(t) || !el || el.closest("script, style, noscript, code, pre")) continue;
    const icon = el.closest('[data-testid="stIconMaterial"]')
      || /Material Symbols/.test(getComputedStyle(el).fontFamily);
    if (icon) continue;
    if (shown(el)) out.add(t);
  }
  for (const el of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (latin.test(el.placeholder)) out.add("占位：" + el.placeholder);
  }
  for (const el of document.querySelectorAll(".modebar-btn[data-title]")) {  // what plotly's tooltip shows
    const t = getComputedStyle(el, "::after").content;
    if (t && latin.test(t)) out.add("提示：" + t);
  }
  return [...out];
}"""


def english(texts: list[str]) -> list[str]:
    """The texts with a Latin word that is not allowed."""
    return [t for t in texts if any(w.lower() not in ALLOWED for w in re.findall(r"[A-Za-z]{2,}", t))]


def test_allow_list_catches_streamlit_english() -> None:
    assert english(["Choose an option", "占位：Select all", "提示：\"Fullscreen\"", "View 5 more"]) \
        == ["Choose an option", "占位：Select all", "提示：\"Fullscreen\"", "View 5 more"]
    assert english(["下载 PPTX", "选择统计表（.xlsx / .csv）", "← → 或 PageUp/PageDown", "xx镇工作总结.txt"]) == []


def test_no_english_text_on_any_page(server, sample, page):  # noqa: F811
    """A page that needs an account is checked twice: its sign-in form, then signed in as an administrator
    (a page load is a new session, so each such page signs in on its own form)."""
    people.ensure(sample, people.FIRST_ADMIN)
    found = {}
    for path in PAGES:
        page.goto(f"{server}/{path}")
        page.wait_for_selector('[data-testid="stApp"] h1, .slide-title', timeout=30_000)
        page.wait_for_timeout(2000)  # charts, tables and the sidebar drawn
        assert page.locator('[data-testid="stException"]').count() == 0, path
        if page.get_by_label("用户名").count():
            if bad := english(page.evaluate(LATIN_ON_SCREEN)):
                found[f"{path}（登录）"] = bad
            people.sign_in_here(page, people.FIRST_ADMIN)
            page.get_by_text(f"已登录：{people.FIRST_ADMIN}").first.wait_for(timeout=30_000)
            page.wait_for_timeout(1500)
        if path == "upload":  # signed in: the form itself, with Streamlit's uploader ("Browse files" …)
            page.wait_for_selector('[data-testid="stFileUploaderDropzone"]', timeout=30_000)
        if path == "":  # the sidebar's region picker, opened: no "Select all"
            page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').click()
            page.wait_for_timeout(500)
        bad = english(page.evaluate(LATIN_ON_SCREEN))
        if path == "":
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "overview_regions_open.png"))
            page.keyboard.press("Escape")
        if bad:
            found[path or "overview"] = bad
    assert not found, found


def test_table_and_chart_toolbar_tooltips_are_chinese(server, page):  # noqa: F811
    """Streamlit's table toolbar has no language setting: its tooltip is rewritten by zh.css (read here as
    what the browser draws), and plotly's own toolbar speaks Chinese through its locale."""
    from playwright.sync_api import expect

    page.goto(f"{server}/draft_paragraphs")
    page.wait_for_selector('[data-testid="stApp"] h1', timeout=30_000)
    page.locator('[data-testid="stExpander"] summary').first.click()
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible(timeout=20_000)
    table.hover()
    button = page.locator('[data-testid="stBaseButton-elementToolbar"][aria-label="Show/hide columns"]').first
    button.hover()
    tip = page.locator('[data-testid="stTooltipContent"] p').first
    expect(tip).to_be_attached(timeout=10_000)
    drawn = tip.evaluate("p => [getComputedStyle(p).fontSize, getComputedStyle(p, '::after').content]")
    assert drawn == ["0px", '"显示或隐藏列"'], drawn

    page.goto(f"{server}/coverage")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    titles = page.evaluate("() => [...document.querySelectorAll('.modebar-btn')]"
                           ".map(e => getComputedStyle(e, '::after').content)")
    assert titles and not english(titles), titles
