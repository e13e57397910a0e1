"""etl/directory_sources.py: directory entries from the national table and from CSV files, and back to CSV."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import directory, directory_sources
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
    root, *towns = directory_sources.from_divisions(area)
    assert (root.level, root.parent, root.code) == ("区县", None, root_code)
    by_name = {t.name: t for t in towns}
    assert by_name[town].code == town_code and by_name[town].parent == root.name
    assert all(t.level == "乡镇街道" and t.code.startswith(root_code[:6]) and len(t.code) == 12 for t in towns)


def test_an_unknown_or_ambiguous_area_says_what_to_type() -> None:
    with pytest.raises(directory.DirectoryError, match="找不到“火星县”"):
        directory_sources.from_divisions("火星县")
    with pytest.raises(directory.DirectoryError, match="对应多个地区"):
        directory_sources.from_divisions("朝阳")  # 北京市朝阳区, 辽宁省朝阳县, 长春市朝阳区, 朝阳市


def test_csv_round_trip_keeps_every_column(tmp_db: Path) -> None:
    with connect(tmp_db, read_only=True) as con:
        before = directory.rows(con)
    data = directory_sources.write_csv(before)
    assert data.startswith("\ufeff名称,层级,上级,行政区划代码".encode())
    again = directory_sources.read_csv(data)
    assert [(e.name, e.level, e.parent, e.code, e.aliases) for e in again] == \
        [(e.name, e.level, e.parent, e.code, e.aliases) for e in before]
    excel_gbk = data.decode("utf-8-sig").encode("gb18030")
    assert directory_sources.read_csv(excel_gbk)[1].name == before[1].name


def test_a_bad_csv_lists_every_row_and_changes_nothing(tmp_db: Path) -> None:
    bad = "名称,上级,行政区划代码,起始年份\n,青禾区,,\n甲镇,青禾区,12345,二〇二一\n".encode()
    with pytest.raises(directory.DirectoryError) as err:
        directory_sources.read_csv(bad)
    text = str(err.value)
    assert "第2行：缺少名称" in text and "第3行：行政区划代码“12345”" in text and "第3行：起始年份" in text
