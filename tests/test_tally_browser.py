"""Real browser: upload the sample tally through 数据上传, confirm, and see its figure in a chart."""

from __future__ import annotations

from pathlib import Path

import people
import pytest
from chromium import CHROMIUM_ARGS, start_server

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "data" / "samples" / "tallies").glob("*上半年*.xlsx"))


@pytest.fixture
def server(tmp_db: Path, tmp_path: Path):
    people.ensure(tmp_db, people.FIRST_ADMIN)  # the administrator the tests sign in as
    proc, url = start_server(tmp_db, tmp_path / "archive")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.mark.browser
@pytest.mark.slow
def test_upload_confirm_and_see_the_figure(server: str, tmp_db: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from etl.tally import extract_tally_file

    facts = extract_tally_file(SAMPLE).facts
    chengguan = next(f for f in facts if f.region == "城关街道" and f.metric == "union_orgs_total")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/upload")
        people.sign_in_here(page, people.FIRST_ADMIN)  # uploading needs an account (viewing does not, locally)
        expect(page.get_by_text(f"已登录：{people.FIRST_ADMIN}")).to_be_visible(timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SAMPLE))
        confirm = page.get_by_role("button", name="确认导入")
        expect(confirm).to_be_enabled(timeout=30_000)
        expect(page.get_by_text("识别出的数据")).to_be_visible()
        confirm.click()
        expect(page.get_by_text("已导入批次 1")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
        # a fresh session on the 工会组建 page, 上半年 view: the ranking bars carry their values
        page.goto(f"{server}/formation?period=H1")
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        bars = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="2025年工会组织总数")
        expect(bars).to_contain_text("城关街道", timeout=30_000)
        expect(bars).to_contain_text(f"{int(chengguan.value)}家")  # 911家: the uploaded cell 2025上半年!B5
        page.screenshot(path=str(tmp_path / "formation.png"), full_page=True)
        browser.close()


def _upload(page, url: str, path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/upload")
    people.sign_in_here(page, people.FIRST_ADMIN)  # uploading needs an account (the server fixture made it)
    expect(page.get_by_text(f"已登录：{people.FIRST_ADMIN}")).to_be_visible(timeout=30_000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    expect(page.get_by_text("识别出的数据")).to_be_visible(timeout=30_000)


def _count(page) -> str:
    """The 识别出的数据 metric as shown."""
    return page.get_by_test_id("stMetric").filter(has_text="识别出的数据").get_by_test_id("stMetricValue").inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_typo_town_named_at_its_cell_and_corrected_in_one_click(server: str, tmp_db: Path, tmp_path: Path) -> None:
    """The sample tally with 白莎镇 in A7: the page names 2025上半年!A7, the annotated workbook comments A7, one
    click on 改为白沙镇 unblocks the load, and the facts load under 白沙镇."""
    import io

    import openpyxl
    from playwright.sync_api import expect, sync_playwright
    from tally_books import TYPO_SHAPES

    name, data = TYPO_SHAPES["sample_title_merged_header"][0]()
    book = tmp_path / name
    book.write_bytes(data)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        _upload(page, server, book)
        box = page.get_by_test_id("stMarkdownContainer").filter(has_text="不在地区名录中，像是笔误")
        expect(box).to_contain_text("2025上半年!A7：地区“白莎镇”不在地区名录中")
        expect(page.get_by_role("button", name="确认导入")).to_be_disabled()
        page.get_by_role("button", name="生成标注了问题的原表（Excel）").click()  # built when asked for (issue 14)
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载标注了问题的原表").click(timeout=60_000)
        wb = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        commented = {c.coordinate for row in wb["2025上半年"].iter_rows() for c in row
                     if c.comment and "白莎镇" in c.comment.text}
        assert commented == {"A7"}
        page.screenshot(path=str(tmp_path / "typo.png"), full_page=True)
        page.get_by_role("button", name="改为白沙镇").click()
        expect(page.get_by_text("已把地区“白莎镇”改为“白沙镇”")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_text("地区更正：“白莎镇”改为“白沙镇”")).to_be_visible(timeout=30_000)
        browser.close()
    from etl.db import connect

    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts WHERE region_raw = '白沙镇' AND source_cell LIKE '%7'"
                           ).fetchone()[0] == 11
        assert con.execute("SELECT count(*) FROM regions WHERE name = '白莎镇'").fetchone()[0] == 0


MAPPED = [["地区", "年份", "结对联系(户)", "节日补助(万元)", "会员总数(人)"],
          ["白沙镇", 2024, 30, 2.5, 5000], ["青石镇", 2024, 20, 1.5, 4000]]


def _choose(page, row: int, option: str) -> None:
    """Double-click the 识别为 cell of a mapping row (0 = column A) and click `option` in its dropdown.

    In headless chromium the grid opens its editor on the first double-click of a page only; later ones
    select the cell, so Enter (the grid's other way in, which the page also names) opens it then.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.get_by_test_id("stDataFrame").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.6, box["y"] + 35 * (row + 1) + 17
    page.mouse.dblclick(x, y)
    try:
        page.get_by_role("listbox").wait_for(timeout=2_000)
    except PlaywrightTimeout:
        for _ in range(5):
            page.mouse.click(x, y)
            page.wait_for_timeout(500)
            page.keyboard.press("Enter")
            try:
                page.get_by_role("listbox").wait_for(timeout=2_000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
        else:
            raise AssertionError(f"the 识别为 cell of row {row} did not open")
    page.keyboard.type(option)  # filters the list, so the option is drawn
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.browser
@pytest.mark.slow
def test_two_mapping_edits_both_kept_and_remembered(server: str, tmp_db: Path, tmp_path: Path) -> None:
    """Map C then D: both stay (6 figures, not 4); a later session gets both back, and its first edit (E) keeps
    them instead of wiping the remembered mapping."""
    from playwright.sync_api import expect, sync_playwright
    from tally_books import xlsx

    from etl.tally.store import load_mappings

    book = tmp_path / "自制表.xlsx"
    book.write_bytes(xlsx({"Sheet1": {"rows": MAPPED}}))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        _upload(page, server, book)
        expect(page.get_by_text("双击")).to_be_visible()
        assert _count(page) == "2 条"
        _choose(page, 2, "帮扶慰问户数（户）")
        expect(page.get_by_test_id("stMetric").filter(has_text="识别出的数据")).to_contain_text("4 条")
        _choose(page, 3, "帮扶慰问金额（元）")
        expect(page.get_by_test_id("stMetric").filter(has_text="识别出的数据")).to_contain_text("6 条")
        page.screenshot(path=str(tmp_path / "mapping.png"), full_page=True)
        (mapping,) = load_mappings(tmp_db).values()
        assert mapping == {"C": "aid_households", "D": "aid_amount"}

        later = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()  # a new session
        _upload(later, server, book)
        assert _count(later) == "6 条"  # both remembered
        _choose(later, 4, "不导入")
        expect(later.get_by_test_id("stMetric").filter(has_text="识别出的数据")).to_contain_text("4 条")
        (mapping,) = load_mappings(tmp_db).values()
        assert mapping == {"C": "aid_households", "D": "aid_amount", "E": "ignore"}
        browser.close()
