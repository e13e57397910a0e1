"""The running app in Debian's chromium: every page draws its charts; filters reach the URL; screenshots.

Screenshots go to a temp folder, or to SCREENSHOTS_DIR: `make screenshots` refreshes docs/screenshots/
(the README points there). Look at them: a missing CJK font shows as empty boxes while text assertions
still pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import people
import pytest
from chromium import SHOTS, start_server

ROOT = Path(__file__).resolve().parent.parent
# url path, file name, has charts
PAGES = [("", "overview", True), ("formation", "formation", True), ("membership", "membership", True),
         ("contracts", "contracts", True), ("hardship", "hardship", True), ("coverage", "coverage", True),
         ("region", "region", True), ("sources", "sources", False), ("review", "review", False)]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def sample(sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        if not con.execute("SELECT count(*) FROM facts").fetchone()[0]:
            pytest.skip("sample database has no facts yet")
    return sample_db


@pytest.fixture(scope="module")
def server(sample):
    proc, base = start_server(sample)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def fresh_server(sample):
    """A server nobody has visited yet (its first request decides streamlit's navigation mode)."""
    proc, base = start_server(sample)
    yield base
    proc.terminate()
    proc.wait(timeout=10)



@pytest.fixture
def page(browser):
    # Tall viewport: streamlit scrolls inside its own container, so full_page alone would cut the charts off.
    ctx = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


@pytest.mark.parametrize(("path", "name", "charts"), PAGES, ids=[p[1] for p in PAGES])
def test_page_draws_and_is_captured(server, sample, page, path, name, charts):
    page.goto(f"{server}/{path}")
    if name == "review":  # 审核 needs an account: sign in on the form its URL shows
        people.ensure(sample, people.FIRST_ADMIN)
        people.sign_in_here(page, people.FIRST_ADMIN)
        page.get_by_text(f"已登录：{people.FIRST_ADMIN}").wait_for(timeout=30_000)
    page.wait_for_selector('[data-testid="stApp"] h1', timeout=30_000)
    if charts:
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        page.wait_for_timeout(800)  # let plotly finish its transitions before the picture
    else:
        page.wait_for_selector('[data-testid="stMarkdown"], [data-testid="stDataFrame"]', timeout=30_000)
        page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    body = page.inner_text("body")
    assert "工会" in body or "审核" in body or "数据来源" in body
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_sidebar_filter_changes_url_and_figures(server, page):
    from playwright.sync_api import expect

    page.goto(server)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    first = page.locator('[data-testid="stMetricLabel"]').first
    expect(first).not_to_contain_text("上半年")
    page.locator('[data-testid="stSidebar"] label').filter(has_text=re.compile("^上半年$")).click()
    expect(first).to_contain_text("上半年", timeout=15_000)
    page.wait_for_function("() => location.search.includes('period=H1')", timeout=15_000)
    # The bookmarked URL restores the same view in a fresh tab.
    url = page.url
    fresh = page.context.new_page()
    fresh.goto(url)
    expect(fresh.locator('[data-testid="stMetricLabel"]').first).to_contain_text("上半年", timeout=30_000)


def test_bookmarked_deep_link_then_click_a_point_opens_its_sources(fresh_server, page):
    """First request to a fresh server is a deep link; then a click on a chart point leads to the
    highlighted sentence, still inside the app's own navigation (there is no pages/ folder to fall back to)."""
    from playwright.sync_api import expect

    page.goto(f"{fresh_server}/region?town=白沙镇")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("筛选")
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("数据来源")
    page.wait_for_timeout(800)
    page.locator('[data-testid="stPlotlyChart"] .scatterlayer .points path').first.click(force=True)
    page.wait_for_function("() => location.pathname.endsWith('/sources')", timeout=20_000)
    expect(page.locator("mark").first).to_be_visible(timeout=20_000)  # the sentence, highlighted
    assert "src_region=" in page.url, page.url
    expect(page.locator('[data-testid="stSidebarNav"]')).to_contain_text("总览")
