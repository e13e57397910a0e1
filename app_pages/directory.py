"""地区名录: the first-run set-up of the federation, then its directory: the tree, CSV export and import.

The set-up runs before any other page while no federation is configured (app.py). The work is
etl/directory.py's (plan, apply, setup) and etl/directory_sources.py's (the national table, CSV);
this page only gathers the choices and shows the results.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import auth, cache, db, queries, safe
from etl import directory, directory_sources, federation

DB = db.db_path()


def _done(message: str) -> None:
    db.forget()
    cache.clear()
    st.session_state["directory_done"] = message
    st.rerun()


def _year(v: object) -> str:
    return "" if v is None or pd.isna(v) else f"{int(v)}"  # blank, not "None", for a unit without an end


def _entries_table(entries: list[directory.Entry]) -> pd.DataFrame:
    return pd.DataFrame([{"名称": e.name, "层级": e.level, "上级": e.parent or "—", "行政区划代码": e.code or "",
                          "别名": "、".join(e.aliases)} for e in entries])


def setup_form() -> None:
    """First run: the federation's name, its area from the national table or a CSV, its level, since when."""
    st.info("首次使用，请先设置本会：名称、辖区和地区名录。设置后，页面标题、汇报封面和文件名都用本会名称；"
            "上传的统计表和报告只认名录中的地区，名录外的名称要由您确认后才会加入。")
    name = st.text_input("本会名称", key="setup_name", placeholder="例如：远安县总工会")
    source = st.radio("地区名录来自", ["全国区划表（2023年统计用区划代码）", "地区名录 CSV 文件"], key="setup_source",
                      horizontal=True)
    entries: list[directory.Entry] = []
    if source.startswith("全国"):
        query = st.text_input("辖区名称或代码", key="setup_area", placeholder="区县或地级市，如 远安县、420525")
        hits = directory_sources.find_areas(query) if query else []
        if query and not hits:
            st.warning(f"全国区划表中找不到“{safe.md(query)}”。"
                       "请输入区县或地级市的名称（如“远安县”“远安”）或 6 位代码。")
        if hits:
            pick = st.selectbox("选择辖区", hits, format_func=directory_sources.area_label, key="setup_pick")
            entries = directory_sources.setup_entries(pick.code)
        extra = st.file_uploader("可选：补充名录 CSV（别名、起止年份、更名合并、直属单位）", type=["csv"],
                                 key="setup_extra")
        if entries and extra is not None:
            entries = directory_sources.setup_entries(pick.code, extra.getvalue())
    else:
        st.caption("CSV 列：" + "、".join(directory.CSV_COLUMNS) + "。只有辖区一行不填上级；可先下载示例格式。")
        st.download_button("下载名录 CSV 格式", directory_sources.write_csv([]), "地区名录.csv",
                           key="setup_csv_template", mime="text/csv")
        up = st.file_uploader("地区名录 CSV", type=["csv"], key="setup_csv")
        if up is not None:
            entries = directory_sources.read_csv(up.getvalue())
    roots = [e for e in entries if e.parent is None]
    if not entries:
        return
    if len(roots) != 1:
        shown = "、".join(e.name for e in roots)
        st.error(f"名录应当恰好有一行没有上级（本会辖区），现在有 {len(roots)} 行：{safe.md(shown)}。")
        return
    root = roots[0]
    st.markdown(f"**辖区：{safe.md(root.name)}**（{safe.md(root.level)}，代码 {root.code or '无'}），"
                f"其下 {len(entries) - 1} 个单位：")
    st.dataframe(_entries_table(entries), hide_index=True, height=260, key="setup_preview")
    levels = federation.federation_levels()
    level = st.selectbox("本会层级", list(levels), index=list(levels).index(root.level) if root.level in levels else 1,
                         format_func=lambda lv: f"{lv}（{levels[lv]}）", key="setup_level")
    since = st.date_input("从哪天起跟踪报送期限", dt.date.today(), key="setup_since",
                          help="在这一天以前到期的期别不判“逾期”：补录往年的材料不算迟报。")
    if st.button("完成设置", type="primary", key="setup_go", disabled=not name.strip()):
        fed = directory.setup(DB, name=name, area=root.name, level=level, entries=entries, since=since,
                              user=auth.me().actor())
        _done(f"已设置本会：{fed.name}，辖区 {fed.region}，名录中 {len(entries) - 1} 个下属单位。")


def directory_view(fed: federation.Federation) -> None:
    st.caption(f"本会：{safe.md(fed.name)}（辖区 {safe.md(fed.region)}，{fed.level}，代码 {fed.code or '无'}）；"
               f"{fed.since:%Y年%m月%d日}起跟踪报送期限。标“报送”的单位须向上级报数，其数字汇总为上级的合计。")
    tree = queries.directory(DB)
    shown = pd.DataFrame({
        "名称": ["　" * int(d) + n for d, n in zip(tree["depth"], tree["name"], strict=True)],
        "层级": tree["level"], "行政区划代码": tree["code"].fillna(""), "别名": tree["aliases"],
        "起始年份": [_year(v) for v in tree["first_year"]], "终止年份": [_year(v) for v in tree["last_year"]],
        "更名或并入为": tree["successor"].fillna(""), "报送": tree["reports"].map({True: "报送", False: ""}),
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="directory_tree")
    with db.reader() as con:
        data = directory_sources.write_csv(directory.rows(con))
    st.download_button("导出地区名录 CSV", data, f"{fed.name}地区名录.csv", mime="text/csv", key="directory_export")
    if not auth.me().may("directory"):
        st.caption("修改地区名录需要管理角色。")
        return

    st.subheader("导入修改后的名录")
    st.caption("在导出的 CSV 中修改或新增行（更名、合并：在旧名称一行填终止年份和“更名或并入为”，"
               "新名称另起一行填起始年份），再上传。名录中没有列出的地区保持不变。每次导入是一个批次，可在“导入记录”页撤销。")
    up = st.file_uploader("地区名录 CSV", type=["csv"], key="directory_import")
    if up is None:
        return
    try:
        entries = directory_sources.read_csv(up.getvalue())
    except directory.DirectoryError as exc:
        st.error(safe.md(exc))
        return
    with db.reader() as con:
        plan = directory.plan(con, entries)
    for p in plan.problems:
        st.error(safe.md(p))
    todo = [c for c in plan.changes if c.kind != "same"]
    if not todo:
        st.success("与现有名录相同，没有需要修改的地方。")
        return
    st.dataframe(pd.DataFrame([{"名称": c.entry.name, "修改": c.text} for c in todo]), hide_index=True,
                 key="directory_plan")
    if st.button(f"确认导入（新增 {plan.added} 个，修改 {plan.changed} 个）", type="primary", key="directory_apply",
                 disabled=not plan.ok):
        _done(directory.apply(DB, entries, note=f"地区名录：{up.name}", user=auth.me().actor()).text)


st.title("地区名录")
done = st.session_state.pop("directory_done", None)
if done:
    st.success(safe.md(done))
fed = cache.get("federation") if DB.exists() else None
try:
    if fed is None:
        setup_form()
    else:
        directory_view(fed)
except directory.DirectoryError as exc:
    st.error(safe.md(exc))
