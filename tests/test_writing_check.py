"""writing.check against the sample database: fresh draft sentences → verdict, a draft with five figures altered,
and the .docx that carries a comment on each wrong figure.

The stored figures these sentences are checked against (青禾区 unless said): 2024 FY 工会组织 3,887家
(2023: 3,688家), 建会率 97.3%, 新建工会 318家 (2023: 近330家), 会员 261,317人, 入会率 97.0% (2023: 95.2%),
新发展会员 28,283人, 集体合同企业 3,711家, 覆盖职工 23.2万余人, 帮扶 6,330人次, 慰问金 386.2万元;
白沙镇 2024 建会率 97.3%, 2023 95.23%, 新建工会 2024 30家 (2023: 31家); 2024 建会率目标 95% (etl/lexicon/targets.csv).
No 2018 figures.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from dashboard import queries
from etl.read import ReadError, read_report
from writing.check import check_draft, read_draft
from writing.stored import Store, federation, is_complete
from writing.word import commented_draft

DISTRICT = "青禾区总工会2024年工作报告\n"
TOWN = "白沙镇总工会2024年工作总结\n"

# (id, draft, the figure as written, verdict, suggestion or None)
TABLE = [
    ("exact", DISTRICT + "截至2024年底，全区共有基层工会组织3,887家。", "3,887家", "match", None),
    ("wan-two-decimals", DISTRICT + "全区会员总数达到26.13万人。", "26.13万人", "match", None),
    ("wan-one-decimal", DISTRICT + "全区共有工会会员26.1万人。", "26.1万人", "match", None),
    ("wan-rounded-wrong", DISTRICT + "全区共有工会会员26.2万人。", "26.2万人", "differs", "26.1万人"),
    ("money-whole-wan", DISTRICT + "全年发放慰问金386万元。", "386万元", "match", None),
    ("approx-yue", DISTRICT + "集体合同覆盖职工约23.2万人。", "约23.2万人", "match", None),
    ("approx-jin", DISTRICT + "全年新发展会员近2.9万人。", "近2.9万人", "match", None),
    ("approx-jin-wrong", DISTRICT + "全年新发展会员近2.5万人。", "近2.5万人", "differs", "近2.9万人"),
    ("approx-yu", DISTRICT + "全年帮扶困难职工6,300余人次。", "6,300余人次", "match", None),
    ("approx-duo", DISTRICT + "全区共有基层工会组织3800多家。", "3800多家", "match", None),
    ("approx-duo-wrong", DISTRICT + "全区共有基层工会组织3700多家。", "3700多家", "differs", "3800多家"),
    ("wrong", DISTRICT + "全区签订集体合同企业3,900家。", "3,900家", "differs", "3,711家"),
    ("missing", "青禾区总工会2018年工作报告\n2018年，全区新建基层工会290家。", "290家", "missing", None),
    ("growth-right", DISTRICT + "截至2024年底，全区共有基层工会组织3,887家，较上年增长5.4%。", "5.4%", "match", None),
    ("growth-wrong", DISTRICT + "截至2024年底，全区共有基层工会组织3,887家，较上年增长6.1%。", "6.1%", "differs",
     "增长5.4%"),
    ("growth-wrong-direction", TOWN + "2024年，全镇新建基层工会30家，同比增长3.2%。", "3.2%", "differs", "下降3.2%"),
    ("decrease-right", TOWN + "2024年，全镇新建基层工会30家，同比下降3.2%。", "3.2%", "match", None),
    ("change-count", DISTRICT + "全区共有基层工会组织3,887家，比上年增加199家。", "199家", "match", None),
    ("points-right", DISTRICT + "职工入会率达97%，较上年提高1.8个百分点。", "1.8个百分点", "match", None),
    ("points-wrong", DISTRICT + "职工入会率达97%，较上年提高2.8个百分点。", "2.8个百分点", "differs",
     "提高1.8个百分点"),
    ("change-from-an-approximation", DISTRICT + "2024年，全区新建基层工会318家，同比下降3.6%。", "3.6%",
     "not_checked", None),
    ("share-of-target", DISTRICT + "建会率达97.3%，完成年度目标的102.4%。", "102.4%", "match", None),
    ("share-of-target-wrong", DISTRICT + "建会率达97.3%，完成年度目标的105%。", "105%", "differs", "102%"),
    ("share-without-target", DISTRICT + "全年新建基层工会318家，完成年度任务的140%。", "140%", "not_checked", None),
    ("town-in-district", DISTRICT + "其中白沙镇建会率达到97.3%。", "97.3%", "match", None),
    ("town-in-district-wrong", DISTRICT + "其中白沙镇建会率达到95.2%。", "95.2%", "differs", "97.3%"),
    ("change-across-bases", "青禾区总工会2025年上半年工作总结\n截至2025年6月底，全区共有基层工会组织3,769家，"
     "较上年同期减少10家。", "10家", "not_checked", None),
    ("no-metric", DISTRICT + "开展劳动竞赛6场。", "6场", "not_checked", None),
]


@pytest.fixture(scope="module")
def store(sample_db: Path) -> Store:
    return Store(sample_db)


@pytest.mark.parametrize(("draft", "text", "verdict", "suggestion"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_a_draft_sentence_gets_its_verdict(store: Store, sample_db: Path, draft: str, text: str, verdict: str,
                                          suggestion: str | None) -> None:
    region = "白沙镇" if draft.startswith(TOWN) else None  # a town's own draft is checked as the town's
    check = check_draft(draft, path=sample_db, store=store, region=region)
    found = [f for f in check.figures if f.text == text]
    assert len(found) == 1, [(f.text, f.verdict) for f in check.figures]
    fig = found[0]
    assert fig.verdict == verdict, fig.note
    assert fig.suggestion == suggestion
    assert fig.note  # every verdict says why, in Chinese
    assert draft[fig.start:fig.end] == text


def test_a_town_figure_in_a_district_draft_is_checked_against_the_town(store: Store, sample_db: Path) -> None:
    check = check_draft(DISTRICT + "其中白沙镇建会率达到95.2%。", path=sample_db, store=store)
    fig = check.figures[0]
    assert (fig.region, fig.metric, fig.year, fig.period) == ("白沙镇", "union_coverage_rate", 2024, "FY")
    assert fig.sources and fig.sources[0].region == "白沙镇"


def test_a_wrong_figure_names_its_source(store: Store, sample_db: Path) -> None:
    fig = check_draft(DISTRICT + "全区签订集体合同企业3,900家。", path=sample_db, store=store).figures[0]
    assert fig.stored_value == 3711 and "3,711家" in fig.note
    assert fig.sources[0].file == "青禾区总工会2024年上半年及全年工作总结.txt"
    assert "3711" in fig.sources[0].evidence


def test_scope_defaults_to_the_federation_and_the_drafts_year(sample_db: Path) -> None:
    assert federation(sample_db) == "青禾区"
    check = check_draft(DISTRICT + "全区共有基层工会组织3,887家。", path=sample_db)
    assert (check.region, check.year, check.period) == ("青禾区", 2024, "FY")
    # no year in the text: the year given, then the latest full year in the database
    assert check_draft("全区共有基层工会组织3,688家。", path=sample_db, year=2023).figures[0].verdict == "match"
    assert check_draft("全区共有基层工会组织3,887家。", path=sample_db).year == 2024


def test_completeness_is_own_report_or_every_child(store: Store) -> None:
    district = store.region_id("青禾区")
    assert is_complete(store, district, "union_orgs_total", 2024, "FY")  # its own report
    assert not is_complete(store, district, "workers_total", 2019, "FY")  # 3 of 8 towns, no own report
    assert not is_complete(store, district, "union_orgs_total", 2018, "FY")  # nothing at all


# ---- a draft made from the sample database, five figures altered ---------------------------------------------------

DRAFT = """青禾区总工会2024年工作报告（征求意见稿）

