"""Normalise report text for matching while keeping a map back to the original.

Matching runs on a cleaned, Simplified, half-width copy; evidence must be an
exact slice of the original. Cleaning only deletes spans (pinyin ruby, web
boilerplate, zero-width characters) or replaces one character by one
(full-width → half-width, Traditional → Simplified), so the map from cleaned to
original offsets is a step function kept as two short sorted arrays instead of
one integer per character: normalising 50 MB stays cheap.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import numpy as np
from opencc import OpenCC

from etl.catalog import read_lexicon


def _to_halfwidth(text: str) -> str:
    """The full-width ASCII block, the ideographic space and NBSP to ASCII, one for one, on code point
    arrays: str.translate looks every character up in a dict, which was a tenth of normalising."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    cps[(cps >= 0xFF01) & (cps <= 0xFF5E)] -= 0xFEE0
    cps[(cps == 0x3000) | (cps == 0x00A0)] = 0x20
    return cps.tobytes().decode("utf-32-le", "surrogatepass")


@cache
def t2s() -> OpenCC:
    """The Traditional → Simplified converter, built once (it loads its dictionaries)."""
    return OpenCC("t2s")


@cache
def _removal_pattern() -> re.Pattern[str]:
    """One alternation of every noise pattern in lexicon/noise.toml."""
    parts = [f"(?:{p})" for p in read_lexicon("noise.toml")["remove"]["patterns"]]
    return re.compile("|".join(parts), re.MULTILINE)


@dataclass(frozen=True)
class NormText:
    """Cleaned text plus the map back to the original.

    `breaks[k]` is a cleaned offset from which `shifts[k]` characters have
    been deleted before it in the original.
    """

    original: str
    text: str
    breaks: tuple[int, ...]
    shifts: tuple[int, ...]

    def to_original(self, i: int) -> int:
        """Original offset of cleaned offset `i` (a character position)."""
        k = bisect_right(self.breaks, i) - 1
        return i + (self.shifts[k] if k >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of a cleaned [start, end) span (end exclusive)."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1

    def evidence(self, start: int, end: int) -> tuple[str, int, int]:
        """The original text of a cleaned span and its original offsets."""
        s, e = self.span(start, end)
        return self.original[s:e], s, e


def _to_simplified(text: str) -> str:
    """Traditional → Simplified, one character for one (falls back per line)."""
    cc = t2s()
    out = cc.convert(text)
    if len(out) == len(text):
        return out
    lines = text.split("\n")
    fixed = []
    for line in lines:
        conv = cc.convert(line)
        if len(conv) != len(line):
            conv = "".join(c if len(c := cc.convert(ch)) == 1 else ch for ch in line)
        fixed.append(conv)
    return "\n".join(fixed)


# A table row: cells between pipes or tabs, or set apart by runs of spaces (a yearbook table pasted as text).
_TABLE_ROW = re.compile(r"[|\t]|[ \u3000]{2,}")
WRAP_END = tuple("。！？：；!?:;」』”）)")


def wrapped(lines: list[str], max_width: int | None = None, min_wraps: int = 1) -> list[bool]:
    """Which lines continue on the next: hard-wrapped text (a PDF page, a gazetteer pasted at a fixed
    width) breaks lines at the width, not at the end of a sentence, even inside a number (19\n49年).

    A line as wide as the text's usual full line (its 90th percentile) that does not end a sentence
    continues.  Plain text passes `max_width` (web paragraphs are single long lines: no fixed width) and
    `min_wraps` (one long line without a full stop is no wrapping); table rows never continue.
    """
    if len(lines) < 3:
        return [False] * len(lines)
    lengths = sorted(len(ln) for ln in lines)
    full = lengths[int(0.9 * (len(lengths) - 1))]
    if full < 20 or (max_width is not None and full > max_width):
        return [False] * len(lines)
    out = [len(ln) >= 0.85 * full and not ln.rstrip().endswith(WRAP_END) and not _TABLE_ROW.search(ln.strip())
           for ln in lines]
    out[-1] = False
    return out if sum(out) >= min_wraps else [False] * len(lines)


_WRAP_WIDTH = 120  # wider "full lines" are paragraphs of web text, not a fixed width


def _wrap_spans(original: str) -> list[tuple[int, int]]:
    """The line breaks of hard-wrapped plain text, as spans to delete (see `wrapped`)."""
    lines = original.split("\n")
    cont = wrapped([ln for ln in lines if ln.strip()], max_width=_WRAP_WIDTH, min_wraps=3)
    if not any(cont):
        return []
    spans, pos, k = [], 0, 0
    for i, ln in enumerate(lines):
        end = pos + len(ln)
        if ln.strip():
            if cont[k] and i + 1 < len(lines) and lines[i + 1].strip():  # a blank line still ends the paragraph
                spans.append((end, end + 1))
            k += 1
        pos = end + 1
    return spans


def normalize(original: str) -> NormText:
    """Clean `original` for matching; see the module docstring."""
    pieces: list[str] = []
    breaks: list[int] = []
    shifts: list[int] = []
    pos = 0  # in original
    out_len = 0
    removed = 0
    noise = [m.span() for m in _removal_pattern().finditer(original)]
    wraps = _wrap_spans(original)
    if wraps:  # a wrap inside a noise span goes with it
        noise = sorted(noise + [w for w in wraps if not any(s <= w[0] < e for s, e in noise)])
    for s, e in noise:
        if e <= s or s < pos:
            continue
        pieces.append(original[pos:s])
        out_len += s - pos
        # Long noise (boilerplate) leaves a line break so sentences stay apart.
        keep = "\n" if e - s > 12 else ""
        if keep:
            pieces.append(keep)
            out_len += 1
            removed += e - s - 1
        else:
            removed += e - s
        breaks.append(out_len)
        shifts.append(removed)
        pos = e
    pieces.append(original[pos:])
    text = _to_halfwidth("".join(pieces))
    text = _to_simplified(text)
    return NormText(original, text, tuple(breaks), tuple(shifts))


def clean_names(texts: list[str]) -> list[str]:
    """`normalize(t).text` of many short one-line texts (a tally's 10,000 town names) in one conversion.

    A text without a line break and without noise is only converted character for character, so the
    texts joined by line breaks convert as one (one call into OpenCC instead of 10,000); the others,
    rare, go through `normalize` alone. Same results as `normalize` one by one.
    """
    noise = _removal_pattern()
    out = list(texts)
    plain = []
    for i, t in enumerate(texts):
        if "\n" in t or noise.search(t):
            out[i] = normalize(t).text
        else:
            plain.append(i)
    if plain:
        joined = _to_simplified(_to_halfwidth("\n".join(texts[i] for i in plain)))
        for i, cleaned in zip(plain, joined.split("\n"), strict=True):
            out[i] = cleaned
    return out
