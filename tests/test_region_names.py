"""etl/region_names.py: canonical names, levels from suffixes, placeholders and relative words (no database)."""

from __future__ import annotations

import pytest

from etl import region_names, vocab


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
    assert region_names.canonical_name(raw) == expected


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
    assert region_names.infer_level(name) == level


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
    assert region_names.is_relative(raw) and not vocab.is_placeholder(raw)


def test_canonical_names_fills_what_canonical_name_gives() -> None:
    """A load works out its names many at once; each then reads as it would alone."""
    raws = ["城關街道總工會", " 白沙镇 总工会 ", "ＸＸ镇", "青禾区总工会", "髮廊社区工会"]
    alone = []
    for raw in raws:
        region_names._CANONICAL.clear()
        alone.append(region_names.canonical_name(raw))
    region_names._CANONICAL.clear()
    region_names.canonical_names(raws)
    assert set(region_names._CANONICAL) == set(raws)
    assert alone == ["城关街道", "白沙镇", "XX镇", "青禾区", "发廊社区"]
    assert [region_names.canonical_name(r) for r in raws] == alone
