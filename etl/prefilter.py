"""Exact shortcuts for slow regex searches, derived from the patterns themselves.

Python's `re` only skips ahead quickly when a pattern starts with a literal or a
character class. Most lexicon patterns start with an optional word, a
lookbehind or an alternation of groups, so the engine tries a full match at
every position of the text, which made the context and number patterns the
largest cost of extraction. Two facts read off the parsed pattern let us do
less work without changing any result:

- *required characters*: every match contains at least one of them (the
  patterns for periods all contain 年 or 月). A text holding none of them
  cannot match, and a `str.__contains__` check costs almost nothing;
- *first characters*: every match starts with one of them (a quantity starts
  with a digit, a Chinese numeral or an approximation word). `finditer` then
  only tries a match at those positions, found by a fast character-class scan.

Both are computed from `re._parser`'s tree; anything the analysis does not
understand (a negated class, ``.``, backreferences) yields "no shortcut" and
the plain pattern is used, so the rules in the lexicon files stay the only
source of truth.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as C
from re import _parser

_CATEGORY = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_SPACE: r"\s", C.CATEGORY_WORD: r"\w"}
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT}
_MAX_REQUIRED = 40  # beyond this many characters a pre-check costs about as much as the search


def _class_items(items: list) -> list[str] | None:
    """Regex class pieces for an IN node (None when negated or using an unknown category)."""
    out = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is C.RANGE:
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is C.CATEGORY and av in _CATEGORY:
            out.append(_CATEGORY[av])
        else:
            return None
    return out


def _first(seq) -> tuple[list[str] | None, bool]:
    """(class pieces a match of `seq` can start with, whether `seq` can match empty)."""
    acc: list[str] = []
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue  # consumes nothing; skipping a lookahead only widens the set
        if op is C.LITERAL:
            return [*acc, re.escape(chr(av))], False
        if op is C.IN:
            items = _class_items(av)
            return (None, False) if items is None else ([*acc, *items], False)
        if op is C.BRANCH:
            nullable = False
            for alt in av[1]:
                f, n = _first(alt)
                if f is None:
                    return None, False
                acc += f
                nullable = nullable or n
        elif op is C.SUBPATTERN:
            _group, add_flags, _del, sub = av
            if add_flags & re.IGNORECASE:
                return None, False
            f, nullable = _first(sub)
            if f is None:
                return None, False
            acc += f
        elif op in _REPEATS:
            lo, _hi, sub = av
            f, n = _first(sub)
            if f is None:
                return None, False
            acc += f
            nullable = n or lo == 0
        elif op is C.ATOMIC_GROUP:
            f, nullable = _first(av)
            if f is None:
                return None, False
            acc += f
        else:
            return None, False
        if not nullable:
            return acc, False
    return acc, True


def _options(seq) -> list[frozenset[str]]:
    """Character sets of which every match of `seq` holds at least one (each set alone is enough)."""
    out: list[frozenset[str]] = []
    for op, av in seq:
        if op is C.LITERAL:
            out.append(frozenset(chr(av)))
        elif op is C.IN and all(o is C.LITERAL for o, _ in av):
            out.append(frozenset(chr(a) for _, a in av))
        elif op is C.BRANCH:
            union = _branch_required([_options(alt) for alt in av[1]])
            if union is not None:
                out.append(union)
        elif op is C.SUBPATTERN:
            out += _options(av[3])
        elif op in _REPEATS and av[0] >= 1:
            out += _options(av[2])
        elif op is C.ATOMIC_GROUP:
            out += _options(av)
    return out


def _branch_required(alts: list[list[frozenset[str]]]) -> frozenset[str] | None:
    """One set per alternative, preferring characters many alternatives share (年 for 历年|多年来|…年间)."""
    if not alts or any(not opts for opts in alts):
        return None
    count: dict[str, int] = {}
    for opts in alts:
        for ch in set().union(*opts):
            count[ch] = count.get(ch, 0) + 1
    chosen: set[str] = set()
    for opts in alts:
        chosen |= max(opts, key=lambda s: (sum(count[c] for c in s) / len(s), -len(s)))
    return frozenset(chosen)


def first_chars(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A one-class pattern matching every character a match can start with; None if unknown or empty matches."""
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    pieces, nullable = _first(_parser.parse(pattern.pattern, pattern.flags))
    if pieces is None or nullable:
        return None
    return re.compile("[" + "".join(dict.fromkeys(pieces)) + "]")


def required_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match holds one; None when no small set is known."""
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    opts = _options(_parser.parse(pattern.pattern, pattern.flags))
    req = min(opts, key=len, default=None)
    return req if req and len(req) <= _MAX_REQUIRED else None


class Prefiltered:
    """A compiled pattern with its required-character check in front (same results as the pattern).

    `search` and `finditer` take a whole string (no pos/endpos), as the callers do.
    """

    __slots__ = ("_first", "_req", "_req_rx", "pattern", "required")

    def __init__(self, pattern: re.Pattern[str] | str, scan_first: bool = False) -> None:
        self.pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        self.required = req = required_chars(self.pattern)
        self._req = tuple(sorted(req)) if req is not None and len(req) <= 3 else None
        self._req_rx = re.compile("[" + "".join(map(re.escape, sorted(req))) + "]") \
            if req is not None and len(req) > 3 else None
        self._first = first_chars(self.pattern) if scan_first else None

    def may_match(self, text: str) -> bool:
        """False only when `text` holds none of the required characters (so no match exists)."""
        req = self._req
        if req is not None:
            for ch in req:  # noqa: SIM110 - a plain loop: any() with a generator costs more than the check
                if ch in text:
                    return True
            return False
        return self._req_rx is None or self._req_rx.search(text) is not None

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.may_match(text) else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """Same matches as `pattern.finditer(text, pos, endpos)`; tries only at possible first characters."""
        end = len(text) if endpos is None else endpos
        if self._first is None:
            if pos == 0 and end == len(text) and not self.may_match(text):
                return iter(())
            return self.pattern.finditer(text, pos, end)
        return self._scan(text, pos, end)

    def _scan(self, text: str, pos: int, end: int) -> Iterator[re.Match[str]]:
        match = self.pattern.match
        for c in self._first.finditer(text, pos, end):  # type: ignore[union-attr]
            p = c.start()
            if p < pos:
                continue
            m = match(text, p, end)
            if m is not None:
                yield m
                pos = m.end()
