"""Report upload: etl/report_upload.py and the 上传报告 page, against real on-disk databases."""

from __future__ import annotations

from pathlib import Path

import people
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import safe
from etl.db import connect
from etl.report_upload import commit_report, fact_rows, prepare_report

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
    page.button(key="report_commit").click().run()
    assert not page.exception
    assert "已导入批次 1" in page.success[0].value
    assert ("membership_rate", 93.5, 2023, "FY") in active_facts(tmp_db)


def test_page_explains_a_file_it_cannot_read(page: AppTest, tmp_db: Path) -> None:
    page.file_uploader(key="report_file").upload("扫描.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf").run()
    assert not page.exception
    assert page.error and safe.md("扫描.pdf") in page.error[0].value
    assert active_facts(tmp_db) == []
