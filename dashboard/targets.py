"""Targets (目标值) for rates, kept as data in etl/lexicon/targets.csv.

Blank region means every region, blank year every year; the most specific row
wins (region and year, then region, then year, then the general target).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

TARGETS = Path(__file__).resolve().parent.parent / "etl" / "lexicon" / "targets.csv"


@cache
def load(path: Path = TARGETS) -> tuple[dict, ...]:
    with open(path, encoding="utf-8") as f:
        return tuple(
            {"metric": r["metric"], "region": r["region"].strip() or None,
             "year": int(r["year"]) if r["year"].strip() else None, "target": float(r["target"]), "note": r["note"]}
            for r in csv.DictReader(f)
        )


def target_for(metric: str, year: int | None = None, region: str | None = None, path: Path = TARGETS) -> float | None:
    """The target that applies to this metric, year and region, or None when none is set."""
    best, best_rank = None, -1
    for row in load(path):
        if row["metric"] != metric:
            continue
        if row["region"] not in (None, region) or row["year"] not in (None, year):
            continue
        rank = 2 * (row["region"] is not None) + (row["year"] is not None)
        if rank > best_rank:
            best, best_rank = row["target"], rank
    return best
