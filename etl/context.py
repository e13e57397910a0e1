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
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.catalog import read_lexicon

_YEAR = r"(?:19[2-9]\d|20[0-4]\d)"


def _spec() -> dict:
    return read_lexicon("context.toml")


@cache
def _rx(name: str) -> re.Pattern[str]:
    """One alternation per list of context.toml, compiled once."""
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


# A title opening with a bare year (2024乡镇工会年度工作总结, as pasted from the web): not a count (2000家企业…).
_TITLE_YEAR = re.compile(rf"^\s*({_YEAR})(?=[\u4e00-\u9fff])(?![余多万亿个家人名位户元起件份次])")


def _title_year(title: str) -> int | None:
    m = _TITLE_YEAR.match(title)
    return int(m.group(1)) if m else _first_year(title)


def document_context(text: str, title: str) -> DocContext:
    """Year, period and reporting body of one document (segment)."""
    head = text[:400]
    masked = bool(_rx("year.masked").search(title)) or bool(_rx("year.masked").search(head[:150]))
    year = None if masked else (_title_year(title) or None)
    dateline = None
    m = _rx("year.dateline").search(text)
    if m:
        dateline = int(next(g for g in m.groups() if g))
    if year is None and not masked:
        # A year that opens the lead ("2015年上半年,xx镇总工会…") names the report's year.
        m = re.search(rf"(?:^|\n)\s*(?:\d+[.、]\s*)?({_YEAR})\s*年(?:上半年|度|,|，|以来|全年|\d{{1,2}}\s*月)", head)
        if m:
            year = int(m.group(1))
    if year is None and not masked and dateline is None:
        # A news item that writes one year only (2024年"金秋助学"… 8月28日…) is about that year.
        years = {int(y) for y in re.findall(rf"(?<!\d)({_YEAR})\s*年(?!代)", text)}
        if len(years) == 1:
            year = years.pop()
    period = None
    where = title + "\n" + head[:200]
    if _rx("period.doc_h1").search(where):
        period = "H1"
    elif _rx("period.doc_fy").search(where):
        period = "FY"
    if period is None:
        # A half-year summary that never says so in its title still talks of 上半年.
        h1, fy = len(re.findall("上半年", text)), len(re.findall("全年(?!目标|任务|计划)", text))
        if h1 >= 2 and h1 > fy:
            period = "H1"
    annual = period == "FY"
    return DocContext(year, masked, dateline, period, reporting_body(title, text), annual)


@cache
def _level_rx() -> re.Pattern[str]:
    """A level word (longest first) and the union word after it."""
    levels = "|".join(sorted(_spec()["region"]["levels"], key=len, reverse=True))
    return re.compile(rf"(?P<lvl>{levels})(?P<union>总工会|工会|工委会)?")


@lru_cache(maxsize=4096)
def clean_region(name: str) -> str:
    """xx镇总工会 → xx镇 (cached: every fact of a document asks for the same few names)."""
    from etl.region_names import canonical_name  # one list of union-body suffixes (lexicon/region_rules.toml)

    return canonical_name(name.strip(" :：,，\"“”《》【】"))


@dataclass(frozen=True)
class _RegionWords:
    stop: frozenset[str]
    stop_words: tuple[str, ...]
    any_stop_word: re.Pattern[str]
    provinces: tuple[str, ...]
    shortest_province: int


@cache
def _region_words() -> _RegionWords:
    spec = _spec()["region"]
    return _RegionWords(frozenset(spec["stop"]), tuple(spec["stop_words"]),
                        re.compile("|".join(re.escape(w) for w in spec["stop_words"])), tuple(spec["provinces"]),
                        min(len(p) for p in spec["provinces"]))


def _name_char(ch: str) -> bool:
    """May `ch` belong to a place name before its level word (a Chinese character, or x/X/* of a masked one)?"""
    return "\u4e00" <= ch <= "\u9fff" or ch in "xX*"


