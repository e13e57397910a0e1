"""汇报模式: one chart per slide in large type, a ready-made deck to reorder and trim, exports.

Slides move with the buttons, the arrow keys, Page Up/Down, Space and a presentation clicker (export/keys.js);
Home/End jump to the first/last slide. 全屏演示 (or F5 from a clicker) leaves only the slide: no sidebar,
buttons, notes or editor; Esc comes back, F puts the browser itself in full screen. The slide number is in
the URL (`slide`), so Back goes to the previous slide and a link opens on a given one.
"""

import html

import streamlit as st

from dashboard import filters, safe, views
from etl.vocab import PERIOD_ZH
from export import checks, deck, ui
from export.render import ExportUnavailable

LABELS = {k: d.label for k, d in deck.SLIDES.items()}
SLIDE_URL = "slide"

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


def _key(step: str | None) -> None:
    """A key from the keyboard or a clicker (before the 全屏演示 toggle is drawn, so it may set it)."""
    n = len(st.session_state.present_order)
    if step in ("next", "prev"):
        _go(1 if step == "next" else -1)
    elif step in ("first", "last"):
        st.session_state.present_idx = 0 if step == "first" else n - 1
    elif step in ("full", "exit"):
        st.session_state.present_full = step == "full"


def _slide_from_url(n: int) -> None:
    """`slide=N` in the URL that this session did not write (a link, Back, Forward) picks the slide."""
    raw, wrote = st.query_params.get(SLIDE_URL), st.session_state.get("present_wrote")
    if raw and raw != wrote and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= n:
        st.session_state.present_idx = int(raw) - 1


f = filters.current()
ctx = ui.context(f)
if ctx.empty:
    st.title("汇报模式")
    st.info("数据库中还没有可以汇报的数据。请先在“数据上传”页导入工作报告或统计表。")
    st.stop()
keys = st.session_state.present_order
if not keys:
    _reset()
    keys = st.session_state.present_order
_slide_from_url(len(keys))
with st.sidebar:  # mounted out of the slide's way; it listens to the whole page
    _key(ui.keys())
st.session_state.present_idx = min(st.session_state.present_idx, len(keys) - 1)
idx = st.session_state.present_idx
st.session_state.present_wrote = str(idx + 1)
if st.query_params.get(SLIDE_URL) != str(idx + 1):
    st.query_params[SLIDE_URL] = str(idx + 1)

full = bool(st.session_state.get("present_full"))
if not full:
    st.toggle("全屏演示", key="present_full",
              help="只留幻灯片：← → 或 PageUp/PageDown（翻页笔）翻页，Esc 退出；再按 F 让浏览器全屏。")
big = 1.25 if full else 1.0
hidden = ('[data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stSidebarCollapsedControl"] '
          '{display: none;} [data-testid="stMainBlockContainer"] {padding-top: 1.5rem;} '
          '[data-testid="stPlotlyChart"] .modebar-container {display: none;}')  # no chart toolbar in front of a hall
st.html(f"""<style>
.slide-title {{font-size: {2.6 * big:.2f}rem; font-weight: 700; line-height: 1.25; margin: 0 0 .2rem 0;}}
.slide-sub {{font-size: {1.25 * big:.2f}rem; color: #555; margin-bottom: .4rem;}}
.slide-foot {{text-align: right; color: #888; font-size: .95rem;}}
{hidden if full else ''}
</style>""")

slide = ui.slide(keys[idx], ctx)
st.html(f'<div class="slide-title">{html.escape(slide.title)}</div>'
        f'<div class="slide-sub">{html.escape(slide.subtitle)}</div>')
# A click on a slide's chart does nothing: in front of a hall it must not leave the presentation.
views.show(deck.for_slide(slide.figure, height=640 if full else 540, scale=big), key=f"present_chart_{keys[idx]}",
           click=None)

if full:
    st.html(f'<div class="slide-foot">{idx + 1} / {len(keys)}　·　← → 翻页　·　Esc 退出全屏演示</div>')
    st.toggle("全屏演示", key="present_full")
    st.stop()

prev_col, pos_col, next_col = st.columns([1, 2, 1])
prev_col.button("◀ 上一页", key="present_prev", on_click=_go, args=(-1,), disabled=idx == 0, width="stretch")
pos_col.markdown(f"<div style='text-align:center;font-size:1.2rem'>第 {idx + 1} / {len(keys)} 页</div>",
                 unsafe_allow_html=True)
next_col.button("下一页 ▶", key="present_next", on_click=_go, args=(1,), disabled=idx == len(keys) - 1,
                width="stretch")
st.caption("键盘：← → 或 PageUp/PageDown、空格翻页（翻页笔同样可用），Home/End 到首页/末页。")

with st.expander("讲稿：本页数字与来源", expanded=False):
    st.text(slide.notes)
    if slide.has_data:
        st.dataframe(slide.table, hide_index=True, width="stretch")
    st.page_link("app_pages/draft_paragraphs.py", label="起草各方面的数字段落", icon=":material/edit_note:")
    st.page_link("app_pages/check_draft.py", label="核对讲话稿中的数字", icon=":material/spellcheck:")

st.divider()
st.subheader("编排本次汇报")
st.caption(f"默认为“{deck.DECK_TITLE}”的 {len(deck.DEFAULT_DECK)} 页；可增删页面，或把当前页前移、后移。"
           f"范围随左侧筛选：{safe.md(ctx.place)} · {ctx.years} · {PERIOD_ZH[ctx.period]}。")
# The deck lives in present_order (widget state is dropped while full-screen hides the picker).
st.session_state.present_pick = list(keys)
st.multiselect("幻灯片（按播放顺序）", list(deck.SLIDES), key="present_pick", format_func=LABELS.get,
               on_change=_picked, placeholder="至少保留一页", select_all=False)
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
