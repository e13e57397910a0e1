"""How a figure is written, what range of true values it claims, and how to write another number the same way.

A draft says 3,887家, 3.89万人, 近330家, 2900多家, 95%以上. Each claims a range, not a
point: 3.89万人 is whatever rounds to it (38,850–38,950), 2900多家 is 2,900–3,000,
近5万人 is 4万–5万 (lexicon/draft.toml says what each approximation word claims). The
checker compares ranges, so a correct rounding is never called wrong; a suggestion
writes the stored number with the draft's own habits (万 and decimals, thousands
separators, measure word, approximation word) so it can be pasted over the old one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.catalog import read_lexicon
from etl.normalize import normalize
from etl.numbers import find_quantities, quantity_pattern

LEXICON = Path(__file__).parent / "lexicon"
_SCALE = {"": 1.0, "万": 1e4, "亿": 1e8, "万亿": 1e12}
_ARABIC = re.compile(r"(\d+(?:\.\d+)?)(万亿|万|亿)?")
_EPS = 1e-9


def draft_lexicon() -> dict:
    """lexicon/draft.toml, read once."""
    return read_lexicon("draft.toml", LEXICON)


@cache
def _claims() -> dict[str, str]:
    """Approximation word → what it claims (below, around, above, open_up, open_down)."""
    return {w: claim for claim, words in draft_lexicon()["approx"].items() for w in words}


@dataclass(frozen=True)
class Written:
    """One figure as the writer put it (cleaned text), with its value in catalog units (yuan, %, persons)."""

    text: str
    value: float
    digits: str  # the number as written, without separators or 万: '3887', '3.89', '三十二'
    decimals: int
    scale_word: str  # '', '万', '亿'
    unit: str  # the measure word as written: 家, 人次, %, 元, 个百分点
    grouped: bool  # written with thousands separators
    marker: str = ""  # the approximation word ('' when exact)
    marker_at: str = ""  # where it stands: 'pre' (近5万), 'infix' (2900余家), 'suffix' (23.2万余人), 'tail' (95%以上)

    @property
    def scale(self) -> float:
        return _SCALE.get(self.scale_word, 1.0)

    @property
    def claim(self) -> str:
        """'exact' or the approximation word's claim from lexicon/draft.toml."""
        return _claims().get(self.marker, "around") if self.marker else "exact"

    @property
    def approx(self) -> str | None:
        """The approximation in the fact vocabulary (about, at_least, at_most) or None."""
        return {"exact": None, "below": "about", "around": "about", "above": "at_least", "open_up": "at_least",
                "open_down": "at_most"}[self.claim]

    @property
    def step(self) -> float:
        """The rounding the writer used, in catalog units.

        Exact: the last digit written (3887家 → 1, 3.89万 → 100, 26万 → 1万).
        Approximate: the last nonzero digit (2900多 → 100, 近5万 → 1万).
        """
        if self.claim == "exact":
            return 10.0 ** -self.decimals * self.scale
        return significant_step(self.value / self.scale, self.decimals) * self.scale

    def bounds(self) -> tuple[float, float]:
        """The true values this writing allows (inclusive)."""
        v, s = self.value, self.step
        return {
            "exact": (v - s / 2, v + s / 2), "around": (v - s / 2, v + s / 2), "below": (v - s, v),
            "above": (v, v + s), "open_up": (v, math.inf), "open_down": (-math.inf, v),
        }[self.claim]

    def allows(self, lo: float, hi: float) -> bool:
        """True when the range [lo, hi] and this figure's range overlap (to rounding noise)."""
        a, b = self.bounds()
        eps = _EPS * max(1.0, abs(self.value))
        return a <= hi + eps and lo <= b + eps

    def like(self, value: float, stored: Written | None = None, stored_approx: str | None = None) -> str:
        """`value` written the way this figure is written.

        The approximation word: the stored figure's own when it is approximate
        (`stored`, or a plain 约/余/不足 from `stored_approx`); else this figure's
        word when it still holds after rounding (2900多家 → 3200多家 for 3,210);
        else none.
        """
        if stored is not None and stored.marker:
            marker, at = stored.marker, stored.marker_at
        elif stored_approx:
            marker, at = {"about": ("约", "pre"), "at_least": ("余", "infix"), "at_most": ("不足", "pre")}[
                stored_approx]
        elif self.marker:
            marker, at = self.marker, self.marker_at
            value = _round_for(value, self.step, self.claim)
        else:
            marker, at = "", ""
        scale_word, scale = (self.scale_word, self.scale) if abs(value) >= self.scale else ("", 1.0)
        keep = scale > 1 or self.unit.endswith(("%", "百分点")) or not float(value).is_integer()
        decimals = self.decimals if keep else 0
        if keep and scale == 1 and not self.unit.endswith(("%", "百分点")):
            decimals = 2  # 3.9万 style, but the stored figure is below 1万: write it out
        body = _digits(value / scale, decimals, self.grouped or (scale == 1 and abs(value) >= 1e4))
        if "." in body and scale == 1 and not self.unit.endswith(("%", "百分点")):
            body = body.rstrip("0").rstrip(".")
        if at == "infix" and scale_word:
            at = "suffix"  # 23.2万余人 rather than 23.2余万人
        if at == "suffix" and not scale_word:
            at = "infix"
        return "".join([marker if at == "pre" else "", body, marker if at == "infix" else "", scale_word,
                        marker if at == "suffix" else "", self.unit, marker if at == "tail" else ""])


