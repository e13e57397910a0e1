"""数据来源: every source of one figure: the report sentence highlighted in its document, or the tally cell."""

import streamlit as st

from dashboard import cache, filters, fmt, safe
from dashboard.provenance import highlight
from etl.catalog import load_catalog
from etl.vocab import FLAG_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH, PERIODS

STATUS_ZH = {"active": "有效", "superseded": "已被更正", "rejected": "已驳回"}

st.title("数据来源")
f = filters.current()
qp = st.query_params
if "open_sources" in st.session_state:  # arrived from a chart click or a 查看来源 button
    qp.update(st.session_state.pop("open_sources"))
regions = cache.get("regions")
names = list(regions["name"])
catalog = load_catalog()
codes = list(catalog)

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
# URL values are checked against the choices; anything else falls back to the default with a note.
region = c1.selectbox("地区", names, index=names.index(filters.url_choice("src_region", names, names[0])))
want_metric = filters.url_choice("src_metric", codes, "members_total", lambda c: catalog[c].name_zh)
metric = c2.selectbox("指标", codes, format_func=lambda c: catalog[c].name_zh, index=codes.index(want_metric))
rid = int(regions.loc[regions["name"] == region, "id"].iloc[0])
years = list(range(f.year_from, f.year_to + 1))
have = cache.get("region_profile", rid, f.year_from, f.year_to).dropna(subset=["value"])
have = have[have["metric"] == metric]
y_url = filters.url_year("src_year", int(have["year"].max()) if len(have) else f.year_to)  # default: latest year
year = c3.selectbox("年份", sorted(set(years) | {y_url}), index=sorted(set(years) | {y_url}).index(y_url))
period = c4.selectbox("期别", list(PERIODS), format_func=PERIOD_ZH.get,
                      index=list(PERIODS).index(filters.url_choice("src_period", list(PERIODS), "FY", PERIOD_ZH.get)))
filters.show_url_notes()
qp.update({"src_region": region, "src_metric": metric, "src_year": str(year), "src_period": period})

facts = cache.get("sources", rid, metric, year, period)
counted = facts[(facts["status"] == "active") & (facts["batch_status"] == "loaded")]
unit = catalog[metric].unit
if facts.empty:
    st.info(f"{safe.md(region)} {year}年{PERIOD_ZH[period]}没有“{catalog[metric].name_zh}”的数据。")
elif counted["value"].nunique() > 1:
    shown = "、".join(fmt.number(v, unit) for v in counted["value"].unique())
    st.error(f"来源不一致：{len(counted)} 个有效来源给出不同数字（{safe.md(shown)}）。"
             "图表采用可信度最高的一条；请到审核页确认。")
    st.page_link("app_pages/review.py", label="去审核页处理", icon=":material/fact_check:")
else:
    st.success(f"{len(counted)} 个有效来源，数字一致。")

for row in facts.itertuples():  # every text below came from a file: escaped, shown as written
    status = STATUS_ZH.get(row.status, row.status) + ("" if row.batch_status == "loaded" else "（批次已撤销）")
    with st.container(border=True):
        st.markdown(f"**{safe.md(fmt.number(row.value, unit, row.approx))}** · {status} · 可信度 {row.confidence:.2f}"
                    f" · 批次 {row.batch_id} · 数据编号 {row.id}")
        if row.source_cell:
            st.markdown(f"统计表 **{safe.md(row.file or '（文件未登记）')}**，单元格 {safe.md(row.source_cell)}")
        else:
            st.markdown(f"报告 **{safe.md(row.doc_title or row.file or '（文件未登记）')}**")
            excerpt = highlight(row.text, row.start_offset, row.end_offset, row.evidence)
            if excerpt:
                st.html(f"<div style='line-height:1.9;font-size:1.05rem'>{excerpt}</div>")
            else:
                st.markdown(f"原文摘录：{safe.md(row.evidence or '（无）')}")
        marks = [FLAG_ZH.get(x, x) for x in (row.flags if row.flags is not None else [])]
        if row.needs_review and not row.reviewed_by:
            marks.append(NEEDS_REVIEW_ZH)
        if marks:
            st.caption("标记：" + safe.md("、".join(marks)))
