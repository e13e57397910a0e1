"""数据来源: every source of one figure: the report sentence highlighted in its document, or the tally row.

The four choices are bound to the URL (dashboard.links), so a chart click, a shared link and the browser's
Back button all land on the same cell.
"""

import streamlit as st

from dashboard import cache, filters, fmt, links, views
from dashboard.provenance import highlight
from etl.catalog import load_catalog
from etl.vocab import FLAG_ZH, KIND_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH, PERIODS

STATUS_ZH = {"active": "有效", "superseded": "已被更正", "rejected": "已驳回"}

st.title("数据来源")
f = filters.current()
regions = cache.get("regions")
names = list(regions["name"])
catalog = load_catalog()
codes = list(catalog)
lo, hi = cache.get("year_bounds") or (f.year_from, f.year_to)
years = list(range(min(lo, f.year_from), max(hi, f.year_to) + 1))

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
region = c1.selectbox("地区", names, key=links.SRC_REGION, bind="query-params", placeholder="选择地区")
metric = c2.selectbox("指标", codes, index=codes.index("members_total"), format_func=links.metric_label,
                      key=links.SRC_METRIC, bind="query-params", placeholder="选择指标")
rid = int(regions.loc[regions["name"] == region, "id"].iloc[0])
have = cache.get("region_profile", rid, lo, hi).dropna(subset=["value"])
have = have[have["metric"] == metric]
latest = int(have["year"].max()) if len(have) else years[-1]  # default: the region's latest year with this figure
year = c3.selectbox("年份", years, index=years.index(latest) if latest in years else len(years) - 1,
                    key=links.SRC_YEAR, bind="query-params", placeholder="选择年份")
period = c4.selectbox("期别", list(PERIODS), format_func=links.period_label, key=links.SRC_PERIOD,
                      bind="query-params", placeholder="选择期别")

facts = cache.get("sources", rid, metric, year, period)
counted = facts[(facts["status"] == "active") & (facts["batch_status"] == "loaded")]
unit = catalog[metric].unit
if facts.empty:
    st.info(f"{region} {year}年{PERIOD_ZH[period]}没有“{catalog[metric].name_zh}”的数据。")
elif counted["value"].nunique() > 1:
    shown = "、".join(fmt.number(v, unit) for v in counted["value"].unique())
    st.error(f"来源不一致：{len(counted)} 个有效来源给出不同数字（{shown}）。"
             "图表采用可信度最高的一条；请到审核页确认。")
    st.page_link("app_pages/review.py", label="去审核页处理", icon=":material/fact_check:")
else:
    st.success(f"{len(counted)} 个有效来源，数字一致。")

for row in facts.itertuples():
    status = STATUS_ZH.get(row.status, row.status) + ("" if row.batch_status == "loaded" else "（批次已撤销）")
    with st.container(border=True):
        st.markdown(f"**{fmt.number(row.value, unit, row.approx)}** · {status} · 可信度 {row.confidence:.2f}"
                    f" · 批次 {row.batch_id} · 数据编号 {row.id}")
        if row.source_cell:
            st.markdown(f"{KIND_ZH['tally']} **{views.md(row.file or '（文件未登记）')}**，单元格 `{row.source_cell}`")
            views.tally_row(row.source_file, row.file, row.source_cell)
        else:
            st.markdown(f"{KIND_ZH['report']} **{views.md(row.doc_title or row.file or '（文件未登记）')}**")
            excerpt = highlight(row.text, row.start_offset, row.end_offset, row.evidence)
            if excerpt:
                st.markdown(f"<div style='line-height:1.9;font-size:1.05rem'>{excerpt}</div>", unsafe_allow_html=True)
            else:
                st.text(f"原文摘录：{row.evidence or '（无）'}")
        views.original_file(row.source_file, row.file, key=f"src_dl_{row.id}")
        marks = [FLAG_ZH.get(x, x) for x in (row.flags if row.flags is not None else [])]
        if row.needs_review and not row.reviewed_by:
            marks.append(NEEDS_REVIEW_ZH)
        if marks:
            st.caption("标记：" + "、".join(marks))
