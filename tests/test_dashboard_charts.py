"""Charts: figures from DataFrames, no streamlit, gaps kept, periods apart, approximate values marked."""

from __future__ import annotations

import base64
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dashboard import charts, theme

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def ys(trace) -> list[float]:
    """Trace y values whether plotly stored them as a list or base64 'bdata'."""
    y = trace.y
    if isinstance(y, dict) and "bdata" in y:
        return list(np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]))
    return [float("nan") if v is None else float(v) for v in y]


def frame(values: dict[tuple[int, str], float | None], unit: str = "人", name: str = "会员总数",
          approx: set = frozenset()) -> pd.DataFrame:
    rows = [{"metric": "m", "name_zh": name, "unit": unit, "kind": "stock", "year": y, "period": p,
             "period_zh": {"FY": "全年", "H1": "上半年"}[p], "value": np.nan if v is None else v,
             "approx": (y, p) in approx, "conflict": False, "from_children": False}
            for (y, p), v in values.items()]
    return pd.DataFrame(rows)


def test_charts_module_does_not_import_streamlit():
    code = "import sys, dashboard.charts; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_trend_keeps_gaps_as_nan():
    fig = charts.trend(frame({(2019, "FY"): 10, (2020, "FY"): None, (2021, "FY"): 12}))
    y = ys(fig.data[0])
    assert y[0] == 10 and np.isnan(y[1]) and y[2] == 12
    assert fig.data[0].connectgaps is False


def test_trend_puts_h1_and_fy_in_separate_panels():
    fig = charts.trend(frame({(2019, "FY"): 10, (2019, "H1"): 4, (2020, "FY"): 11, (2020, "H1"): 5}))
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["全年", "上半年"]
    assert {t.xaxis for t in fig.data} == {"x", "x2"}


def test_trend_scales_to_wan_and_marks_approximate_points_hollow():
    fig = charts.trend(frame({(2019, "FY"): 150000, (2020, "FY"): 160000}, approx={(2020, "FY")}))
    assert "单位：万人" in [a.text for a in fig.layout.annotations]
    assert ys(fig.data[0]) == [15.0, 16.0]
    colors = list(fig.data[0].marker.color)
    assert colors[0] != "white" and colors[1] == "white"
    assert "约16万人" in fig.data[0].text[1]


def test_ranking_of_counts_draws_bars_and_the_target_line():
    df = pd.DataFrame({"region": ["甲镇", "乙镇"], "value": [920.0, 855.0], "unit": ["家", "家"],
                       "approx": [False, False]})
    fig = charts.ranking(df, target=900)
    assert fig.data[0].type == "bar" and list(fig.data[0].y) == ["乙镇", "甲镇"]  # best on top
    assert any(s.x0 == 900 for s in fig.layout.shapes)
    assert "目标 900家" in [a.text for a in fig.layout.annotations]
    assert list(fig.data[0].text) == ["855家", "920家"]


def test_ranking_of_rates_zooms_the_axis_and_shows_the_gap_to_the_target():
    """95.3 % and 96.6 % must not look alike: an axis around the values and the target, not 0–100."""
    df = pd.DataFrame({"region": ["甲镇", "乙镇", "丙镇"], "value": [96.6, 95.3, 94.2], "unit": "%",
                       "approx": [False, False, "at_least"]})
    fig = charts.ranking(df, target=95)
    dots = fig.data[-1]
    assert dots.mode == "markers+text" and list(dots.y) == ["丙镇", "乙镇", "甲镇"]
    assert list(dots.text) == ["逾94.2%（−0.8）", "95.3%（+0.3）", "96.6%（+1.6）"]
    lo, hi = fig.layout.xaxis.range
    assert 90 <= lo < 94.2 and 96.6 < hi <= 100 and hi - lo <= 6
    assert any(s.x0 == 95 for s in fig.layout.shapes)
    below = next(t for t in fig.data[:-1] if t.line.color == theme.TARGET_COLOR)
    assert [x for x in below.x if x is not None] == [95, 94.2]  # the short-of-target town's gap segment
    assert list(dots.customdata[0][:1]) == ["丙镇"]  # a click opens the town


@pytest.mark.parametrize(("values", "target", "lo", "hi"), [
    ([95.3, 96.6], None, 94, 98), ([99.2, 99.9], 95, 93, 100), ([40.0, 80.0], 90, 27, 100), ([3.0, 4.0], 5, 2, 6),
], ids=["no-target", "near-100", "wide-spread", "small"])
def test_rate_axis_holds_values_and_target(values, target, lo, hi):
    assert charts.rate_axis(pd.Series(values), target) == (lo, hi)


