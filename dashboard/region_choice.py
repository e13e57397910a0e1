"""What staff choose for a region name the directory lacks (数据上传, 上传报告): map it, add it, or leave it out.

The upload pages call `choose(plan.unknown, key)` and hand its answer to the commit
(etl.tally.upload.commit / etl.report_upload.commit_report: `region_choices`). A name
without a choice blocks the load: nothing becomes a region by itself. Names from the
file are shown in a table (text, never markdown); widget labels only number them.
Another control that decides a name (a one-click "改为白沙镇" next to a problem) sets
`st.session_state[widget_key(key, i)]` to `option_map(suggestion)` and the same path follows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import cache
from etl.regions import ADD, MAP, SKIP, Choice
from etl.unknown_regions import Unknown

OTHER = "改为名录中的其他地区"
NEW = "作为新地区加入名录"
LEAVE = "不导入这些行"
PARENT_LEVELS = ("地市", "区县", "乡镇街道")  # where a new unit may be added


def option_map(suggestion: str) -> str:
    """The option that maps `u` to one of its suggestions ('改为 白沙镇')."""
    return f"改为 {suggestion}"


def widget_key(key: str, i: int) -> str:
    return f"{key}_unknown_{i}"


def choose(unknown: list[Unknown], key: str) -> dict[str, Choice | None]:
    """One row of choices per unknown name; returns raw name → Choice (None while undecided)."""
    if not unknown:
        return {}
    regions = cache.get("regions")
    fed = cache.get("federation")
    names = list(regions["name"])
    parents = list(regions.loc[regions["level"].isin(PARENT_LEVELS), "name"])
    st.subheader("名录外的地区")
    st.caption("下列名称不在地区名录中，不会自动成为新地区。请逐个选择：是名录中某地区的笔误或别称，就改为该地区"
               "（并记为它的别名，下次自动识别）；确是新单位，就作为新地区加入它的上级之下；否则不导入这些行。"
               "撤销这次导入时，新加的地区和别名一并删除。")
    st.dataframe(pd.DataFrame({
        "序号": range(1, len(unknown) + 1), "名称": [u.raw for u in unknown], "数据条数": [u.rows for u in unknown],
        "位置": [u.where for u in unknown], "说明": [u.message for u in unknown]}),
        hide_index=True, width="stretch", key=f"{key}_unknown_table")
    out: dict[str, Choice | None] = {}
    for i, u in enumerate(unknown, start=1):
        options = [option_map(s) for s in u.suggestions] + [OTHER, NEW, LEAVE]
        left, right = st.columns(2)
        picked = left.selectbox(f"第 {i} 个名称如何处理", options, index=None, placeholder="请选择",
                                key=widget_key(key, i))
        if picked is None:
            out[u.raw] = None
        elif picked == LEAVE:
            out[u.raw] = Choice(SKIP)
        elif picked == OTHER:
            target = right.selectbox(f"第 {i} 个名称改为", names, index=None, placeholder="选择名录中的地区",
                                     key=f"{widget_key(key, i)}_target")
            out[u.raw] = Choice(MAP, target) if target else None
        elif picked == NEW:
            home = parents.index(fed.region) if fed and fed.region in parents else None
            parent = right.selectbox(f"第 {i} 个名称的上级", parents, index=home, key=f"{widget_key(key, i)}_parent")
            out[u.raw] = Choice(ADD, parent) if parent else None
        else:
            out[u.raw] = Choice(MAP, picked.removeprefix("改为 "))
    return out


def undecided(choices: dict[str, Choice | None]) -> int:
    """How many names still wait for a choice (the confirm button stays disabled while any does)."""
    return sum(c is None for c in choices.values())
