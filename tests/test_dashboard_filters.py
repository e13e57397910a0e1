"""Filter helpers and targets: nested selections are not double counted; the most specific target wins."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import targets
from dashboard.filters import Filters, _drop_nested

REGIONS = pd.DataFrame({"id": [1, 2, 3, 4], "name": ["青禾区", "白沙镇", "青石镇", "某村"],
                        "parent_id": [None, 1, 1, 2], "depth": [0, 1, 1, 2]})


@pytest.mark.parametrize(("chosen", "kept"), [
    ([1, 2], [1]),
    ([2, 3], [2, 3]),
    ([4, 1], [1]),
    ([4, 3], [4, 3]),
], ids=["district-and-its-town", "two-towns", "village-under-chosen-district", "village-and-other-town"])
def test_nested_regions_are_dropped(chosen, kept):
    assert _drop_nested(chosen, REGIONS) == kept


def test_filters_label_is_chinese():
    f = Filters((2, 3), ("白沙镇", "青石镇"), 2019, 2024, ("FY", "H1"), False)
    assert f.label == "白沙镇、青石镇 · 2019–2024年 · 全年、上半年"


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("metric,region,year,target,note\n"
                    "union_coverage_rate,,,90,总目标\n"
                    "union_coverage_rate,,2024,95,2024年\n"
                    "union_coverage_rate,白沙镇,,92,白沙镇\n"
                    "union_coverage_rate,白沙镇,2024,97,白沙镇2024年\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("year", "region", "expected"), [
    (2023, None, 90), (2024, None, 95), (2023, "白沙镇", 92), (2024, "白沙镇", 97), (2024, "青石镇", 95),
], ids=["general", "year", "region", "region-and-year", "other-region-gets-year"])
def test_most_specific_target_wins(table, year, region, expected):
    assert targets.target_for("union_coverage_rate", year, region, path=table) == expected


def test_no_target_is_none(table):
    assert targets.target_for("members_total", 2024, path=table) is None


def test_shipped_targets_parse():
    assert targets.target_for("union_coverage_rate", 2024) == 95