def test_trend_panel_ends_with_its_own_last_year():
    """全年 has 2019–2024, 上半年 also 2025: the 全年 axis stops at 2024."""
    values = {(y, "FY"): 10 + y % 10 for y in range(2019, 2025)} | {(y, "H1"): 5 for y in range(2019, 2026)}
    values[(2025, "FY")] = None
    fig = charts.trend(frame(values))
    assert fig.layout.xaxis.range[1] < 2025 <= fig.layout.xaxis2.range[1]
    assert fig.layout.xaxis.tickangle == 0 and fig.layout.xaxis2.tickangle == 0


@pytest.mark.parametrize(("first", "last", "most", "ticks"), [
    (2019, 2024, 6, [2019, 2020, 2021, 2022, 2023, 2024]), (2019, 2025, 6, [2019, 2021, 2023, 2025]),
    (2014, 2024, 4, [2015, 2018, 2021, 2024]), (2024, 2024, 6, [2024]),
], ids=["six-years", "seven-years", "eleven-years", "one-year"])
def test_year_ticks_fit_unrotated_and_keep_the_last_year(first, last, most, ticks):
    axis = charts.year_ticks(first, last, most)
    assert axis["tickvals"] == ticks and axis["tickangle"] == 0 and len(ticks) <= most


def test_legend_sits_below_the_figure_not_on_the_axis():
    fig = charts.trend(frame({(2019, "FY"): 1, (2020, "FY"): 2}).pipe(
        lambda d: pd.concat([d, d.assign(name_zh="职工总数")])))
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0


def test_heatmap_cells_carry_their_town_for_a_click():
    df = pd.DataFrame({"region": ["甲镇", "乙镇"], "year": [2019, 2020], "value": [1.0, 2.0], "unit": "%",
                       "metric": "membership_rate", "period": "FY"})
    fig = charts.heatmap(df)
    points = fig.data[1]  # plotly cannot select heat-map cells: an invisible point per cell takes the click
    assert points.type == "scatter" and len(points.x) == 4  # 2 towns × 2 years, empty cells too
    assert {tuple(c[:2]) for c in points.customdata} == {("甲镇", "membership_rate"), ("乙镇", "membership_rate")}
    assert "无数据" in points.text


def test_ranking_of_many_regions_shows_both_ends():
    n = 100
    df = pd.DataFrame({"region": [f"镇{i}" for i in range(n)], "value": list(range(n)), "unit": "家",
                       "approx": False})
    fig = charts.ranking(df, limit=10)
    labels = list(fig.data[0].y)
    assert len(labels) == 11 and labels[0] == "镇0" and labels[-1] == "镇99" and "其余 90 个" in labels[5]


def test_heatmap_leaves_missing_cells_blank():
    df = pd.DataFrame({"region": ["甲镇", "甲镇", "乙镇"], "year": [2019, 2021, 2019], "value": [1.0, 3.0, 2.0],
                       "unit": "家"})
    fig = charts.heatmap(df)
    z = np.array(fig.data[0].z, dtype=float)
    assert list(fig.data[0].x) == ["2019", "2020", "2021"]
    assert np.isnan(z).sum() == 3  # 2020 for both, 2021 for 乙镇


@pytest.mark.parametrize("make", [charts.trend, charts.heatmap, charts.stacked, charts.small_multiples],
                         ids=["trend", "heatmap", "stacked", "small-multiples"])
def test_empty_input_says_so(make):
    df = pd.DataFrame({"region": [], "metric": [], "name_zh": [], "unit": [], "year": [], "period": [],
                       "period_zh": [], "value": []})
    fig = make(df)
    assert fig.layout.annotations[0].text == "所选范围内没有数据"


def test_every_chart_uses_the_shared_theme():
    fig = charts.trend(frame({(2019, "FY"): 1, (2020, "FY"): 2}))
    assert fig.layout.template.layout.font.family == theme.FONT
    assert "Noto Sans CJK SC" in theme.FONT
    assert list(fig.layout.template.layout.colorway) == theme.PALETTE


def test_small_multiples_axis_ends_with_the_last_full_year():
    """2025 has only 上半年 figures: the 全年 panels end at 2024 instead of showing an empty year."""
    df = pd.DataFrame({"region": ["甲镇"] * 3, "year": [2023, 2024, 2025], "value": [1.0, 2.0, float("nan")],
                       "unit": "人", "period": "FY", "metric": "members_total"})
    fig = charts.small_multiples(df)
    assert list(fig.layout.xaxis.tickvals) == [2023, 2024]
    assert fig.layout.xaxis.range[1] < 2025
