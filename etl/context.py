"""Year, period and region of a figure: from its sentence first, then its document.

Rules (../shared/eval/ANNOTATION.md): an explicit date in the sentence wins
(截止到2021年6月); 今年/去年 resolve against the document's year (title, then
dateline); 上半年 / 1-6月 / 截至6月底 → H1, 全年 / 年度 / 截至年底 → FY;
other spans (1-5月, 前9个月) and cumulative figures (累计, 五年来) → no period;
a masked year (20xx年, 201*年, XX年) is never guessed.  The patterns live in
lexicon/context.toml so they can be extended without touching code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON = Path(__file__).parent / "lexicon"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"


@cache
def _spec() -> dict:
    with open(LEXICON / "context.toml", "rb") as f:
        return tomllib.load(f)


@cache
def _rx(name: str) -> re.Pattern[str]:
    section, key = name.split(".")
    pats = _spec()[section][key]
    return re.compile("|".join(f"(?:{p})" for p in pats))


@dataclass(frozen=True)
class DocContext:
    """What the document says about itself in its title and first lines."""

    year: int | None  # year the report is about (title or lead)
    year_masked: bool  # title/lead writes 20xx年 / 201*年: never guess
    dateline_year: int | None  # publication date (resolves 今年 in news)
    period: str | None  # H1 | FY from the title or lead
    region: str | None  # reporting body
    annual_summary: bool


@dataclass(frozen=True)
class When:
    year: int | None
    period: str | None
    as_of: str | None
    explicit_year: bool


def _first_year(text: str) -> int | None:
    m = re.search(rf"({_YEAR})\s*年", text)
    return int(m.group(1)) if m else None


def document_context(text: str, title: str) -> DocContext:
    """Year, period and reporting body of one document (segment)."""
    head = text[:400]
    masked = bool(_rx("year.masked").search(title)) or bool(_rx("year.masked").search(head[:150]))
    year = None if masked else (_first_year(title) or None)
    dateline = None
    m = _rx("year.dateline").search(text)
    if m:
        dateline = int(next(g for g in m.groups() if g))
    if year is None and not masked:
        # A year that opens the lead ("2015年上半年,xx镇总工会…") names the report's year.
        m = re.search(rf"(?:^|\n)\s*({_YEAR})\s*年(?:上半年|度|,|，|以来|全年)", head)
        if m:
            year = int(m.group(1))
    period = None
    where = title + "\n" + head[:200]
    if _rx("period.doc_h1").search(where):
        period = "H1"
    elif _rx("period.doc_fy").search(where):
        period = "FY"
    annual = period == "FY"
    return DocContext(year, masked, dateline, period, reporting_body(title, text), annual)


@cache
def _place_rx() -> re.Pattern[str]:
    levels = "|".join(sorted(_spec()["region"]["levels"], key=len, reverse=True))
    return re.compile(rf"(?P<pre>[\u4e00-\u9fffxX*]{{0,4}}?)(?P<lvl>{levels})(?P<union>总工会|工会|工委会)?")


def clean_region(name: str) -> str:
    name = name.strip(" :：,，\"“”《》【】")
    for suffix in _spec()["region"]["strip_suffix"]:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def place_names(text: str) -> list[tuple[str, bool, int]]:
    """Place names in text: (name, followed by 工会, offset)."""
    stop = set(_spec()["region"]["stop"])
    out = []
    for m in _place_rx().finditer(text):
        pre = m.group("pre")
        k = max((i for i, ch in enumerate(pre) if ch in stop), default=-1)
        pre = pre[k + 1:]
        name = pre + m.group("lvl")
        if len(pre) == 0 and not m.group("union"):
            continue
        out.append((name, bool(m.group("union")), m.start("lvl") - len(pre)))
    return out


def reporting_body(title: str, text: str) -> str | None:
    """The union that reports, as it names itself (xx镇总工会 → xx镇).

    Title first; else the most frequent named place in the document, places
    followed by 工会 counting double; bare level words (区, 镇) only when no
    named place exists.
    """
    spec = _spec()["region"]
    for nat in spec["national"]:
        if nat in title:
            return "全国"
    named = [(n, u) for n, u, _ in place_names(title) if len(n) > 1 and n not in spec["levels"]]
    if named:
        return named[0][0]
    for w in spec["org_words"]:
        m = re.search(rf"([\u4e00-\u9fff]{{2,4}}?){w}", title)
        if m:
            return m.group(1) + ("" if w.endswith("公司") or w == "集团" else w)
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    for n, u, pos in place_names(text[:3000]):
        scores[n] = scores.get(n, 0) + (2 if u else 1) + (0.5 if pos < 300 else 0)
        first.setdefault(n, pos)
    specific = {n: s for n, s in scores.items() if n not in spec["levels"]}
    if specific:
        return max(specific, key=lambda n: (specific[n], -first[n]))
    if scores:
        return max(scores, key=lambda n: (scores[n], -first[n]))
    return "全国" if any(nat in text[:800] for nat in spec["national"]) else None


def resolve_when(sentence_left: str, sentence: str, doc: DocContext, stock: bool) -> When:
    """Year/period/as_of for a figure, from the words of its sentence before it."""
    spec = _spec()
    base_year = None if doc.year_masked else (doc.year or doc.dateline_year)
    year = base_year
    explicit = False
    period = doc.period
    as_of = None
    text = sentence_left

    # Cumulative and partial spans cancel the period.
    if _rx("period.cumulative").search(text) or _rx("period.partial").search(text):
        period = None

    # Explicit dates: the last one before the figure wins.
    last = None
    for m in _rx("date.explicit").finditer(text):
        last = m
    rel = None
    for m in _rx("date.relative").finditer(text):
        rel = m
    if last is not None and (rel is None or last.start() >= rel.start()):
        y = int(last.group("y"))
        year, explicit = y, True
        tail = last.group(0)
        if re.search(spec["period"]["h1_tail"], tail):
            period = "H1"
        elif re.search(spec["period"]["fy_tail"], tail):
            period = "FY"
        elif re.search(r"\d+\s*月", tail):
            period = None
        else:
            # "2018年," alone: a completed year is a full year; the current one is not.
            period = "FY" if doc.dateline_year is None or y < doc.dateline_year else None
    elif rel is not None:
        word = rel.group(0)
        offset = -1 if word.startswith(("去年", "上年", "上一年")) else 0
        year = (base_year + offset) if base_year is not None and not doc.year_masked else None
        if offset == -1:
            period = "FY"
        tail = word
        if re.search(spec["period"]["h1_tail"], tail):
            period = "H1"
        elif re.search(spec["period"]["fy_tail"], tail):
            period = "FY"
        elif re.search(r"\d+\s*月", tail) and period != "FY":
            period = None
    if _rx("period.h1").search(text):
        period = "H1"
    elif _rx("period.fy").search(text):
        period = "FY"
    if _rx("period.cumulative").search(text) or _rx("period.partial").search(text):
        period = None
    if stock and year is not None and period in ("H1", "FY") and _rx("date.asof").search(text):
        as_of = f"{year}-06-30" if period == "H1" else f"{year}-12-31"
    return When(year, period, as_of, explicit)
