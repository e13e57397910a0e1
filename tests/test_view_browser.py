"""A view in the URL, in Debian's chromium: a shared link restores every page choice; Back after a chart
click returns to the same view; a click on a town in a ranking or a heat-map cell opens its 地区详情.

Uses the server and browser fixtures of test_browser.py (one server for the module).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pytest
from chromium import SHOTS
from test_browser import page, sample, server  # noqa: F401  (fixtures)

from dashboard import links

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLOT = '[data-testid="stPlotlyChart"]'
CHART = PLOT + ' .main-svg'
RATE = links.metric_label("membership_rate")


def url(base: str, path: str, **params: str) -> str:
    return f"{base}/{path}?" + "&".join(f"{k}={quote(v)}" for k, v in params.items())


def checked(pg, label: str):
    """The chosen option of a radio row or a row of year buttons (both are ARIA radio groups)."""
    return pg.get_by_role("radiogroup", name=label).get_by_role("radio", checked=True)


def choice(pg, label: str):
    """A select box of the page (not the sidebar's), whose input shows the chosen option."""
    return pg.locator('[data-testid="stMain"]').get_by_role("combobox", name=label, exact=True)


def test_a_shared_link_restores_each_page_choice(server, page):  # noqa: F811
    from playwright.sync_api import expect

    page.goto(url(server, "coverage", cov_metric=RATE, cov_year="2022年"))
    page.wait_for_selector(CHART, timeout=30_000)
    expect(checked(page, "指标")).to_have_accessible_name(RATE)
    expect(checked(page, "年份")).to_have_accessible_name("2022年")
    expect(page.locator(PLOT).first).to_contain_text(f"2022年{RATE}排名")

    # A choice made on the page goes into the URL, and that URL opens the same view in a fresh tab.
    page.get_by_role("radiogroup", name="年份").get_by_role("radio", name="2021年").click()
    page.wait_for_function("() => decodeURIComponent(location.search).includes('cov_year=2021年')", timeout=15_000)
    fresh = page.context.new_page()
    fresh.goto(page.url)
    fresh.wait_for_selector(CHART, timeout=30_000)
    expect(checked(fresh, "年份")).to_have_accessible_name("2021年")
    expect(checked(fresh, "指标")).to_have_accessible_name(RATE)

    # 总览: metric and year; 地区详情: the town and its trend metric.
    page.goto(url(server, "", ov_metric=RATE, ov_year="2021年"))
    page.wait_for_selector(CHART, timeout=30_000)
    expect(checked(page, "年份")).to_have_accessible_name("2021年")
    expect(page.locator('[data-testid="stMetricLabel"]').first).to_contain_text("2021年")
    expect(choice(page, "指标")).to_have_value(RATE)
    page.goto(url(server, "region", town="柳塘镇", town_metric=RATE))
    page.wait_for_selector(CHART, timeout=30_000)
    expect(choice(page, "地区")).to_have_value("柳塘镇")
    expect(choice(page, "趋势指标")).to_have_value(RATE)


def test_a_link_with_an_unknown_choice_says_so_and_uses_the_default(server, page):  # noqa: F811
    from playwright.sync_api import expect

    page.goto(url(server, "coverage", cov_metric="不存在的指标"))
    page.wait_for_selector(CHART, timeout=30_000)
    expect(page.get_by_text("不是可选的指标")).to_be_visible()
    expect(checked(page, "指标")).to_have_accessible_name(links.metric_label("union_coverage_rate"))


@pytest.mark.parametrize("chart", [0, 1], ids=["ranking", "heatmap"])
def test_a_click_on_a_town_opens_it_and_back_returns_to_the_same_view(server, page, chart):  # noqa: F811
    from playwright.sync_api import expect

    page.goto(url(server, "coverage", cov_metric=RATE, cov_year="2022年"))
    page.wait_for_selector(CHART, timeout=30_000)
    expect(page.locator('[data-testid="stPlotlyChart"]')).to_have_count(2, timeout=30_000)
    page.wait_for_timeout(1000)
    target = page.locator('[data-testid="stPlotlyChart"]').nth(chart)
    target.locator(".scatterlayer .points path").first.click(force=True)
    page.wait_for_function("() => location.pathname.endsWith('/region')", timeout=20_000)
    town = unquote(re.search(r"town=([^&]+)", page.url).group(1))
    expect(choice(page, "地区")).to_have_value(town, timeout=20_000)
    expect(choice(page, "趋势指标")).to_have_value(RATE)
    page.wait_for_selector(CHART, timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"drill_{chart}.png"), full_page=True)

    page.go_back()
    page.wait_for_function("() => location.pathname.endsWith('/coverage')", timeout=20_000)
    expect(checked(page, "年份")).to_have_accessible_name("2022年", timeout=20_000)
    expect(checked(page, "指标")).to_have_accessible_name(RATE)
    expect(page.locator(PLOT).first).to_contain_text(f"2022年{RATE}排名", timeout=20_000)
