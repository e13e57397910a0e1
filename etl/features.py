"""What the words around a candidate number say, as sparse features for the learned model.

Each candidate (etl/candidates.py) becomes a list of feature names, hashed into
a fixed-size index space (no vocabulary file to ship).  The kinds:
- the number itself: measure-word class and word, approximation, magnitude, 万/亿;
- word families (lexicon/families.toml) by zone: just before the number (h),
  earlier in its clause (c), earlier in its sentence (s), after it in its clause
  (r), later in its sentence (t), the sentence before (p), the section heading (g),
  and a table row label (l); the family nearest before the number; the main
  zones also crossed with the measure-word class, which is what separates
  困难职工120户 from 工会组织120家;
- the characters touching the number (last two before, first two after: 家企业
  vs 家困难职工), crossed with the class;
- guards of lexicon/cues.toml (growth, share of target, per-unit, plan words)
  and whether a plan heading governs the section;
- what the cue rules (etl/rules.py) read, before and after the document passes;
- the document's own period (a flow in a half-year report).
"""

from __future__ import annotations

import math
import re
import zlib
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np

from etl.candidates import Candidate
from etl.catalog import read_lexicon
from etl.rules import rules

N_FEATURES = 1 << 18
RIGHT_REACH = 20
_CN_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千]")
_JOIN = re.compile(r"\s*(?:和|、|及|与|以及)\s*")


@dataclass(frozen=True)
class Families:
    pattern: re.Pattern[str]
    of_word: dict[str, tuple[str, ...]]


@cache
def families() -> Families:
    """Words of lexicon/families.toml, one longest-first alternation; a word also carries
    the families of the listed words inside it (慰问金 is aid money and aid)."""
    spec = read_lexicon("families.toml")["family"]
    words: dict[str, set[str]] = {}
    for fam, ws in spec.items():
        for w in ws:
            words.setdefault(w, set()).add(fam)
    of_word = {w: tuple(sorted({f for v, fs in words.items() if v in w for f in fs})) for w in words}
    return Families(re.compile(trie_pattern(words)), of_word)


def trie_pattern(words: list[str] | dict[str, object]) -> str:
    """One regex for a word list, branching character by character (a trie), longest match first.

    A plain alternation tries every word at every position; the trie tries one branch per
    character, which makes scanning a report for some 500 words several times faster.
    """
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class FamilyIndex:
    """Family matches of one text, found once and looked up by offset range."""

    def __init__(self, text: str, start: int, end: int) -> None:
        fam = families()
        of_word = fam.of_word
        found = [(m.start(), m.end(), m.group()) for m in fam.pattern.finditer(text, start, end)]
        self.starts: list[int] = [s for s, _, _ in found]
        self.ends: list[int] = [e for _, e, _ in found]
        self.fams: list[tuple[str, ...]] = [of_word[w] for _, _, w in found]

    def within(self, lo: int, hi: int) -> list[int]:
        """Indexes of the matches lying wholly inside [lo, hi)."""
        starts, ends = self.starts, self.ends
        i = bisect_left(starts, lo)
        j = bisect_left(starts, hi, i)
        return [k for k in range(i, j) if ends[k] <= hi]


def _magnitude(v: float | None) -> str:
    if v is None:
        return "none"
    if v <= 0:
        return "0"
    return str(min(int(math.log10(v)), 9))


@cache
def _guard_names() -> tuple[tuple[str, str, re.Pattern[str], str, str], ...]:
    """(guard, zone it reads, pattern, its two feature names), compiled once."""
    _, guards = rules()
    return tuple((k, _GUARD_ZONES[k], v[0], f"g={k}", f"g={k}|") for k, v in guards.items() if v and k in _GUARD_ZONES)


# Guard → the zone it reads: the tail of the cue zone, the clause, the sentence, or the right side.
_GUARD_ZONES = {"gap_veto": "tail", "plan_veto": "clause", "plan_sentence_veto": "sentence", "right_veto": "right",
                "plan_stock_ok": "sentence"}


