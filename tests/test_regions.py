"""etl/regions.py: resolving names against the directory, successors by year, a person's choices."""

from __future__ import annotations

import pytest

from etl import regions
from etl.db import connect, transaction


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
        rid = regions.RegionResolver(con).resolve(raw)
        name = con.execute("SELECT name FROM regions WHERE id = ?", [rid]).fetchone()[0]
    assert name == expected


@pytest.mark.parametrize("raw", ["xx镇", "X街道", "**街道", "某镇", "", None, "本镇", "我区", "全街道", "白杉镇",
                                 "红旗机械厂工会"],
                         ids=["xx", "X", "stars", "mou", "empty", "none", "ben-zhen", "wo-qu", "quan-jiedao", "typo",
                              "unknown-enterprise"])
def test_resolve_never_creates_a_region(tmp_db, raw: str | None) -> None:
    with transaction(tmp_db) as con:
        before = con.execute("SELECT count(*) FROM regions").fetchone()[0]
        assert regions.RegionResolver(con).resolve(raw) is None
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


def test_regions_added_by_a_choice_roll_back_with_the_transaction(tmp_db) -> None:
    with pytest.raises(RuntimeError), transaction(tmp_db) as con:
        r = regions.BatchResolver(con)
        r.resolve_all(["临时镇"])
        r.apply({"临时镇": regions.Choice(regions.ADD, "青禾区")}, batch_id=99)
        assert regions.RegionResolver(con).resolve("临时镇") is not None
        raise RuntimeError("abort")
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regions WHERE name = '临时镇'").fetchone()[0] == 0


@pytest.mark.parametrize(("action", "target"), [("map", None), ("add", ""), ("other", "白沙镇")],
                         ids=["map-without-target", "add-without-parent", "unknown-action"])
def test_a_choice_needs_its_target(action: str, target: str | None) -> None:
    with pytest.raises(ValueError):
        regions.Choice(action, target)
