"""Split a cleaned report text into documents and flag template placeholders.

Scraped files often glue many reports, speeches and plans together, mostly
without titles (seed 003 holds about twenty). Each line is classified once
(title, salutation, lead-in, opening paragraph, numbered heading, closing,
"related articles" trailer, body), and a new document starts where:

- a title line, a lead-in ("下面是小编为大家整理的……") or a salutation
  ("各位委员、同志们:") appears (a salutation right after a title joins it);
- an opening paragraph appears: a time phrase followed by "在……领导下", or a
  paragraph ending "现将……总结如下:";
- content follows a closing line ("谢谢大家!", a bare date);
- the top-level numbering restarts at "一、" after "二、" or later: the
  paragraph before the heading is the new document's preamble (unless it
  ends with a colon, as "下半年工作打算:" does inside one report);
- body text follows a "related articles" list.

A boundary is only taken when the current document already has
`min_body_chars` of body, so titles, datelines and page chrome at the top
never split a file. Segments are contiguous and cover the whole text.

Year, region and period are not inferred here (that is etl/context.py). The
cues are data in lexicon/segment.toml.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from etl.catalog import read_lexicon
from etl.normalize import NormText

_SENTENCE_PUNCT = re.compile(r"[。!！?？;；]")
_PLACEHOLDER_MARKS = re.compile("[xX×*＊○◯〇某]")  # every template pattern contains one of these
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

BODY, BLANK, TITLE, SALUTATION, LEAD_IN, OPENING, HEADING, CLOSING, TRAILER = (
    "body", "blank", "title", "salutation", "lead_in", "opening", "heading", "closing", "trailer",
)  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """One document inside a file; offsets are into the cleaned text (NormText.text)."""

    index: int
    start: int
    end: int
    title: str  # the title line or the lead-in's title; '' when the document has none
    is_template: bool
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class _Rules:
    min_body: int
    min_last: int
    lead_in_join: int
    title_max: int
    title_keywords: tuple[str, ...]
    title_keyword: re.Pattern[str]  # any of title_keywords, in one scan
    section_prefixes: tuple[str, ...]
    strip_prefix: re.Pattern[str]
    strip_suffix: re.Pattern[str]
    top_heading: re.Pattern[str]
    other_heading: re.Pattern[str]
    salutation_max: int
    salutation_words: tuple[str, ...]
    lead_in: re.Pattern[str]
    time_prefix: re.Pattern[str]
    leadership: re.Pattern[str]
    leadership_within: int
    announce: re.Pattern[str]
    closing: re.Pattern[str]
    trailer: re.Pattern[str]
    trailer_item_max: int
    placeholder: re.Pattern[str]


@cache
def rules() -> _Rules:
    """Compile lexicon/segment.toml once."""
    spec = read_lexicon("segment.toml")
    units = "|".join(sorted(map(re.escape, spec["template"]["units"]), key=len, reverse=True))
    placeholder = "|".join(f"(?:{p.replace('{units}', units)})" for p in spec["template"]["patterns"])
    t, o = spec["title"], spec["opening"]
    return _Rules(
        min_body=spec["boundary"]["min_body_chars"],
        min_last=spec["boundary"]["min_last_chars"],
        lead_in_join=spec["lead_in"]["max_join_len"],
        title_max=t["max_len"],
        title_keywords=tuple(t["keywords"]),
        title_keyword=re.compile("|".join(map(re.escape, t["keywords"]))),
        section_prefixes=tuple(t["section_prefixes"]),
        strip_prefix=re.compile(t["strip_prefix"]),
        strip_suffix=re.compile(t["strip_suffix"]),
        top_heading=re.compile(spec["heading"]["top"]),
        other_heading=re.compile("|".join(spec["heading"]["other"])),
        salutation_max=spec["salutation"]["max_len"],
        salutation_words=tuple(spec["salutation"]["words"]),
        lead_in=re.compile(spec["lead_in"]["pattern"]),
        time_prefix=re.compile(o["time_prefix"]),
        leadership=re.compile(o["leadership"]),
        leadership_within=o["leadership_within"],
        announce=re.compile(o["announce"]),
        closing=re.compile("|".join(spec["closing"]["patterns"])),
        trailer=re.compile("|".join(spec["trailer"]["patterns"])),
        trailer_item_max=spec["trailer"]["item_max_len"],
        placeholder=re.compile(placeholder),
    )


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the first non-space character in the cleaned text
    text: str  # stripped
    kind: str
    rank: int = 0  # top-level heading number (一 = 1), else 0
    title: str = ""  # for TITLE and LEAD_IN lines


def find_placeholders(text: str) -> tuple[str, ...]:
    """Distinct placeholders (xx镇, X家, 20xx年, ××, 某某 …) in order of first appearance."""
    pattern = rules().placeholder
    seen: dict[str, None] = {}
    pos = 0
    # The full alternation is slow to try at every position; every placeholder
    # holds one of a few marker characters, so only windows around them are searched.
    for t in _PLACEHOLDER_MARKS.finditer(text):
        p = t.start()
        if p < pos:
            continue
        m = pattern.search(text, max(pos, p - 3), p + 16)
        if m:
            seen.setdefault(m.group(0), None)
            pos = m.end()
    return tuple(seen)


def split_documents(norm: NormText) -> list[Segment]:
    """Documents of one file, in order; always at least one segment."""
    text = norm.text
    r = rules()
    lines = _classify_lines(text, r)
    starts = _boundaries(lines, r)
    segments = []
    bounds = [*starts, len(text)]
    line_starts = [ln.start for ln in lines]
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        found = find_placeholders(text[start:end])
        first = bisect_left(line_starts, start)
        title = _segment_title([ln for ln in lines[first : first + 6] if ln.start < end])
        segments.append(Segment(index, start, end, title, bool(found), found))
    return segments


def _classify_lines(text: str, r: _Rules) -> list[_Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        start = pos + lead
        pos += len(raw) + 1
        if not stripped:
            continue
        out.append(_classify(stripped, start, r))
    return out


def _classify(s: str, start: int, r: _Rules) -> _Line:
    m = r.top_heading.match(s)
    if m:
        return _Line(start, s, HEADING, rank=_cn_number(m.group(1)))
    if r.other_heading.match(s):
        return _Line(start, s, HEADING)
    if r.trailer.search(s) and len(s) <= r.trailer_item_max:
        return _Line(start, s, TRAILER)
    if r.closing.match(s):
        return _Line(start, s, CLOSING)
    title = _title_text(s, r)
    if title:
        return _Line(start, s, TITLE, title=title)
    if len(s) <= r.salutation_max and s[-1] in ":：" and any(w in s for w in r.salutation_words):
        return _Line(start, s, SALUTATION)
    m = r.lead_in.match(s)
    if m and any(k in m.group("title") for k in r.title_keywords):
        return _Line(start, s, LEAD_IN, title=m.group("title").strip())
    if _is_opening(s, r):
        return _Line(start, s, OPENING)
    return _Line(start, s, BODY)


def _title_text(s: str, r: _Rules) -> str:
    """The title if `s` is a title line, else ''."""
    if s.endswith("|") and not s.startswith("|"):  # a cell of a table rendered as text
        return ""
    if not r.title_keyword.search(s):
        return ""  # the stripped title is part of s, so it holds no keyword either; most lines end here
    t = r.strip_suffix.sub("", r.strip_prefix.sub("", s))
    if not t or len(t) > r.title_max or "|" in t or t[-1] in ":：,，、" or len(t.split()) > 2:
        return ""
    if _SENTENCE_PUNCT.search(t) or t.startswith(r.section_prefixes):
        return ""
    if r.top_heading.match(t) or r.other_heading.match(t):
        return ""
    if not any(k in t for k in r.title_keywords):
        return ""
    if re.search(r"\d{2}-\d{2}$", t):  # "…工作总结05-12": an item of a link list
        return ""
    return t


def _is_opening(s: str, r: _Rules) -> bool:
    if r.time_prefix.match(s):
        m = r.leadership.search(s, 0, r.leadership_within)
        if m:
            return True
    return bool(r.announce.search(s))


def _cn_number(s: str) -> int:
    """一 … 九十九 → int (enough for section numbers)."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1)) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(s, 0)


