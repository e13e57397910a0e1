"""What a candidate name says by itself: its ending, loose grammar characters outside places, its places."""

from __future__ import annotations

import pytest

from etl.body_names import loose_chars, name_ending, name_features, name_level, spec


@pytest.mark.parametrize(("name", "ending"), [("白沙镇", "镇"), ("城关街道", "街道"), ("天府矿业公司", "公司"),
                                              ("下石节煤矿", "矿"), ("华兴", None)])
def test_the_ending_is_the_longest_level_or_organisation_word(name: str, ending: str | None) -> None:
    assert name_ending(name) == ending


def test_a_grammar_character_inside_a_place_is_not_loose() -> None:
    sp = spec()
    assert not loose_chars("呼和浩特市", sp.function_chars)  # 和 belongs to the place
    assert loose_chars("社区工会慰问了辖区", sp.function_chars)
    assert not loose_chars("沁阳发电分公司", sp.stop_chars, 1)  # 发 inside the kept word 发电


def test_a_name_describes_its_level_its_parent_and_its_places() -> None:
    assert name_level("远安县") == "县"
    feats = name_features("铜川矿业公司下石节煤矿")
    assert "parent_org" in feats and "level=矿" in feats
    assert "bare" in name_features("县") and "ends_with_place" in name_features("远安县")