def candidate_features(text: str, c: Candidate, fam: FamilyIndex, prev: Candidate | None,
                       rule_read: tuple[str, ...], rule_kept: tuple[str, ...], doc_period: str | None) -> list[str]:
    """The feature names of one candidate (see the module docstring for the kinds)."""
    q, cls = c.q, c.cls
    unit = q.unit
    f = list(_number_names(cls, q.value, unit.word if unit is not None else None, unit is not None and unit.times,
                           q.approx, q.redacted, q.raw, doc_period))
    if c.table_label is not None:
        f += ["table", f"table|{cls}"]
        for i in fam.within(c.sent_start, c.sent_start + len(c.table_label)):
            f += [f"F:{x}@l" for x in fam.fams[i]] + [f"{cls}|F:{x}@l" for x in fam.fams[i]]
    else:
        _zone_features(text, c, fam, cls, f)
    if c.in_plan:
        f += ["plan_zone", f"plan_zone|{cls}"]
    f.append(_IDX[min(c.index, 3)])
    if prev is not None and prev.sent_start == c.sent_start:
        f.append(f"prev_cls={prev.cls}|{cls}")
        between = text[prev.q.end:q.start]
        if _JOIN.fullmatch(between):
            f.append(f"joined|{cls}|{prev.cls == cls}")
        if prev.cls == cls:
            # Parts after a total: 共119家(企业工会99家…), 其中A街道9家, 帮扶950人次;其中…423户.
            if "其中" in between or "(" in between or "（" in between:
                f.append(f"part_of_prev|{cls}")
            if prev.q.value and q.value and prev.q.value > q.value:
                f.append(f"smaller_than_prev|{cls}")
    if c.table_label is None and _in_parens(text, c):
        f.append(f"in_parens|{cls}")
    for m in rule_read:
        f += [f"rule={m}", f"rule={m}|{cls}"]
    for m in rule_kept:
        f.append(f"kept={m}")
    if not rule_read:
        f.append(f"rule=none|{cls}")
    return f


_IDX = tuple(f"idx={i}" for i in range(4))


@lru_cache(maxsize=65536)
def _number_names(cls: str, value: float | None, unit_word: str | None, times: bool, approx: str | None,
                  redacted: bool, raw: str, doc_period: str | None) -> tuple[str, ...]:
    """What the number itself says (class, magnitude, measure word, approximation, 万, numerals):
    the same few hundred numbers recur, so their names are made once."""
    f = [f"u={cls}", f"mag={cls}:{_magnitude(value)}", f"dp={doc_period}", f"dp={doc_period}|{cls}"]
    if unit_word is not None:
        f.append(f"uw={unit_word}")
        if times:
            f.append("times")
    if approx:
        f += [f"apx={approx}", f"apx|{cls}"]
    if redacted:
        f.append("redacted")
    if "万" in raw or "亿" in raw:
        f.append("scaled")
    if _CN_NUMERAL.search(raw[:2]):
        f.append("cn_numeral")
    if value is not None and cls == "percent" and value > 100:
        f.append("pct>100")
    if value is not None and not float(value).is_integer():
        f.append(f"fraction|{cls}")
    return tuple(f)


def _in_parens(text: str, c: Candidate) -> bool:
    """Inside an open bracket of its sentence (企业工会99家, 村联合工会10家) — a breakdown, usually."""
    left = text[c.sent_start:c.q.start]
    return max(left.rfind("("), left.rfind("（")) > max(left.rfind(")"), left.rfind("）"))


