"""汇报模式 in Debian's chromium: keys and a clicker move the slides, full screen leaves only the slide, and
the slide number is in the URL (a link opens on it).

Uses the server and browser fixtures of test_browser.py.
"""

from __future__ import annotations

import pytest
from chromium import SHOTS
from test_browser import page, sample, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = ".slide-title"


def _at(pg, n: int) -> None:
    pg.wait_for_function(f"() => new URLSearchParams(location.search).get('slide') === '{n}'", timeout=20_000)


def test_keys_move_the_slides_and_full_screen_hides_the_rest(server, page):  # noqa: F811
    from playwright.sync_api import expect

    page.goto(f"{server}/present")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
    _at(page, 1)
    first = page.locator(TITLE).inner_text()
    page.locator("h1, .slide-title").first.click()  # focus on the page, not on a form field
    for key, n in [("ArrowRight", 2), ("PageDown", 3), ("ArrowLeft", 2), ("PageUp", 1), ("ArrowDown", 2)]:
        page.keyboard.press(key)
        _at(page, n)
    expect(page.locator(TITLE)).not_to_have_text(first)
    second = page.locator(TITLE).inner_text()

    # A key typed into a form field stays there.
    page.get_by_role("combobox", name="幻灯片（按播放顺序）").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(800)
    assert "slide=2" in page.url

    # Full screen (a clicker's F5): the slide alone; Esc brings the buttons back.
    page.locator(TITLE).click()
    page.keyboard.press("F5")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden(timeout=20_000)
    expect(page.get_by_text("讲稿：本页数字与来源")).to_have_count(0)
    expect(page.get_by_role("button", name="下一页 ▶")).to_have_count(0)
    expect(page.locator(TITLE)).to_have_text(second)
    expect(page.locator(".modebar-container").first).to_be_hidden()  # no chart toolbar in front of a hall
    page.wait_for_timeout(1000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "present_full.png"))
    page.keyboard.press("PageDown")
    _at(page, 3)
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="下一页 ▶")).to_be_visible(timeout=20_000)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()

    # The link opens on the same slide.
    fresh = page.context.new_page()
    fresh.goto(page.url)
    fresh.wait_for_selector(TITLE, timeout=30_000)
    expect(fresh.locator(TITLE)).to_have_text(page.locator(TITLE).inner_text())
