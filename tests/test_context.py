"""etl/context.py: the year, period and reporting body of a figure."""

from __future__ import annotations

import pytest

from etl.context import document_context, place_names, reporting_body, resolve_when
from etl.extract import extract_report_text

ANNUAL = "青山镇总工会2022年工作总结"
HALF = "青山镇总工会2022年上半年工作总结"
NEWS = "县总工会全力推进建会入会工作"
NEWS_BODY = "发布时间:2016-08-06 来源:县总工会\n今年以来,县总工会把建会入会作为重点。"

# id, title, body, words of the sentence before the figure, stock?, expected (year, period, as_of)
WHEN = [
    ("标题年份", ANNUAL, "", "全镇新建工会", False, (2022, "FY", None)),
    ("今年取标题年份", ANNUAL, "", "今年新发展会员", False, (2022, "FY", None)),
    ("半年报的今年", HALF, "", "今年新建工会", False, (2022, "H1", None)),
    ("新闻今年取发稿日", NEWS, NEWS_BODY, "今年以来,全县新建工会", False, (2016, None, None)),
    ("新闻去年是上一全年", NEWS, NEWS_BODY, "去年全县新建工会", False, (2015, "FY", None)),
    ("截至去年底的存量", NEWS, NEWS_BODY, "截至去年底,全县共有工会组织", True, (2015, "FY", "2015-12-31")),
    ("去年底的存量", ANNUAL, "", "去年底全镇共有工会组织", True, (2021, "FY", "2021-12-31")),
    ("明写日期优先", ANNUAL, "", "截止到2021年6月,全镇会员", True, (2021, "H1", "2021-06-30")),
    ("明写年底", ANNUAL, "", "截至2021年底,全镇会员", True, (2021, "FY", "2021-12-31")),
    ("截至6月底", ANNUAL, "", "截至6月底,全镇会员", True, (2022, "H1", "2022-06-30")),
    ("上半年", ANNUAL, "", "上半年,全镇新建工会", False, (2022, "H1", None)),
    ("今年上半年", ANNUAL, "", "今年上半年,全镇新建工会", False, (2022, "H1", None)),
    ("1-6月", ANNUAL, "", "1-6月,全镇新建工会", False, (2022, "H1", None)),
    ("1至6月", HALF, "", "1至6月,全镇新建工会", False, (2022, "H1", None)),
    ("全年", HALF, "", "全年新建工会", False, (2022, "FY", None)),
    ("一年来", ANNUAL, "", "一年来,全镇新建工会", False, (2022, "FY", None)),
    ("到年底的存量", ANNUAL, "", "到年底,全镇共有工会", True, (2022, "FY", "2022-12-31")),
    ("没有日期的存量", ANNUAL, "", "全镇共有工会", True, (2022, "FY", None)),
    ("1-5月无期", ANNUAL, "", "今年1-5月,全镇新建工会", False, (2022, None, None)),
    ("前9个月无期", ANNUAL, "", "前9个月,全镇新建工会", False, (2022, None, None)),
    ("半年报里的累计", HALF, "", "累计发展会员", False, (2022, "H1", None)),
    ("历年累计无期", HALF, "", "历年累计发展会员", False, (2022, None, None)),
    ("五年来无期", HALF, "", "五年来,全镇发展会员", False, (2022, None, None)),
    ("过去一年的明写年份", ANNUAL, "", "2018年,全镇新建工会", False, (2018, "FY", None)),
    ("较去年不改年份", ANNUAL, "", "较去年,全镇新建工会", False, (2022, "FY", None)),
    ("去年基础上不改年份", ANNUAL, "", "在去年45家的基础上,全镇新建工会", False, (2022, "FY", None)),
    ("20xx年", "xx镇总工会20xx年上半年工作总结", "2016-08-06\n今年以来", "今年新建工会", False, (None, "H1", None)),
    ("201*年", "青山镇总工会201*年工作总结", "2016-08-06\n今年以来", "今年新建工会", False, (None, None, None)),
    ("XX年", "青山镇工会XX年工作总结", "2016-08-06\n今年以来", "今年新建工会", False, (None, None, None)),
    ("遮挡年份的去年", "20xx年工会工作总结", "2016-08-06\n", "去年新建工会", False, (None, "FY", None)),
    ("导语中的年份", "工会工作总结", "2015年上半年,xx镇总工会在镇党委领导下", "新建工会", False, (2015, "H1", None)),
]


@pytest.mark.parametrize(("title", "body", "left", "stock", "expected"), [w[1:] for w in WHEN],
                         ids=[w[0] for w in WHEN])
def test_resolve_when(title: str, body: str, left: str, stock: bool, expected: tuple) -> None:
    doc = document_context(body, title)
    when = resolve_when(left, left, doc, stock)
    assert (when.year, when.period, when.as_of) == expected


def test_shi_yu_nian_lai_is_cumulative() -> None:
    doc = document_context("", HALF)
    assert resolve_when("十余年来,全镇累计发展会员", "", doc, False).period is None


def test_the_same_year_after_an_explicit_one_is_that_year() -> None:
    # 当年/同年 after 2019年底 / 1953年4月 in the paragraph: that year, not the report's
    doc = document_context("龙溪区总工会2021年工作报告", "")
    assert resolve_when("截至2019年底，全区工会组织共有860家，当年新建工会", "", doc, False).year == 2019
    assert resolve_when("1953年4月，县工会筹委会成立；同年底发展会员", "", doc, False).year == 1953
    assert resolve_when("当年新建工会", "", doc, False).year == 2021  # no year before it: the report's