def _zone_features(text: str, c: Candidate, fam: FamilyIndex, cls: str, f: list[str]) -> None:
    """Appends the features of the words around a prose number to `f`."""
    q = c.q
    qs, qe = q.start, q.end
    right_end = min(c.clause_end, qe + RIGHT_REACH)
    fams, starts, ends = fam.fams, fam.starts, fam.ends
    nearest: tuple[str, ...] = ()
    zones_ = (("h", c.head_start, qs), ("c", c.clause_start, c.head_start), ("s", c.sent_start, c.clause_start),
              ("r", qe, right_end), ("t", right_end, c.sent_end), ("p", c.prev_sent_start, c.sent_start))
    for zone, lo, hi in zones_:
        if hi <= lo:
            continue
        i = bisect_left(starts, lo)
        j = bisect_left(starts, hi, i)
        idx = [k for k in range(i, j) if ends[k] <= hi]  # FamilyIndex.within, inline: this runs six times a number
        if not idx:
            continue
        f += _zone_names(zone, cls, frozenset(fams[idx[0]]) if len(idx) == 1
                         else frozenset(x for i in idx for x in fams[i]))
        if zone == "h":
            nearest = fams[idx[-1]]
            if qs - ends[idx[-1]] <= 2:
                f += [f"{cls}|adj={x}" for x in nearest]
        elif zone == "r" and starts[idx[0]] - qe <= 1:
            f += [f"{cls}|radj={x}" for x in fams[idx[0]]]
    f += [f"{cls}|near={x}" for x in nearest]
    if c.heading:
        f += _heading_features(c.heading)
    sent_start = c.sent_start
    f += _touch_names(cls, text[max(sent_start, qs - 2):qs], text[qe:min(c.sent_end, qe + 2)])
    head = text[c.head_start:qs]
    f += _bigrams("hb", head[-8:])
    f += _bigrams("rb", text[qe:min(right_end, qe + 8)])
    where = {"tail": head[-6:], "clause": text[c.clause_start:qs], "sentence": text[sent_start:qs],
             "right": text[qe:c.clause_end]}
    for _, zone, pat, name, name_cls in _guard_names():
        if pat.search(where[zone]):
            f += [name, name_cls + cls]


@lru_cache(maxsize=65536)
def _touch_names(cls: str, left: str, right: str) -> tuple[str, ...]:
    """The characters touching the number (two each side), alone and crossed with the class."""
    return (f"l2={left}", f"r2={right}", f"{cls}|l2={left}", f"{cls}|r2={right}", f"l1={left[-1:]}",
            f"r1={right[:1]}", f"{cls}|r1={right[:1]}")


@lru_cache(maxsize=65536)
def _zone_names(zone: str, cls: str, fams: frozenset[str]) -> tuple[str, ...]:
    """F:<family>@<zone> for each family, crossed with the class in the zones next to the number."""
    names = tuple(f"F:{x}@{zone}" for x in sorted(fams))
    return names + tuple(f"{cls}|{n}" for n in names) if zone in "hcr" else names


@lru_cache(maxsize=65536)
def _bigrams(prefix: str, s: str) -> tuple[str, ...]:
    return tuple(f"{prefix}={s[i:i + 2]}" for i in range(len(s) - 1))


@lru_cache(maxsize=4096)
def _heading_features(heading: str) -> list[str]:
    """Families in a section heading (the same heading stands over many numbers)."""
    hf = FamilyIndex(heading, 0, len(heading))
    return [f"F:{x}@g" for x in sorted({x for xs in hf.fams for x in xs})]


_INDEX: dict[str, int] = {}


def _index(name: str) -> int:
    """crc32 of a feature name, remembered: the same few thousand names recur for every number."""
    i = _INDEX.get(name)
    if i is None:
        if len(_INDEX) > 500_000:
            _INDEX.clear()
        i = _INDEX[name] = zlib.crc32(name.encode("utf-8")) & (N_FEATURES - 1)
    return i


def hash_features(names: Collection[str]) -> np.ndarray:
    """Stable indexes of feature names (crc32: the same in every process, unlike hash())."""
    try:
        return np.fromiter(map(_INDEX.__getitem__, names), dtype=np.int32, count=len(names))
    except KeyError:  # a name not seen yet: index it, then look them all up again
        return np.fromiter(map(_index, names), dtype=np.int32, count=len(names))
