"""etl/numbers.py: Chinese quantities → value, measure word, approximation, redaction."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.numbers import find_quantities, parse_cn_integer, parse_number

# (text, value, measure word, approx, redacted); one quantity expected in each text.
QUANTITIES = [
    # Arabic with separators and decimals
    ("1,234家", 1234, "家", None, False),
    ("1,234.5元", 1234.5, "元", None, False),
    ("12,345,678元", 12345678, "元", None, False),
    ("92.28%", 92.28, "%", None, False),
    ("165.19万元", 1651900, "元", None, False),
    # 万 / 亿
    ("21.13万元", 211300, "元", None, False),
    ("1.75亿人", 175_000_000, "人", None, False),
    ("28291.1万人", 282_911_000, "人", None, False),
    ("129.4亿元", 12_940_000_000, "元", None, False),
    ("1亿2000万元", 120_000_000, "元", None, False),
    # Chinese numerals
    ("三十二家", 32, "家", None, False),
    ("两万人", 20000, "人", None, False),
    ("十余家", 10, "家", "at_least", False),
    ("一千二百三十人", 1230, "人", None, False),
    ("一百零五名", 105, "名", None, False),
    ("一万二千人", 12000, "人", None, False),
    ("十万元", 100000, "元", None, False),
    # mixed Arabic and Chinese
    ("2万2千余人次", 22000, "人次", "at_least", False),
    ("3万5千元", 35000, "元", None, False),
    # approximation: infix, suffix, prefix, tail
    ("138余万元", 1_380_000, "元", "at_least", False),
    ("237万余元", 2_370_000, "元", "at_least", False),
    ("80多万元", 800_000, "元", "at_least", False),
    ("20多起", 20, "起", "at_least", False),
    ("三百多名", 300, "名", "at_least", False),
    ("近5万人", 50000, "人", "about", False),
    ("约300户", 300, "户", "about", False),
    ("1200人左右", 1200, "人", "about", False),
    ("超过1000人", 1000, "人", "at_least", False),
    ("逾300人", 300, "人", "at_least", False),
    ("95%以上", 95, "%", "at_least", False),
    ("不足10家", 10, "家", "at_most", False),
    ("不到500元", 500, "元", "at_most", False),
    # the 。-typo decimal of scanned reports
    ("11922。80元", 11922.8, "元", None, False),
    # redacted placeholders never become numbers
    ("X家", None, "家", None, True),
    ("XX人", None, "人", None, True),
    ("X余名", None, "名", "at_least", True),
    ("**户", None, "户", None, True),
]


@pytest.mark.parametrize(("text", "value", "word", "approx", "redacted"), QUANTITIES, ids=[q[0] for q in QUANTITIES])
def test_quantity(text: str, value: float | None, word: str, approx: str | None, redacted: bool) -> None:
    qs = find_quantities(text)
    assert len(qs) == 1, qs
    q = qs[0]
    assert q.value == (pytest.approx(value) if value is not None else None)
    assert q.unit is not None and q.unit.word == word
    assert q.approx == approx
    assert q.redacted is redacted
    assert (q.start, q.end) == (0, len(text))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1.968人", "a fractional head count is a garble"),
        ("1,234.5家", "a fractional count of organisations is a garble"),
        ("0.5户", "a fractional household count is a garble"),
        ("2015年", "a year is not a quantity"),
        ("十七大", "a congress number is not a quantity"),
        ("一是", "an enumeration word"),
        ("万家灯火", "万 inside an idiom"),
        ("第三季度", "an ordinal"),
        ("X光检查", "X光 is not a placeholder"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 8 else None,
)
def test_not_a_quantity(text: str, why: str) -> None:
    assert find_quantities(text) == [], why


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("全镇共有基层工会组织312家,会员18650人", [312, 18650]),
        ("走访困难职工1090户,发放慰问金21.13万元", [1090, 211300]),
        ("建会率、入会率都保持在95%以上", [95]),
        ("2015年新建工会三十二家", [32]),
    ],
    ids=["两个数", "户与万元", "共用的率", "年份之后"],
)
def test_quantities_in_a_sentence(text: str, values: list[float]) -> None:
    assert [q.value for q in find_quantities(text)] == values


def test_prefix_marker_is_in_the_span_but_not_the_digits() -> None:
    text = "会员近5万人。"
    (q,) = find_quantities(text)
    assert text[q.start:q.end] == "近5万人"
    assert text[q.num_start] == "5"


def test_search_window() -> None:
    text = "新建工会15家,会员300人"
    qs = find_quantities(text, start=text.index(","))
    assert [q.value for q in qs] == [300]


@pytest.mark.parametrize(
    ("body", "value"),
    [("1,234.5", 1234.5), ("三十二", 32), ("2万2千", 22000), ("28291.1万", 282_911_000), ("11922。80", 11922.8),
     ("十", 10), ("两千零五十", 2050), ("一亿零五万", 100_050_000), ("十万零三", 100_003)],
    ids=lambda v: str(v),
)
def test_parse_number(body: str, value: float) -> None:
    assert parse_number(body) == pytest.approx(value)


def test_parse_cn_integer_rejects_other_characters() -> None:
    with pytest.raises(ValueError):
        parse_cn_integer("三十二家")


# ------------------------------------------------------------------ properties

_DIGITS = "零一二三四五六七八九"


def _section(n: int) -> str:
    """Chinese numerals for 0 < n < 10000, with 零 for each run of missing places."""
    out, gap = "", False
    for place, word in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // place % 10
        if d == 0:
            gap = bool(out)
            continue
        out += ("零" if gap else "") + _DIGITS[d] + word
        gap = False
    return out


def to_chinese(n: int) -> str:
    """Our own int → Chinese numerals for 0 <= n < 10**8 (12 → 十二, 100003 → 十万零三)."""
    if n == 0:
        return "零"
    high, low = divmod(n, 10000)
    s = _section(high) + "万" if high else ""
    if low:
        s += ("零" if high and low < 1000 else "") + _section(low)
    return s[1:] if s.startswith("一十") else s


@pytest.mark.parametrize(("n", "cn"), [(12, "十二"), (105, "一百零五"), (2050, "二千零五十"), (100003, "十万零三"),
                                       (12345678, "一千二百三十四万五千六百七十八")], ids=str)
def test_own_chinese_renderer(n: int, cn: str) -> None:
    assert to_chinese(n) == cn


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_arabic_integer_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1000, max_value=10**15))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    (q,) = find_quantities(f"{n:,}元")
    assert q.value == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8 - 1))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_cn_integer(to_chinese(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**7))
def test_chinese_quantity_in_text(n: int) -> None:
    (q,) = find_quantities(f"新建工会{to_chinese(n)}家")
    assert q.value == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["元", "人", ""]))
def test_wan_multiplies_by_ten_thousand(cents: int, word: str) -> None:
    number = f"{cents // 100}.{cents % 100:02d}"
    (q,) = find_quantities(f"共{number}万{word}")
    assert q.value == pytest.approx(float(number) * 10000, rel=1e-12)
    assert q.value == pytest.approx(cents * 100, rel=1e-12)


_FILLERS = ["新建工会", "会员", "慰问困难职工", "发放慰问金", "参与调处劳动争议", "建会率达", "其中", "全镇"]
_UNITS = ["家", "个", "人", "名", "人次", "户", "元", "万元", "%", "起", "份"]
_PRE = ["", "近", "约", "超过", "不足"]
_INFIX = ["", "余", "多"]
_TAIL = ["", "以上", "左右"]


@st.composite
def _report_text(draw: st.DrawFn) -> tuple[str, list[int]]:
    """Clauses of filler + number + unit; returns the text and the integers written."""
    clauses, numbers = [], []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        n = draw(st.integers(min_value=1, max_value=99999))
        unit = draw(st.sampled_from(_UNITS))
        pre, infix, tail = (draw(st.sampled_from(xs)) for xs in (_PRE, _INFIX, _TAIL))
        clauses.append(f"{draw(st.sampled_from(_FILLERS))}{pre}{n}{infix}{unit}{tail}")
        numbers.append(n * (10000 if unit == "万元" else 1))
    return draw(st.sampled_from([",", "、", "。", "\n"])).join(clauses), numbers


@settings(max_examples=200, deadline=None)
@given(_report_text())
def test_spans_slice_back_to_raw_and_values_are_found(case: tuple[str, list[int]]) -> None:
    text, numbers = case
    qs = find_quantities(text)
    for q in qs:
        assert text[q.start:q.end] == q.raw
        assert q.start <= q.num_start < q.end
    assert [q.value for q in qs] == numbers


@pytest.mark.parametrize(("text", "raw", "value", "approx"), [
    ("已组建工会 14 个", "14 个", 14, None),
    ("发放壹仟元助学金", "壹仟元", 1000, None),
    ("帮助百余名贫困学子", "百余名", 100, "at_least"),
    ("千余人参加", "千余人", 1000, "at_least"),
    ("全区已有 2 418家企业建会", "2 418家", 2418, None),
    ("会员达 1 204 560人", "1 204 560人", 1204560, None),
    ("筹集 12 500余元", "12 500余元", 12500, "at_least"),
], ids=["space before the measure word", "formal numerals", "百余", "千余", "space-grouped thousands",
        "two space groups", "space group before 余"])
def test_more_ways_of_writing_a_number(text: str, raw: str, value: float, approx: str | None) -> None:
    (q,) = find_quantities(text)
    assert (q.raw, q.value, q.approx) == (raw, value, approx)


def test_space_separated_table_columns_stay_apart() -> None:
    """A space groups thousands only right before a measure word: a row of figures is not one number."""
    assert [q.value for q in find_quantities("建会率(%) 95 100 98;会员 12 34万人")] == [340000]


def test_百人以上_is_no_quantity() -> None:
    assert find_quantities("百人以上企业建会率") == []


@pytest.mark.parametrize("text", ["帮扶困难职工不漏一人", "对每一名会员负责", "让每一位职工都能入会"])
def test_a_lone_一_that_means_every_is_no_figure(text: str) -> None:
    assert find_quantities(text) == []


def test_one_of_something_is_still_a_figure() -> None:
    assert [q.value for q in find_quantities("今年新建一家工会，慰问一名劳模")] == [1.0, 1.0]


@pytest.mark.parametrize("text", ["用三个月的时间完成工会组建", "在15个工作日内办结", "每天工作8个小时"])
def test_spans_of_time_with_ge_count_no_organisations(text: str) -> None:
    """个 before 月/小时/工作日 measures time: no organisation count (三个月的工会组建 is no 3 unions)."""
    assert [q.cls for q in find_quantities(text, 0, len(text))] == ["other"]