def place_names(text: str) -> list[tuple[str, bool, int]]:
    """Place names in text: (name, followed by 工会, offset).

    A name is up to four characters before a level word (镇, 街道, 自治区), cut at a
    stop character or word.  The level words are searched for and the characters
    before each read backwards: the names one regex with a lazy prefix (up to four Chinese
    characters or x/X/*, then a level word) finds, without trying the prefix at every character.
    """
    words = _region_words()
    search = _level_rx().search
    out = []
    pos = 0
    while (m := search(text, pos)) is not None:
        lvl = m.start()
        start = lvl
        while start > pos and lvl - start < 4 and _name_char(text[start - 1]):
            start -= 1
        pre = text[start:lvl]
        pos = m.end()
        cut = start == 0 or not ("\u4e00" <= text[start - 1] <= "\u9fff")
        if pre and words.any_stop_word.search(pre):
            for w in words.stop_words:
                k = pre.rfind(w)
                if k >= 0:
                    pre, cut = pre[k + len(w):], True
        k = max((i for i, ch in enumerate(pre) if ch in words.stop), default=-1)
        if k >= 0:
            pre, cut = pre[k + 1:], True
        if not cut:
            pre = pre[-2:]  # not at a phrase boundary: most place names have two characters
        if len(pre) > words.shortest_province + 1:
            for prov in words.provinces:
                if pre.startswith(prov) and len(pre) > len(prov) + 1:
                    pre = pre[len(prov):]
                    break
        union = m.group("union")
        if len(pre) == 0 and not union:
            continue
        out.append((pre + m.group("lvl"), bool(union), lvl - len(pre)))
    return out


def reporting_body(title: str, text: str) -> str | None:
    """The union that reports, as it names itself (xx镇总工会 → xx镇).

    In order: the nation in the title; a named place with 工会 in the title,
    then any named place there, then an enterprise name; the named union met
    most often in the text (superiors and hosts such as 在区总工会…的领导下
    left out); a bare level with 工会 (区工会 → 区); any named place.
    """
    spec = _spec()["region"]
    levels = set(spec["levels"])
    if any(nat in title for nat in spec["national"]):
        return "全国"
    in_title = place_names(title)
    named_title = [(n, u) for n, u, _ in in_title if n not in levels]
    for n, u in named_title:
        if u:
            return n
    if named_title:
        return named_title[0][0]
    for w in spec["org_words"]:
        m = re.search(rf"([\u4e00-\u9fff]{{2,4}}?){w}", title)
        if m and m.group(1) not in spec["generic_orgs"] and not any(g in m.group(1) for g in spec["generic_orgs"]):
            return m.group(1) + ("" if w.endswith("公司") or w == "集团" else w)
    superior = re.compile("(?:" + "|".join(spec["superior"]) + ")$")
    head = text[:8000]
    union_named: dict[str, float] = {}
    union_bare: dict[str, float] = {}
    any_named: dict[str, float] = {}
    superiors: set[str] = set()
    for n, u, pos in place_names(head):
        if superior.search(head[max(0, pos - 3):pos]):
            superiors.add(n)
            continue
        bonus = 1.5 if pos < 300 else 1.0
        if n in levels:
            if u:
                union_bare[n] = union_bare.get(n, 0) + bonus
        elif n not in spec["not_places"]:
            any_named[n] = any_named.get(n, 0) + bonus
            if u:
                union_named[n] = union_named.get(n, 0) + bonus
    # 新区 short for the superior 滨海新区 is the superior too.
    for pool in (union_named, any_named):
        for n in [n for n in pool if any(sup != n and sup.endswith(n) for sup in superiors if len(sup) > 1)]:
            del pool[n]
    if union_bare:
        # The body calls itself 区总工会 again and again: its own name ends in that level (东区, not 银江镇).
        level = max(union_bare, key=union_bare.__getitem__)
        # Named at least twice (or once in the lead), so a stray 着区总工会 does not count.
        same = {n: v for n, v in union_named.items() if n.endswith(level) and any_named[n] >= 1.5}
        if same:
            return max(same, key=same.__getitem__)
        # 重庆市 named in the lead, then 市总工会 in the body.
        lead = {n: v for n, v in any_named.items() if v >= 1.5 and (n.endswith(level) or union_bare[level] <= 1.5)}
        if lead:
            return max(lead, key=lead.__getitem__)
        if not union_named or max(union_named.values()) <= union_bare[level]:
            return level
    bare_title = [n for n, u, _ in in_title if u and n in levels]
    early_named = {n: v for n, v in any_named.items() if v >= 1.5}  # named in the lead
    for pool in (union_named, {n: 1.0 for n in bare_title}, early_named, union_bare, any_named):
        if pool:
            return max(pool, key=pool.__getitem__)
    return "全国" if any(nat in text[:800] for nat in spec["national"]) else None


