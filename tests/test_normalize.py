"""etl/normalize.py: cleaned text for matching, with offsets that map back to the original.

The central promise: whatever is deleted or converted, a cleaned span maps to an
original span whose own cleaning gives the same text, so evidence quotes the
original exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from etl.extract import extract_report_file
from etl.normalize import NormText, _wrap_spans, clean_names, normalize

ROOT = Path(__file__).resolve().parent.parent

CASES = [
    ("繁體", "工會會員萬人,職工總數", "工会会员万人,职工总数"),
    ("繁體地名", "東湖街道總工會2019年工作總結", "东湖街道总工会2019年工作总结"),
    ("拼音注音", "會(huì )員", "会员"),
    ("全角括号注音", "广（guǎng）场", "广场"),
    ("注音与万元", "萬(wàn)元", "万元"),
    ("全角数字", "新建工会１２家", "新建工会12家"),
    ("全角标点", "会员１，１３０名：其中（女）", "会员1,130名:其中(女)"),
    ("全角空格", "工会\u3000总结", "工会 总结"),
    ("零宽字符", "工\u200b会\ufeff", "工会"),
    ("付费墙", "全年工作……(快文网www.kuaiwen.net省略1003字,正式会员可完整阅读)……下半年", "全年工作\n下半年"),
    ("广告", "会员增加(更多精彩文章来自“秘书不求人”)300人", "会员增加\n300人"),
    ("上下篇", "正文结束。\n上一篇:某镇工会总结\n下一篇：某县工会总结\n", "正文结束。\n\n\n"),
    ("数字后的括号不是注音", "2015(ab)年", "2015(ab)年"),
    ("普通括号保留", "建会率(%)", "建会率(%)"),
]


@pytest.mark.parametrize(("original", "cleaned"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cleaning(original: str, cleaned: str) -> None:
    norm = normalize(original)
    assert norm.text == cleaned
    _assert_maps_back(norm)


def test_evidence_quotes_the_traditional_original() -> None:
    original = "本鎮今年新發展會(huì )員１，１３０名。"
    norm = normalize(original)
    s = norm.text.index("新发展会员")
    e = norm.text.index("名") + 1
    evidence, os_, oe = norm.evidence(s, e)
    assert evidence == "新發展會(huì )員１，１３０名" == original[os_:oe]


def test_evidence_leaves_out_noise_at_its_edges() -> None:
    norm = normalize("工會(huì )\u200b,會(huì )員")
    assert norm.text == "工会,会员"
    assert norm.evidence(0, 2)[0] == "工會"
    assert norm.evidence(3, 5)[0] == "會(huì )員"


def test_empty_span_maps_to_an_empty_slice() -> None:
    norm = normalize("會(huì )員")
    assert norm.evidence(1, 1)[0] == ""


# ------------------------------------------------------------------ the mapping property

_T2S = OpenCC("t2s")


def _char_norm(ch: str) -> str:
    """What cleaning does to one kept character: full-width → ASCII, Traditional → Simplified."""
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if ch in "\u3000\u00a0":
        return " "
    return _T2S.convert(ch)


def _inserted(norm: NormText, i: int) -> bool:
    """Is cleaned position i the line break left in place of long boilerplate?"""
    if norm.text[i] != "\n":
        return False
    nxt = norm.to_original(i + 1) if i + 1 < len(norm.text) else len(norm.original)
    return nxt - norm.to_original(i) > 12


def _assert_maps_back(norm: NormText) -> None:
    """Every kept character maps to its original, in order; dropped ones are never quoted alone."""
    prev = -1
    for i, ch in enumerate(norm.text):
        o = norm.to_original(i)
        assert o > prev, (i, o, prev)
        prev = o
        if not _inserted(norm, i):
            assert _char_norm(norm.original[o]) == ch, (i, ch, norm.original[o])


# Pieces a scraped report is made of.  Traditional characters are ones whose
# Simplified form does not depend on their neighbours.
_WORDS = ["工会", "会员", "职工", "困难", "帮扶", "集体合同", "新建", "全镇", "共有"]
_TRAD = ["會員", "職工", "萬元", "總結", "幫扶", "區鎮", "與", "經濟"]
_RUBY = ["(huì )", "（guǎng）", "(wàn)", "(yuán )"]
_NOISE = [
    "……(快文网www.kuaiwen.net省略1003字,正式会员可完整阅读)……",
    "(更多精彩文章来自“秘书不求人”)",
    "(全文共2000字,当前只显示500字)",
    "\n上一篇:某镇工会2015年工作总结\n",
    "\n下一篇：某县总工会工作总结\n",
    "\n上一条:工会\n",
    "\u200b",
    "\ufeff",
]
_WIDE = ["１２３", "，", "：", "；", "ＡＢ", "\u3000", "！", "％"]
_PUNCT = ["。", ",", "\n", "、", "(", ")", " "]

_piece = st.one_of(
    st.sampled_from(_WORDS), st.sampled_from(_TRAD), st.sampled_from(_RUBY), st.sampled_from(_NOISE),
    st.sampled_from(_WIDE), st.sampled_from(_PUNCT), st.integers(0, 10**6).map(str),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=3)
    .filter(lambda s: _T2S.convert(s) == s),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_piece, min_size=1, max_size=25), st.data())
def test_every_span_maps_back_consistently(pieces: list[str], data: st.DataObject) -> None:
    original = "".join(pieces)
    norm = normalize(original)
    _assert_maps_back(norm)
    n = len(norm.text)
    if n == 0:
        return
    for _ in range(5):
        s = data.draw(st.integers(0, n - 1))
        e = data.draw(st.integers(s + 1, n))
        os_, oe = norm.span(s, e)
        evidence, s2, e2 = norm.evidence(s, e)
        assert (s2, e2) == (os_, oe)
        assert evidence == original[os_:oe]
        # Tight: the slice starts and ends on kept characters, never on deleted noise.
        assert os_ == norm.to_original(s) and oe - 1 == norm.to_original(e - 1)
        # A span that does not start or end on a left-behind line break cleans,
        # on its own, to exactly the cleaned span.
        # (Joining hard-wrapped lines depends on the whole text's line widths, so not across a joined break.)
        joined = any(os_ <= w < oe for w, _ in _wrap_spans(original))
        if not _inserted(norm, s) and not _inserted(norm, e - 1) and not joined:
            assert normalize(evidence).text == norm.text[s:e], (evidence, norm.text[s:e])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_NOISE), min_size=1, max_size=6))
def test_noise_alone_leaves_only_line_breaks(pieces: list[str]) -> None:
    assert normalize("".join(pieces)).text.strip("\n") == ""


# ------------------------------------------------------------------ real reports


def _report_files(shared: Path | None) -> list[Path]:
    files = sorted((ROOT / "data" / "samples" / "reports").glob("*.txt"))[:20]
    if shared is not None:
        files += sorted((shared / "seeds").glob("*.txt")) + sorted((shared / "eval" / "dev" / "docs").glob("*.txt"))
    return files


def test_seed_and_dev_evidence_is_the_original_slice(shared_dir: Path) -> None:
    files = _report_files(shared_dir)
    n_facts = 0
    for path in files:
        ef = extract_report_file(path)
        assert ef.ok, ef.problems
        for f in ef.facts:
            assert ef.text[f.start:f.end] == f.evidence, (path.name, f)
            n_facts += 1
    assert n_facts > 100


def test_sample_evidence_is_the_original_slice() -> None:
    for path in _report_files(None):
        ef = extract_report_file(path)
        assert ef.facts, path.name
        for f in ef.facts:
            assert ef.text[f.start:f.end] == f.evidence, (path.name, f)


def test_seed_texts_map_back(shared_dir: Path) -> None:
    """The Traditional, ruby-glossed seeds keep the character-level map over their whole length."""
    for path in sorted((shared_dir / "seeds").glob("*.txt")):
        from etl.read import read_report

        _assert_maps_back(normalize(read_report(path).text))


# The full-width mapping on code point arrays must equal the plain str.translate it replaced.

WIDE = st.characters(blacklist_categories=("Cs",)) | st.sampled_from("，：（）１２３ＡＢ\u3000\u00a0年")
# The full-width ASCII block, the ideographic space and NBSP map to ASCII one for one.
FULLWIDTH = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, 0x3000: 0x20, 0x00A0: 0x20}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=WIDE, max_size=200))
def test_halfwidth_equals_translate(text: str) -> None:
    from etl.normalize import _to_halfwidth

    assert _to_halfwidth(text) == text.translate(FULLWIDTH)


def test_halfwidth_keeps_lone_surrogates() -> None:
    from etl.normalize import _to_halfwidth

    text = "１２家\udcff，"
    assert _to_halfwidth(text) == text.translate(FULLWIDTH) == "12家\udcff,"


# ------------------------------------------------------------------ hard-wrapped text

_GAZETTEER = (
    "一、组织沿革\n"
    "1948年3月，青河县职工联合会在县城成立，先在搬运和榨油工人中发展会员，到年底有会员2\n"
    "10名。1950年2月，县工会筹备委员会开始筹建，下辖搬运、榨油、缝纫三个基层工会，会员\n"
    "460名。同年8月，县教育工会筹委会成立，和县工会合署办公，当年共发展会员150名。19\n"
    "56年县工会改称青河县总工会。到1986年底，县总工会下辖98个基层工会，会员5120名。\n"
    "\n"
    "二、代表大会\n"
)


def test_hard_wrapped_lines_are_joined_and_map_back() -> None:
    # a gazetteer pasted at a fixed width breaks lines inside numbers (2\n10名, 19\n56年)
    norm = normalize(_GAZETTEER)
    assert "有会员210名。" in norm.text and "1956年县工会" in norm.text
    assert "一、组织沿革\n" in norm.text and "\n\n二、代表大会" in norm.text  # headings and blank lines stay
    _assert_maps_back(norm)
    k = norm.text.index("210名")
    assert norm.evidence(k, k + 4)[0] == "2\n10名"


def test_hard_wrapped_figures_take_the_year_of_their_sentence(tmp_path: Path) -> None:
    path = tmp_path / "青河县工会志.txt"
    path.write_text(_GAZETTEER, encoding="utf-8")
    facts = {(f.metric, f.value): f.year for f in extract_report_file(path).facts}
    assert facts.get(("members_total", 210)) == 1948
    assert facts.get(("members_total", 5120)) == 1986


@pytest.mark.parametrize("text", [
    # web text: each paragraph one long line, some without a full stop at the end
    "全镇共有工会组织86家，会员12000人，建会率达到95%以上，各项工作稳步推进，全年发放帮扶资金36万元\n"
    "下半年工作打算\n" "继续做好困难职工帮扶，力争新建工会10家，新发展会员800人，并进一步扩大工资集体协商覆盖面\n",
    # a yearbook table set out with spaces: its rows are as wide as each other and end in figures
    "指标　　　　　　　　　2004年　　　　2005年\n基层工会数(个)　　　　213686　　　224605\n"
    "会员人数(万人)　　　　924.18　　　1002.25\n职工人数(万人)　　　　937.32　　　1017.65\n"
    "女职工人数(万人)　　　402.11　　　436.50\n",
])
def test_text_that_is_not_hard_wrapped_keeps_its_lines(text: str) -> None:
    assert normalize(text).text.count("\n") == text.count("\n")


NAMES = ["城關街道總工會", "　白沙镇工会 ", "ＡＢＣ镇", "发展镇\u200b", "臺北市", "乾坤镇", "髮廊", "會(huì )員镇",
         "东湖\n街道", "", "后街社区"]


def test_clean_names_is_normalize_one_by_one() -> None:
    """The batch conversion a load uses for its town names gives what normalising each name alone gives,
    noise (pinyin ruby, zero-width) and line breaks included."""
    assert clean_names(NAMES) == [normalize(t).text for t in NAMES]


@given(st.lists(st.text(alphabet="城關街道總工會白沙镇ＡＢ臺北乾坤髮廊后xX○ \u3000()\n", max_size=8), max_size=12))
@settings(max_examples=150, deadline=None)
def test_clean_names_any_names(texts: list[str]) -> None:
    assert clean_names(texts) == [normalize(t).text for t in texts]
