"""Report upload: etl/report_upload.py and the 上传报告 page, against real on-disk databases."""

from __future__ import annotations

from pathlib import Path

import people
import pytest
from chromium import CHROMIUM_ARGS
from streamlit.testing.v1 import AppTest
from test_tally_browser import server  # noqa: F401 (the Streamlit server fixture)

from dashboard import safe
from etl.db import connect
from etl.report_upload import (
    action_labels,
    apply_rows,
    body_options,
    commit_report,
    fact_rows,
    prepare_report,
    row_problems,
    with_bodies,
)

APP = Path(__file__).resolve().parent.parent / "app.py"
REPORT = ("白沙镇总工会2023年工作总结\n"
          "2023年，全镇共有基层工会组织312家，会员总数2.6万人，职工入会率达93.5%。"
          "全年新建工会组织18家，走访慰问困难职工126户，发放慰问金15.2万元。\n"
          "二、2024年工作打算\n力争新建工会组织20家。\n")


def active_facts(db: Path) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute("SELECT metric, value, year, period FROM facts WHERE status = 'active' "
                           "ORDER BY metric").fetchall()


def test_prepare_extracts_without_writing(tmp_db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    plan = prepare_report(REPORT.encode("gb18030"), "白沙镇2023.txt", db_path=tmp_db, archive_dir=archive)
    assert plan.readable and plan.already is None
    got = {(r["指标"], r["数值"]) for r in fact_rows(plan)}
    assert ("工会组织总数", 312) in got and ("帮扶慰问金额", 152000) in got
    assert ("新建工会组织数", 20) not in got  # a plan, not a result
    assert active_facts(tmp_db) == []  # nothing written before confirmation
    assert any(archive.rglob("*.txt"))  # but the bytes are archived


def test_commit_loads_one_batch_and_second_upload_is_refused(tmp_db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    data = REPORT.encode("utf-8")
    summary = commit_report(prepare_report(data, "r.txt", db_path=tmp_db, archive_dir=archive),
                            db_path=tmp_db, archive_dir=archive)
    assert summary.batch_id == 1
    assert ("members_total", 26000.0, 2023, "FY") in active_facts(tmp_db)
    again = prepare_report(data, "copy.txt", db_path=tmp_db, archive_dir=archive)
    assert again.already and "批次 1" in again.already


def test_unreadable_file_is_archived_and_explained(tmp_db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    plan = prepare_report(b"\xd0\xcf\x11\xe0" + b"\0" * 600, "旧版.doc", db_path=tmp_db, archive_dir=archive)
    assert not plan.readable
    assert "旧版.doc" in plan.file.problems[0].message
    assert any(archive.rglob("*"))


@pytest.fixture
def page(tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("UNION_DB", str(tmp_db))
    monkeypatch.setenv("UNION_ARCHIVE", str(tmp_path / "archive"))
    at = people.sign_in(AppTest.from_file(str(APP), default_timeout=60), tmp_db).run()
    return at.switch_page("app_pages/upload_report.py").run()


def test_page_shows_figures_with_sentences_then_loads(page: AppTest, tmp_db: Path) -> None:
    page.file_uploader(key="report_file").upload("白沙镇.txt", REPORT.encode("utf-8"), "text/plain").run()
    assert not page.exception
    table = page.dataframe[0].value
    row = table[table["指标"] == "入会率"].iloc[0]
    assert row["数值"] == 93.5 and "入会率达93.5%" in row["原文"]
    # The shipped model certifies no report figure alone (review threshold 1.0): the page says a person checks them.
    assert any("都要有人对照原文核对" in i.value for i in page.info)
    page.button(key="report_commit").click().run()
    assert not page.exception
    assert "已导入批次 1" in page.success[0].value
    assert ("membership_rate", 93.5, 2023, "FY") in active_facts(tmp_db)


def test_page_explains_a_file_it_cannot_read(page: AppTest, tmp_db: Path) -> None:
    page.file_uploader(key="report_file").upload("扫描.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf").run()
    assert not page.exception
    assert page.error and safe.md("扫描.pdf") in page.error[0].value
    assert active_facts(tmp_db) == []


NO_YEAR = ("白沙镇总工会工作总结\n今年以来，全镇共有基层工会组织312家，会员总数2.6万人。"
           "走访慰问困难职工126户，发放慰问金15.2万元。\n")


def loaded(db: Path) -> dict[str, tuple]:
    with connect(db, read_only=True) as con:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT metric, value, year, period, region_raw, needs_review, reviewed_by, flags FROM facts "
            "WHERE status = 'active'").fetchall()}


def test_rows_dropped_corrected_and_confirmed_before_loading(tmp_db: Path, tmp_path: Path) -> None:
    """Leave out one figure, correct a value and a metric, confirm one: corrected and confirmed ones load as
    checked by the person, the others as read, the dropped one not at all; the batch note says so."""
    archive = tmp_path / "archive"
    plan = prepare_report(REPORT.encode("utf-8"), "r.txt", db_path=tmp_db, archive_dir=archive)
    rows = fact_rows(plan)
    acts = action_labels()
    by = {r["指标"]: r for r in rows}
    by["工会组织总数"]["数值"] = 321
    by["会员总数"]["指标"] = "职工总数"
    by["帮扶慰问户数"]["处理"] = acts["drop"]
    by["入会率"]["处理"] = acts["confirm"]
    applied = apply_rows(plan, rows)
    assert (applied.edited, applied.dropped, len(applied.checked)) == (2, 1, 3)
    summary = commit_report(plan, db_path=tmp_db, archive_dir=archive, user="张三", rows=rows)
    got = loaded(tmp_db)
    assert "aid_households" not in got and "members_total" not in got
    assert got["union_orgs_total"][:6] == (321.0, 2023, "FY", "白沙镇", False, "张三")
    assert got["workers_total"][0] == 26000.0 and got["workers_total"][4:6] == (False, "张三")
    assert got["membership_rate"][4:6] == (False, "张三")
    assert got["aid_amount"][0] == 152000.0 and got["aid_amount"][5] is None  # untouched: as read
    with connect(tmp_db, read_only=True) as con:
        note, user = con.execute("SELECT note, user_name FROM batches WHERE id = ?", [summary.batch_id]).fetchone()
    assert "上传时更正 2 条、不导入 1 条" in note and user == "张三"


def test_missing_year_is_a_problem_until_filled_in(tmp_db: Path, tmp_path: Path) -> None:
    """A report that names no year: each row says so in words (never "None"); filled in, the figures load
    with that year, without 年份不明, and count in charts."""
    from etl.vocab import counted_sql

    archive = tmp_path / "archive"
    plan = prepare_report(NO_YEAR.encode("utf-8"), "白沙镇.txt", db_path=tmp_db, archive_dir=archive)
    rows = fact_rows(plan)
    assert rows and all(r["年份"] == r["期间"] == "待填" and "原文没有写年份" in r["问题"] for r in rows)
    assert not any("None" in v for r in rows for v in r.values() if isinstance(v, str))
    for r in rows:
        r["年份"], r["期间"] = "2024", "全年"
    assert not any(row_problems(r) for r in rows)
    commit_report(plan, db_path=tmp_db, archive_dir=archive, rows=rows)
    got = loaded(tmp_db)
    assert got["union_orgs_total"][:3] == (312.0, 2024, "FY")
    assert all(not v[4] and "unknown_year" not in (v[6] or []) for v in got.values())
    with connect(tmp_db, read_only=True) as con:
        counted = con.execute(f"SELECT count(*) FROM facts f JOIN batches b ON b.id = f.batch_id "
                              f"WHERE {counted_sql('f')}").fetchone()[0]
    assert counted == len(rows)


def test_reporting_body_chosen_per_document(tmp_db: Path, tmp_path: Path) -> None:
    """The reader takes 白沙镇 from the title; staff say the report is 青石镇's: the document and its figures
    load under 青石镇, and choosing the guess again gives back what was read."""
    archive = tmp_path / "archive"
    plan = prepare_report(REPORT.encode("utf-8"), "r.txt", db_path=tmp_db, archive_dir=archive)
    (doc,) = plan.file.documents
    assert doc.region == "白沙镇" and "青石镇" in body_options(tmp_db)
    other = with_bodies(plan, {doc.doc_id: "青石镇"})
    assert other.file.documents[0].region == "青石镇"
    assert {f.region for f in other.file.facts} == {"青石镇"}
    assert len(other.file.facts) == len(plan.file.facts)
    assert with_bodies(other, {}).file is plan.file
    commit_report(other, db_path=tmp_db, archive_dir=archive, rows=fact_rows(other))
    assert {v[3] for v in loaded(tmp_db).values()} == {"青石镇"}
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT region FROM documents").fetchall() == [("青石镇",)]
        assert "报送单位：青石镇" in con.execute("SELECT note FROM batches").fetchone()[0]


def test_body_brings_a_report_into_scope_and_a_filler_corrects_without_reviewing(tmp_db: Path,
                                                                                tmp_path: Path) -> None:
    """城关街道's 填报 account gets a report the reader took for 白沙镇's: every figure is outside the scope until
    the 报送单位 is set to 城关街道. A 填报 account may not review, so 导入（已核对） is not offered and a
    corrected figure loads as written but still waits for review like the figure read would."""
    from etl import accounts

    archive = tmp_path / "archive"
    people.ensure(tmp_db, "城关填报")
    with connect(tmp_db, read_only=True) as con:
        account = accounts.account(con, "城关填报")
    plan = prepare_report(REPORT.encode("utf-8"), "r.txt", db_path=tmp_db, archive_dir=archive, account=account)
    assert plan.file.facts and not plan.loadable and not fact_rows(plan)
    doc = plan.file.documents[0]
    ours = with_bodies(plan, {doc.doc_id: "城关街道"}, db_path=tmp_db, account=account)
    assert not ours.refused and len(ours.loadable) == len(plan.file.facts)
    assert "confirm" not in action_labels(may_review=False)
    rows = fact_rows(ours)
    rate = next(r for r in rows if r["指标"] == "入会率")
    rate["数值"] = 95.3
    commit_report(ours, db_path=tmp_db, archive_dir=archive, account=account, rows=rows)
    got = loaded(tmp_db)
    assert got["membership_rate"][:4] == (95.3, 2023, "FY", "城关街道")
    assert got["membership_rate"][5] is None  # not reviewed by a 填报 account
    assert {v[3] for v in got.values()} == {"城关街道"}


def _grid_cell(page, row: int, col: int) -> None:
    """Select a cell of the page's first grid: click its row's first cell, then step right (the grid is drawn on
    a canvas, so cells are reached by position and keys)."""
    box = page.get_by_test_id("stDataFrame").first.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 * (row + 1) + 17)
    for _ in range(col):
        page.keyboard.press("ArrowRight")


def _grid_pick(page, row: int, col: int, option: str) -> None:
    """Open a dropdown cell with Enter and click `option` (typed first: the list draws only what fits)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(5):
        _grid_cell(page, row, col)
        page.keyboard.press("Enter")
        try:
            page.get_by_role("listbox").wait_for(timeout=2_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        raise AssertionError(f"cell ({row}, {col}) did not open")
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(800)  # the page reruns with the edit


def _grid_type(page, row: int, col: int, text: str) -> None:
    """Open a cell's editor with Enter, replace what it holds with `text`, commit with Enter."""
    _grid_cell(page, row, col)
    page.keyboard.press("Enter")
    editor = page.locator("#portal input, #portal textarea")
    editor.first.wait_for(timeout=5_000)
    editor.first.fill(text)
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)