一年来，全区各级工会组织在区委和上级工会的坚强领导下，围绕中心、服务大局，各项工作取得新进展。
截至2024年底，全区共有基层工会组织{union_orgs_total}，较上年增加{orgs_diff}，增长{orgs_growth}；建会率达\
{union_coverage_rate}，完成年度目标的{coverage_share}。全年新建基层工会{union_orgs_new}。
全区共有工会会员{members_total}，职工入会率达{membership_rate}，较上年提高{membership_points}。\
全年新发展会员{members_new}。
坚持以工资集体协商为重点，全区签订集体合同企业{cc_enterprises}，集体合同建制率达{cc_coverage_rate}；\
开展工资集体协商的企业{wage_cc_enterprises}。
全年走访慰问困难职工家庭{aid_households}，帮扶困难职工{aid_recipients}，发放慰问金{aid_amount}；\
金秋助学资助困难学生{student_aid_recipients}，发放助学金{student_aid_amount}；为患病住院职工理赔{mutual_aid_payout}。
各镇（街道）中，白沙镇表现突出，其中白沙镇建会率达到{baisha_rate}。
"""
ALTERED = {"union_orgs_total": "3,987家", "orgs_growth": "6.4%", "members_new": "2.63万人",
           "aid_amount": "368.2万元", "baisha_rate": "96.3%"}


def _stored(db: Path, region: str, metric: str, year: int) -> float:
    regions = queries.regions(db)
    rid = int(regions.loc[regions["name"] == region, "id"].iloc[0])
    df = queries.trend([metric], [rid], year, year, ["FY"], path=db).dropna(subset=["value"])
    return float(df["value"].iloc[0])


def _sample_figures(db: Path) -> dict[str, str]:
    """The draft's figures from the sample database, written as a person would (万, separators)."""
    v = {m: _stored(db, "青禾区", m, 2024) for m in (
        "union_orgs_total", "union_coverage_rate", "union_orgs_new", "members_total", "membership_rate",
        "members_new", "cc_enterprises", "cc_coverage_rate", "wage_cc_enterprises", "aid_households",
        "aid_recipients", "aid_amount", "student_aid_recipients", "student_aid_amount", "mutual_aid_payout")}
    orgs_2023 = _stored(db, "青禾区", "union_orgs_total", 2023)
    rate_2023 = _stored(db, "青禾区", "membership_rate", 2023)
    return {
        "union_orgs_total": f"{v['union_orgs_total']:,.0f}家",
        "orgs_diff": f"{v['union_orgs_total'] - orgs_2023:.0f}家",
        "orgs_growth": f"{(v['union_orgs_total'] / orgs_2023 - 1) * 100:.1f}%",
        "union_coverage_rate": f"{v['union_coverage_rate']:.1f}%",
        "coverage_share": f"{v['union_coverage_rate'] / 95 * 100:.1f}%",
        "union_orgs_new": f"{v['union_orgs_new']:.0f}家", "members_total": f"{v['members_total'] / 1e4:.2f}万人",
        "membership_rate": f"{v['membership_rate']:.1f}%",
        "membership_points": f"{v['membership_rate'] - rate_2023:.1f}个百分点",
        "members_new": f"{v['members_new'] / 1e4:.2f}万人", "cc_enterprises": f"{v['cc_enterprises']:,.0f}家",
        "cc_coverage_rate": f"{v['cc_coverage_rate']:.1f}%",
        "wage_cc_enterprises": f"{v['wage_cc_enterprises']:,.0f}家",
        "aid_households": f"{v['aid_households']:,.0f}户", "aid_recipients": f"{v['aid_recipients']:,.0f}人次",
        "aid_amount": f"{v['aid_amount'] / 1e4:.1f}万元",
        "student_aid_recipients": f"{v['student_aid_recipients']:.0f}名",
        "student_aid_amount": f"{v['student_aid_amount'] / 1e4:.1f}万元",
        "mutual_aid_payout": f"{v['mutual_aid_payout'] / 1e4:.2f}万元",
        "baisha_rate": f"{_stored(db, '白沙镇', 'union_coverage_rate', 2024):.1f}%",
    }