def _boundaries(lines: list[_Line], r: _Rules) -> list[int]:
    """Start offsets of the documents (the first is always 0)."""
    starts = [0]
    body = 0  # body characters of the current document so far
    top_rank = 0  # highest top-level heading number seen in the current document
    prev: _Line | None = None
    after_closing = False
    in_trailer = False
    for ln in lines:
        candidate: int | None = None
        carried = 0  # body of `prev` that moves into the new document
        if in_trailer:
            if ln.kind != TRAILER and (len(ln.text) > r.trailer_item_max or _SENTENCE_PUNCT.search(ln.text)):
                in_trailer = False
                candidate = ln.start
            else:
                prev = ln
                continue
        if ln.kind == TRAILER:
            in_trailer = True
        elif ln.kind in (TITLE, LEAD_IN):
            candidate = ln.start
        elif ln.kind == OPENING and prev is not None and prev.kind == HEADING and not _ends_sentence(prev.text):
            pass  # "二、组织建设" then "2022年,在镇党委的领导下,…": a section's first paragraph
        elif ln.kind in (SALUTATION, OPENING):
            candidate = prev.start if _heads(prev, r) else ln.start
        elif ln.kind == HEADING and ln.rank == 1 and top_rank >= 2 and prev is not None:
            if prev.kind in (BODY, OPENING) and prev.text[-1] not in ":：":
                candidate, carried = prev.start, len(prev.text)
        elif after_closing and ln.kind != CLOSING:
            candidate = ln.start
        if candidate is not None and candidate > starts[-1] and body - carried >= r.min_body:
            starts.append(candidate)
            body, top_rank = carried, 0
        if ln.kind in (BODY, OPENING, HEADING, LEAD_IN):
            body += len(ln.text)
        if ln.rank:
            top_rank = max(top_rank, ln.rank)
        after_closing = ln.kind == CLOSING
        prev = ln
    if len(starts) > 1 and _body_after(lines, starts[-1]) < r.min_last:
        starts.pop()
    return starts


def _ends_sentence(s: str) -> bool:
    return bool(_SENTENCE_PUNCT.search(s[-1:]))


def _heads(prev: _Line | None, r: _Rules) -> bool:
    """True when `prev` is a heading block that the next salutation/opening belongs to."""
    if prev is None:
        return False
    return prev.kind in (TITLE, SALUTATION) or (prev.kind == LEAD_IN and len(prev.text) <= r.lead_in_join)


def _body_after(lines: list[_Line], start: int) -> int:
    return sum(len(ln.text) for ln in lines if ln.start >= start and ln.kind not in (TRAILER, CLOSING))


def _segment_title(lines: list[_Line]) -> str:
    """The first title or lead-in title before the body starts (page chrome is skipped)."""
    for ln in lines[:6]:
        if ln.kind in (TITLE, LEAD_IN):
            return ln.title
        if ln.kind in (OPENING, HEADING) or (ln.kind == BODY and _SENTENCE_PUNCT.search(ln.text)):
            return ""
    return ""