@pytest.mark.browser
@pytest.mark.slow
def test_report_rows_and_body_in_the_browser(server: str, tmp_db: Path, tmp_path: Path) -> None:  # noqa: F811
    """A report with no year read as 白沙镇's: staff say it is 青石镇's, fill in year and period of two figures,
    correct one value, leave the other two out, and load; the page says what stands and what it did, and the
    corrected figures load as checked by the signed-in account."""
    from playwright.sync_api import expect, sync_playwright

    path = tmp_path / "工作总结.txt"
    path.write_text(NO_YEAR, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(f"{server}/upload_report")
        people.sign_in_here(page, people.FIRST_ADMIN)  # uploading needs an account
        expect(page.get_by_text(f"已登录：{people.FIRST_ADMIN}")).to_be_visible(timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        problems = page.get_by_test_id("stAlertContentWarning").filter(has_text="还有要处理的地方")
        expect(problems).to_contain_text("第 1、2、3、4 行：原文没有写年份", timeout=30_000)
        body = page.get_by_test_id("stSelectbox").filter(has_text="报送单位")
        expect(body.locator("input")).to_have_value("（按原文识别：白沙镇）")
        page.get_by_test_id("stDataFrame").locator("canvas").first.wait_for()
        page.wait_for_timeout(1_000)  # the grid draws after its canvas appears
        page.screenshot(path=str(tmp_path / "report_read.png"), full_page=True)

        body.locator("input").click()
        page.keyboard.type("青石镇")
        page.get_by_role("option", name="青石镇", exact=True).click()
        expect(body.locator("input")).to_have_value("青石镇")
        page.wait_for_timeout(1_500)
        for row in (0, 1):
            _grid_pick(page, row, 6, "2024")
            _grid_pick(page, row, 7, "全年")
        _grid_type(page, 0, 2, "321")
        for row in (2, 3):
            _grid_pick(page, row, 0, "不导入")
        metric = page.get_by_test_id("stMetric")
        expect(metric.filter(has_text="不导入")).to_contain_text("2 条")
        expect(metric.filter(has_text="已更正")).to_contain_text("2 条")
        expect(metric.filter(has_text="将导入")).to_contain_text("2 条")
        expect(problems).to_have_count(0)
        page.screenshot(path=str(tmp_path / "report_edited.png"), full_page=True)
        page.get_by_role("button", name="确认导入").click()
        expect(page.get_by_text("已导入批次 1")).to_contain_text("其中 2 条按您的更正，2 条未导入", timeout=30_000)
        page.screenshot(path=str(tmp_path / "report_done.png"), full_page=True)
        browser.close()
    got = loaded(tmp_db)
    assert set(got) == {"union_orgs_total", "members_total"}
    assert got["union_orgs_total"][:6] == (321.0, 2024, "FY", "青石镇", False, people.FIRST_ADMIN)
    assert got["members_total"][:6] == (26000.0, 2024, "FY", "青石镇", False, people.FIRST_ADMIN)
