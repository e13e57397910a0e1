"""What a candidate name for the reporting union looks like by itself (etl/body.py reads the text).

The word lists of lexicon/body.toml compiled once (spec), and the tests on a name that do not
depend on the report: its level or organisation ending, loose stop or grammar characters
outside places and kept words, the places it holds.  The same names recur in report after
report, so these are cached per name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.catalog import read_lexicon
from etl.divisions import places_in


@dataclass(frozen=True)
class BodySpec:
    union: re.Pattern[str]
    boundary: re.Pattern[str]
    stop_chars: str
    stop_words: tuple[str, ...]
    levels: tuple[str, ...]
    org_words: tuple[str, ...]
    superior_before: re.Pattern[str]
    superior_after: re.Pattern[str]
    self_words: tuple[str, ...]
    self_chars: str
    national: tuple[str, ...]
    function_chars: str
    sector_words: tuple[str, ...]
    generic_places: frozenset[str]
    not_after_stem: tuple[str, ...]
    not_names: frozenset[str]
    keep_words: tuple[str, ...]
    stem_followers: tuple[str, ...]
    union_names: tuple[str, ...]
    visit_after: re.Pattern[str]
    org_words_next: str
    number_tail: str
    media_prefixes: tuple[str, ...]
    place_sectors: tuple[str, ...]
    officer_words: tuple[str, ...]


@cache
def spec() -> BodySpec:
    s = read_lexicon("body.toml")
    alt = "|".join(sorted(s["union_words"], key=len, reverse=True))
    return BodySpec(re.compile(alt), re.compile(s["boundary"]), s["stop_chars"], tuple(s["stop_words"]),
                    tuple(sorted(s["levels"], key=len, reverse=True)), tuple(s["org_words"]),
                    re.compile("(?:" + "|".join(s["superior_before"]) + ")$"),
                    re.compile("^.{0,10}?(?:" + "|".join(s["superior_after"]) + ")"), tuple(s["self_words"]),
                    s["self_chars"], tuple(s["national"]), s["function_chars"], tuple(s["sector_words"]),
                    frozenset(s["generic_places"]),
                    tuple(s["levels"]) + tuple(s["org_words"]) + tuple(s["generic_places"]) + tuple(s["place_words"]),
                    frozenset(s["not_names"]), tuple(s["keep_words"]),
                    tuple(s["stem_followers"]) + tuple(s["levels"]) + tuple(s["union_words"])
                    + tuple(s["org_words"]), tuple(s["union_words"]),
                    re.compile("^.{0,10}?(?:" + "|".join(s["visit_after"]) + ")"), s["level_word_next"],
                    s["number_tail"], tuple(s["media_prefixes"]),
                    tuple(sorted(s["place_sectors"], key=len, reverse=True)), tuple(s["officer_words"]))


@lru_cache(maxsize=16384)
def name_level(name: str) -> str | None:
    return next((lv for lv in spec().levels if name.endswith(lv)), None)


@lru_cache(maxsize=8192)
def covered_spans(text: str) -> frozenset[int]:
    """Positions inside a place of the divisions table or a word that holds a stop character
    (呼和浩特, 开发区, 发电): a stop character there does not end or break a name."""
    out: set[int] = set()
    for s, e, _ in places_in(text):
        out.update(range(s, e))
    for w in spec().keep_words:
        k = text.find(w)
        while k >= 0:
            out.update(range(k, k + len(w)))
            k = text.find(w, k + 1)
    return frozenset(out)


@lru_cache(maxsize=16384)
def loose_chars(name: str, chars: str, start: int = 0) -> bool:
    """Does `name` hold one of `chars` from `start` on, outside a covered word?"""
    covered = covered_spans(name)
    return any(ch in chars and i not in covered for i, ch in enumerate(name) if i >= start)


@cache
def _endings() -> tuple[frozenset[str], tuple[int, ...]]:
    sp = spec()
    words = frozenset(sp.levels) | frozenset(sp.org_words)
    return words, tuple(sorted({len(w) for w in words}, reverse=True))


@lru_cache(maxsize=16384)
def name_ending(name: str) -> str | None:
    """The level or organisation word a name ends in (县, 公司, 段), longest first."""
    words, lengths = _endings()
    return next((name[-n:] for n in lengths if len(name) >= n and name[-n:] in words), None)


@lru_cache(maxsize=16384)
def name_features(n: str) -> frozenset[str]:
    """What a candidate name says by itself (its level, organisation words, places, stop words):
    the same names recur in every report of a body, so this is worked out once per name."""
    sp = spec()
    feats = {f"len={min(len(n), 8)}"}
    lv = name_level(n)
    if lv:
        feats.add(f"level={lv}")
        if n == lv:
            feats.add("bare")
    elif any(n.endswith(w) for w in sp.org_words):
        feats.add("org")
    else:
        feats.add("no_level")
    end = name_ending(n)
    if end and any(n.find(w, 1) + len(w) < len(n) - len(end) + 1 and n.find(w, 1) > 0
                   for w in sp.org_words if len(w) > 1):
        feats.add("parent_org")  # 铜川矿业公司下石节煤矿: a unit written with its parent
    if re.search(r"[xX×*＊某]", n):
        feats.add("masked")
    if loose_chars(n, sp.function_chars):
        feats.add("function_char")
    if n[0] in sp.stop_chars and 0 not in covered_spans(n) and n != "全国":
        feats.add("starts_with_stop")
    if loose_chars(n, sp.stop_chars, 1):
        feats.add("inner_stop_char")
    if any(w in n for w in sp.stop_words):
        feats.add("has_stop_word")
    if n in sp.generic_places:
        feats.add("generic_place")
    if len({name_ending(n[:k]) for k in range(2, len(n) + 1)} - {None}) > 2:
        feats.add("many_levels")
    if n == "全国":
        feats.add("national")
    chain = places_in(n)
    if chain:
        feats.add(f"places={min(len(chain), 3)}")
        feats.add(f"finest={chain[-1][2][0].division.level}")
        if chain[-1][1] == len(n):
            feats.add("ends_with_place")
        if chain[0][0] == 0 and (len(chain) > 1 or chain[0][1] < len(n)):
            rest = n[chain[0][1]:]
            feats.add("prefixed_sector" if any(w in rest for w in sp.sector_words) else "prefixed")
    return frozenset(feats)
