"""etl/rules.py + lexicon/cues.toml: what the cue rules read from a passage, number by number.

The learned extractor emits every reading these rules share (etl/reading.py), so a
word family they miss costs recall on every report that uses it.  Passages are
written for these tests in wordings the corpus does not use.
"""

from __future__ import annotations

import pytest

from etl.normalize import normalize
from etl.rules import rule_hits


def read(passage: str) -> list[tuple[str, str]]:
    """(number as written, metric) for every reading of the rules, in text order."""
    text = normalize(passage).text
    return [(h.q.raw, h.metric) for h in rule_hits(text, 0, len(text))]


# Sub-type by the sentence's time frame: 发展/吸纳会员 is a running total where the sentence states a stock.
@pytest.mark.parametrize(("passage", "expected"), [
    ("截至十月底,全乡已组建企业工会31家,吸纳会员4120人。", [("31家", "union_orgs_total"), ("4120人", "members_total")]),
    ("目前该园区工会累计发展会员2.6万人。", [("2.6万人", "members_total")]),
    ("本季度各村联合工会发展会员380人。", [("380人", "members_new")]),
    ("今年上半年吸收会员215名。", [("215名", "members_new")]),
    ("截至目前已新发展会员96名。", [("96名", "members_new")]),  # 新 names the flow whatever the frame
])
def test_members_running_total_or_new(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("到今年九月为止,全县网约车司机工会组建23个。", [("23个", "union_orgs_total")]),
    ("上半年,物流行业工会组建6个。", [("6个", "union_orgs_new")]),
])
def test_formation_after_the_noun_follows_the_time_frame(passage: str, expected: list) -> None:
    assert read(passage) == expected
