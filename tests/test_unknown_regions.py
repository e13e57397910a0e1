"""etl/unknown_regions.py: what a name the directory lacks might be (typos, places of another county)."""

from __future__ import annotations

import pytest

from etl import unknown_regions
from etl.db import connect


@pytest.mark.parametrize(
    ("raw", "first"),
    [("城管街道", "城关街道"), ("白沙", "白沙镇"), ("柳堂镇", "柳塘镇"), ("云溪镇", "云溪镇"), ("云溪", "云溪乡"),
     ("东湖街", "东湖街道"), ("白杉镇", "白沙镇"), ("新港", "新港镇")],
    ids=["typo-street", "short", "homophone", "exact", "alias", "abbrev", "one-character-off", "short-alias"],
)
def test_suggest(renamed_db, raw: str, first: str) -> None:
    with connect(renamed_db, read_only=True) as con:
        got = unknown_regions.suggestions(raw, unknown_regions.spellings(con))
    assert got and got[0] == first
    assert len(got) <= 3 and len(set(got)) == len(got)


@pytest.mark.parametrize(("a", "b", "d"), [("白沙镇", "白杉镇", 1), ("白沙镇", "白沙镇", 0), ("城关", "城关街道", 2),
                                           ("", "镇", 1), ("青石镇", "桃源镇", 2)])
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert unknown_regions.edit_distance(a, b) == d == unknown_regions.edit_distance(b, a)


def test_suggest_nothing_for_unrelated(tmp_db) -> None:
    with connect(tmp_db, read_only=True) as con:
        assert unknown_regions.suggestions("北京大学", unknown_regions.spellings(con)) == []


def test_a_town_of_another_county_is_shown_as_such(tmp_db) -> None:
    with connect(tmp_db, read_only=True) as con:
        (u,) = unknown_regions.find_unknown(con, {"东华门街道": 3}, {"东华门街道": "表1!A7"})
    assert (u.raw, u.rows, u.where) == ("东华门街道", 3, "表1!A7")
    assert u.elsewhere == ("北京市东城区东华门街道",)
    assert "不在本会辖区内" in u.message and "北京市东城区东华门街道" in u.message


def test_a_place_inside_the_federations_area_is_not_elsewhere() -> None:
    """远安县's own 鸣凤镇 is not 'of another county' for 远安县总工会 (area code 420525); 蓬溪县's is."""
    assert unknown_regions.elsewhere("鸣凤镇", "420525000000") == ["四川省遂宁市蓬溪县鸣凤镇"]
    assert sorted(unknown_regions.elsewhere("鸣凤镇", "339901000000")) == ["四川省遂宁市蓬溪县鸣凤镇",
                                                                 "湖北省宜昌市远安县鸣凤镇"]
