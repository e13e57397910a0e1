"""Real Chromium on the real server: the directory keeps regions honest, totals say what they are.

- a 4-of-8-town tally for a new year, uploaded on 数据上传, leaves the 总览 headline on the last complete
  year, the partial year labelled and one click away;
- a tally naming a town of another county and a typo cannot add a top-level region: the names wait for
  a choice; the new one goes under the federation's area, the typo becomes an alias; undoing the batch
  on 导入记录 removes both again;
- the deck's title and download names use the configured federation's name.

Screenshots go to SCREENSHOTS_DIR or a temp folder (look at them).
"""

from __future__ import annotations

import io
import runpy
import subprocess
from pathlib import Path

import pytest
from chromium import CHROMIUM_ARGS, SHOTS, start_server

from etl.db import connect
from tests.people import FIRST_ADMIN, ensure, sign_in_here

ROOT = Path(__file__).resolve().parent.parent
TALLIES = ROOT / "data" / "samples" / "tallies"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:  # a script run still busy: it holds no lock worth waiting for
        proc.kill()
        proc.wait(10)


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="zh-CN", accept_downloads=True)
        yield ctx.new_page()
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def xlsx(rows: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(page, url: str, path: Path) -> None:
    page.goto(f"{url}/upload")
    sign_in_here(page, FIRST_ADMIN)  # uploading needs an account (viewing does not, locally)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_text("识别出的数据").wait_for(timeout=30_000)


def pick(page, label: str, option: str) -> None:
    """Choose `option` in the streamlit selectbox labelled `label`."""
    page.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()


def regions(db: Path) -> dict[str, tuple]:
    with connect(db, read_only=True) as con:
        return {n: (p, lv) for n, p, lv in con.execute(
            "SELECT r.name, p.name, r.level FROM regions r LEFT JOIN regions p ON p.id = r.parent_id").fetchall()}


@pytest.fixture
def complete_2024(tmp_db: Path, tmp_path: Path) -> Path:
    """The sample federation with a full year 2024 from all 8 towns."""
    from etl.pipeline import ingest_paths

    gen = runpy.run_path(str(TALLIES / "generate.py"))
    figures = gen["figures"]("H1")  # consistent figures for all 8 towns (members ≤ workers …), here as 2024's
    cols = [(header, metric) for _, header, metric, kind in gen["COLUMNS"] if kind != "rate" and metric != "aid_amount"]
    rows = [["地区", "年份", *(h for h, _ in cols)]]
    rows += [[t, 2024, *(int(figures[t][m]) for _, m in cols)] for t in gen["TOWNS"]]
    path = tmp_path / "青禾区2024年全年统计表.xlsx"
    path.write_bytes(xlsx(rows))
    s = ingest_paths([path], db_path=tmp_db, archive_dir=tmp_path / "archive", user="测试")
    assert s.errors == 0 and s.facts == 8 * len(cols), s.to_text()
    return tmp_db


def test_a_four_of_eight_tally_leaves_the_headline_on_the_last_complete_year(complete_2024: Path, tmp_path: Path,
                                                                             page) -> None:
    from playwright.sync_api import expect

    partial = next(TALLIES.glob("*全年*已报4个*.xlsx"))
    ensure(complete_2024, FIRST_ADMIN)
    proc, url = start_server(complete_2024, tmp_path / "archive")
    try:
        upload(page, url, partial)
        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_text("已导入批次 2")).to_be_visible(timeout=30_000)
        page.goto(url)
        cards = page.locator('[data-testid="stMetric"]')
        expect(cards.filter(has_text="工会组织总数（2024年，8/8镇街）")).to_be_visible(timeout=30_000)
        partial_year = page.get_by_text("2025年（4/8镇街已报）")  # the year buttons: the partial one labelled
        expect(partial_year).to_be_visible()
        shot(page, "directory_overview_complete_year")
        partial_year.click()
        expect(cards.filter(has_text="工会组织总数（2025年，4/8镇街已报）")).to_be_visible(timeout=30_000)
        expect(page.locator('[data-testid="stMetricDelta"]')).to_have_count(0)  # no 同比 across a partial year
        shot(page, "directory_overview_partial_year")
        page.goto(f"{url}/reporting")
        expect(page.get_by_text("未报").first).to_be_visible(timeout=30_000)
        shot(page, "directory_reporting")
    finally:
        stop(proc)


