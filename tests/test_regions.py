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
    ],
    ids=["name", "union-suffix", "short-alias", "traditional", "county-prefix", "township-union", "county-alias"],
)
def test_resolve_seeded(tmp_db, raw: str, expected: str) -> None:
    with transaction(tmp_db) as con:
        regions.seed_regions(con)
        rid = regions.resolve(con, raw)
        name = con.execute("SELECT name FROM regions WHERE id = ?", [rid]).fetchone()[0]
    assert name == expected


@pytest.mark.parametrize("raw", ["xx镇", "X街道", "**街道", "某镇", "", None, "本镇", "我区", "全街道"],
                         ids=["xx", "X", "stars", "mou", "empty", "none", "ben-zhen", "wo-qu", "quan-jiedao"])
def test_resolve_refuses_placeholders_and_relatives(tmp_db, raw: str | None) -> None:
    with transaction(tmp_db) as con:
        regions.seed_regions(con)
        before = con.execute("SELECT count(*) FROM regions").fetchone()[0]
        assert regions.resolve(con, raw) is None
        assert con.execute("SELECT count(*) FROM regions").fetchone()[0] == before


def test_seed_is_idempotent_and_builds_hierarchy(tmp_db) -> None:
    with transaction(tmp_db) as con:
        assert regions.seed_regions(con) == 9
        assert regions.seed_regions(con) == 0
        rows = con.execute(
            "SELECT r.name, r.level, r.code, p.name FROM regions r LEFT JOIN regions p ON p.id = r.parent_id "
            "ORDER BY r.id").fetchall()
    assert rows[0] == ("青禾区", "区县", "339901000000", None)
    towns = {name for name, level, _, parent in rows if level == "乡镇街道" and parent == "青禾区"}
    assert towns == {"城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"}
    assert all(len(code) == 12 and code.isdigit() for _, _, code, _ in rows)


def test_unknown_region_is_created_with_inferred_level_and_alias(tmp_db) -> None:
    with transaction(tmp_db) as con:
        regions.seed_regions(con)
        rid = regions.resolve(con, "红旗机械厂工会")
        assert regions.resolve(con, "红旗机械厂") == rid
        assert regions.resolve(con, "红旗机械厂工会") == rid
        row = con.execute("SELECT name, level FROM regions WHERE id = ?", [rid]).fetchone()
        alias = con.execute("SELECT region_id FROM region_aliases WHERE alias = '红旗机械厂工会'").fetchone()
    assert row == ("红旗机械厂", "企业")
    assert alias == (rid,)


def test_resolve_without_create_returns_none(tmp_db) -> None:
    with transaction(tmp_db) as con:
        assert regions.resolve(con, "不存在镇", create=False) is None
        assert con.execute("SELECT count(*) FROM regions WHERE name = '不存在镇'").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("raw", "first"),
    [("城管街道", "城关街道"), ("白沙", "白沙镇"), ("柳堂镇", "柳塘镇"), ("云溪镇", "云溪乡"), ("东湖街", "东湖街道")],
    ids=["typo-street", "short", "homophone", "wrong-suffix", "abbrev"],
)
def test_suggest(tmp_db, raw: str, first: str) -> None:
    with transaction(tmp_db) as con:
        regions.seed_regions(con)
        got = regions.suggest(con, raw)
    assert got and got[0] == first
    assert len(got) <= 3 and len(set(got)) == len(got)


def test_suggest_nothing_for_unrelated(tmp_db) -> None:
    with transaction(tmp_db) as con:
        regions.seed_regions(con)
        assert regions.suggest(con, "北京大学") == []


def test_current_region_follows_successors(tmp_db) -> None:
    with transaction(tmp_db) as con:
        regions.seed_regions(con)
        old = regions.resolve(con, "桃源镇")
        new = regions.resolve(con, "青石镇")
        con.execute("UPDATE regions SET successor_id = ? WHERE id = ?", [new, old])
        assert regions.current_region(con, old) == new
        assert regions.current_region(con, new) == new


def test_created_regions_roll_back_with_the_transaction(tmp_db) -> None:
    with pytest.raises(RuntimeError), transaction(tmp_db) as con:
        regions.resolve(con, "临时镇")
        raise RuntimeError("abort")
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regions WHERE name = '临时镇'").fetchone()[0] == 0
