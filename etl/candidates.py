"""Every number of a report is a candidate fact; this module finds them and their surroundings.

A candidate is a quantity (number + measure word, etl/numbers.py) or a cell of a
year-column table (etl/tables.py).  Around each it records the offsets the
features need: its sentence and clause, the cue zone just before it (back to the
previous number or the clause start), its paragraph, the section heading above
it and whether that heading opens a plan section.  What the words in those
zones mean is etl/features.py's business; which metric the candidate is, the
model's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from etl.numbers import Quantity, UnitSpec, find_quantities
from etl.rules import METRIC_CLASSES, in_plan, plan_zones
from etl.tables import LABEL_UNITS, year_column_cells
from etl.zones import label_zones, last_index

HEAD_REACH = 30  # cue words sit this close to their number
# A section heading: 一、… (二) 1. 第三… or a short line without sentence punctuation.
_ENUM = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．](?!\d)"
                   r"|第[一二三四五六七八九十]+[,，、部章节条]?)")
_SENTENCE_PUNCT = re.compile(r"[。；;,，]")


@dataclass
class Candidate:
    """One number that may be a fact, with the offsets of its context in the cleaned text."""

    q: Quantity
    sent_start: int
    sent_end: int
    clause_start: int
    clause_end: int
    head_start: int  # cue zone: previous number or clause start, at most HEAD_REACH back
    prev_sent_start: int  # the sentence before, within the paragraph (== sent_start when none)
    heading: str  # the section heading this number stands under ("" when none)
    in_plan: bool  # under a plan heading (下半年工作打算, 下一步工作)
    index: int  # position among the candidates of its sentence
    table_label: str | None = None  # set for a cell of a year-column table
    table_year: int | None = None

    @property
    def cls(self) -> str:
        return self.q.cls or "bare"


def headings(text: str, start: int, end: int) -> tuple[list[int], list[str]]:
    """Offsets and texts of the lines that head a section, in order."""
    offs: list[int] = []
    texts: list[str] = []
    pos = start
    for line in text[start:end].split("\n"):
        s = line.strip()
        if s and len(s) <= 40 and (_ENUM.match(s) or (len(s) <= 24 and not _SENTENCE_PUNCT.search(s[:-1]))):
            offs.append(pos)
            texts.append(re.split(r"[。:：]", s, maxsplit=1)[0][:30])
        pos += len(line) + 1
    return offs, texts


def find_candidates(text: str, start: int, end: int, plan: list[tuple[int, bool]] | None = None) -> list[Candidate]:
    """The candidates of one document segment, in text order (prose quantities, then table cells).

    `plan`: the segment's `plan_zones`, when the caller has them already.
    """
    if plan is None:
        plan = plan_zones(text, start, end)
    h_offs, h_texts = headings(text, start, end)
    out: list[Candidate] = []
    prev_end = start
    last_sent, index = -1, 0
    for q in find_quantities(text, start, end):
        cls = q.cls if q.unit is not None else "bare"
        if cls not in METRIC_CLASSES and cls != "bare":
            prev_end = q.end
            continue
        # 工会会员总数:8.9万人 — a label and its figure: the label is the cue zone.
        sent_start, sent_end, clause_start, clause_end = label_zones(text, q, start, end)
        head_start = max(clause_start, prev_end if prev_end <= q.start else clause_start, q.start - HEAD_REACH)
        para = last_index(text, "\n", start, sent_start)
        prev_sent = last_index(text, "。!！？", max(para, sent_start - 120), max(para, sent_start - 1))
        index = index + 1 if sent_start == last_sent else 0
        last_sent = sent_start
        k = bisect_right(h_offs, q.start) - 1
        heading = h_texts[k] if k >= 0 else ""
        out.append(Candidate(q, sent_start, sent_end, clause_start, clause_end, head_start, prev_sent, heading,
                             in_plan(plan, q.start), index))
        prev_end = q.end
    out.extend(_table_candidates(text, start, end, plan, h_offs, h_texts))
    return out


def _table_candidates(text: str, start: int, end: int, plan: list[tuple[int, bool]], h_offs: list[int],
                      h_texts: list[str]) -> list[Candidate]:
    """Cells of year-column tables: the row label is their cue, the column their year."""
    out = []
    for cell in year_column_cells(text, start, end):
        unit_word = next((u for u in LABEL_UNITS if f"({u})" in cell.label or f"（{u}）" in cell.label), None)
        unit = UnitSpec(unit_word or "", cell.cls)
        q = Quantity(cell.start, cell.end, cell.value, unit, None, False, cell.start, text[cell.start:cell.end])
        k = bisect_right(h_offs, cell.start) - 1
        out.append(Candidate(q, cell.label_start, cell.end, cell.label_start, cell.end, cell.label_start,
                             cell.label_start, h_texts[k] if k >= 0 else "", in_plan(plan, cell.start), 0,
                             table_label=cell.label, table_year=cell.year))
    return out
