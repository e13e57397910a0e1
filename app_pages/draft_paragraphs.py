"""起草数字段落: for a region, year and period, the paragraphs per area with every figure linked to its source;
copy as text or download .docx. The wording is data (writing/lexicon/phrasings.toml); the work is in writing/."""

import pandas as pd
import streamlit as st

from dashboard import cache, filters
from dashboard.db import db_path
from etl.vocab import PERIOD_H1, PERIOD_ZH
from writing import show
from writing.paragraphs import as_text, paragraphs
from writing.stored import federation, latest_year
from writing.word import paragraphs_docx

PERIODS = {zh: code for code, zh in PERIOD_ZH.items()}  # 全年 → FY

st.title("起草数字段落")
st.caption("按地区和年份生成工作报告中的数字段落（工会组建、会员发展、集体合同、困难帮扶），措辞取自各地报告的常见写法。"
           "每个数字都来自库中数据，点击可查看出处；增减只在两个年份的数据都完整时才写。")

f = filters.current()
names = list(cache.get("regions")["name"])
picked = f.region_names[0] if len(f.region_names) == 1 else federation(db_path())
c1, c2, c3 = st.columns([2, 1, 2])
region = c1.selectbox("地区", names, index=names.index(picked) if picked in names else 0, key="para_region",
                   placeholder="请选择地区")
period = PERIODS[c3.radio("期别", list(PERIODS), horizontal=True, key="para_period")]
lo, hi = cache.get("year_bounds") or (0, -1)
last = latest_year(period, db_path()) or hi
year = c2.selectbox("年份", list(range(last, lo - 1, -1)), key="para_year", format_func=lambda y: f"{y}年",
                   placeholder="请选择年份")

if region is None or year is None:
    st.info("数据库中还没有数据。请先在“数据上传”或“上传报告”页导入统计表或工作报告。")
    st.stop()
paras = paragraphs(region, year, period, path=db_path())
when = f"{year}年{PERIOD_ZH[period] if period == PERIOD_H1 else ''}"
if not paras:
    st.info(f"库中没有{region}{when}的数据，无法起草。")
    st.stop()

text = as_text(paras)
d1, d2, _ = st.columns([2, 1, 4])
d1.download_button("下载 .docx（含来源）", paragraphs_docx(paras, f"{region}{when}工作数字"),
                   f"{region}{when}数字段落.docx", key="para_docx", type="primary",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
d2.download_button("下载 .txt", text.encode("utf-8"), f"{region}{when}数字段落.txt", key="para_txt",
                   mime="text/plain")
for i, p in enumerate(paras):
    st.subheader(f"{'一二三四五六七八九十'[i]}、{p.title}")
    st.markdown(show.paragraph_html(p), unsafe_allow_html=True)
    with st.expander("数字来源"):
        st.dataframe(pd.DataFrame([{"数字": x.text, "说明": x.basis, "来源": "；".join(s.where for s in x.sources)}
                                   for x in p.figures]), hide_index=True, key=f"para_src_{p.area}")
st.subheader("复制全文")
st.caption("点右上角的复制按钮，粘贴到稿件中。")
st.code(text, language=None, wrap_lines=True)
