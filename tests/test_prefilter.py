"""The regex shortcuts in etl/prefilter.py never change a result.

Every lexicon pattern is checked against its plain `re` twin on slices of the
shipped texts and on random strings made of the characters the patterns care
about, and the character-set analysis is pinned on small hand-written cases.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import context, numbers
from etl import rules as extract
from etl.normalize import _removal_pattern, normalize
from etl.prefilter import Prefiltered, first_chars, required_chars

ROOT = Path(__file__).resolve().parent.parent


def _lexicon_patterns() -> list[re.Pattern[str]]:
    """Every compiled pattern the extractor runs on cleaned text."""
    pats: list[re.Pattern[str]] = [numbers.quantity_pattern(), _removal_pattern()]
    spec = context._spec()
    for section in ("year", "period", "date"):
        for val in spec[section].values():
            pats.append(re.compile("|".join(f"(?:{p})" for p in val)) if isinstance(val, list) else re.compile(val))
    rule_list, guards = extract.rules()
    for rule in rule_list:
        for field in ("head", "right", "topic", "veto", "clause_veto", "right_veto", "sentence_veto"):
            pats += [p.pattern if isinstance(p, Prefiltered) else p for p in getattr(rule, field)]
    for group in guards.values():
        pats += [p.pattern if isinstance(p, Prefiltered) else p for p in group]
    return pats


PATTERNS = _lexicon_patterns()


def _texts() -> list[str]:
    out = []
    for p in sorted((ROOT / "data" / "samples" / "reports").glob("*.txt"))[:20]:
        raw = p.read_bytes()
        for enc in ("utf-8", "gb18030"):
            try:
                out.append(normalize(raw.decode(enc)).text)
                break
            except UnicodeDecodeError:
                continue
    return out


def _slices(texts: list[str]) -> list[str]:
    """Paragraphs and their prefixes: the shapes the extractor searches."""
    out = []
    for t in texts:
        for para in t.split("\n"):
            out += [para, para[: len(para) // 2], para[-30:]]
    return [s for s in out if s]


def _spans(matches) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in matches]


@pytest.mark.parametrize(
    ("pattern", "required", "first"),
    [
        ("历年|多年来|过去\\S{0,2}年|迄今", {"年", "迄"}, "[历多过迄]"),
        ("前\\s*\\d+\\s*个?月|一至[二三]+月", {"月"}, "[前一]"),
        ("(?:截至|到)?\\s*(?:19|20)\\d\\d年", {"年"}, "[截到\\s12]"),
        ("(?<=[一-龥])[(（][a-z]{1,7}[)）]", {"(", "（"}, "[\\(（]"),
        ("x*", None, None),
        ("[^年]+月", {"月"}, None),
    ],
    ids=["年份累计", "部分月份", "可选前缀", "后顾断言", "可空", "否定字符类"],
)
def test_character_sets(pattern: str, required: set[str] | None, first: str | None) -> None:
    rx = re.compile(pattern)
    assert required_chars(rx) == (frozenset(required) if required else None)
    got = first_chars(rx)
    assert (got.pattern if got else None) == first


def test_every_lexicon_pattern_is_understood_or_left_alone() -> None:
    """The analysis either finds a set or declines; it never raises on a shipped pattern."""
    assert PATTERNS
    understood = sum(required_chars(p) is not None for p in PATTERNS)
    assert understood > len(PATTERNS) // 2


@pytest.mark.slow
def test_same_matches_as_re_on_report_slices() -> None:
    texts = _texts()
    slices = _slices(texts)
    for rx in PATTERNS:
        fast = Prefiltered(rx, scan_first=True)
        for s in slices:
            assert (fast.search(s) is None) == (rx.search(s) is None), (rx.pattern, s)
        for t in texts:
            assert _spans(fast.finditer(t)) == _spans(rx.finditer(t)), rx.pattern
            mid = len(t) // 3
            assert _spans(fast.finditer(t, mid, 2 * mid)) == _spans(rx.finditer(t, mid, 2 * mid)), rx.pattern


ALPHABET = "年月上半全度底末截至到今去本当历多过迄前个一二六十123456 0,。、共有家人万元%xX(（近约超余以来"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_same_matches_as_re_on_random_text(text: str) -> None:
    for rx in PATTERNS[:2] + PATTERNS[2:40]:
        fast = Prefiltered(rx, scan_first=True)
        assert (fast.search(text) is None) == (rx.search(text) is None), rx.pattern
        assert _spans(fast.finditer(text)) == _spans(rx.finditer(text)), rx.pattern


# The other exact shortcuts of the speed work: full-width mapping on code point arrays and
# sort-based distinct shingle hashes must equal the plain versions they replaced.

WIDE = st.characters(blacklist_categories=("Cs",)) | st.sampled_from("，：（）１２３ＡＢ\u3000\u00a0年")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=WIDE, max_size=200))
def test_halfwidth_equals_translate(text: str) -> None:
    from etl.normalize import _FULLWIDTH, _to_halfwidth

    assert _to_halfwidth(text) == text.translate(_FULLWIDTH)


def test_halfwidth_keeps_lone_surrogates() -> None:
    from etl.normalize import _FULLWIDTH, _to_halfwidth

    text = "１２家\udcff，"
    assert _to_halfwidth(text) == text.translate(_FULLWIDTH) == "12家\udcff,"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("工会组织建会率入会职工万人家1234567890abcAB,。 \n𠀀"), max_size=300))
def test_shingle_hashes_equal_np_unique(text: str) -> None:
    import numpy as np

    from etl import dedup

    cps = np.frombuffer(text.lower().encode("utf-32-le"), dtype=np.uint32)
    keep = np.ones(len(cps), dtype=bool)
    bmp = cps < 0x10000
    keep[bmp] = dedup._keep_table()[cps[bmp]]
    codes = cps[keep].astype(np.uint64)
    if len(codes) == 0:
        expected = np.empty(0, dtype=np.uint64)
    else:
        width = min(dedup.SHINGLE, len(codes))
        h = np.zeros(len(codes) - width + 1, dtype=np.uint64)
        for j in range(width):
            h = h * np.uint64(0x100000001B3) + codes[j: len(codes) - width + 1 + j]
        expected = np.unique(dedup._mix(h))
    got = dedup.shingle_hashes(text)
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
    assert dedup.fingerprint(text) == (len(expected), *(int(x) for x in expected[: dedup.SKETCH_SIZE]))
