"""Whose figure is this: sub-units named at the figure, round-up paragraphs and names that are no names."""

from __future__ import annotations

import pytest

from etl.subunits import paragraph_openers, plausible_unit, subunit


@pytest.mark.parametrize(("head", "clause", "body", "sub"), [
    ("其中，兴田街道", "兴田街道", "兴宁市", "兴田街道"),
    ("全市新建工会", "全市新建工会", "兴宁市", None),
    ("其中兴宁市", "其中兴宁市", "兴宁市", None),
    ("白沙镇新建工会", "其中，白沙镇新建工会", "青禾区", "白沙镇"),
    ("为", "为", "青禾区", None),
    ("建会率最高,为", "城关街道建会率最高,为", "青禾区", "城关街道"),
    ("市总工会下拨", "市总工会下拨", "远安县", None),
    ("县新建工会", "远安县新建工会", "宜昌市", "远安县"),
])
def test_a_named_sub_unit_takes_its_own_figure(head: str, clause: str, body: str, sub: str | None) -> None:
    assert subunit(head, clause, body) == sub


@pytest.mark.parametrize(("name", "ok"), [("白沙镇", True), ("城关街道", True), ("为全区", False),
                                          ("全市已建立乡", False), ("区率先试点社区", False), ("出席镇", False)])
def test_a_sub_unit_must_be_a_name(name: str, ok: bool) -> None:
    assert plausible_unit(name) is ok


def test_a_round_up_gives_each_paragraph_its_union() -> None:
    text = ("各地工会近日陆续开展金秋助学活动。\n"
            "9月2日，青川县总工会举行助学金发放仪式，为12名困难职工子女发放助学金3.6万元。\n"
            "9月3日，白河区总工会为8名学生发放助学金2万元。\n各地还组织了座谈。")
    openers = paragraph_openers(text, 0, len(text))
    assert [n for _, _, n in openers] == ["青川县", "白河区"]
    assert text[openers[1][0]:openers[1][1]].startswith("9月3日")


def test_one_union_opening_paragraphs_is_no_round_up() -> None:
    text = "9月2日，青川县总工会举行助学金发放仪式。\n9月3日，青川县总工会又走访困难职工40户。"
    assert paragraph_openers(text, 0, len(text)) == ()
