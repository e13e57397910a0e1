"""etl/extract.py: report sentences → metric facts; distractors; document structure; CLI; scores.

Sentences are written for these tests (plain, realistic report Chinese), one
short document each under an annual-summary title so year and region resolve.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from etl.extract import extract_report_file, extract_report_text
from etl.read import read_report

ROOT = Path(__file__).resolve().parent.parent
TITLE = "青山镇总工会2023年工作总结"


def facts_of(body: str, title: str = TITLE) -> list:
    """Facts of a one-document report with the given body."""
    return extract_report_text(f"{title}\n{body}\n", "t.txt")[1]


def pairs(body: str, title: str = TITLE) -> list[tuple[str, float | None]]:
    return [(f.metric, f.value) for f in facts_of(body, title)]


# ------------------------------------------------------------------ each metric

# id, sentence, metric, value
METRICS = [
    ("共有基层工会", "全镇共有基层工会组织312家。", "union_orgs_total", 312),
    ("现有基层工会个", "截至年底,全镇现有基层工会186个。", "union_orgs_total", 186),
    ("已建会企业", "我镇已建会企业达到1776家。", "union_orgs_total", 1776),
    ("新建工会组织", "今年新建工会组织15家。", "union_orgs_new", 15),
    ("新成立中文数字", "新成立基层工会二十六个。", "union_orgs_new", 26),
    ("新增工会组织", "全年新增工会组织23家。", "union_orgs_new", 23),
    ("建会率达", "全镇企业建会率达95.2%。", "union_coverage_rate", 95.2),
    ("组建覆盖率", "全镇工会组建覆盖率为88.6%。", "union_coverage_rate", 88.6),
    ("会员总数", "全镇会员总数达18650人。", "members_total", 18650),
    ("会员人数万人", "会员人数达到3.2万人。", "members_total", 32000),
    ("现有会员名", "现有会员12000名。", "members_total", 12000),
    ("新发展会员", "今年新发展会员1130名。", "members_new", 1130),
    ("吸纳会员", "全年吸纳会员860人。", "members_new", 860),
    ("发展会员余名", "今年共发展会员860余名。", "members_new", 860),
    ("职工总数", "全镇职工总数21000人。", "workers_total", 21000),
    ("职工已达万人", "我镇职工已达2.1万人。", "workers_total", 21000),
    ("共有职工", "全镇共有职工4.5万人。", "workers_total", 45000),
    ("职工入会率", "职工入会率达93%。", "membership_rate", 93),
    ("入会率为", "入会率为91.5%。", "membership_rate", 91.5),
    ("签订集体合同的企业", "签订集体合同的企业达到420家。", "cc_enterprises", 420),
    ("企业签订了集体合同", "全镇共有128家企业签订了集体合同。", "cc_enterprises", 128),
    ("只写份数", "全镇签订集体合同150份。", "cc_enterprises", 150),
    ("集体合同覆盖职工", "集体合同覆盖职工18000人。", "cc_workers_covered", 18000),
    ("通过集体合同覆盖万人", "全镇通过集体合同覆盖职工2.1万人。", "cc_workers_covered", 21000),
    ("工资集体协商企业", "开展工资集体协商的企业有210家。", "wage_cc_enterprises", 210),
    ("工资专项合同企业", "签订工资专项集体合同企业150家。", "wage_cc_enterprises", 150),
    ("工资协商制度", "全镇建立工资集体协商制度的企业有85家。", "wage_cc_enterprises", 85),
    ("集体合同建制率", "全镇集体合同建制率达90%。", "cc_coverage_rate", 90),
    ("集体合同签订率", "集体合同签订率为88.5%。", "cc_coverage_rate", 88.5),
    ("职代会制度", "建立职代会制度的企业128家。", "congress_orgs", 128),
    ("厂务公开", "实行厂务公开制度的单位达到130家。", "congress_orgs", 130),
    ("职工代表大会", "全镇建立职工代表大会制度的单位126家。", "congress_orgs", 126),
    ("走访慰问人", "走访慰问困难职工326人。", "aid_recipients", 326),
    ("慰问农民工", "慰问农民工280人。", "aid_recipients", 280),
    ("对N位走访", "对416位特困职工进行了走访慰问。", "aid_recipients", 416),
    ("走访慰问户", "走访慰问了456户困难职工。", "aid_households", 456),
    ("为N户送去", "为120户特困职工家庭送去慰问金。", "aid_households", 120),
    ("慰问金和慰问品", "送出慰问金和慰问品21.13万元。", "aid_amount", 211300),
    ("救助金", "发放救助金35.6万元。", "aid_amount", 356000),
    ("慰问金元", "春节期间发放慰问金5500元。", "aid_amount", 5500),
    ("参加互助保障计划", "全镇共有7526名职工参加了职工互助保障计划。", "mutual_aid_participants", 7526),
    ("互助保障参保", "职工互助保障活动参保职工达3200人。", "mutual_aid_participants", 3200),
    ("理赔金额", "今年互助保障理赔金额达165.19万元。", "mutual_aid_payout", 1_651_900),
    ("理赔资金", "互助保障理赔资金共计32.6万元。", "mutual_aid_payout", 326_000),
    ("帮助学子", "金秋助学活动中帮助146名困难学子解决就学困难。", "student_aid_recipients", 146),
    ("资助子女", "资助困难职工子女58名。", "student_aid_recipients", 58),
    ("助学金", "金秋助学活动共发放助学金12.5万元。", "student_aid_amount", 125_000),
    ("筹集资金", "金秋助学多方筹集资金62万元。", "student_aid_amount", 620_000),
    ("调处劳动争议", "参与调处劳动争议48起。", "disputes_handled", 48),
    ("调解劳资纠纷", "成功调解劳资纠纷25起。", "disputes_handled", 25),
    ("受理争议案件", "全年受理劳动争议案件32件。", "disputes_handled", 32),
    ("代理仲裁", "代理仲裁案件12起。", "disputes_handled", 12),
]


@pytest.mark.parametrize(("sentence", "metric", "value"), [m[1:] for m in METRICS], ids=[m[0] for m in METRICS])
def test_metric(sentence: str, metric: str, value: float) -> None:
    assert pairs(sentence) == [(metric, value)]


def test_every_catalog_metric_has_two_phrasings() -> None:
    with open(ROOT / "etl" / "lexicon" / "metrics.csv", encoding="utf-8") as f:
        codes = [r["code"] for r in csv.DictReader(f)]
    for code in codes:
        assert sum(1 for m in METRICS if m[2] == code) >= 2, code


@pytest.mark.parametrize(
    ("sentence", "metric", "value"),
    [("全镇职工互助保障计划参保人数为6800人。", "mutual_aid_participants", 6800),
     ("全年职工互助保障计划理赔金额共计28.5万元。", "mutual_aid_payout", 285_000)],
    ids=["保障计划参保", "保障计划理赔"],
)
def test_mutual_aid_scheme_name_is_not_a_plan(sentence: str, metric: str, value: float) -> None:
    assert pairs(sentence) == [(metric, value)]


# ------------------------------------------------------------------ distractors
# Each sentence pairs a real figure (kept) with a distractor (never a fact), so
# a test fails both when the guard lets the distractor through and when it
# swallows the whole sentence.

DISTRACTORS = [
    # growth
    ("同比增长", "全镇会员总数达18650人,同比增长7.9%。", [("members_total", 18650)]),
    ("比上年增加", "全镇会员总数达18650人,比上年增加418人。", [("members_total", 18650)]),
    ("会员总数同比", "全镇会员总数达18650人,会员总数同比增长7.9%。", [("members_total", 18650)]),
    # shares of a target
    ("完成任务的", "今年新建工会组织32家,完成任务的53.3%。", [("union_orgs_new", 32)]),
    ("为年度任务的", "今年新发展会员1580人,为年度任务的158%。", [("members_new", 1580)]),
    ("完成年度目标的", "全镇建会率92%,完成年度目标的96.8%。", [("union_coverage_rate", 92)]),
    # plans and targets
    ("力争", "上半年新建工会组织12家,力争下半年新建10家。", [("union_orgs_new", 12)]),
    ("计划", "今年新发展会员860人,计划明年新发展会员500人。", [("members_new", 860)]),
    ("目标", "建会率达到92%,目标是建会率达到95%。", [("union_coverage_rate", 92)]),
    ("将有", "现有会员1.2万人,预计年底将有3万余人次参加职工互助保障。", [("members_total", 12000)]),
    ("还需", "全镇新建工会组织12家,今年还需新建10家。", [("union_orgs_new", 12)]),
    # disaster relief donations
    ("灾区捐款", "慰问困难职工326人,向灾区捐款12.6万元。", [("aid_recipients", 326)]),
    ("干部职工捐款", "发放慰问金8.5万元,组织干部职工为灾区捐款5.3万元。", [("aid_amount", 85000)]),
    # training and competitions
    ("培训人次", "新发展会员600人,培训工会干部120人次。", [("members_new", 600)]),
    ("劳动竞赛场", "新建工会组织15家,开展劳动竞赛8场。", [("union_orgs_new", 15)]),
    # per-unit standards
    ("每户标准", "走访慰问困难职工1090户,每户400元。", [("aid_households", 1090)]),
    ("每人每年", "职工互助保障活动参保职工达3200人,每人每年95元。", [("mutual_aid_participants", 3200)]),
    # registries and outcomes
    ("建档", "走访慰问困难职工85户,为困难职工建档66户。", [("aid_households", 85)]),
    ("解困脱困", "走访慰问困难职工300户,帮助168户困难职工解困脱困。", [("aid_households", 300)]),
    # insurance premiums and claim counts
    ("保费", "职工互助保障活动参保职工达3200人,缴纳保费15.6万元。", [("mutual_aid_participants", 3200)]),
    ("理赔人次", "互助保障理赔金额达16.5万元,理赔326人次。", [("mutual_aid_payout", 165000)]),
    # subset rates and wage-bargaining rates
    ("农民工入会率", "全镇入会率达92%,农民工入会率达90%。", [("membership_rate", 92)]),
    ("工资集体协商建制率", "集体合同建制率达90%,工资集体协商建制率达到85%。", [("cc_coverage_rate", 90)]),
]


@pytest.mark.parametrize(("sentence", "kept"), [d[1:] for d in DISTRACTORS], ids=[d[0] for d in DISTRACTORS])
def test_distractor_is_not_a_fact(sentence: str, kept: list[tuple[str, float]]) -> None:
    assert pairs(sentence) == kept


DISTRACTOR_ALONE = [
    ("同比增长", "会员总数同比增长7.9%。"),
    ("任务的百分比", "新建工会组织完成任务的53.3%。"),
    ("力争", "力争下半年新建工会10家。"),
    ("计划", "计划新发展会员500人。"),
    ("目标", "目标是全镇建会率达到95%。"),
    ("将有", "预计年底将有3万余人次参加职工互助保障。"),
    ("捐款", "向灾区捐款12.6万元。"),
    ("培训", "培训工会干部120人次。"),
    ("竞赛", "开展劳动竞赛8场。"),
    ("每户", "每户发放慰问金400元。"),
    ("每人每年", "每人每年缴纳95元。"),
    ("建档", "为困难职工建档66户。"),
    ("脱困", "帮助168户困难职工解困脱困。"),
    ("保费", "缴纳保费15.6万元。"),
    ("理赔人次", "理赔326人次。"),
    ("农民工入会率", "全镇农民工入会率达90%。"),
    ("工资协商建制率", "工资集体协商建制率达到85%。"),
    ("年份与届次", "2015年召开第十七次会员代表大会。"),
]


@pytest.mark.parametrize("sentence", [d[1] for d in DISTRACTOR_ALONE], ids=[d[0] for d in DISTRACTOR_ALONE])
def test_distractor_alone_gives_nothing(sentence: str) -> None:
    assert pairs(sentence) == []


# ------------------------------------------------------------------ document structure


def test_parts_of_a_stated_total_give_only_the_total() -> None:
    assert pairs("全镇共发放慰问金18.6万元,其中现金12万元、物资6.6万元。") == [("aid_amount", 186000)]
    assert pairs("全镇共有基层工会组织312家,其中非公企业工会256家。") == [("union_orgs_total", 312)]
    assert pairs("走访慰问困难职工326人,其中劳模12人、农民工80人。") == [("aid_recipients", 326)]


def test_total_written_after_its_parts_gives_only_the_total() -> None:
    assert pairs("全年共发放慰问金12万元,慰问品折合6.6万元,合计18.6万元。") == [("aid_amount", 186000)]


def test_parts_without_a_total_are_each_a_fact() -> None:
    assert pairs("送去慰问金12万元、慰问品6.6万元。") == [("aid_amount", 120000), ("aid_amount", 66000)]


def test_headline_repeated_in_the_body_is_one_fact() -> None:
    body = ("今年以来,全镇新建工会组织15家,新发展会员1200人,建会率达95%。\n一、加强组建,扩大覆盖\n"
            "我们深入非公企业宣传《工会法》,逐户走访摸底,指导企业依法建会。全年新建工会组织15家,其中非公企业12家。")
    assert sorted(pairs(body)) == [("members_new", 1200), ("union_coverage_rate", 95), ("union_orgs_new", 15)]


def test_rounded_headline_gives_way_to_the_precise_body_figure() -> None:
    body = ("今年以来,全镇新建工会组织超15家。\n一、工会组建\n我们深入非公企业宣传《工会法》,逐户走访摸底,"
            "指导企业依法建会,积极推进小微企业联合建会。全年新建工会组织16家。")
    assert pairs(body) == [("union_orgs_new", 16)]


def test_headline_repeated_right_under_the_next_heading_is_one_fact() -> None:
    body = "今年以来,全镇新建工会组织15家,新发展会员1200人。\n一、工会组建\n今年新建工会组织15家。"
    assert sorted(pairs(body)) == [("members_new", 1200), ("union_orgs_new", 15)]


def test_enterprise_coverage_makes_the_contract_count_not_a_fact() -> None:
    assert pairs("全镇签订集体合同150份,覆盖企业210家、职工15000人。") == [
        ("cc_enterprises", 210), ("cc_workers_covered", 15000)]
    assert pairs("集体合同共签订56份,覆盖企业120家。") == [("cc_enterprises", 120)]


def test_wage_only_worker_coverage_counts_only_when_alone() -> None:
    wage = "工资集体协商稳步推进,签订工资专项集体合同80份,覆盖职工6000人。"
    assert pairs(wage) == [("wage_cc_enterprises", 80), ("cc_workers_covered", 6000)]
    both = "全镇集体合同覆盖职工15000人。\n" + wage
    assert pairs(both) == [("cc_workers_covered", 15000), ("wage_cc_enterprises", 80)]


@pytest.mark.parametrize(
    ("sentence", "kept"),
    [("全镇新发展会员1200人、1500人次。", [("members_new", 1200)]),
     ("全镇会员人数达到1.5万人、2.1万人次。", [("members_total", 15000)]),
     ("全镇新发展会员1200人(1500人次)。", [("members_new", 1200)])],
    ids=["人与人次", "万人与万人次", "括号里的人次"],
)
def test_persons_win_over_person_times(sentence: str, kept: list) -> None:
    assert pairs(sentence) == kept


def test_one_phrase_two_rates() -> None:
    facts = facts_of("建会率、入会率都保持在95%以上。")
    assert sorted((f.metric, f.value, f.approx) for f in facts) == [
        ("membership_rate", 95, "at_least"), ("union_coverage_rate", 95, "at_least")]
    for f in facts:
        assert f.evidence.endswith("入会率都保持在95%以上")


def test_two_rates_respectively() -> None:
    assert sorted(pairs("全镇建会率和入会率分别达到92%和90%。")) == [
        ("membership_rate", 90), ("union_coverage_rate", 92)]


def test_approx_field() -> None:
    (f,) = facts_of("会员近5万人。")
    assert (f.metric, f.value, f.approx) == ("members_total", 50000, "about")
    (g,) = facts_of("解决了20多起劳务工资纠纷。")
    assert (g.metric, g.value, g.approx) == ("disputes_handled", 20, "at_least")


@pytest.mark.parametrize(
    ("body", "expected"),
    [("全镇共有基层工会312家,其中东湖街道共有基层工会12家。",
      [("union_orgs_total", 312, "青山镇"), ("union_orgs_total", 12, "东湖街道")]),
     ("全区新建工会组织52家。其中东湖街道新建工会12家。",
      [("union_orgs_new", 52, "青山镇"), ("union_orgs_new", 12, "东湖街道")])],
    ids=["同句分单位", "下一句分单位"],
)
def test_sub_unit_gets_its_own_region(body: str, expected: list) -> None:
    assert [(f.metric, f.value, f.region) for f in facts_of(body)] == expected


def test_template_placeholders_and_redacted_values() -> None:
    facts = facts_of("今年以来,全镇新建工会组织X家,新发展会员XX人。全镇会员总数达18650人。",
                     title="xx镇总工会20xx年上半年工作总结")
    got = {f.metric: f for f in facts}
    assert set(got) == {"union_orgs_new", "members_new", "members_total"}
    for metric in ("union_orgs_new", "members_new"):
        f = got[metric]
        assert f.value is None and "redacted" in f.flags
    for f in facts:
        assert f.region == "xx镇" and f.year is None
        assert {"template", "placeholder_region", "unknown_year"} <= set(f.flags)
    assert "redacted" not in got["members_total"].flags and got["members_total"].value == 18650


def test_plan_section_drops_flows_but_keeps_present_stocks() -> None:
    body = ("今年以来,全镇新建工会组织15家,新发展会员1200人。全镇会员总数达18650人。\n"
            "二、下半年工作打算\n1.力争新建工会10家,新发展会员500人。\n2.新建工会组织8家。\n"
            "3.我县职工已达6万人,要进一步扩大覆盖面。")
    assert pairs(body) == [("union_orgs_new", 15), ("members_new", 1200), ("members_total", 18650),
                           ("workers_total", 60000)]


def test_plan_heading_followed_by_text_on_the_same_line() -> None:
    body = "全年新建工会组织15家。\n四、下半年工作打算。力争全年新建工会15家,新增会员2000人。"
    assert pairs(body) == [("union_orgs_new", 15)]


def test_plan_word_governs_the_whole_sentence() -> None:
    assert pairs("全年新建工会组织12家。明年力争新建工会15家,新增会员2000人。") == [("union_orgs_new", 12)]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("上半年新建独立基层工会7家、联合工会2家。", [("union_orgs_new", 7), ("union_orgs_new", 2)]),
    ("全年新增会员800人和工会会员200人。", [("members_new", 800), ("members_new", 200)]),
    ("全镇共有工会组织300家,新建工会12家。", [("union_orgs_total", 300), ("union_orgs_new", 12)]),
], ids=["新建…、联合工会", "新增会员…和会员", "逗号隔开不继承"])
def test_list_item_keeps_the_verb_of_the_first_item(sentence: str, expected: list) -> None:
    assert pairs(sentence) == expected


def test_report_heading_after_a_plan_section_counts_again() -> None:
    body = ("一、上半年工作情况\n上半年新建工会组织10家。\n二、下半年工作打算\n新建工会组织8家。\n"
            "三、工作总结\n全年新建工会18家。")
    assert [(f.metric, f.value, f.period) for f in facts_of(body)] == [
        ("union_orgs_new", 10, "H1"), ("union_orgs_new", 18, "FY")]


# A year-column table as scraped yearbook pages give it: every cell ends with '|'.
SCRAPED_TABLE = """指标 |
1995 |
2000 |
2001 |
| 基层工会组织数(个) | 36215 |
37160 |
96074 |
| 会员人数(万人) | 645.48 |
626.67 |
700.41 |
| #女会员人数 | 275.81 |
262.26 |
|
"""


def test_year_column_table_gives_one_fact_per_cell() -> None:
    facts = facts_of(SCRAPED_TABLE, title="江苏统计年鉴 工会基本情况")
    got = sorted((f.metric, f.year, f.value, f.period) for f in facts)
    assert got == [
        ("members_total", 1995, 6_454_800, None), ("members_total", 2000, 6_266_700, None),
        ("members_total", 2001, 7_004_100, None),
        ("union_orgs_total", 1995, 36215, None), ("union_orgs_total", 2000, 37160, None),
        ("union_orgs_total", 2001, 96074, None),
    ]
    text = f"江苏统计年鉴 工会基本情况\n{SCRAPED_TABLE}\n"
    for f in facts:
        assert text[f.start:f.end] == f.evidence


def test_year_column_table_in_docx_row_format() -> None:
    body = "指标 | 1995 | 2000 | 2001\n会员人数(万人) | 1.2 | 1.5 | 1.8\n基层工会组织数(个) | 120 | 150 | 180"
    got = sorted((f.metric, f.year, f.value) for f in facts_of(body, title="青山镇工会发展情况"))
    assert got == [("members_total", 1995, 12000), ("members_total", 2000, 15000), ("members_total", 2001, 18000),
                   ("union_orgs_total", 1995, 120), ("union_orgs_total", 2000, 150), ("union_orgs_total", 2001, 180)]


def _docx(path: Path, paragraphs: list[str], rows: list[list[str]]) -> Path:
    from docx import Document

    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if rows:
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    doc.save(path)
    return path


YEAR_ROWS = [["指标", "2021", "2022", "2023"], ["会员人数(人)", "12000", "15000", "18000"],
             ["基层工会组织数(个)", "120", "150", "180"]]


def test_docx_prose_evidence_is_the_decoded_slice(tmp_path: Path) -> None:
    path = _docx(tmp_path / "r.docx", [TITLE, "今年新建工会组织15家,新发展会员1130名。"], [])
    ef = extract_report_file(path)
    assert [(f.metric, f.value, f.year) for f in ef.facts] == [
        ("union_orgs_new", 15, 2023), ("members_new", 1130, 2023)]
    for f in ef.facts:
        assert ef.text[f.start:f.end] == f.evidence


def test_docx_year_table_gives_every_column(tmp_path: Path) -> None:
    ef = extract_report_file(_docx(tmp_path / "t.docx", ["青山镇总工会工会发展情况"], YEAR_ROWS))
    got = sorted((f.metric, f.year, f.value) for f in ef.facts)
    assert got == sorted((m, y, v) for m, row in (("members_total", YEAR_ROWS[1]), ("union_orgs_total", YEAR_ROWS[2]))
                         for y, v in zip((2021, 2022, 2023), map(int, row[1:]), strict=True))


def test_year_and_period_and_region_on_facts() -> None:
    (f,) = facts_of("上半年,全镇新建工会组织12家。")
    assert (f.year, f.period, f.region, f.flags) == (2023, "H1", "青山镇", ())


GLUED = (
    "东湖街道总工会2019年工作总结\n一年来,在区总工会的正确领导下,东湖街道总工会紧紧围绕街道党工委中心工作,"
    "团结带领广大职工建功立业。全年新建工会组织15家,新发展会员1130名,走访慰问困难职工326人。\n"
    "西山镇总工會2020年上半年工作總結\n上半年,在区总工会和镇党委的领导下,西山镇总工会认真贯彻落实上级工会的"
    "各项部署,扎实推进各项工作。上半年新建工会组织8家,新发展会员420名。\n"
)


def test_glued_file_gives_each_document_its_own_context() -> None:
    docs, facts = extract_report_text(GLUED, "glued.txt")
    assert [(d.segment, d.region, d.year, d.period) for d in docs] == [
        (0, "东湖街道", 2019, "FY"), (1, "西山镇", 2020, "H1")]
    assert docs[0].end == docs[1].start and docs[1].end == len(GLUED)
    assert GLUED[docs[1].start:].startswith("西山镇总工會")
    assert [(f.segment, f.metric, f.value, f.year, f.period, f.region) for f in facts] == [
        (0, "union_orgs_new", 15, 2019, "FY", "东湖街道"),
        (0, "members_new", 1130, 2019, "FY", "东湖街道"),
        (0, "aid_recipients", 326, 2019, "FY", "东湖街道"),
        (1, "union_orgs_new", 8, 2020, "H1", "西山镇"),
        (1, "members_new", 420, 2020, "H1", "西山镇"),
    ]
    for f in facts:
        assert f.doc_id == docs[f.segment].doc_id
        assert docs[f.segment].start <= f.start < f.end <= docs[f.segment].end
        assert GLUED[f.start:f.end] == f.evidence


# ------------------------------------------------------------------ CLI

CONTRACT_FIELDS = {"doc", "doc_id", "segment", "metric", "value", "unit", "approx", "year", "period", "as_of",
                   "region", "evidence", "start", "end", "confidence", "flags"}


def _cli(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "etl.extract", "--format", "jsonl", *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_cli_jsonl_has_every_contract_field(tmp_path: Path) -> None:
    utf8 = tmp_path / "青山镇.txt"
    utf8.write_text(f"{TITLE}\n全镇共有基層工會組織312家,會員總數達18650人。\n", encoding="utf-8")
    gbk = tmp_path / "东湖.txt"
    gbk.write_bytes("东湖街道总工会2023年上半年工作总结\r\n上半年新建工会组织15家。\r\n".encode("gb18030"))
    run = _cli(utf8, gbk)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["doc"], r["metric"], r["value"]) for r in rows] == [
        ("青山镇.txt", "union_orgs_total", 312), ("青山镇.txt", "members_total", 18650),
        ("东湖.txt", "union_orgs_new", 15)]
    for r in rows:
        assert set(r) >= CONTRACT_FIELDS, CONTRACT_FIELDS - set(r)
        original = read_report(tmp_path / r["doc"]).text
        assert original[r["start"]:r["end"]] == r["evidence"]
        assert isinstance(r["flags"], list) and 0 < r["confidence"] <= 1
    assert rows[0]["evidence"].endswith("基層工會組織312家")  # quotes the Traditional original
    assert (rows[2]["year"], rows[2]["period"], rows[2]["region"]) == (2023, "H1", "东湖街道")


def test_cli_bad_file_gives_chinese_error_and_others_still_run(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text(f"{TITLE}\n全镇共有基层工会组织312家。\n", encoding="utf-8")
    old_word = tmp_path / "b.doc"
    old_word.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    later = tmp_path / "c.txt"
    later.write_text(f"{TITLE}\n今年新建工会组织15家。\n", encoding="utf-8")
    run = _cli(good, old_word, later)
    assert run.returncode != 0
    assert "b.doc" in run.stderr and any("\u4e00" <= ch <= "\u9fff" for ch in run.stderr)
    assert "Traceback" not in run.stderr
    assert [json.loads(line)["doc"] for line in run.stdout.splitlines()] == ["a.txt", "c.txt"]


# ------------------------------------------------------------------ scores against the gold sets


def _score(shared: Path, *args: str) -> dict:
    cmd = f"{sys.executable} -m etl.extract --format jsonl"
    run = subprocess.run([sys.executable, str(shared / "eval" / "score.py"), "--json", "--cmd", cmd, *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_score_on_seeds(shared_dir: Path) -> None:
    s = _score(shared_dir)
    assert s["precision"] >= 0.95 and s["recall"] >= 0.90, s
    ok, total = s["year_ok"]
    assert total and ok / total >= 0.95, s


@pytest.mark.slow
def test_score_on_dev_set(shared_dir: Path) -> None:
    dev = shared_dir / "eval" / "dev"
    s = _score(shared_dir, "--gold", str(dev / "gold.jsonl"), "--docs", str(dev / "docs"))
    assert s["precision"] >= 0.90 and s["recall"] >= 0.80, s


@pytest.mark.slow
def test_score_on_shipped_samples(shared_dir: Path) -> None:
    samples = ROOT / "data" / "samples"
    s = _score(shared_dir, "--gold", str(samples / "expected.jsonl"), "--docs", str(samples / "reports"))
    assert s["f1"] >= 0.95, s


def test_label_colon_figure_lists() -> None:
    body = "基层工会组织数：1,268个；工会会员总数：8.9万人；职工入会率：92.6%；新建工会组织：86家。"
    assert pairs(body) == [("union_orgs_total", 1268), ("members_total", 89000), ("membership_rate", 92.6),
                           ("union_orgs_new", 86)]


def test_a_round_up_gives_each_paragraph_to_its_union_and_the_writer_is_none_of_them() -> None:
    text = ("临江区各镇街工会开展2025年金秋助学活动\n\n"
            "为帮助困难职工子女入学，临江区各镇街工会近日陆续开展金秋助学活动。\n\n"
            "8月26日，北岭镇总工会举行助学金发放仪式，为9名考上大学的困难职工子女发放助学金2.7万元。\n\n"
            "8月27日，南湖街道总工会开展金秋助学活动，为14名受助学生发放助学金4.2万元。")
    docs, facts = extract_report_text(text, "roundup.txt")
    assert docs[0].region not in {"北岭镇", "南湖街道"}
    by_value = {f.value: (f.region, f.year) for f in facts}
    assert by_value[27000] == ("北岭镇", 2025) and by_value[42000] == ("南湖街道", 2025)
