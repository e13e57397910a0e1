"""writing.figures: what a written figure claims, and another number written the same way."""

from __future__ import annotations

import math

import pytest

from writing.figures import parse, significant_step, stored_bounds, stored_written

# written, value, (low, high) of what it allows
CLAIMS = [
    ("3,887家", 3887, (3886.5, 3887.5)),
    ("3.89万人", 38900, (38850, 38950)),
    ("26万人", 260000, (255000, 265000)),
    ("386.2万元", 3862000, (3861500, 3862500)),
    ("97.3%", 97.3, (97.25, 97.35)),
    ("约3900家", 3900, (3850, 3950)),
    ("近5万人", 50000, (40000, 50000)),
    ("2900多家", 2900, (2900, 3000)),
    ("23.2万余人", 232000, (232000, 233000)),
    ("一千六百多户", 1600, (1600, 1700)),
    ("95%以上", 95, (95, math.inf)),
    ("逾16.19万人", 161900, (161900, math.inf)),
    ("不足8.2万人", 82000, (-math.inf, 82000)),
    ("138余万元", 1380000, (1380000, 1390000)),
]


@pytest.mark.parametrize(("text", "value", "bounds"), CLAIMS, ids=[c[0] for c in CLAIMS])
def test_a_written_figure_claims_a_range(text: str, value: float, bounds: tuple[float, float]) -> None:
    w = parse(text)
    assert w is not None and w.value == pytest.approx(value)
    lo, hi = w.bounds()
    assert lo == pytest.approx(bounds[0]) and hi == pytest.approx(bounds[1])


# written, stored value, stored approx, the stored figure in the draft's style
LIKE = [
    ("3,900家", 3887, None, "3,887家"),
    ("3900家", 3887, None, "3887家"),
    ("3.9万人", 38306, None, "3.8万人"),
    ("26.13万人", 254854, None, "25.49万人"),
    ("386.2万元", 3583400, None, "358.3万元"),
    ("近5万人", 38306, None, "近4万人"),  # 近 still holds after rounding up
    ("2900多家", 3210, None, "3200多家"),  # 多 still holds after rounding down
    ("95%以上", 93.1, None, "93%以上"),
    ("97.3%", 95.23, None, "95.2%"),
    ("3,900家", 2900, "at_least", "2,900余家"),
    ("3.9万人", 232000, "at_least", "23.2万余人"),
    ("3.9万元", 8000, None, "8000元"),  # below 1万: written out, not 0.8万
]


@pytest.mark.parametrize(("text", "stored", "approx", "expected"), LIKE, ids=[f"{c[0]}→{c[3]}" for c in LIKE])
def test_the_stored_figure_is_suggested_in_the_drafts_style(text: str, stored: float, approx: str | None,
                                                            expected: str) -> None:
    w = parse(text)
    suggestion = w.like(stored, stored_approx=approx)
    assert suggestion == expected
    assert parse(suggestion).allows(stored, stored)  # the suggestion itself passes the check


def test_the_sources_own_approximation_word_is_kept() -> None:
    stored = stored_written(2900, "at_least", "基层工会组织数为2900多家")
    assert stored is not None and stored.text == "2900多家"
    assert stored_bounds(2900, "at_least", stored) == (2900, 3000)
    assert parse("3,900家").like(2900, stored) == "2,900多家"


def test_a_stored_exact_figure_is_a_point_and_an_approximate_one_a_range() -> None:
    assert stored_bounds(3887, None) == (3887, 3887)
    assert stored_bounds(330, "about") == (320, 335)


@pytest.mark.parametrize(("x", "decimals", "step"), [(2900, 0, 100), (3887, 0, 1), (3.89, 2, 0.01), (0, 0, 1)])
def test_significant_step(x: float, decimals: int, step: float) -> None:
    assert significant_step(x, decimals) == step


def test_not_a_figure() -> None:
    assert parse("二〇二四年") is None
    assert parse("X家") is None
