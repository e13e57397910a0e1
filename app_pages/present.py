"""汇报模式: one chart per slide in large type, next/previous, a ready-made deck to reorder and trim, exports."""

import html

import streamlit as st

from dashboard import filters, safe, views
from etl.vocab import PERIOD_ZH
from export import checks, deck, ui
from export.render import ExportUnavailable

LABELS = {k: d.label for k, d in deck.SLIDES.items()}

st.session_state.setdefault("present_order", list(deck.DEFAULT_DECK))
st.session_state.setdefault("present_idx", 0)


def _go(step: int) -> None:
    n = len(st.session_state.present_order)
    st.session_state.present_idx = max(0, min(n - 1, st.session_state.present_idx + step))


def _move(step: int) -> None:
    keys, i = list(st.session_state.present_order), st.session_state.present_idx
    j = i + step
    if 0 <= j < len(keys):
        keys[i], keys[j] = keys[j], keys[i]
        st.session_state.present_order, st.session_state.present_idx = keys, j


def _drop() -> None:
    keys = list(st.session_state.present_order)
    if len(keys) > 1:
        keys.pop(st.session_state.present_idx)
        st.session_state.present_order = keys
        st.session_state.present_idx = min(st.session_state.present_idx, len(keys) - 1)


def _picked() -> None:
    """The picker changed: its selection (in selection order) becomes the deck."""
    st.session_state.present_order = list(st.session_state.present_pick)
    _go(0)


def _reset() -> None:
    st.session_state.present_order, st.session_state.present_idx = list(deck.DEFAULT_DECK), 0


f = filters.current()
ctx = ui.context(f)
if ctx.empty:
    st.title("汇报模式")
    st.info("数据库中还没有可以汇报的数据。请先在“数据上传”页导入工作报告或统计表。")
    st.stop()
full = st.toggle("全屏演示", key="present_full", help="隐藏侧栏和编辑按钮；再按 F11 让浏览器全屏。")
big = 1.25 if full else 1.0
st.html(f"""<style>
.slide-title {{font-size: {2.6 * big:.2f}rem; font-weight: 700; line-height: 1.25; margin: 0 0 .2rem 0;}}
.slide-sub {{font-size: {1.25 * big:.2f}rem; color: #555; margin-bottom: .4rem;}}
{'[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"] {display: none;}'
 if full else ''}
</style>""")

keys = st.session_state.present_order
if not keys:
    _reset()
    keys = st.session_state.present_order
st.session_state.present_idx = min(st.session_state.present_idx, len(keys) - 1)
idx = st.session_state.present_idx
slide = ui.slide(keys[idx], ctx)

st.html(f'<div class="slide-title">{html.escape(slide.title)}</div>'
        f'<div class="slide-sub">{html.escape(slide.subtitle)}</div>')
views.show(deck.for_slide(slide.figure, height=640 if full else 540, scale=big), key=f"present_chart_{keys[idx]}")

prev_col, pos_col, next_col = st.columns([1, 2, 1])
prev_col.button("◀ 上一页", key="present_prev", on_click=_go, args=(-1,), disabled=idx == 0, width="stretch")
pos_col.markdown(f"<div style='text-align:center;font-size:1.2rem'>第 {idx + 1} / {len(keys)} 页</div>",
                 unsafe_allow_html=True)
next_col.button("下一页 ▶", key="present_next", on_click=_go, args=(1,), disabled=idx == len(keys) - 1,
                width="stretch")

with st.expander("讲稿：本页数字与来源", expanded=False):
    st.text(slide.notes)
    if slide.has_data:
        st.dataframe(slide.table, hide_index=True, width="stretch")
    st.page_link("app_pages/draft_paragraphs.py", label="起草各方面的数字段落", icon=":material/edit_note:")
    st.page_link("app_pages/check_draft.py", label="核对讲话稿中的数字", icon=":material/spellcheck:")

if not full:
    st.divider()
    st.subheader("编排本次汇报")
    st.caption(f"默认为“{deck.DECK_TITLE}”的 {len(deck.DEFAULT_DECK)} 页；可增删页面，或把当前页前移、后移。"
               f"范围随左侧筛选：{safe.md(ctx.place)} · {ctx.years} · {PERIOD_ZH[ctx.period]}。")
    # The deck lives in present_order (widget state is dropped while full-screen hides the picker).
    st.session_state.present_pick = list(keys)
    st.multiselect("幻灯片（按播放顺序）", list(deck.SLIDES), key="present_pick", format_func=LABELS.get,
                   on_change=_picked, placeholder="至少保留一页")
    a, b, c, d = st.columns(4)
    a.button("当前页前移", key="present_up", on_click=_move, args=(-1,), disabled=idx == 0, width="stretch")
    b.button("当前页后移", key="present_down", on_click=_move, args=(1,), disabled=idx == len(keys) - 1,
             width="stretch")
    c.button("删除当前页", key="present_drop", on_click=_drop, disabled=len(keys) < 2, width="stretch")
    d.button("恢复默认", key="present_reset", on_click=_reset, width="stretch")

    st.subheader("导出")
    ready = checks.readiness()
    for problem in ready.problems:
        st.warning(safe.md(problem))
    stem = ui.file_stem(ctx)
    sig = (tuple(keys), ctx)
    left, mid, right = st.columns(3)
    with left:
        if st.button("生成演示文稿（PPTX）", key="present_make_pptx", disabled=not ready.chromium, width="stretch"):
            with st.spinner("正在生成图表和幻灯片…（首次约需 5 秒）"):
                try:
                    st.session_state.present_pptx = (sig, ui.pptx_bytes(keys, ctx))
                except ExportUnavailable as exc:
                    st.error(safe.md(exc))
        made = st.session_state.get("present_pptx")
        if made and made[0] == sig:
            st.download_button("下载 PPTX", made[1], file_name=f"{stem}.pptx", key="present_dl_pptx",
                               mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                               width="stretch")
    with mid:
        if st.button("生成本页图片（PNG）", key="present_make_png", disabled=not ready.chromium, width="stretch"):
            with st.spinner("正在生成图片…"):
                try:
                    st.session_state.present_png = ((keys[idx], ctx), ui.png_bytes(keys[idx], ctx))
                except ExportUnavailable as exc:
                    st.error(safe.md(exc))
        made = st.session_state.get("present_png")
        if made and made[0] == (keys[idx], ctx):
            st.download_button("下载 PNG", made[1], file_name=f"{idx + 1:02d}_{slide.title}.png".replace("：", "_"),
                               mime="image/png", key="present_dl_png", width="stretch")
    with right:  # built when asked for, like the others (building it on every rerun cost each page view ~0.5 s)
        if st.button("生成全部数据（Excel）", key="present_make_xlsx", width="stretch"):
            st.session_state.present_xlsx = (sig, ui.xlsx_bytes(keys, ctx))
        made = st.session_state.get("present_xlsx")
        if made and made[0] == sig:
            st.download_button("下载全部数据（Excel）", made[1], file_name=f"{stem}_数据.xlsx",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key="present_dl_xlsx", width="stretch")
