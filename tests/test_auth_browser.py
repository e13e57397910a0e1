"""Real browser, real server: sign-in, roles, scopes, lock-out, undo confirmation, a figure's history.

The server runs as on an office network (UNION_VIEW_WITHOUT_SIGN_IN=0: everyone signs in), on a
copy of the sample database with the accounts of tests/people.py. Screenshots go to a temp folder,
or to SCREENSHOTS_DIR; look at them.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import people
import pytest
from chromium import SHOTS, start_server
from tally_books import xlsx

from etl.db import connect

ROOT = Path(__file__).resolve().parent.parent
WRITE_PAGES = ["数据上传", "上传报告", "审核", "导入记录", "账号管理", "操作记录"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def office(sample_db, tmp_path_factory):
    """(base URL, database): the sample data served as on a network, with the test accounts."""
    folder = tmp_path_factory.mktemp("office")
    db = folder / "union.duckdb"
    shutil.copy(sample_db, db)
    for name in people.STAFF:
        people.ensure(db, name)
    proc, base = start_server(db, folder / "archive", UNION_VIEW_WITHOUT_SIGN_IN="0")
    yield base, db
    proc.terminate()
    proc.wait(timeout=10)



@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"auth_{name}.png"), full_page=True)


sign_in_here = people.sign_in_here  # on a network every URL asks first


def nav(page) -> list[str]:
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=30_000)
    # each link reads "<icon name>\n\n<title>": keep the title
    return [t.strip().split("\n")[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def test_every_url_asks_to_sign_in_on_a_network(office, page):
    base, _ = office
    from playwright.sync_api import expect

    page.goto(f"{base}/membership")
    expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=30_000)
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0  # no figure before sign-in
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()  # one page only: no menu at all
    assert not [t for t in links if "总览" in t or "数据上传" in t], links
    shot(page, "network_sign_in")


def test_a_viewer_sees_no_write_pages_and_is_refused_on_their_urls(office, page):
    from playwright.sync_api import expect

    base, _ = office
    page.goto(f"{base}/upload")
    sign_in_here(page, "领导")
    expect(page.get_by_text("已登录：领导（查看）")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_text("您的角色“查看”不能上传统计表和报告")).to_be_visible()
    shown = nav(page)
    assert "总览" in shown and "数据来源" in shown
    assert not [p for p in WRITE_PAGES if p in shown], shown
    shot(page, "viewer_refused")
    for path, words in [("review", "不能审核"), ("history", "不能查看导入记录"), ("users", "不能管理账号")]:
        page.goto(f"{base}/{path}")  # a new session: sign in on that URL, then the refusal
        sign_in_here(page, "领导")
        expect(page.get_by_text(words)).to_be_visible(timeout=30_000)
        assert page.get_by_role("button", name="撤销").count() == 0
    # 数据来源 shows the sources, but no history and no review actions
    page.goto(f"{base}/sources?src_region=白沙镇&src_metric=members_total&src_year=2023&src_period=FY")
    sign_in_here(page, "领导")
    expect(page.get_by_role("heading", name="数据来源")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("个有效来源").first).to_be_visible()
    assert page.get_by_text("修改历史").count() == 0 and page.get_by_role("button", name="撤销驳回").count() == 0


def test_a_town_clerk_sees_a_row_for_another_town_refused(office, page, tmp_path):
    from playwright.sync_api import expect

    base, db = office
    rows = [["序号", "单位", "年度", "期间", "会员人数(人)", "新发展会员(人)"],  # a year the samples do not have
            [1, "城关街道", 2026, "上半年", 24410, 610], [2, "城关街道", 2026, "全年", 24980, 1180],
            [3, "东湖街道", 2026, "上半年", 20876, 402]]
    book = tmp_path / "会员2026.xlsx"
    book.write_bytes(xlsx({"Sheet1": {"rows": rows}}))
    page.goto(f"{base}/upload")
    sign_in_here(page, "城关填报")
    expect(page.get_by_text("已登录：城关填报（填报 · 城关街道）")).to_be_visible(timeout=30_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(book))
    expect(page.get_by_text("有 1 行的地区不在您的填报范围（城关街道）内")).to_be_visible(timeout=30_000)
    expect(page.locator("li").filter(has_text="第 4 行是“东湖街道”的数据")).to_be_visible()
    confirm = page.get_by_role("button", name="确认导入")
    expect(confirm).to_be_disabled()
    shot(page, "clerk_row_refused")
    page.get_by_role("checkbox", name=re.compile("^只导入没有错误的行")).click(force=True)
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(page.get_by_text(re.compile(r"已导入批次 \d+"))).to_be_visible(timeout=30_000)
    with connect(db, read_only=True) as con:
        regions = con.execute("SELECT DISTINCT r.name FROM facts f JOIN regions r ON r.id = f.region_id "
                              "JOIN batches b ON b.id = f.batch_id WHERE b.user_name = '城关填报'").fetchall()
    assert regions == [("城关街道",)]


def test_five_wrong_passwords_lock_the_account(office, page):
    from playwright.sync_api import expect

    base, db = office

    def failures() -> int:
        with connect(db, read_only=True) as con:
            return con.execute("SELECT count(*) FROM audit_log WHERE target = '城关审核' AND action = "
                               "'sign_in_failed'").fetchone()[0]

    page.goto(base)
    for i in range(4):
        sign_in_here(page, "城关审核", f"不对的密码-{i}")
        expect(page.get_by_text("用户名或密码不正确")).to_be_visible(timeout=30_000)
        deadline = time.monotonic() + 30
        while failures() < i + 1 and time.monotonic() < deadline:  # this attempt has been counted
            time.sleep(0.2)
    sign_in_here(page, "城关审核", "不对的密码-5")
    locked = page.get_by_text(re.compile(r"密码连续输错 5 次，账号“城关审核”已锁定 15 分钟"))
    expect(locked).to_be_visible(timeout=30_000)
    sign_in_here(page, "城关审核")  # the right password, too early
    expect(page.get_by_text(re.compile(r"已锁定，请在 \d\d:\d\d 之后再试"))).to_be_visible(timeout=30_000)
    assert page.get_by_text("已登录").count() == 0
    shot(page, "locked")


def test_undo_asks_first_with_the_size_in_words(office, page):
    from playwright.sync_api import expect

    base, db = office
    from etl import accounts
    from etl.tally.upload import commit, prepare

    with connect(db, read_only=True) as con:
        clerk = accounts.account(con, "城关填报")
    rows = [["单位", "年度", "会员人数(人)", "新发展会员(人)"], ["城关街道", 2027, 25100, 700]]
    plan = prepare(xlsx({"Sheet1": {"rows": rows}}), "城关2027.xlsx", db_path=db, archive_dir=db.parent / "archive",
                   account=clerk)
    batch = commit(plan, db_path=db, archive_dir=db.parent / "archive", account=clerk).batch_id
    def facts() -> int:
        with connect(db, read_only=True) as con:  # etl's connect: waits while the server holds the file
            return con.execute("SELECT count(*) FROM facts WHERE batch_id = ?", [batch]).fetchone()[0]

    n = facts()
    page.goto(f"{base}/history")
    sign_in_here(page, "城关填报")
    expect(page.get_by_role("heading", name="导入记录")).to_be_visible(timeout=30_000)
    undo = page.locator(f".st-key-undo_{batch} button")
    expect(undo).to_be_visible(timeout=30_000)
    with connect(db, read_only=True) as con:
        own = con.execute("SELECT count(*) FROM batches WHERE user_name = '城关填报' AND status = 'loaded'"
                          ).fetchone()[0]
    # their own batches only (waited for: the list may still be drawing when the first button shows)
    expect(page.get_by_role("button", name="撤销", exact=True)).to_have_count(own, timeout=30_000)
    undo.click()
    expect(page.get_by_text(f"将撤销批次 {batch}（统计表，城关填报导入）：{n:,} 条数据")).to_be_visible(timeout=30_000)
    assert facts() == n  # asked, nothing undone yet
    shot(page, "undo_confirm")
    page.get_by_role("button", name="取消").click()
    expect(page.get_by_text("将撤销批次")).to_have_count(0, timeout=30_000)
    assert facts() == n
    expect(undo).to_have_count(1, timeout=30_000)  # the rerun after 取消 has replaced the old button
    undo.click()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_text(f"已撤销批次 {batch}")).to_be_visible(timeout=30_000)
    assert facts() == 0
    expect(page.get_by_text(re.compile(r"已撤销（城关填报，"))).to_be_visible()


def test_the_history_of_a_corrected_figure_shows_who_changed_what(office, page):
    from playwright.sync_api import expect

    base, db = office
    from dashboard import actions
    from etl import accounts

    with connect(db, read_only=True) as con:
        reviewer = accounts.account(con, "区审核")
        fid, value, year = con.execute(
            "SELECT f.id, f.value, f.year FROM facts f JOIN regions r ON r.id = f.region_id WHERE r.name = '白沙镇' "
            "AND f.metric = 'members_total' AND f.period = 'FY' AND f.status = 'active' AND f.source_cell IS NULL "
            "ORDER BY f.year DESC LIMIT 1").fetchone()
    actions.correct(fid, reviewer, value=value + 2, path=db)
    page.goto(f"{base}/sources?src_region=白沙镇&src_metric=members_total&src_year={year}&src_period=FY")
    sign_in_here(page, "区审核")
    expect(page.get_by_role("heading", name="修改历史")).to_be_visible(timeout=30_000)
    history = page.locator("ol.figure-history")
    expect(history).to_contain_text("示例数据")  # who loaded it
    old, new = f"{value:,.0f}人", f"{value + 2:,.0f}人"
    expect(history).to_contain_text(f"区审核（网页） · 更正：白沙镇 {year}年全年“会员总数” {old} → {new}")
    shot(page, "figure_history")
