"""The URL of a view: which query parameter holds which choice, and how a value is written.

A page's choices are in the URL (dashboard.views.url_widget; the parameter name is the widget's key), so a
shared link or the browser's Back button brings the same view back. A value is written as the option's
label, so a link reads `sources?src_region=白沙镇&src_metric=会员总数&src_year=2024&src_period=全年`; these
functions build the same text for links made elsewhere (a chart click, the writing pages). No streamlit.
"""

from __future__ import annotations

from urllib.parse import urlencode

from etl.catalog import load_catalog
from etl.vocab import PERIOD_ZH

# 数据来源: one cell
SRC_REGION, SRC_METRIC, SRC_YEAR, SRC_PERIOD = "src_region", "src_metric", "src_year", "src_period"
# 地区详情: the town and the metric of its trend
TOWN, TOWN_METRIC = "town", "town_metric"
# 总览 and 覆盖率
OVERVIEW_METRIC, OVERVIEW_YEAR = "ov_metric", "ov_year"
COVERAGE_METRIC, COVERAGE_YEAR = "cov_metric", "cov_year"


def metric_label(code: str) -> str:
    """What a metric selector shows, and so what its URL parameter holds: the Chinese name."""
    cat = load_catalog()
    return cat[code].name_zh if code in cat else code


def period_label(period: str) -> str:
    return PERIOD_ZH.get(period, period)


def sources_params(region: str, metric: str, year: int, period: str) -> dict[str, str]:
    """Query parameters that open 数据来源 on one cell (region name, metric code, year, FY/H1)."""
    return {SRC_REGION: region, SRC_METRIC: metric_label(metric), SRC_YEAR: str(int(year)),
            SRC_PERIOD: period_label(period)}


def region_params(town: str, metric: str | None = None) -> dict[str, str]:
    """Query parameters that open 地区详情 on one town (and the trend of one metric)."""
    out = {TOWN: town}
    if metric:
        out[TOWN_METRIC] = metric_label(metric)
    return out


def sources_url(region: str | None, metric: str | None, year: int | None, period: str | None) -> str | None:
    """Relative link to 数据来源 for one cell, or None when the cell is not fully known."""
    if not (region and metric and year and period):
        return None
    return "sources?" + urlencode(sources_params(region, metric, year, period))
