"""Candidate features on short passages of each kind the learned extractor must see (written fresh).

Each case names one phenomenon (a synonym, an argument outside the clause, a plan heading, a
part of a total …), a passage, the number it is about, and feature names that must (or must
not) be among that number's features.  What the model makes of them is measured by
cross-validation (`make score-cv`); here we check that the evidence reaches the model.
"""

from __future__ import annotations

import pytest

from etl.candidates import find_candidates
from etl.features import FamilyIndex, candidate_features, families, trie_pattern
from etl.normalize import normalize


def _features(passage: str, number: str) -> set[str]:
    text = normalize(passage).text
    cands = find_candidates(text, 0, len(text))
    fam = FamilyIndex(text, 0, len(text))
    at = text.index(number)
    for i, c in enumerate(cands):
        if c.q.start <= at < c.q.end:
            prev = cands[i - 1] if i else None
            return set(candidate_features(text, c, fam, prev, (), (), None))
    raise AssertionError(f"no candidate for {number!r} in {text!r}; candidates: {[c.q.raw for c in cands]}")


CASES = [
    # (id, passage, number, features present, features absent)
    ('synonym: 员工 counts as workers', '全镇在岗员工已达4.2万人。', '4.2万人',
     ['F:worker@h', 'person|F:worker@h'], []),
    ('measure word 家 after households', '春节前走访困难职工家庭35家。', '35家',
     ['org|F:aid@h', 'org|F:household@h'], []),
    ('measure word 家 after unions', '上半年新组建基层工会12家。', '12家',
     ['org|F:found@h', 'org|F:union@h'], []),
    ('topic one sentence earlier', '困难帮扶工作持续深化。全年共走访136户。', '136户',
     ['F:aid@p'], []),
    ('cue after the number', '辖区内已有120家企业建立了工会组织。', '120家',
     ['org|F:enterprise@r', 'org|F:union@r'], []),
    ('quote marks between cue and number', '开展“金秋助学”活动，资助学生45名。', '45名',
     ['F:student@h'], []),
    ('plan heading governs its section', '一、主要成绩\n发展会员300人。\n二、下一步工作打算\n新建工会20家。', '20家',
     ['plan_zone', 'plan_zone|org'], []),
    ('report heading after a plan section',
     '一、下一步工作打算\n力争新建工会20家。\n二、上半年工作情况\n新建工会8家。', '8家',
     [], ['plan_zone']),
    ('plan word earlier in the sentence', '明年计划在全县新发展会员1500人。', '1500人',
     ['F:plan@h'], []),
    ('attending is not aid', '全县200名职工代表参加了大会。', '200名',
     ['person|F:attend@r'], []),
    ('a renewal', '到期的10家企业都已续签集体合同。', '10家',
     ['org|F:renewal@r'], []),
    ('a per-household standard', '为困难职工每户发放慰问金500元。', '500元',
     ['F:per_unit@h'], []),
    ('a part after 其中', '全镇共建工会119家，其中企业工会99家。', '99家',
     ['part_of_prev|org', 'smaller_than_prev|org'], []),
    ('a part in brackets', '全镇共建工会119家(企业工会99家、村工会10家)。', '99家',
     ['in_parens|org'], []),
    ('growth next to the number', '会员人数比上年增加了560人。', '560人',
     ['F:growth@h'], []),
    ('a subset rate', '全市农民工入会率达到85%。', '85%',
     ['percent|F:rate_member@h', 'percent|F:subset@h'], []),
    ('approximation', '为近300名困难职工送去慰问。', '近300名',
     ['apx=about', 'apx|person'], []),
    ('money in 万', '发放慰问金共计21.5万元。', '21.5万元',
     ['money|F:aid_money@h', 'scaled'], []),
    ('the money a dispute involved', '调处欠薪纠纷6起,涉及资金近40万元。', '近40万元',
     ['g=gap_veto', 'g=gap_veto|money'], []),
    ('aid money is not what a dispute involved', '发放慰问金共计21.5万元。', '21.5万元',
     [], ['g=gap_veto']),
]


@pytest.mark.parametrize(("passage", "number", "present", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_features_of_a_number(passage: str, number: str, present: list[str], absent: list[str]) -> None:
    feats = _features(passage, number)
    assert set(present) <= feats, sorted(set(present) - feats)
    assert not (set(absent) & feats), sorted(set(absent) & feats)


def test_table_cells_carry_their_row_label() -> None:
    text = normalize("指标 | 2021年 | 2022年\n会员人数(万人) | 12.5 | 13.1\n基层工会数(个) | 310 | 326\n").text
    cands = [c for c in find_candidates(text, 0, len(text)) if c.table_label]
    assert [(c.table_year, c.q.value) for c in cands] == [(2021, 125000.0), (2022, 131000.0), (2021, 310), (2022, 326)]
    fam = FamilyIndex(text, 0, len(text))
    feats = set(candidate_features(text, cands[0], fam, None, (), (), None))
    assert {"table", "F:member@l"} <= feats


@pytest.mark.parametrize("text", ["慰问金和慰问品共计12万元", "工资集体协商覆盖企业300家", "吸纳农民工入会", ""])
def test_trie_pattern_matches_like_a_longest_first_alternation(text: str) -> None:
    import re

    words = ["慰问", "慰问金", "慰问品", "工资", "工资集体协商", "集体协商", "协商", "入会", "农民工", "吸纳"]
    plain = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    trie = re.compile(trie_pattern(words))
    assert [m.group() for m in trie.finditer(text)] == [m.group() for m in plain.finditer(text)]


def test_a_word_carries_the_families_of_the_words_inside_it() -> None:
    assert {"aid", "aid_money"} <= set(families().of_word["慰问金"])