@pytest.fixture(scope="module")
def altered(sample_db: Path) -> tuple[str, dict[str, str]]:
    figures = _sample_figures(sample_db)
    assert all(figures[k] != ALTERED[k] for k in ALTERED)  # each alteration really changes the figure
    return DRAFT.format(**{**figures, **ALTERED}), figures


def test_the_five_altered_figures_and_only_they_are_wrong(altered, sample_db: Path) -> None:
    text, figures = altered
    check = check_draft(text, path=sample_db)
    assert sorted(f.text for f in check.wrong) == sorted(ALTERED.values())
    by_text = {f.text: f for f in check.figures}
    for key, written in figures.items():  # every unaltered figure was read and found right
        if key not in ALTERED:
            assert by_text[written].verdict == "match", (key, by_text[written].note)
    assert check.count("missing") == 0
    wrong = {f.text: f for f in check.wrong}
    assert wrong["3,987家"].suggestion == figures["union_orgs_total"]
    assert wrong["6.4%"].suggestion == "增长" + figures["orgs_growth"]
    assert wrong["96.3%"].region == "白沙镇"


def test_the_same_draft_unaltered_is_all_right(altered, sample_db: Path) -> None:
    _, figures = altered
    check = check_draft(DRAFT.format(**figures), path=sample_db)
    assert not check.wrong and not check.count("missing")
    assert check.count("match") == len(figures)


