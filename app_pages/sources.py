"""数据来源: every source of one figure: the report sentence highlighted in its document, or the tally row.

The four choices are in the URL (dashboard.links), so a chart click, a shared link and the browser's Back
button all land on the same cell.
"""

import pandas as pd
import streamlit as st

from dashboard import actions, auth, cache, filters, fmt, links, safe, views
from dashboard.provenance import highlight, history_html
from etl.audit import VIA_ZH
from etl.catalog import load_catalog
from etl.vocab import FLAG_ZH, KIND_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH, PERIODS

STATUS_ZH = {"active": "有效", "superseded": "已被更正", "rejected": "已驳回"}

st.title("数据来源")
account = auth.me()
f = filters.current()
regions = cache.get("regions")
names = list(regions["name"])
catalog = load_catalog()
codes = list(catalog)
years = views.source_years(f)

c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
with c1:
    region = views.url_widget(st.selectbox, "地区", names, links.SRC_REGION)
with c2:
    metric = views.url_widget(st.selectbox, "指标", codes, links.SRC_METRIC, views.SOURCES_METRIC, links.metric_label)
rid = int(regions.loc[regions["name"] == region, "id"].iloc[0])
with c3:
    year = views.url_widget(st.selectbox, "年份", years, links.SRC_YEAR, views.sources_year_default(rid, metric, years))
with c4:
    period = views.url_widget(st.selectbox, "期别", list(PERIODS), links.SRC_PERIOD, fmt=links.period_label)

facts = cache.get("sources", rid, metric, year, period)
counted = facts[(facts["status"] == "active") & (facts["batch_status"] == "loaded")]
unit = catalog[metric].unit
if facts.empty:
    st.info(f"{safe.md(region)} {year}年{PERIOD_ZH[period]}没有“{catalog[metric].name_zh}”的数据。")
elif counted["value"].nunique() > 1:
    shown = "、".join(fmt.number(v, unit) for v in counted["value"].unique())
    st.error(f"来源不一致：{len(counted)} 个有效来源给出不同数字（{safe.md(shown)}）。"
             "图表采用可信度最高的一条；请到审核页确认。")
    if account.may_open("review"):
        st.page_link("app_pages/review.py", label="去审核页处理", icon=":material/fact_check:")
elif counted.empty:  # every row below was corrected, rejected or undone
    st.info("这里没有有效来源：下面的数据都已被更正、驳回或撤销，不计入图表。")
else:
    st.success(f"{len(counted)} 个有效来源，数字一致。")

for row in facts.itertuples():  # every text below came from a file: escaped, shown as written
    status = STATUS_ZH.get(row.status, row.status) + ("" if row.batch_status == "loaded" else "（批次已撤销）")
    with st.container(border=True):
        st.markdown(f"**{safe.md(fmt.number(row.value, unit, row.approx))}** · {status} · 可信度 {row.confidence:.2f}"
                    f" · 批次 {row.batch_id} · 数据编号 {row.id}")
        file = next((x for x in (row.doc_title, row.file) if isinstance(x, str) and x), None)
        if file is None and not pd.isna(row.supersedes):  # a correction: its own batch has no file
            st.markdown(f"审核更正（数据 {int(row.supersedes)} 的更正版本，{safe.md(row.reviewed_by or '—')}）")
        elif row.source_cell:
            st.markdown(f"{KIND_ZH['tally']} **{safe.md(file or '（文件未登记）')}**，"
                        f"单元格 {safe.md(row.source_cell)}")
            views.tally_row(row.source_file, row.file, row.source_cell)
        else:
            st.markdown(f"{KIND_ZH['report']} **{safe.md(file or '（文件未登记）')}**")
            excerpt = highlight(row.text, row.start_offset, row.end_offset, row.evidence)
            if excerpt:
                st.html(f"<div style='line-height:1.9;font-size:1.05rem'>{excerpt}</div>")
            else:
                st.text(f"原文摘录：{row.evidence or '（无）'}")
        views.original_file(row.source_file, row.file, key=f"src_dl_{row.id}")
        marks = [FLAG_ZH.get(x, x) for x in (row.flags if row.flags is not None else [])]
        if row.needs_review and not row.reviewed_by:
            marks.append(NEEDS_REVIEW_ZH)
        if marks:
            st.caption("标记：" + safe.md("、".join(marks)))
        if row.status == "active" and row.batch_status == "loaded" and account.may_for("review", rid):
            st.page_link("app_pages/review.py", label="更正这个数字（数值、指标、年份、期别、地区）",
                         icon=":material/edit:", query_params={"fact": str(row.id)})
        undoable = row.status == "rejected" and row.batch_status == "loaded" and account.may_for("review", rid)
        if undoable and st.button("撤销驳回", key=f"unreject_{row.id}", icon=":material/undo:"):
            try:
                actions.unreject(int(row.id), account)
            except actions.ReviewError as exc:
                st.error(safe.md(exc))
            else:
                cache.clear()
                st.toast(f"已撤销驳回：数据 {row.id} 重新计入。")
                st.rerun()

if account.may("history") and not facts.empty:  # who loaded, corrected, accepted, rejected, undid this figure
    st.subheader("修改历史")
    history = cache.get("figure_history", rid, metric, year, period)
    if history.empty:
        st.caption("没有记录（这些数据是在启用操作记录之前导入的）。")
    else:  # HTML with every name escaped: file and region names are shown exactly as written
        st.html(history_html(history, VIA_ZH))