def test_unknown_towns_wait_for_a_choice_and_undo_removes_what_they_added(tmp_db: Path, tmp_path: Path,
                                                                         page) -> None:
    from playwright.sync_api import expect

    path = tmp_path / "东城.xlsx"
    path.write_bytes(xlsx([["地区", "年份", "工会组织总数(家)"], ["城关街道", 2026, 120], ["东华门街道", 2026, 7],
                           ["白杉镇", 2026, 80]]))
    ensure(tmp_db, FIRST_ADMIN)
    before = regions(tmp_db)
    proc, url = start_server(tmp_db, tmp_path / "archive")
    try:
        upload(page, url, path)
        confirm = page.get_by_role("button", name="确认导入")
        expect(confirm).to_be_disabled()  # two names the directory lacks, both close to a town of it
        page.get_by_role("button", name="改为白沙镇").click()  # a typo: corrected in one click
        expect(page.get_by_text("已把地区“白杉镇”改为“白沙镇”")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="不是笔误，保留原名").click()  # 东华门街道 is no 东湖街道
        expect(page.get_by_text("名录外的地区", exact=True)).to_be_visible(timeout=30_000)
        expect(page.get_by_text("还有 1 个名录外的地区没有选择处理方式")).to_be_visible()
        expect(confirm).to_be_disabled()  # a kept name still becomes no region by itself
        # what it may be: a place of another county (the national table says where)
        table = page.locator('[data-testid="stDataFrame"]').filter(has_text="北京市东城区东华门街道").last
        expect(table).to_be_visible()
        shot(page, "directory_unknown_names")
        pick(page, "第 1 个名称如何处理", "作为新地区加入名录")
        expect(confirm).to_be_enabled(timeout=30_000)
        confirm.click()
        expect(page.get_by_text("新增地区：东华门街道")).to_be_visible(timeout=30_000)
        after = regions(tmp_db)
        assert after["东华门街道"] == ("青禾区", "乡镇街道")  # under the federation's area, not at the top
        assert [n for n, (p, _) in after.items() if p is None] == ["青禾区"]
        with connect(tmp_db, read_only=True) as con:
            assert con.execute("SELECT r.name FROM facts f JOIN regions r ON r.id = f.region_id "
                               "WHERE f.year = 2026 AND f.value = 80").fetchall() == [("白沙镇",)]  # 白杉镇's row
        page.goto(f"{url}/history")
        sign_in_here(page, FIRST_ADMIN)
        page.get_by_role("button", name="撤销", exact=True).first.click()
        page.get_by_role("button", name="确认撤销").click()
        expect(page.get_by_text("它新增的地区 1 个")).to_be_visible(timeout=30_000)
        shot(page, "directory_undo")
        assert regions(tmp_db) == before
    finally:
        stop(proc)


def test_the_deck_is_titled_with_the_configured_federation(sample_db_copy: Path, tmp_path: Path, page) -> None:
    from playwright.sync_api import expect

    from etl import directory

    directory.setup(sample_db_copy, name="青禾区总工会（示范）", area="青禾区", user="测试")  # renamed once
    proc, url = start_server(sample_db_copy, tmp_path / "archive")
    try:
        page.goto(f"{url}/present")
        expect(page.get_by_text("青禾区 · 2019–2024年").first).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="生成全部数据（Excel）").click()  # built when asked for
        with page.expect_download() as got:
            page.get_by_role("button", name="下载全部数据（Excel）").click(timeout=60_000)
        assert got.value.suggested_filename == "青禾区（示范）2024年度工作汇报_数据.xlsx"
        page.goto(url)
        expect(page.get_by_role("heading", name="青禾区总工会（示范） · 统计总览")).to_be_visible(timeout=30_000)
        shot(page, "directory_federation_title")
    finally:
        stop(proc)


def test_first_run_sets_up_the_federation_from_the_national_table(tmp_path: Path, page) -> None:
    """No database yet: the app opens on the set-up; a name and a county give the directory with codes."""
    from playwright.sync_api import expect

    db = tmp_path / "union.duckdb"
    proc, url = start_server(db, tmp_path / "archive")
    try:
        page.goto(url)
        expect(page.get_by_text("首次使用，请先设置本会")).to_be_visible(timeout=30_000)
        expect(page.get_by_text("数据库文件不存在")).to_be_visible()
        page.get_by_label("本会名称").fill("远安县总工会")
        page.get_by_label("辖区名称或代码").fill("远安")
        page.get_by_label("辖区名称或代码").press("Enter")
        expect(page.get_by_text("其下 7 个单位")).to_be_visible(timeout=30_000)
        shot(page, "directory_setup_form")
        page.get_by_role("button", name="完成设置").click()
        expect(page.get_by_text("已设置本会：远安县总工会，辖区 远安县")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("link", name="总览")).to_be_visible()  # the whole app from now on
        shot(page, "directory_after_setup")
        with connect(db, read_only=True) as con:
            assert con.execute("SELECT name, code FROM regions WHERE name = '鸣凤镇'").fetchall() == [
                ("鸣凤镇", "420525101000")]
            assert con.execute("SELECT name FROM federation").fetchall() == [("远安县总工会",)]
        page.goto(url)
        expect(page.get_by_role("heading", name="远安县总工会 · 统计总览")).to_be_visible(timeout=30_000)
    finally:
        stop(proc)
