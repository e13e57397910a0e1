"""Region names: canonical form, levels, placeholders, aliases, creation, suggestions."""

from __future__ import annotations

import pytest

from etl import regions, vocab
from etl.db import connect, transaction


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("城关街道总工会", "城关街道"),
        ("城关街道工会", "城关街道"),
        ("城關街道", "城关街道"),
        (" 白沙镇 总工会 ", "白沙镇"),
        ("白沙镇工会联合会", "白沙镇"),
        ("青禾区总工会", "青禾区"),
        ("ＸＸ镇", "XX镇"),
        ("总工会", "总工会"),
        ("", ""),
    ],
    ids=["total-union", "union", "traditional", "spaces", "federation", "county", "fullwidth", "suffix-only", "empty"],
)
def test_canonical_name(raw: str, expected: str) -> None:
    assert regions.canonical_name(raw) == expected


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("白沙镇", "乡镇街道"),
        ("云溪乡", "乡镇街道"),
        ("东湖街道总工会", "乡镇街道"),
        ("青禾区", "区县"),
        ("某某县", "区县"),
        ("青禾建设集团", "企业"),
        ("青禾矿业", "企业"),
        ("青禾第一人民医院", "企业"),
        ("东湖社区", "村社区"),
        ("青禾工业园区", "其他"),
        ("城关", "其他"),
    ],
    ids=["town", "township", "street-union", "district", "county", "group", "mining", "hospital", "community",
         "industrial-park", "bare-alias"],
)
def test_infer_level(name: str, level: str) -> None:
    assert regions.infer_level(name) == level


@pytest.mark.parametrize(
    ("raw", "placeholder"),
    [
        ("xx镇", True),
        ("XX镇", True),
        ("X街道", True),
        ("**街道", True),
        ("某镇", True),
        ("某某公司", True),
        ("XX集团有限公司", True),
        ("××县", True),
        ("ｘｘ镇总工会", True),
        ("○○镇", True),
        ("青禾区xx镇", True),
        ("某单位", True),
        ("白沙镇", False),
        ("新港镇", False),
        ("青禾集团有限公司", False),
        ("镇", False),
        ("区", False),
        ("城关单位", False),
    ],
    ids=["xx-town", "XX-town", "X-street", "stars", "mou", "moumou-company", "XX-group-ltd", "times-county",
         "fullwidth-union", "circles", "under-a-real-county", "mou-unit", "real-town", "real-town-2",
         "real-company", "bare-town-level", "bare-district-level", "real-unit"],
)
def test_is_placeholder(raw: str, placeholder: bool) -> None:
    assert vocab.is_placeholder(raw) is placeholder


@pytest.mark.parametrize("raw", ["本镇", "我区", "全街道", "镇", "区"],
                         ids=["ben", "wo", "quan", "bare-town", "bare-district"])
def test_is_relative(raw: str) -> None:
    assert regions.is_relative(raw) and not vocab.is_placeholder(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("城关街道", "城关街道"),
        ("城关街道总工会", "城关街道"),
        ("城关", "城关街道"),
        ("城關街道", "城关街道"),
        ("青禾区城关街道总工会", "城关街道"),
        ("云溪乡工会", "云溪乡"),
        ("青禾", "青禾区"),
        ("339901101000", "白沙镇"),
        ("339901101", "白沙镇"),
    ],
    ids=["name", "union-suffix", "short-alias", "traditional", "county-prefix", "township-union", "county-alias",
         "stat-code", "township-code"],
)
def test_resolve_against_the_directory(tmp_db, raw: str, expected: str) -> None:
    with connect(tmp_db, read_only=True) as con:
        rid = regions.resolve(con, raw)
        name = con.execute("SELECT name FROM regions WHERE id = ?", [rid]).fetchone()[0]
    assert name == expected


@pytest.mark.parametrize("raw", ["xx镇", "X街道", "**街道", "某镇", "", None, "本镇", "我区", "全街道", "白杉镇",
                                 "红旗机械厂工会"],
                         ids=["xx", "X", "stars", "mou", "empty", "none", "ben-zhen", "wo-qu", "quan-jiedao", "typo",
                              "unknown-enterprise"])
def test_resolve_never_creates_a_region(tmp_db, raw: str | None) -> None:
    with transaction(tmp_db) as con:
        before = con.execute("SELECT count(*) FROM regions").fetchone()[0]
        assert regions.resolve(con, raw) is None
        assert con.execute("SELECT count(*) FROM regions").fetchone()[0] == before


def test_the_sample_directory_is_a_tree_with_codes(tmp_db) -> None:
    with connect(tmp_db, read_only=True) as con:
        rows = con.execute(
            "SELECT r.name, r.level, r.code, p.name FROM regions r LEFT JOIN regions p ON p.id = r.parent_id "
            "ORDER BY r.id").fetchall()
    assert [r for r in rows if r[3] is None] == [("青禾区", "区县", "339901000000", None)]  # one top: the area
    towns = {name for name, level, _, parent in rows if level == "乡镇街道" and parent == "青禾区"}
    assert towns == {"城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"}
    assert all(len(code) == 12 and code.isdigit() for _, level, code, _ in rows if level in ("区县", "乡镇街道"))


