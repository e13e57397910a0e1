"""Chinese number formatting: 万/亿, thousands separators, 同比 arrows, percent points."""

import math

import pytest

from dashboard import fmt


@pytest.mark.parametrize(
    ("value", "unit", "approx", "expected"),
    [
        (1234, "家", None, "1,234家"),
        (79801, "人", None, "79,801人"),
        (261317, "人", None, "26.13万人"),
        (211300, "元", None, "21.13万元"),
        (5500, "元", None, "5,500元"),
        (36000, "元", None, "3.6万元"),
        (123456789, "元", None, "1.23亿元"),
        (92.28, "%", None, "92.3%"),
        (95, "%", None, "95%"),
        (50000, "人", "about", "约50,000人"),
        (500000, "人", "at_least", "逾50万人"),
        (300, "户", "at_most", "不足300户"),
        (None, "人", None, "—"),
        (math.nan, "人", None, "—"),
    ],
    ids=["家", "人-under-10万", "人-万", "元-万", "元-small", "元-trim-zero", "亿", "pct", "pct-int", "约", "逾",
         "不足", "none", "nan"],
)
def test_number(value, unit, approx, expected):
    assert fmt.number(value, unit, approx) == expected


@pytest.mark.parametrize(
    ("cur", "prev", "unit", "expected"),
    [
        (110, 100, "人", "同比 ▲10%"),
        (90, 100, "家", "同比 ▼10%"),
        (100, 100, "家", "同比 持平"),
        (93.5, 92.0, "%", "同比 ▲1.5个百分点"),
        (91.0, 92.0, "%", "同比 ▼1个百分点"),
        (100, None, "人", "同比 —"),
        (100, 0, "人", "同比 —"),
    ],
    ids=["up", "down", "flat", "rate-up-points", "rate-down-points", "no-previous", "previous-zero"],
)
def test_arrow(cur, prev, unit, expected):
    assert fmt.arrow(cur, prev, unit) == expected


def test_change_sign_drives_streamlit_delta_colour():
    assert fmt.change(110, 100, "人") == "+10%"
    assert fmt.change(90, 100, "人") == "-10%"
    assert fmt.change(None, 100, "人") is None


def test_completion_rate():
    assert fmt.completion(96.5, 100) == "完成率 96.5%"
    assert fmt.completion(None, 100) == "完成率 —"


@pytest.mark.parametrize(("max_abs", "unit", "expected"),
                         [(99999, "人", (1.0, "")), (100000, "人", (1e4, "万")), (10000, "元", (1e4, "万")),
                          (3e8, "元", (1e8, "亿")), (99.0, "%", (1.0, ""))],
                         ids=["人-below", "人-万", "元-万", "亿", "pct-never-scaled"])
def test_scale_for_axes(max_abs, unit, expected):
    assert fmt.scale_for(max_abs, unit) == expected
