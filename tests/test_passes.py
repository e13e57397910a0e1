"""etl/passes.py: parts of a stated total are no facts; a figure added after them is one."""

from __future__ import annotations

import pytest

from etl.normalize import normalize
from etl.passes import document_passes
from etl.rules import rule_hits


def kept(passage: str) -> list[tuple[str, str]]:
    """(number as written, metric) of the rules' readings that survive the document passes."""
    text = normalize(passage).text
    return [(h.q.raw, h.metric) for h in document_passes(text, rule_hits(text, 0, len(text)))]


@pytest.mark.parametrize(("passage", "expected"), [
    # parts after 其中 go
    ("全年发放慰问金合计36万元,其中市总下拨慰问金20万元。", [("36万元", "aid_amount")]),
    # a bracketed breakdown closes: the figure after it, added with 另外, stays
    ("共发放慰问金36万元(其中市总下拨慰问金20万元),另外为9名大病职工发放救助金2.7万元。",
     [("36万元", "aid_amount"), ("9名", "aid_recipients"), ("2.7万元", "aid_amount")]),
    ("共发放慰问金36万元,其中市总下拨慰问金20万元,此外发放救助金2.7万元。",
     [("36万元", "aid_amount"), ("2.7万元", "aid_amount")]),
])
def test_parts_of_a_total_and_figures_added_after_them(passage: str, expected: list) -> None:
    assert kept(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    # three groups that add up to the headline's figure are its parts, though no 其中 says so
    ("东坪县总工会走访慰问困难环卫工人61名\n春节前,县总工会为特困环卫工人11名送去慰问金;"
     "又为困难环卫工人20名、患病环卫工人30名送上米油。",
     [("61名", "aid_recipients")]),
    # figures that do not add up to it are facts of their own
    ("东坪县总工会走访慰问困难环卫工人61名\n春节前,县总工会为特困环卫工人11名送去慰问金;"
     "又为困难环卫工人20名、患病环卫工人31名送上米油。",
     [("61名", "aid_recipients"), ("11名", "aid_recipients"), ("20名", "aid_recipients"),
      ("31名", "aid_recipients")]),
])
def test_figures_that_add_up_to_an_earlier_one_are_its_parts(passage: str, expected: list) -> None:
    assert kept(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    # a bracket opened right after the total lists its parts
    ("截至年底,全乡已建有工会组织64家(非公企业工会41家,村工会联合会15家,机关工会8家),会员5210人。",
     [("64家", "union_orgs_total"), ("5210人", "members_total")]),
    # 其中 + a collective word (乡镇) is a kind of union, not a place's own figure: a part
    ("全县共建有各级工会组织980个,其中乡镇总工会18个,机关事业单位工会166个。", [("980个", "union_orgs_total")]),
])
def test_parts_in_brackets_and_kinds_after_qizhong(passage: str, expected: list) -> None:
    assert kept(passage) == expected