@pytest.mark.parametrize(
    ("raw", "first"),
    [("城管街道", "城关街道"), ("白沙", "白沙镇"), ("柳堂镇", "柳塘镇"), ("云溪镇", "云溪镇"), ("云溪", "云溪乡"),
     ("东湖街", "东湖街道"), ("白杉镇", "白沙镇"), ("新港", "新港镇")],
    ids=["typo-street", "short", "homophone", "exact", "alias", "abbrev", "one-character-off", "short-alias"],
)
def test_suggest(renamed_db, raw: str, first: str) -> None:
    with connect(renamed_db, read_only=True) as con:
        got = regions.suggest(con, raw)
    assert got and got[0] == first
    assert len(got) <= 3 and len(set(got)) == len(got)


@pytest.mark.parametrize(("a", "b", "d"), [("白沙镇", "白杉镇", 1), ("白沙镇", "白沙镇", 0), ("城关", "城关街道", 2),
                                           ("", "镇", 1), ("青石镇", "桃源镇", 2)])
def test_edit_distance(a: str, b: str, d: int) -> None:
    assert regions.edit_distance(a, b) == d == regions.edit_distance(b, a)


def test_suggest_nothing_for_unrelated(tmp_db) -> None:
    with connect(tmp_db, read_only=True) as con:
        assert regions.suggest(con, "北京大学") == []


def test_a_town_of_another_county_is_shown_as_such(tmp_db) -> None:
    with connect(tmp_db, read_only=True) as con:
        (u,) = regions.find_unknown(con, {"东华门街道": 3}, {"东华门街道": "表1!A7"})
    assert (u.raw, u.rows, u.where) == ("东华门街道", 3, "表1!A7")
    assert u.elsewhere == ("北京市东城区东华门街道",)
    assert "不在本会辖区内" in u.message and "北京市东城区东华门街道" in u.message


def test_a_place_inside_the_federations_area_is_not_elsewhere() -> None:
    """远安县's own 鸣凤镇 is not 'of another county' for 远安县总工会 (area code 420525); 蓬溪县's is."""
    assert regions.elsewhere("鸣凤镇", "420525000000") == ["四川省遂宁市蓬溪县鸣凤镇"]
    assert sorted(regions.elsewhere("鸣凤镇", "339901000000")) == ["四川省遂宁市蓬溪县鸣凤镇",
                                                                 "湖北省宜昌市远安县鸣凤镇"]


def test_renamed_and_merged_regions_give_way_to_their_successor_by_year(renamed_db) -> None:
    with connect(renamed_db, read_only=True) as con:
        r = regions.RegionResolver(con)
        yunxi_xiang, yunxi_zhen = r.resolve("云溪乡"), r.resolve("云溪镇")
        liutang, taotang = r.resolve("柳塘镇"), r.resolve("桃塘镇")
    assert r.in_year(yunxi_xiang, 2022) == yunxi_xiang and r.in_year(yunxi_xiang, 2023) == yunxi_zhen
    assert r.in_year(liutang, 2021) == liutang and r.in_year(liutang, 2024) == taotang
    import pyarrow as pa
    ids = pa.array([yunxi_xiang, yunxi_xiang, None, liutang], pa.int32())
    got = r.successors_by_year(ids, pa.array([2019, 2024, 2024, None], pa.int32()))
    assert got.to_pylist() == [yunxi_xiang, yunxi_zhen, None, liutang]


def test_current_region_follows_successors(renamed_db) -> None:
    with connect(renamed_db, read_only=True) as con:
        old, new = regions.resolve(con, "柳塘镇"), regions.resolve(con, "桃塘镇")
        assert regions.current_region(con, old) == new
        assert regions.current_region(con, new) == new


def test_regions_added_by_a_choice_roll_back_with_the_transaction(tmp_db) -> None:
    with pytest.raises(RuntimeError), transaction(tmp_db) as con:
        r = regions.BatchResolver(con)
        r.resolve_all(["临时镇"])
        r.apply({"临时镇": regions.Choice(regions.ADD, "青禾区")}, batch_id=99)
        assert regions.resolve(con, "临时镇") is not None
        raise RuntimeError("abort")
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regions WHERE name = '临时镇'").fetchone()[0] == 0


@pytest.mark.parametrize(("action", "target"), [("map", None), ("add", ""), ("other", "白沙镇")],
                         ids=["map-without-target", "add-without-parent", "unknown-action"])
def test_a_choice_needs_its_target(action: str, target: str | None) -> None:
    with pytest.raises(ValueError):
        regions.Choice(action, target)
