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
