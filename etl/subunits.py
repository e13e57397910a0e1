"""Whose figure is this: a sub-unit named at the figure, or a round-up's paragraph union.

The reporting body (etl/body.py) owns a report's figures unless the text hands one to a
unit of its own: a place listed before the figure (其中兴田街道9家), a lower place opening
the figure's clause (其中，白沙镇新建工会30家), or, in a news round-up, the union that opens
the figure's paragraph (8月28日，石城县总工会举行…).  A name read there must be a name
(plausible_unit), not a phrase the patterns caught on new wording.
"""

from __future__ import annotations

import re

from etl.body_names import loose_chars, name_ending, spec

_LIST_PLACE = re.compile(r"(?:^|[,，、;；:：]|其中)\s*(?P<name>[\u4e00-\u9fff]{2,8}?(?:街道|社区|镇|乡|县|市|区|村))"
                         r"\s*(?:共|有|达|为|计)?\s*$")


# A place opening the figure's clause as its subject: 其中，白沙镇新建工会30家 / 城关街道建会率最高，为96.75%.
_SUBJECT_PLACE = re.compile(r"^\s*(?:其中|另外|此外|而|,|，)*\s*(?P<name>[\u4e00-\u9fff]{2,6}?(?:街道|镇|乡|县|市|区))"
                            r"(?:总?工会)?(?=[\u4e00-\u9fff])")
_RANK = {"省": 0, "自治区": 0, "市": 1, "州": 1, "盟": 1, "县": 2, "区": 2, "旗": 2, "镇": 3, "乡": 3, "街道": 3}


def subunit(head: str, clause_left: str, body: str | None) -> str | None:
    """A named sub-unit whose own figure this is, else None (the reporting body's).

    Two forms: a place right before the figure in a list (其中兴田街道9家、黄陂镇7家), and a place
    of a lower level than the body opening the figure's clause as its subject (其中，白沙镇新建
    工会30家 in a district's report).  Tried on the corpus, handing a whole paragraph to a union
    named as its subject moved more figures away from their body than onto the right sub-unit,
    so the reach stays within the clause.
    """
    m = _LIST_PLACE.search(head)
    if m and not _same_body(m.group("name"), body):
        return m.group("name")
    m = _SUBJECT_PLACE.match(clause_left)
    if m and body and not _same_body(m.group("name"), body) and _below(m.group("name"), body):
        return m.group("name")
    return None


# A paragraph opening with a union as its subject (8月28日，石城县总工会举行…).
_OPENER = re.compile(r"[ \t\u3000]{0,8}(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:上午|下午)?|近日|日前|近期|今年以来)?"
                     r"[,，、 ]{0,2}(?P<name>[\u4e00-\u9fff]{2,14}?)(?:总工会|工会委员会|工会)")


_OPENER_REACH = 48  # characters of a paragraph read for its opener: no scan of a long line or run of spaces


def paragraph_openers(text: str, start: int, end: int) -> tuple[tuple[int, int, str], ...]:
    """Paragraphs of a round-up, each opened by its own union: (start, end, name).

    A news round-up (赣州各地总工会近日陆续开展…) gives one paragraph per union, each opening
    with that union as its subject; their figures are theirs, not the writer's.  Only when at
    least two paragraphs open with different named unions is the text read that way.  A paragraph
    that carries on about the union opened before it is that union's too (_continued).
    """
    out = []
    rest = []  # paragraphs opened by no union: (start, end)
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        m = _OPENER.match(text, pos, min(stop, pos + _OPENER_REACH))
        name = m.group("name") if m else ""
        if name and plausible_unit(name) and name_ending(name) not in (None, name):  # refuses not_names
            out.append((pos, stop, name))
        elif text[pos:stop].strip():
            rest.append((pos, stop))
        pos = stop + 1
    if len({n for _, _, n in out}) < 2:
        return ()
    return tuple(sorted(out + _continued(text, out, rest)))


def _continued(text: str, opened: list[tuple[int, int, str]],
               rest: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Paragraphs that carry on about the union of the paragraph opened before them: they name it again and
    no other union of the round-up (二公司自重组成立以来… after 二公司工会召开…).  A closing paragraph that
    names none of them, or several, stays the writer's."""
    names = {n for _, _, n in opened}
    out = []
    for a, b in rest:
        before = [n for s, _, n in opened if s < a]
        if not before:
            continue
        said = {n for n in names if n in text[a:b]}
        if said == {before[-1]}:
            out.append((a, b, before[-1]))
    return out


def plausible_unit(name: str) -> bool:
    """Can `name`, read before a figure as its sub-unit, be a unit's name at all?

    The sub-unit patterns reach back over a few characters, and on new wording they catch a
    phrase (为全区, 全市已建立乡, 区率先试点社区): a name holds no self word, stop word or loose
    grammar character, and is not a collective word.
    """
    sp = spec()
    if name in sp.not_names or name in sp.generic_places:
        return False
    if any(w in name for w in sp.self_words) or any(w in name for w in sp.stop_words):
        return False
    return not (loose_chars(name, sp.function_chars) or loose_chars(name, sp.stop_chars))


def _below(name: str, body: str) -> bool:
    """Is `name` a place of a lower level than `body` (白沙镇 under 青禾区)?"""
    a = next((_RANK[k] for k in sorted(_RANK, key=len, reverse=True) if name.endswith(k)), None)
    b = next((_RANK[k] for k in sorted(_RANK, key=len, reverse=True) if body.endswith(k)), None)
    return a is not None and b is not None and a > b


def _same_body(name: str, body: str | None) -> bool:
    if not body:
        return False
    a, b = name.rstrip("总"), body
    return a == b or a.endswith(b) or b.endswith(a)
