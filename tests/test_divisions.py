"""The shipped national divisions table (2023 statistics codes) and name recognition in it."""

from __future__ import annotations

import pytest

from etl.divisions import by_code, children, divisions, places_in, short_name, stem


def test_the_table_holds_every_level_of_the_2023_edition() -> None:
    levels = {lv: sum(1 for d in divisions() if d.level == lv) for lv in ("province", "city", "county", "township")}
    assert levels["province"] == 31
    assert 330 <= levels["city"] <= 345
    assert 2_800 <= levels["county"] <= 3_000
    assert 38_000 <= levels["township"] <= 42_000


@pytest.mark.parametrize(("code", "name", "level"), [
    ("110101001", "东华门街道", "township"),
    ("420525", "远安县", "county"),
    ("6301", "西宁市", "city"),
    ("15", "内蒙古自治区", "province"),
])
def test_known_codes(code: str, name: str, level: str) -> None:
    d = by_code()[code]
    assert (d.name, d.level) == (name, level)
    assert d.stat_code == code.ljust(12, "0")


def test_a_county_gets_its_townships_in_one_step() -> None:
    yuanan = by_code()["420525"]
    towns = children(yuanan.code)
    assert len(towns) >= 5 and all(t.level == "township" and t.code.startswith("420525") for t in towns)


@pytest.mark.parametrize(("full", "expected_stem", "expected_short"), [
    ("大通回族土族自治县", "大通", "大通县"),
    ("临夏回族自治州", "临夏", "临夏州"),
    ("黄家埠镇", "黄家埠", "黄家埠镇"),
])
def test_stem_and_short_name(full: str, expected_stem: str, expected_short: str) -> None:
    d = next(x for x in divisions() if x.name == full)
    assert stem(full) == expected_stem
    assert short_name(d) == expected_short


@pytest.mark.parametrize(("text", "chain"), [
    ("宁波余姚黄家埠镇", ["宁波市", "余姚市", "黄家埠镇"]),
    ("济宁市任城区", ["济宁市", "任城区"]),
    ("西宁市大通回族土族自治县", ["西宁市", "大通回族土族自治县"]),
    ("来自秀山的代表", ["秀山土家族苗族自治县"]),
])
def test_places_inside_a_union_name(text: str, chain: list[str]) -> None:
    assert [places[0].division.name for _, _, places in places_in(text)] == chain
