"""核对稿件: paste or upload a draft; every figure compared with the database; the draft highlighted, the problems
listed, the draft as .docx with comments on the wrong figures. The work is in writing/ (check, show, word)."""

import pandas as pd
import streamlit as st

from dashboard import cache, filters, views
from dashboard.db import archive_path, db_path
from etl.read import ReadError
from etl.vocab import PERIOD_ZH
from writing import show
from writing.check import DRAFT_TYPES, VERDICT_ZH, check_draft, read_draft
from writing.stored import federation
from writing.word import commented_draft

st.title("核对稿件")
st.caption("把工作报告或讲话稿的草稿粘贴进来，或上传 .txt / .docx。系统找出其中每个数字，按指标、地区、年份"
           "与库中数据逐一比对；同比增减和完成率按库中数字重新计算。约数（约、近、余、多）和取整（如 3.89万）"
           "按稿件写法判断。")

filters.current()
lo, hi = cache.get("year_bounds") or (0, -1)
names = list(cache.get("regions")["name"])
home = federation(db_path())
c1, c2, c3, c4 = st.columns([2, 2, 1, 2])
source = c1.radio("稿件", ["粘贴文字", "上传文件"], horizontal=True, key="draft_source")
region = c2.selectbox("代表地区", names, index=names.index(home) if home in names else 0, key="draft_region",
                      placeholder="请选择地区",
                      help="稿件以哪一级工会的名义写；稿件中点名的下属镇街按各自的数据核对。")
year = c3.selectbox("年份", ["按稿件", *range(hi, lo - 1, -1)], key="draft_year", placeholder="请选择年份",
                    help="稿件中没写年份的数字按此年份核对；“按稿件”即取标题中的年份。")
period = c4.radio("期别", ["按稿件", *PERIOD_ZH.values()], horizontal=True, key="draft_period")

if source == "粘贴文字":
    text = st.text_area("稿件内容", height=220, key="draft_text",
                        placeholder="例：截至2024年底，全区共有基层工会组织3,887家，较上年增加199家，增长5.4%……")
    upload = None
else:
    upload = st.file_uploader("选择稿件文件", type=DRAFT_TYPES, key="draft_file")
    text = None

if st.button("开始核对", type="primary", key="draft_go"):
    try:
        if upload is not None:
            rt = read_draft(upload.getvalue(), upload.name, archive_path())
            text, name, original = rt.text, rt.name, rt.data if rt.fmt == "docx" else None
        else:
            name, original = "粘贴的稿件.txt", None
        if not (text or "").strip():
            st.warning("请先粘贴稿件内容或上传稿件文件。")
            st.stop()
        with st.spinner("正在核对……"):
            check = check_draft(text, path=db_path(), region=region, name=name,
                                year=None if year == "按稿件" else int(year),
                                period={zh: code for code, zh in PERIOD_ZH.items()}.get(period))
        st.session_state["draft_result"] = (check, original)
    except ReadError as exc:
        st.error(str(exc))
        st.stop()

if "draft_result" not in st.session_state:
    st.stop()
check, original = st.session_state["draft_result"]
st.divider()
st.caption(f"稿件“{check.name}”按 **{check.region} {check.year}年{PERIOD_ZH.get(check.period, '全年')}** 核对"
           "（稿件中写明其他年份或下属镇街的数字，按所写的核对）。")
cols = st.columns(5)
cols[0].metric("数字", len(check.figures))
for col, v in zip(cols[1:], VERDICT_ZH, strict=True):
    col.metric(VERDICT_ZH[v], check.count(v))
st.download_button(f"下载带批注的稿件（.docx，{len(check.wrong)} 处批注）", commented_draft(check, original),
                   check.name.rsplit(".", 1)[0] + "（核对意见）.docx", key="draft_docx", type="primary",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

st.subheader("问题清单")
if not check.problems:
    st.success("没有发现与库中不一致的数字。" if check.figures else "稿件中没有找到数字。")
for i, fig in enumerate(check.problems):
    with st.container(border=True):
        color = "red" if fig.verdict == "differs" else "gray"
        st.markdown(f":{color}[**{VERDICT_ZH[fig.verdict]}**] · “{fig.text}” · {fig.metric_zh} · "
                    f"{fig.region or ''} {fig.when}")
        st.markdown(fig.note)
        if fig.sources:
            st.caption("来源：" + "；".join(s.where for s in fig.sources[:4]))
        if fig.verdict == "differs" and fig.metric and st.button("查看来源", key=f"draft_src_{i}",
                                                                   icon=":material/search:"):
            views.open_sources(fig.region, fig.metric, fig.year, fig.period)

st.subheader("稿件全文")
st.markdown(show.legend(), unsafe_allow_html=True)
st.markdown(show.draft_html(check), unsafe_allow_html=True)
with st.expander("全部数字"):
    st.dataframe(pd.DataFrame([{"原文": x.text, "结果": VERDICT_ZH[x.verdict], "指标": x.metric_zh,
                                "地区": x.region, "时间": x.when, "库中": x.stored_text, "建议": x.suggestion,
                                "说明": x.note} for x in check.figures]), hide_index=True, key="draft_table")
