"""Figures a draft derives from others: changes (同比增长5.4%, 提高2.3个百分点, 较上年增加199家) and shares of a
target (完成年度任务的140%).

The extractor leaves these out on purpose (they are not facts), so the checker
reads them itself: a change verb or a target phrase right before a number
(lexicon/draft.toml), in cleaned text. Which metric it belongs to is decided
by the checker (the figure before it in the same sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from writing.figures import draft_lexicon

CLAUSE_END = "，,；;。！？!?\n"
SENTENCE_END = "。！？!?\n"


@dataclass(frozen=True)
class Cue:
    """What a number next to a change or target word says."""

    kind: str  # 'growth' (增长5.4%), 'points' (提高2.3个百分点), 'change' (增加199家), 'share' (完成任务的140%)
    sign: int  # +1 up, -1 down, 0 for shares
    start: int  # where the verb or phrase starts (cleaned offsets): a suggestion rewrites from here
    verb: str  # as written: 增长, 下降, 完成年度任务的
    sequential: bool = False  # 环比: against the half year before, not recomputed


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    lex = draft_lexicon()
    ch = lex["change"]
    verbs = re.compile(rf"(?:(?P<up>{_alt(ch['up'])})|(?P<down>{_alt(ch['down'])}))(?:{_alt(ch['particles'])})?$")
    share = re.compile(rf"(?P<phrase>{_alt(lex['share']['target'])})$")
    base = re.compile(_alt(ch["base"]))
    sequential = re.compile(_alt(ch["sequential"]))
    return verbs, share, base, sequential


def _last_break(text: str, stops: str, start: int, end: int) -> int:
    """Offset just after the last stop character in text[start:end] (start when none)."""
    for i in range(end - 1, start - 1, -1):
        if text[i] in stops:
            return i + 1
    return start


def read_cue(text: str, q_start: int, unit: str, left_limit: int = 0) -> Cue | None:
    """The change or share a number at `q_start` (cleaned text) states, judging by the words right before it.

    `unit` is the measure word as written (%, 个百分点, 家 …); `left_limit` is where
    the sentence's previous figure ends, so a comparison word is looked for only
    between that figure and this number.
    """
    verbs, share, base, sequential = _patterns()
    clause = _last_break(text, CLAUSE_END, max(0, q_start - 40), q_start)
    left = text[clause:q_start]
    sentence = _last_break(text, SENTENCE_END, max(0, q_start - 200), q_start)
    context = text[max(sentence, left_limit):q_start]
    seq = bool(sequential.search(context))
    if unit == "%":
        m = share.search(left)
        if m:
            return Cue("share", 0, clause + m.start(), m.group("phrase"))
    m = verbs.search(left)
    if m is None:
        return None
    sign = 1 if m.group("up") else -1
    start = clause + m.start()
    verb = m.group("up") or m.group("down")
    if unit in ("个百分点", "百分点"):
        return Cue("points", sign, start, verb, seq)
    if unit == "%":
        return Cue("growth", sign, start, verb, seq)
    if base.search(context) or seq:
        return Cue("change", sign, start, verb, seq)
    return None
