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


def test_a_paragraph_carrying_on_about_the_union_just_opened_is_still_its() -> None:
    """After 三分厂工会… a paragraph that names 三分厂 again (and no other union of the round-up) is 三分厂's;
    a closing paragraph naming several, or none, stays the writer's."""
    text = ("8月5日，三分厂工会召开助学会议，确定资助对象6名。\n"
            "三分厂多年来坚持帮扶，厂工会累计资助困难职工子女30余名。\n"
            "8月9日，七分厂工会向12名学子发放助学金。\n"
            "三分厂和七分厂都表示，将把助学活动长期坚持下去。\n"
            "集团各单位今年共资助学生200名。")
    openers = paragraph_openers(text, 0, len(text))
    owner = {text[a:b][:6]: n for a, b, n in openers}
    assert owner["三分厂多年来"] == "三分厂"
    assert "三分厂和七分厂" not in owner and "集团各单位今" not in owner
    assert [n for _, _, n in openers] == ["三分厂", "三分厂", "七分厂"]


def test_since_before_a_union_opens_no_paragraph_of_another_union() -> None:
    """自区总工会上次全会以来…: 自 is "since", so 自区 is no second union and the text is no round-up."""
    text = ("11月2日,青禾区总工会召开全委会。\n"
            "自区总工会上次全会以来,全区新建工会组织38家,发展会员2100人。")
    assert paragraph_openers(text, 0, len(text)) == ()
