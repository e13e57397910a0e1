"""Extraction with bounded work: overlong runs blanked, numbers capped, big files in a child (etl/bounded.py)."""

from __future__ import annotations

import time

import hostile
import pytest
from tally_books import GOOD

from etl import limits as lim
from etl.bounded import analyze_tally, bound_text, extract, extract_report
from etl.tally import analyze

REPORT = "青禾区总工会2023年工作总结\n全区新建工会组织12家，发展会员340人。\n"


@pytest.fixture
def tight(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("UNION_MAX_NUMBERS", "20")
    monkeypatch.setenv("UNION_MAX_SENTENCE", "200")
    lim.reset()
    yield
    lim.reset()


def test_an_ordinary_report_is_untouched() -> None:
    text, problems = bound_text(REPORT, "r.txt")
    assert text == REPORT and problems == []


def test_an_overlong_run_is_blanked_in_place_and_reported(tight) -> None:
    long = "没有句号的文字，" * 40 + "新建工会组织3家，" * 5
    text = REPORT + long + "\n最后一句新建工会组织7家。\n"
    bounded, problems = bound_text(text, "r.txt")
    assert len(bounded) == len(text)  # offsets into the original still hold
    start = text.index(long)
    assert bounded[start:start + len(long)].strip() == "" and bounded[:start] == text[:start]
    assert [p.code for p in problems] == ["sentence_too_long"]
    assert "第 3 行" in problems[0].message and f"{len(long)} 字" in problems[0].message
    assert "约 5 个数字" in problems[0].message


def test_after_the_cap_the_rest_is_not_read_and_the_warning_says_what(tight) -> None:
    lines = [f"第{i}项：新建工会组织{i}家。" for i in range(1, 31)]
    text = "青禾区总工会2023年工作总结\n" + "\n".join(lines) + "\n"
    bounded, problems = bound_text(text, "r.txt")
    assert text.startswith(bounded) and len(bounded) < len(text)
    (p,) = problems
    assert p.code == "too_many_numbers" and p.severity == "warning"
    assert "超过每份报告 20 个的上限" in p.message and "拆分" in p.message
    cut_line = text[len(bounded):].split("\n", 1)[0]
    assert cut_line[:8] in p.message  # the message quotes where reading stopped


def test_evidence_is_still_a_slice_of_the_original(tight) -> None:
    text = REPORT + "扯" * 300 + "\n白沙镇新建工会组织5家。\n"
    ef = extract_report("r.txt", text.encode())
    assert ef.text == text and ef.facts
    for f in ef.facts:
        assert text[f.start:f.end] == f.evidence
    assert any(p.code == "sentence_too_long" for p in ef.problems)


@pytest.mark.slow
def test_the_issue_texts_finish_quickly() -> None:
    """5.8 MB of small numbers did not finish in 5 minutes, 1 MB on one line not in 60 s."""
    for data, code in ((hostile.many_numbers_txt(), "too_many_numbers"), (hostile.one_line_txt(), "sentence_too_long")):
        started = time.perf_counter()
        ef = extract_report("x.txt", data)
        assert time.perf_counter() - started < 15
        assert code in {p.code for p in ef.problems}


def test_a_big_tally_in_the_child_gives_what_the_server_would(monkeypatch: pytest.MonkeyPatch) -> None:
    name, data = GOOD["title_two_row_header"]()
    here = analyze(data, name)
    monkeypatch.setenv("UNION_CHILD_ABOVE_MB", "0")  # every file counts as big
    lim.reset()
    try:
        there = analyze_tally(data, name)
        ef = extract(name, data)
    finally:
        lim.reset()
    seen = [(f.metric, f.value, f.source) for f in there.facts]
    assert seen == [(f.metric, f.value, f.source) for f in here.facts], [p.message for p in there.problems]
    assert [p.message for p in there.problems] == [p.message for p in here.problems]
    assert there.extracted.data == data and [t.grid.name for t in there.tables] == ["统计表"]
    assert ef.data == data and len(ef.facts) == len(here.facts)


def test_over_a_limit_is_a_problem_never_an_exception() -> None:
    ef = extract("炸弹.xlsx", hostile.declared_bomb_xlsx())
    assert ef.kind == "tally" and [p.code for p in ef.problems] == ["zip_bomb"]
    a = analyze_tally(hostile.declared_bomb_xlsx(), "炸弹.xlsx")
    assert not a.facts and a.problems[0].code == "zip_bomb"
