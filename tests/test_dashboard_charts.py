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


def test_ranking_draws_target_line_and_labels():
    df = pd.DataFrame({"region": ["甲镇", "乙镇"], "value": [92.0, 85.5], "unit": ["%", "%"],
                       "approx": [False, False]})
    fig = charts.ranking(df, target=90)
    assert list(fig.data[0].y) == ["乙镇", "甲镇"]  # best on top
    assert any(s.x0 == 90 for s in fig.layout.shapes)
    assert "目标 90%" in [a.text for a in fig.layout.annotations]
    assert list(fig.data[0].text) == ["85.5%", "92%"]


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
