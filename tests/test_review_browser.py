"""Real browser: a figure that counts on a chart, not flagged, corrected from 数据来源 through 审核 (a new metric
and value as a new version), and 数据来源 then shows the original as corrected."""

from __future__ import annotations

from pathlib import Path

import duckdb
import people
import pytest
from chromium import CHROMIUM_ARGS, start_server

from dashboard.links import sources_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def counted(sample_db_copy: Path) -> tuple[Path, dict]:
    """The sample database (a private copy) and one reviewed, unflagged 帮扶慰问户数 figure that counts."""
    people.ensure(sample_db_copy, people.FIRST_ADMIN)
    with duckdb.connect(str(sample_db_copy), read_only=True) as con:
        row = con.execute(
            "SELECT f.id, r.name, f.metric, f.year, f.period, f.value FROM facts f "
            "JOIN regions r ON r.id = f.region_id WHERE f.metric = 'aid_households' AND f.status = 'active' "
            "AND len(f.flags) = 0 AND f.period = 'FY' "
            "AND f.source_cell IS NULL ORDER BY f.year DESC, f.id LIMIT 1").fetchone()
    return sample_db_copy, dict(zip(("id", "region", "metric", "year", "period", "value"), row, strict=True))


def test_correct_any_figure_from_its_sources(counted, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    path, fact = counted
    proc, base = start_server(path)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            # 数据来源 of the figure's cell (as a chart click opens it), then sign in on 账号 and come Back
            page.goto(f"{base}/{sources_url(fact['region'], fact['metric'], fact['year'], fact['period'])}")
            expect(page.get_by_text(f"数据编号 {fact['id']}")).to_be_visible(timeout=30_000)
            page.get_by_test_id("stSidebarNav").get_by_role("link", name="账号").click()
            people.sign_in_here(page, people.FIRST_ADMIN)
            expect(page.get_by_text(f"已登录：{people.FIRST_ADMIN}")).to_be_visible(timeout=30_000)
            page.go_back()
            link = page.get_by_role("link", name="更正这个数字（数值、指标、年份、期别、地区）").first
            try:
                expect(link).to_be_visible(timeout=30_000)
            finally:
                page.screenshot(path=str(tmp_path / "sources.png"), full_page=True)
            link.click()
            expect(page.get_by_text(f"编号 {fact['id']} 的数据来自“数据来源”页")).to_be_visible(timeout=30_000)
            picker = page.get_by_test_id("stSelectbox").filter(has_text="要处理的数据")
            expect(picker.locator("input")).to_have_value(f"编号 {fact['id']} · {fact['region']} · 帮扶慰问户数")
            page.get_by_label("更正后的数值").fill("260")
            metric = page.get_by_test_id("stSelectbox").filter(has_text="更正后的指标")
            metric.locator("input").click()
            page.keyboard.type("帮扶慰问人数")
            page.get_by_role("option", name="帮扶慰问人数（人）").click()
            page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
            page.get_by_role("button", name="保存更正").click()
            expect(page.get_by_text(f"编号 {fact['id']} 的数据来自")).to_have_count(0, timeout=30_000)
            page.goto(f"{base}/{sources_url(fact['region'], fact['metric'], fact['year'], fact['period'])}")
            expect(page.get_by_text(f"数据编号 {fact['id']}")).to_be_visible(timeout=30_000)
            expect(page.get_by_text("已被更正").first).to_be_visible()
            expect(page.get_by_text("这里没有有效来源")).to_be_visible()  # not "0 个有效来源，数字一致"
            page.screenshot(path=str(tmp_path / "sources_after.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with duckdb.connect(str(path), read_only=True) as con:
        old_status = con.execute("SELECT status FROM facts WHERE id = ?", [fact["id"]]).fetchone()[0]
        new = con.execute("SELECT metric, unit, value, reviewed_by FROM facts WHERE supersedes = ? AND status = "
                          "'active'", [fact["id"]]).fetchone()
    assert old_status == "superseded"
    assert new == ("aid_recipients", "人", 260.0, people.FIRST_ADMIN)