def _commented(docx: bytes) -> dict[str, str]:
    """Comment text by the document text it is anchored to (between commentRangeStart and commentRangeEnd)."""
    doc = Document(io.BytesIO(docx))
    texts = {c.comment_id: c.text for c in doc.comments}
    anchored: dict[int, str] = {}
    open_ids: set[int] = set()
    for el in doc.element.body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_ids.add(int(el.get(qn("w:id"))))
        elif el.tag == qn("w:commentRangeEnd"):
            open_ids.discard(int(el.get(qn("w:id"))))
        elif el.tag == qn("w:t"):
            for i in open_ids:
                anchored[i] = anchored.get(i, "") + (el.text or "")
    return {anchored[i]: texts[i] for i in anchored}


def test_the_pasted_draft_downloads_with_five_comments(altered, sample_db: Path) -> None:
    text, figures = altered
    docx = commented_draft(check_draft(text, path=sample_db))
    doc = Document(io.BytesIO(docx))
    assert len(doc.comments) == 5
    notes = _commented(docx)
    assert set(notes) == set(ALTERED.values())
    assert figures["union_orgs_total"] in notes["3,987家"] and "来源：" in notes["3,987家"]
    assert "\n".join(p.text for p in doc.paragraphs) == text  # the draft itself is unchanged


def test_an_uploaded_docx_gets_its_comments_in_place(altered, sample_db: Path, tmp_path: Path) -> None:
    text, _ = altered
    src = Document()
    for line in text.split("\n"):
        p = src.add_paragraph()
        for i, piece in enumerate(re.split(r"(\d)", line, maxsplit=3)):  # figures split across runs
            run = p.add_run(piece)
            run.bold = i == 0
    buf = io.BytesIO()
    src.save(buf)
    rt = read_draft(buf.getvalue(), "征求意见稿.docx", tmp_path / "archive")
    assert list((tmp_path / "archive").rglob("*.docx"))  # archived before it was read
    docx = commented_draft(check_draft(rt.text, path=sample_db), rt.data)
    out = Document(io.BytesIO(docx))
    assert len(out.comments) == 5 and set(_commented(docx)) == set(ALTERED.values())
    assert "\n".join(p.text for p in out.paragraphs) == text  # the person's text is untouched
    assert out.paragraphs[2].runs[0].bold  # and so is its formatting


def test_a_file_that_is_no_draft_is_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="统计表"):
        read_draft(b"a,b\n1,2\n", "表.csv", tmp_path)
    with pytest.raises(ReadError, match="docx"):
        read_draft(b"%PDF-1.4 ...", "稿件.pdf", tmp_path)
    assert len(list(tmp_path.rglob("*.*"))) == 2  # kept all the same


def test_a_draft_read_from_disk_matches_the_pasted_one(altered, sample_db: Path, tmp_path: Path) -> None:
    text, _ = altered
    path = tmp_path / "稿件.txt"
    path.write_text(text, encoding="gb18030")
    rt = read_report(path)
    assert [f.verdict for f in check_draft(rt.text, path=sample_db).figures] == \
        [f.verdict for f in check_draft(text, path=sample_db).figures]