def significant_step(x: float, decimals: int) -> float:
    """The place of the last nonzero digit of `x` as written with `decimals` (2900 → 100, 3.89 → 0.01)."""
    if decimals > 0:
        return 10.0 ** -decimals
    n = abs(round(x))
    if n == 0:
        return 1.0
    zeros = 0
    while n % 10 == 0:
        n //= 10
        zeros += 1
    return 10.0 ** zeros


def _round_for(value: float, step: float, claim: str) -> float:
    """Round so that the approximation word still holds: 多 rounds down, 近 and 不足 up, 约 to nearest."""
    if claim in ("above", "open_up"):
        return math.floor(value / step + _EPS) * step
    if claim in ("below", "open_down"):
        return math.ceil(value / step - _EPS) * step
    return round(value / step) * step


def _digits(x: float, decimals: int, grouped: bool) -> str:
    return f"{x:,.{decimals}f}" if grouped else f"{x:.{decimals}f}"


def parse(text: str) -> Written | None:
    """The figure in `text` (cleaned text of one quantity: '3,887家', '近5万人'), or None if it is no number."""
    m = quantity_pattern().fullmatch(text)
    if m is None or m.group("body") is None:
        return None
    qs = find_quantities(text)
    if not qs or qs[0].value is None:
        return None
    plain = m.group("body").replace(",", "").replace("。", ".")
    scale_word = m.group("mult") or ""
    arabic = _ARABIC.fullmatch(plain)
    if arabic:  # 3.89万 arrives as one body; 138余万 has its 万 after the 余
        plain, scale_word = arabic.group(1), arabic.group(2) or scale_word
    decimals = len(plain.split(".", 1)[1]) if arabic and "." in plain else 0
    marker, at = "", ""
    for group in ("pre", "infix", "suffix", "tail"):
        word = m.group(group)
        if word and (not marker or _claims().get(word, "") in ("open_up", "open_down")):
            marker, at = word, group
    return Written(text, qs[0].value, plain, decimals, scale_word, m.group("unit") or "", "," in m.group("body"),
                   marker, at)


def stored_written(value: float, approx: str | None, evidence: str | None) -> Written | None:
    """The stored figure as its source wrote it (found in the fact's evidence), or None."""
    if not evidence:
        return None
    clean = normalize(evidence).text
    for q in reversed(find_quantities(clean)):
        if q.value is not None and math.isclose(q.value, value, rel_tol=1e-9, abs_tol=1e-9):
            w = parse(clean[q.start:q.end])
            if w is not None and w.approx == approx:
                return w
    return None


def stored_bounds(value: float, approx: str | None, written: Written | None = None) -> tuple[float, float]:
    """The true values a stored figure allows: a point when exact, its source's wording when approximate."""
    if approx is None:
        return value, value
    if written is not None and written.approx == approx:
        return written.bounds()
    s = significant_step(value, 0 if float(value).is_integer() else 2)
    return {"about": (value - s, value + s / 2), "at_least": (value, value + s),
            "at_most": (value - s, value)}.get(approx, (value - s, value + s))
