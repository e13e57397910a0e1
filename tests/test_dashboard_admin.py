"""Backup and restore from 导入记录 (dashboard/admin.py): AppTest, and the same flow in chromium."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from people import browser_sign_in, ensure, sign_in
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def facts(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM facts WHERE status = 'active'").fetchone()[0]


@pytest.fixture
def live(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "union.duckdb"
    shutil.copy(sample_db, db)
    shutil.copytree(sample_db.parent / "archive", tmp_path / "archive")
    monkeypatch.setenv("UNION_DB", str(db))
    monkeypatch.setenv("UNION_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("UNION_BACKUPS", str(tmp_path / "backups"))
    return db


def test_backup_then_undo_then_restore_on_the_history_page(live: Path) -> None:
    before = facts(live)
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), live)  # 管理: may back up
    at.run().switch_page("app_pages/history.py").run()
    assert at.button(key="restore_go").disabled if "restore_go" in [b.key for b in at.button] else True
    at.button(key="backup_now").click().run()
    assert not at.exception and any("备份" in s.value for s in at.success)
    at.button(key="undo_1").click().run()
    at.button(key="undo_confirm").click().run()  # undo asks first
    assert facts(live) == 0
    assert at.button(key="restore_go").disabled  # not before the box is ticked
    at.checkbox(key="restore_sure").check().run()
    at.button(key="restore_go").click().run()
    assert not at.exception and any("已从备份恢复" in s.value for s in at.success)
    assert facts(live) == before
    assert list(live.parent.glob("union.duckdb.before-restore-*"))  # the undone state is kept too


@pytest.mark.browser
@pytest.mark.slow
def test_backup_and_restore_in_the_browser(live: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    sys.path.insert(0, str(ROOT))
    from bench.sessions import start_server

    before = facts(live)
    ensure(live, "管理员")
    shots = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/union-screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    env = {"UNION_ARCHIVE": str(tmp_path / "archive"), "UNION_BACKUPS": str(tmp_path / "backups")}
    with start_server(live, tmp_path / "archive", env=env) as (_, port), sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
        browser_sign_in(page, f"http://127.0.0.1:{port}", "管理员")  # backup and restore are for 管理
        page.locator('[data-testid="stSidebarNav"]').get_by_text("导入记录").click()
        page.get_by_text("备份与恢复").click()
        page.get_by_role("button", name="立即备份").click()
        expect(page.get_by_text("批次 1 个，数据")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="撤销", exact=True).click()
        page.get_by_role("button", name="确认撤销").click()  # undo asks first
        expect(page.get_by_text("已撤销批次 1")).to_be_visible(timeout=60_000)
        assert facts(live) == 0
        page.locator('[data-testid="stSidebarNav"]').get_by_text("总览").click()  # away and back, as a person would
        page.locator('[data-testid="stSidebarNav"]').get_by_text("导入记录").click()
        page.get_by_text("备份与恢复").click()
        sure = page.get_by_text("我确认用这个备份替换当前数据库")
        expect(sure).to_be_visible(timeout=30_000)
        restore = page.get_by_role("button", name="恢复", exact=True)
        # A tick given while the page is still rerunning from the navigation can be dropped (seen once under a
        # loaded machine): tick again only if the box is not ticked, and wait for the button each time.
        for attempt in range(3):
            page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)
            if not page.get_by_role("checkbox").is_checked():
                sure.click()
            try:
                expect(restore).to_be_enabled(timeout=15_000)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        restore.click()
        expect(page.get_by_text("已从备份恢复")).to_be_visible(timeout=60_000)
        # The session that saw the data vanish keeps working: its year range is all the years again.
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("2019年", timeout=30_000)
        expect(page.get_by_role("checkbox")).not_to_be_checked()  # the next restore is confirmed afresh
        page.screenshot(path=str(shots / "history_restore.png"), full_page=True)
        browser.close()
    assert facts(live) == before

