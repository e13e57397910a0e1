"""AppTest for the upload and history pages: real Streamlit script runs against an on-disk database."""

from __future__ import annotations

from pathlib import Path

import people
import pytest
from streamlit.testing.v1 import AppTest
from tally_books import GOOD, xlsx

from dashboard import safe
from etl.db import connect

APP = Path(__file__).resolve().parent.parent / "app.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app(tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("UNION_DB", str(tmp_db))
    monkeypatch.setenv("UNION_ARCHIVE", str(tmp_path / "archive"))
    at = people.sign_in(AppTest.from_file(str(APP), default_timeout=60), tmp_db).run()
    return at.switch_page("app_pages/upload.py").run()


def facts(db: Path) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute("SELECT metric, value, source_cell FROM facts WHERE status = 'active' "
                           "ORDER BY source_cell").fetchall()


def test_upload_confirm_and_summary(app: AppTest, tmp_db: Path) -> None:
    name, data = GOOD["title_two_row_header"]()
    app.file_uploader(key="tally_file").upload(name, data, XLSX).run()
    assert not app.exception
    assert [m.value for m in app.metric] == ["10 条", "0", "0"]
    assert any("宽表" in m.value and "统计表" in m.value for m in app.markdown)
    app.button(key="tally_confirm").click().run()
    assert not app.exception
    assert "已导入批次 1" in app.success[0].value
    assert ("union_orgs_total", 120.0, "统计表!B4") in facts(tmp_db)


def test_errors_block_until_partial_is_chosen(app: AppTest, tmp_db: Path) -> None:
    rows = [["地区", "年份", "会员总数(人)"], ["白沙镇", 2024, 5000], ["青石镇", 2024, -3]]
    app.file_uploader(key="tally_file").upload("坏.xlsx", xlsx({"Sheet1": {"rows": rows}}), XLSX).run()
    assert app.metric[1].value == "1"
    assert app.button(key="tally_confirm").disabled
    (problems,) = [d.value for d in app.dataframe if "位置" in d.value.columns]
    assert list(problems["位置"]) == ["Sheet1!C3"] and "负数" in problems["问题说明"][0]
    app.checkbox(key="partial").check().run()
    app.button(key="tally_confirm").click().run()
    assert facts(tmp_db) == [("members_total", 5000.0, "Sheet1!C2")]


def test_same_file_twice_says_so(app: AppTest, tmp_db: Path) -> None:
    name, data = GOOD["csv_utf8"]()
    app.file_uploader(key="tally_file").upload(name, data, "text/csv").run()
    app.button(key="tally_confirm").click().run()
    before = facts(tmp_db)
    assert not app.metric  # the loaded file is cleared from the page: no checks shown
    app.file_uploader(key="tally_file1").upload("again.csv", data, "text/csv").run()
    assert any("无需重复导入" in i.value for i in app.info)
    assert facts(tmp_db) == before


def test_history_lists_batches_and_undoes(tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.tally.upload import commit, prepare

    monkeypatch.setenv("UNION_DB", str(tmp_db))
    name, data = GOOD["long_layout"]()
    commit(prepare(data, name, db_path=tmp_db, archive_dir=tmp_path / "a"), db_path=tmp_db, archive_dir=tmp_path / "a")
    at = people.sign_in(AppTest.from_file(str(APP), default_timeout=60), tmp_db).run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert safe.md("长表.xlsx") in texts and "已导入" in texts  # file names are shown escaped, as written
    at.button(key="undo_1").click().run()
    assert facts(tmp_db) != []  # asked first: nothing undone yet
    assert "将撤销批次 1" in at.warning[0].value
    at.button(key="undo_confirm").click().run()
    assert "已撤销批次 1" in at.success[0].value
    assert facts(tmp_db) == []
    assert any(m.value.startswith("已撤销（管理员，") for m in at.markdown)  # who undid it


def test_a_typo_town_is_corrected_with_one_click(app: AppTest, tmp_db: Path) -> None:
    """白纱镇 blocks the load with its cell named; 改为白沙镇 corrects it, the load says what it did."""
    rows = [["地区", "年份", "会员总数(人)"], ["青石镇", 2024, 7000], ["白纱镇", 2024, 5000]]
    app.file_uploader(key="tally_file").upload("笔误.xlsx", xlsx({"Sheet1": {"rows": rows}}), XLSX).run()
    assert app.metric[1].value == "1" and app.button(key="tally_confirm").disabled
    assert any("Sheet1!A3" in m.value and "白纱镇" in m.value for m in app.markdown)
    app.button(key="fix_白纱镇_白沙镇").click().run()
    assert not app.exception
    assert app.metric[1].value == "0" and not app.button(key="tally_confirm").disabled
    assert any("已把地区“白纱镇”改为“白沙镇”" in i.value for i in app.info)
    app.button(key="tally_confirm").click().run()
    assert "地区更正：“白纱镇”改为“白沙镇”" in app.success[0].value
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT DISTINCT region_raw FROM facts ORDER BY 1").fetchall() == [("白沙镇",), ("青石镇",)]


def test_the_summary_accounts_for_every_figure(app: AppTest, tmp_db: Path, tmp_path: Path) -> None:
    """A second file repeating stored figures: the page says how many were equal and not loaded again."""
    from etl.tally.upload import commit, prepare

    rows = [["地区", "年份", "会员总数(人)", "职工总数(人)"],
            ["青石镇", 2024, 7000, 8000], ["白沙镇", 2024, 5000, 6000]]
    commit(prepare(xlsx({"Sheet1": {"rows": rows}}), "a.xlsx", db_path=tmp_db, archive_dir=tmp_path / "a"),
           db_path=tmp_db, archive_dir=tmp_path / "a")
    rows.append(["柳塘镇", 2024, 4000, 4500])
    app.file_uploader(key="tally_file").upload("b.xlsx", xlsx({"Sheet1": {"rows": rows}}), XLSX).run()
    app.button(key="tally_confirm").click().run()
    text = app.success[0].value
    assert "写入 2 条数据" in text and "表中识别出 6 条：4 条与数据库中已有的数值相同，未重复导入" in text
    assert "--" not in text and "verbose" not in text