def test_explicit_year_is_marked_explicit() -> None:
    doc = document_context("", ANNUAL)
    assert resolve_when("截至2021年底,全镇会员", "", doc, True).explicit_year
    assert not resolve_when("今年全镇会员", "", doc, True).explicit_year


@pytest.mark.parametrize(
    ("title", "body", "year", "masked", "dateline", "period"),
    [
        (ANNUAL, "", 2022, False, None, "FY"),
        (HALF, "", 2022, False, None, "H1"),
        (NEWS, NEWS_BODY, None, False, 2016, None),
        ("县总工会新闻", "2015年04月20日 来源:县总工会\n", 2015, False, 2015, None),
        ("xx镇总工会20xx年上半年工作总结", "", None, True, None, "H1"),
        ("工会工作总结", "XX年上半年,xx镇总工会在镇党委领导下", None, True, None, "H1"),
        ("工会工作总结", "上半年,我镇工会……上半年共新建工会", None, False, None, "H1"),
        ("2023街道工会年度工作总结", "", 2023, False, None, "FY"),
        ("3000家企业建立工会", "", None, False, None, None),
        ("会员突破十万", "来源:区总工会  07.03.2019 09:41\n", None, False, 2019, None),
    ],
    ids=["年度总结", "半年总结", "新闻发稿日", "中文发稿日", "模板标题", "导语遮挡年份", "正文两次上半年",
         "标题年份无年字", "标题数字非年份", "日在前的发稿日"],
)
def test_document_context(title: str, body: str, year: int | None, masked: bool, dateline: int | None,
                          period: str | None) -> None:
    ctx = document_context(body, title)
    assert (ctx.year, ctx.year_masked, ctx.dateline_year, ctx.period) == (year, masked, dateline, period)


BODIES = [
    ("占位镇名", "xx镇总工会20xx年上半年工作总结", "", "xx镇"),
    ("只写区工会", "区工会2014年工作总结", "", "区"),
    ("镇工会", "烟墩镇工会2015年工作总结", "", "烟墩镇"),
    ("街道总工会", "东湖街道总工会2019年工作总结", "在区总工会的领导下,东湖街道总工会紧紧围绕中心工作。", "东湖街道"),
    ("省名去掉", "湖北远安县总工会2016年上半年工作总结", "", "远安县"),
    ("上级不是报告者", "工作总结", "在区总工会的正确领导下,红星镇总工会紧紧围绕中心。红星镇总工会新建工会10家。",
     "红星镇"),
    ("上级与党委", "工作总结", "今年以来,在市总工会和镇党委的领导下,东山镇工会认真履职。东山镇工会新建工会10家。",
     "东山镇"),
    ("全国", "全国工会组织和工会工作发展状况统计公报", "", "全国"),
]


@pytest.mark.parametrize(("title", "body", "region"), [b[1:] for b in BODIES], ids=[b[0] for b in BODIES])
def test_reporting_body(title: str, body: str, region: str) -> None:
    assert reporting_body(title, body) == region


def test_superior_union_is_never_the_body() -> None:
    body = "在县总工会的领导下,我们扎实工作。在县总工会的指导下,全年新建工会12家。"
    assert reporting_body("工作总结", body) != "县"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("记者从远安县总工会获悉", [("远安县", True)]),
        ("根据市总工会部署", [("市", True)]),
        ("召开东区工会工作会议", [("东区", True)]),
        ("东湖街道和西山镇", [("东湖街道", False), ("西山镇", False)]),
    ],
    ids=["记者从", "根据市", "召开", "两个地名"],
)
def test_place_names(text: str, names: list[tuple[str, bool]]) -> None:
    assert [(n, u) for n, u, _ in place_names(text)] == names


# ------------------------------------------------------------------ through the extractor


def _facts(text: str) -> list[tuple]:
    _, facts = extract_report_text(text, "t.txt")
    return [(f.metric, f.value, f.year, f.period, f.as_of, f.region) for f in facts]


def test_explicit_date_carries_over_within_the_paragraph() -> None:
    text = f"{ANNUAL}\n截至2021年底,全镇共有基层工会组织312家,会员总数18650人。\n"
    assert _facts(text) == [
        ("union_orgs_total", 312, 2021, "FY", "2021-12-31", "青山镇"),
        ("members_total", 18650, 2021, "FY", "2021-12-31", "青山镇"),
    ]


def test_masked_document_keeps_year_null_even_with_a_dateline() -> None:
    text = "xx镇总工会20xx年上半年工作总结\n2016-08-06\n今年以来,全镇新建工会组织15家。\n"
    (fact,) = extract_report_text(text, "t.txt")[1]
    assert fact.year is None and "unknown_year" in fact.flags
    assert "placeholder_region" in fact.flags and fact.region == "xx镇"


def test_news_dateline_resolves_this_year_and_last_year() -> None:
    text = f"{NEWS}\n{NEWS_BODY}\n今年以来,全县新建工会组织15家。截至去年底,全县共有工会组织312家。\n"
    got = {m: (y, p, a) for m, _, y, p, a, _ in _facts(text)}
    assert got == {"union_orgs_new": (2016, None, None), "union_orgs_total": (2015, "FY", "2015-12-31")}


def test_a_news_item_that_writes_one_year_only_is_about_that_year() -> None:
    body = "为帮助困难职工子女圆梦，各地启动2025年金秋助学活动。\n9月2日，青川县总工会为12名学生发放助学金3.6万元。"
    assert document_context(body, "").year == 2025
    two = body + "\n该活动自2019年起已连续开展。"
    assert document_context(two, "").year is None
