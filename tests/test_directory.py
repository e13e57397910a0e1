"""etl/directory.py: the federation's set-up from the national table or a CSV, CSV import/export, undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import directory
from etl.batches import undo_batch
from etl.db import connect
from etl.divisions import divisions


def test_the_loader_reads_the_shipped_national_table() -> None:
    rows = divisions()
    assert len(rows) == 44_703
    assert sum(d.level == "township" for d in rows) == 41_352


@pytest.mark.parametrize(("area", "root_code", "town", "town_code"), [
    ("远安县", "420525000000", "鸣凤镇", "420525101000"),
    ("420525", "420525000000", "花林寺镇", "420525102000"),
    ("东城区", "110101000000", "东华门街道", "110101001000"),
], ids=["name", "code", "beijing-street"])
def test_a_county_and_its_towns_with_codes_in_one_step(area: str, root_code: str, town: str, town_code: str) -> None:
    root, *towns = directory.from_divisions(area)
    assert (root.level, root.parent, root.code) == ("区县", None, root_code)
    by_name = {t.name: t for t in towns}
    assert by_name[town].code == town_code and by_name[town].parent == root.name
    assert all(t.level == "乡镇街道" and t.code.startswith(root_code[:6]) and len(t.code) == 12 for t in towns)


def test_an_unknown_or_ambiguous_area_says_what_to_type() -> None:
    with pytest.raises(directory.DirectoryError, match="找不到“火星县”"):
        directory.from_divisions("火星县")
    with pytest.raises(directory.DirectoryError, match="对应多个地区"):
        directory.from_divisions("朝阳")  # 北京市朝阳区, 辽宁省朝阳县, 长春市朝阳区, 朝阳市


def test_setup_from_the_national_table(empty_db: Path) -> None:
    fed = directory.setup(empty_db, name="远安县总工会", area="远安县", entries=directory.setup_entries("远安县"))
    assert (fed.name, fed.region, fed.level, fed.code, fed.count_word) == ("远安县总工会", "远安县", "区县",
                                                                            "420525000000", "镇街")
    with connect(empty_db, read_only=True) as con:
        assert directory.current(con) == fed
        top = con.execute("SELECT name FROM regions WHERE parent_id IS NULL").fetchall()
        towns = con.execute("SELECT count(*) FROM regions WHERE level = '乡镇街道'").fetchone()[0]
    assert top == [("远安县",)] and towns == 7


def test_csv_round_trip_keeps_every_column(tmp_db: Path) -> None:
    with connect(tmp_db, read_only=True) as con:
        before = directory.rows(con)
    data = directory.write_csv(before)
    assert data.startswith("\ufeff名称,层级,上级,行政区划代码".encode())
    again = directory.read_csv(data)
    assert [(e.name, e.level, e.parent, e.code, e.aliases) for e in again] == \
        [(e.name, e.level, e.parent, e.code, e.aliases) for e in before]
    assert directory.read_csv(data.decode("utf-8-sig").encode("gb18030"))[1].name == before[1].name  # Excel's GBK


def test_a_bad_csv_lists_every_row_and_changes_nothing(tmp_db: Path) -> None:
    bad = "名称,上级,行政区划代码,起始年份\n,青禾区,,\n甲镇,青禾区,12345,二〇二一\n".encode()
    with pytest.raises(directory.DirectoryError) as err:
        directory.read_csv(bad)
    text = str(err.value)
    assert "第2行：缺少名称" in text and "第3行：行政区划代码“12345”" in text and "第3行：起始年份" in text


def test_plan_refuses_a_second_top_level_region_and_unknown_parents(tmp_db: Path) -> None:
    entries = [directory.Entry("东城街道", "乡镇街道", None, row=2),
               directory.Entry("乙镇", "乡镇街道", "青河区", row=3),
               directory.Entry("丙镇", "乡镇街道", "青禾区", aliases=("白沙",), row=4)]
    with connect(tmp_db, read_only=True) as con:
        p = directory.plan(con, entries)
    assert not p.ok
    assert any("第2行" in m and "没有上级" in m for m in p.problems)
    assert any("第3行" in m and "上级“青河区”不在名录中" in m for m in p.problems)
    assert any("第4行" in m and "别名“白沙”已是“白沙镇”" in m for m in p.problems)
    with pytest.raises(directory.DirectoryError):
        directory.apply(tmp_db, entries)
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regions WHERE name IN ('东城街道', '乙镇', '丙镇')").fetchone()[0] == 0


def test_a_csv_change_is_a_batch_that_undo_takes_back(tmp_db: Path) -> None:
    with connect(tmp_db, read_only=True) as con:
        before = directory.rows(con)
    entries = [directory.Entry("红星村", "村社区", "白沙镇", aliases=("红星",)),
               directory.Entry("新港镇", "乡镇街道", "青禾区", "339901105000",
                               ("新港镇总工会", "新港镇工会", "新港", "港镇"), last_year=2030)]
    s = directory.apply(tmp_db, entries, user="王芳")
    assert (s.added, s.changed) == (1, 1) and "撤销" in s.text
    with connect(tmp_db, read_only=True) as con:
        got = {e.name: e for e in directory.rows(con)}
    assert got["红星村"].parent == "白沙镇" and got["新港镇"].last_year == 2030 and "港镇" in got["新港镇"].aliases
    with connect(tmp_db, read_only=True) as con:  # recorded with who did it (the audit trail)
        assert con.execute("SELECT user_name, action, batch_id FROM audit_log WHERE action = 'directory' "
                           "ORDER BY id DESC LIMIT 1").fetchone() == ("王芳", "directory", s.batch_id)
    assert undo_batch(tmp_db, s.batch_id).regions == 1
    with connect(tmp_db, read_only=True) as con:
        assert directory.rows(con) == before


def test_federation_name_from_settings_overrides_titles(tmp_db: Path) -> None:
    assert directory.federation(tmp_db).name == "青禾区总工会"
    assert directory.federation(tmp_db, name="青禾区总工会（筹）").name == "青禾区总工会（筹）"
    assert directory.federation(tmp_db.parent / "none.duckdb") is None