_MONTH = re.compile(r"\d+\s*月")


@cache
def _tail(key: str) -> re.Pattern[str]:
    return re.compile(_spec()["period"][key])


@dataclass(frozen=True)
class _WhenPatterns:
    """The sentence-level time patterns, compiled once."""

    cumulative: re.Pattern[str]
    partial: re.Pattern[str]
    explicit: re.Pattern[str]
    relative: re.Pattern[str]
    h1: re.Pattern[str]
    fy: re.Pattern[str]
    asof: re.Pattern[str]


@cache
def _when_patterns() -> _WhenPatterns:
    names = ("period.cumulative", "period.partial", "date.explicit", "date.relative", "period.h1", "period.fy",
             "date.asof")
    return _WhenPatterns(*[_rx(n) for n in names])


_SAME_YEAR = ("同年", "当年", "是年")


def resolve_when(sentence_left: str, sentence: str, doc: DocContext, stock: bool) -> When:
    """Year/period/as_of for a figure, from the words of its sentence before it."""
    base_year = None if doc.year_masked else (doc.year or doc.dateline_year)
    p = _when_patterns()
    text = sentence_left
    year = base_year
    explicit = False
    period = doc.period
    as_of = None

    # Cumulative and partial spans cancel the period (applied last, so it overrides everything below).
    cancel = p.cumulative.search(text) is not None or p.partial.search(text) is not None

    # Explicit dates: the last one before the figure wins.
    last = None
    for m in p.explicit.finditer(text):
        last = m
    rel = None
    for m in p.relative.finditer(text):
        rel = m
    # 同年/当年 after an explicit year (1950年2月…当年共发展会员150名) is that year, not the document's.
    same = rel is not None and last is not None and rel.group(0).startswith(_SAME_YEAR)
    if last is not None and (rel is None or last.start() >= rel.start() or same):
        y = int(last.group("y"))
        year, explicit = y, True
        tail = last.group(0)
        if _tail("h1_tail").search(tail):
            period = "H1"
        elif _tail("fy_tail").search(tail):
            period = "FY"
        elif _MONTH.search(tail):
            period = None
        elif doc.year == y and doc.period:
            period = doc.period  # 2022年元旦 in the 2022 H1 report: still that report's span
        else:
            # "2018年," alone: a completed year is a full year; the current one is not.
            nxt = text[last.end():last.end() + 2]
            full = doc.dateline_year is None or y < doc.dateline_year
            period = "FY" if full and not nxt.startswith(("的", "数")) else None
    elif rel is not None:
        word = rel.group(0)
        offset = -1 if word.startswith(("去年", "上年", "上一年")) else 0
        year = (base_year + offset) if base_year is not None and not doc.year_masked else None
        if offset == -1:
            period = "FY"
        tail = word
        if _tail("h1_tail").search(tail):
            period = "H1"
        elif _tail("fy_tail").search(tail):
            period = "FY"
        elif _MONTH.search(tail) and period != "FY":
            period = None
    if p.h1.search(text):
        period = "H1"
    elif p.fy.search(text):
        period = "FY"
    if cancel:
        period = None
    if stock and year is not None and period in ("H1", "FY") and p.asof.search(text):
        as_of = f"{year}-06-30" if period == "H1" else f"{year}-12-31"
    return When(year, period, as_of, explicit)
