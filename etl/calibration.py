"""What a fact's confidence is computed from: the model's view of the number, and how its
year and region were found.

A figure on a chart is wrong when its metric is wrong, and just as wrong when
it lands on the wrong year or town.  So the confidence of a fact is the
probability that all of it is right, learned (etl/learn/fit.py) from
cross-validated facts: the classifier's probability and margin, whether the
cue rules agree, and where the year and the region came from.
"""

from __future__ import annotations

import math

from etl.context import When
from etl.rules import RuleHit

REGION_KINDS = ("given", "sub", "named", "bare", "none")
LEVEL_ONLY = {"区", "县", "市", "镇", "乡", "街道", "省", "院", "校", "厂", "矿", "局", "所", "公司", "集团"}
N_CALIBRATION = 12 + len(REGION_KINDS)


def region_kind(region: str | None, from_text_unit: bool, given: bool) -> str:
    """How the fact's region was found: given by the uploader, a sub-unit named at the figure,
    a named reporting body, a body named only by its level, or none."""
    if from_text_unit:
        return "sub"
    if given:
        return "given"
    if not region:
        return "none"
    return "bare" if region in LEVEL_ONLY or len(region) <= 1 else "named"


def calibration_row(c: RuleHit, when: When, kind: str, flags: list[str], body_margin: float) -> list[float]:
    """The calibrator's inputs for one fact (fixed order, N_CALIBRATION values)."""
    p = min(max(c.prob, 1e-4), 1 - 1e-4)
    row = [
        math.log(p / (1 - p)),
        c.margin,
        1.0 if c.agrees else 0.0,
        1.0 if when.year is None else 0.0,
        1.0 if when.explicit_year else 0.0,
        1.0 if when.period is None else 0.0,
        1.0 if c.q.approx else 0.0,
        1.0 if c.table_year is not None else 0.0,
        1.0 if flags else 0.0,
        1.0 if c.q.cls == "money" else 0.0,
        1.0 if c.q.cls == "percent" else 0.0,
        min(body_margin, 5.0) if kind not in ("given", "sub") else 5.0,
    ]
    row += [1.0 if kind == k else 0.0 for k in REGION_KINDS]
    return row
