"""Find and parse quantities in cleaned (Simplified, half-width) report text.

A quantity is a number with its measure word: ``21.13万元``, ``三十二家``,
``2万2千余人次``, ``近5万人``, ``95%以上``, ``X家`` (redacted).  Approximation
markers are kept as a field (近 → about, 余/多/以上 → at_least, 不到 → at_most)
instead of being thrown away, and redacted placeholders never become numbers.

Order matters and is fixed by one regex: an optional prefix marker, the number
body (Arabic digits with separators/decimals, Chinese numerals, or a mix such
as 2万2千), an infix 余/多 (138余万元), a multiplier (万/亿), a suffix 余/多
(237万余元), the measure word, then a tail marker (以上/左右).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from etl.catalog import read_lexicon

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


@dataclass(frozen=True)
class UnitSpec:
    word: str
    cls: str  # org | person | household | money | percent | case | contract | other
    scale: float = 1.0
    times: bool = False  # 人次 / 户次


@dataclass(frozen=True)
class Quantity:
    """One number with its measure word, as offsets into the cleaned text."""

    start: int
    end: int
    value: float | None  # None when redacted
    unit: UnitSpec | None
    approx: str | None
    redacted: bool
    num_start: int  # where the digits begin (after a prefix marker)
    raw: str

    @property
    def cls(self) -> str | None:
        return self.unit.cls if self.unit else None


def _spec() -> dict:
    return read_lexicon("units.toml")


@cache
def units() -> dict[str, UnitSpec]:
    """Measure words from lexicon/units.toml, by word."""
    out: dict[str, UnitSpec] = {}
    for cls, words in _spec()["classes"].items():
        for w in words:
            out[w] = UnitSpec(w, cls, times=w.endswith("次"))
    return out


@cache
def _not_one() -> tuple[str, ...]:
    return tuple(_spec()["not_one"]["before"])


@cache
def _one_case_after() -> tuple[str, ...]:
    return tuple(_spec()["one_case"]["after"])


@cache
def _approx_words() -> dict[str, dict[str, str]]:
    a = _spec()["approx"]
    return {"prefix": a["prefix"], "infix": a["infix"], "tail": a["tail"]}


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Chinese numerals, the formal ones of money (壹仟) included; 百/千 lead only before 余/多 (百余名).
_CN_LEAD = "零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
_CN_NUM = f"(?:[{_CN_LEAD}][{_CN_LEAD}百千万亿佰仟]*|[百千](?=[余多]))"
_FORMAL = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千")
# Thousands grouped by commas (3,887) or, in scanned yearbooks, by spaces (3 556个): a space group
# only right before a measure word or 万, so columns of a table (95 100 98) stay apart.
_AR_NUM = (r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?=[万亿]?[ \t]?[\u4e00-\u9fff])"
           r"|\d+(?:\.\d+|。\d+(?=万|亿|元))?")
# A mixed body: an Arabic or Chinese run optionally followed by more
# Chinese numerals or Arabic pieces joined by multipliers (2万2千, 1亿2000万).
_BODY = rf"(?:{_AR_NUM}|{_CN_NUM})(?:[万亿千](?:{_AR_NUM}|[零〇一二两三四五六七八九])?[千百]?)*"


@cache
def quantity_pattern() -> re.Pattern[str]:
    ap = _approx_words()
    unit_alt = _alt(list(units()))
    redact = _spec()["redacted"]["pattern"]
    return re.compile(
        rf"(?P<pre>{_alt(list(ap['prefix']))})?"
        rf"(?:(?P<body>{_BODY})|(?P<red>{redact}))"
        rf"(?P<infix>{_alt(list(ap['infix']))})?"
        r"(?P<mult>万亿|[万亿])?"
        rf"(?P<suffix>{_alt(list(ap['infix']))})?"
        rf"(?:[ \t]?(?P<unit>{unit_alt}))?"  # 已组建工会 14 个: a space may stand before the measure word
        rf"(?P<tail>{_alt(list(ap['tail']))})?"
    )


_GROUPS = ("pre", "body", "red", "infix", "mult", "suffix", "unit", "tail")


@cache
def _quantity_scanner() -> re.Pattern[str]:
    """The quantity pattern, checked once for the group layout find_quantities unpacks."""
    pattern = quantity_pattern()
    if tuple(pattern.groupindex) != _GROUPS or pattern.groups != len(_GROUPS):
        raise RuntimeError("units.toml: a pattern adds a capturing group; use (?:…)")  # m.groups() is unpacked
    return pattern


def parse_cn_integer(s: str) -> int:
    """Chinese numerals (十余 → 10, 一千二百三十 → 1230, 两万 → 20000, 三十二 → 32)."""
    total = 0
    section = 0  # below 万
    digit = 0
    seen_digit = False
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
            seen_digit = True
        elif ch in _CN_SMALL:
            section += (digit if seen_digit else 1) * _CN_SMALL[ch]
            digit, seen_digit = 0, False
        elif ch in _CN_BIG:
            section += digit
            total = (total + section) * _CN_BIG[ch] if ch == "亿" else total + section * _CN_BIG[ch]
            section, digit, seen_digit = 0, 0, False
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + section + digit


_PIECE = re.compile(rf"(?P<ar>{_AR_NUM})|(?P<cn>[零〇一二两三四五六七八九十百千]+)|(?P<big>[万亿])")


_PLAIN_ARABIC = re.compile(r"\d+(?:[.。]\d+)?")
_PLAIN_CN = re.compile("[零〇一二两三四五六七八九十百千万亿]+")


def parse_number(body: str) -> float:
    """Value of a number body: 1,234.5 / 三十二 / 2万2千 / 28291.1万 / 11922。80 / 壹仟."""
    body = body.replace(",", "").replace(" ", "").translate(_FORMAL)
    if _PLAIN_ARABIC.fullmatch(body):
        return float(body.replace("。", "."))
    if _PLAIN_CN.fullmatch(body):
        return float(parse_cn_integer(body))
    # Mixed: Arabic pieces scaled by the Chinese units that follow them.
    total = 0.0
    section = 0.0
    pending = 0.0
    for m in _PIECE.finditer(body):
        if m.group("ar"):
            pending = float(m.group("ar").replace("。", "."))
        elif m.group("cn"):
            cn = m.group("cn")
            if cn in _CN_SMALL and pending:
                section += pending * _CN_SMALL[cn]
                pending = 0.0
            elif cn[-1] in _CN_SMALL and pending == 0:
                section += parse_cn_integer(cn)
            else:
                # e.g. trailing digit in 2万2 → 2000 when the previous unit was 万
                pending = float(parse_cn_integer(cn))
        else:
            big = _CN_BIG[m.group("big")]
            section += pending
            pending = 0.0
            if big == 100_000_000:
                total = (total + section) * big
            else:
                total += section * big
            section = 0.0
    return total + section + pending


_APPROX_RANK = {"about": 1, "at_most": 2, "at_least": 3}


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every number in text[start:end] that has a measure word or multiplier."""
    ap = _approx_words()
    scaled_units = _spec().get("scaled", {})
    out: list[Quantity] = []
    us = units()
    for m in _quantity_scanner().finditer(text, start, len(text) if end is None else end):
        pre, body, _red, infix, mult, suffix, unit_word, tail = m.groups()  # by position: see _GROUPS
        if not unit_word and not mult and not (body and ("万" in body or "亿" in body)):
            continue  # a bare number (一是, 2023): most matches end here
        if body is None and not unit_word:
            continue
        # A Chinese-numeral body that ends in 万/亿 already carries its multiplier.
        unit = us.get(unit_word) if unit_word else None
        approx = None
        for key, word in (("prefix", pre), ("infix", infix), ("infix", suffix), ("tail", tail)):
            if word:
                a = ap[key][word]
                if approx is None or _APPROX_RANK[a] > _APPROX_RANK[approx]:
                    approx = a
        if body is None:
            out.append(Quantity(m.start(), m.end(), None, unit, approx, True, m.start("red"), m.group()))
            continue
        num_start = m.start("body")
        if body == "一" and text.endswith(_not_one(), max(0, num_start - 2), num_start):
            continue  # 每一名, 不漏一人: a way of saying "every", not a count of one
        if m.group() == "一起" and m.end() < len(text) and not text.startswith(_one_case_after(), m.end()):
            continue  # 一起调解: "together"
        try:
            value = parse_number(body)
        except ValueError:
            continue
        if mult:
            value *= 100_000_000 * 10_000 if mult == "万亿" else _CN_BIG[mult]
        if unit is not None and unit.word in scaled_units:
            value *= scaled_units[unit.word]
        # Guard against garbles such as 1.968人: counts are whole unless scaled.
        value = round(value, 6)
        scaled = bool(mult) or "万" in body or "亿" in body
        if unit is not None and unit.cls in {"org", "person", "household", "case"} and not scaled \
                and not float(value).is_integer():
            continue
        out.append(Quantity(m.start(), m.end(), round(value, 6), unit, approx, False, num_start, m.group()))
    return out
