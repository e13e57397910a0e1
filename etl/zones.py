"""Sentence and clause boundaries around a number, computed once per text.

Every stage that looks at a figure's words (the cue rules, the candidate
features) asks the same questions: where does its sentence start, where does
its clause end.  The boundary offsets of a text are found once and bisected.
Also the plan sections of a report (下半年工作打算 … up to the next report
heading, by the guards of cues.toml): figures there are targets, not results.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from etl.cues import any_match, rules
from etl.numbers import Quantity

SENT_END = "。!！？\n"
CLAUSE_END = ",;:。！？\n，；："

_BOUNDS: dict[str, tuple[str, list[int]]] = {}


def boundaries(text: str, chars: str) -> list[int]:
    """Sorted offsets of boundary characters, computed once per text.

    Keyed by identity, not equality: comparing two equal 50 MB strings on every
    lookup would cost more than the scan it saves.
    """
    hit = _BOUNDS.get(chars)
    if hit is not None and hit[0] is text:
        return hit[1]
    pos = [m.start() for m in re.finditer("[" + re.escape(chars) + "]", text)]
    _BOUNDS[chars] = (text, pos)
    return pos


def last_index(text: str, chars: str, lo: int, hi: int) -> int:
    """Index just after the last char of `chars` in text[lo:hi], else lo."""
    pos = boundaries(text, chars)
    k = bisect_left(pos, hi) - 1
    return pos[k] + 1 if k >= 0 and pos[k] >= lo else lo


def next_index(text: str, chars: str, lo: int, hi: int) -> int:
    """Index of the first char of `chars` in text[lo:hi], else hi."""
    pos = boundaries(text, chars)
    k = bisect_left(pos, lo)
    return pos[k] if k < len(pos) and pos[k] < hi else hi


def zones(text: str, q: Quantity, seg_start: int, seg_end: int) -> tuple[int, int, int, int]:
    """Sentence start and end, clause start and clause end around a quantity.

    The same as `last_index`/`next_index` with SENT_END and CLAUSE_END, with
    each boundary list fetched once: this runs for every number in the text.
    """
    sents, clauses = boundaries(text, SENT_END), boundaries(text, CLAUSE_END)
    k = bisect_left(sents, q.start) - 1
    sent_start = sents[k] + 1 if k >= 0 and sents[k] >= seg_start else seg_start
    k = bisect_left(sents, q.end)
    sent_end = sents[k] if k < len(sents) and sents[k] < seg_end else seg_end
    k = bisect_left(clauses, q.start) - 1
    clause_start = clauses[k] + 1 if k >= 0 and clauses[k] >= sent_start else sent_start
    k = bisect_left(clauses, q.end)
    right_end = clauses[k] if k < len(clauses) and clauses[k] < sent_end else sent_end
    return sent_start, sent_end, clause_start, right_end


def label_zones(text: str, q: Quantity, seg_start: int, seg_end: int) -> tuple[int, int, int, int]:
    """`zones` of a quantity, where a label ending in a colon right before the number belongs to its clause."""
    sent_start, sent_end, clause_start, right_end = zones(text, q, seg_start, seg_end)
    if clause_start > sent_start and text[clause_start - 1] in ":：" and not text[clause_start:q.start].strip():
        # 工会会员总数:8.9万人 — a label and its figure; the label is the cue.
        clause_start = last_index(text, CLAUSE_END, sent_start, clause_start - 1)
    return sent_start, sent_end, clause_start, right_end


_HEADING_END = re.compile(r"[。:：]")


def plan_zones(text: str, start: int, end: int) -> list[tuple[int, bool]]:
    """(offset, in_plan) switches from plan/report headings in the segment."""
    _, guards = rules()
    out: list[tuple[int, bool]] = [(start, False)]
    pos = start
    for line in text[start:end].split("\n"):
        s = _HEADING_END.split(line.strip(), maxsplit=1)[0]  # 四、下半年工作打算。力争… → the heading part
        if 0 < len(s) <= 40:
            if any_match(guards["plan_heading"], s):
                out.append((pos, True))
            elif out[-1][1] and any_match(guards["report_heading"], s):
                out.append((pos, False))
        pos += len(line) + 1
    return out


def in_plan(plan: list[tuple[int, bool]], pos: int) -> bool:
    """Whether offset `pos` lies in a plan section (`plan`: the switches of `plan_zones`)."""
    state = False
    for off, flag in plan:
        if off <= pos:
            state = flag
        else:
            break
    return state
