"""Deck → .pptx with python-pptx, on the committed 16:9 template.

Each chart slide: title, a subtitle with scope, period and source counts, the
chart as a high-resolution PNG (kaleido, the dashboard's own colours), a page
number, and speaker notes with every figure shown and the files it came from.
Every run gets the CJK font in both a:latin and a:ea: `font.name` alone sets
only the Latin typeface, and PowerPoint then draws Chinese in whatever
East-Asian font the machine defaults to.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.text.text import Font, _Run
from pptx.util import Emu, Inches, Pt

from etl.vocab import PERIOD_FY, PERIOD_ZH
from export import deck, render

TEMPLATE = Path(__file__).resolve().parent / "templates" / "deck_16x9.pptx"
CJK_FONT = "Noto Sans CJK SC"
LAYOUT_TITLE, LAYOUT_TITLE_ONLY = 0, 5
INK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x66, 0x66, 0x66)

# Geometry of a chart slide (inches on the 13.333 × 7.5 template).
TITLE_BOX = (0.5, 0.28, 12.3, 0.8)
SUBTITLE_BOX = (0.5, 1.02, 12.3, 0.45)
PICTURE_BOX = (0.5, 1.55, 12.3, 5.45)
PAGE_BOX = (11.3, 7.02, 1.6, 0.35)

Renderer = Callable[[go.Figure], bytes]


def set_font(font: Font, name: str = CJK_FONT) -> None:
    """Latin and East-Asian typeface of a run (a:latin, then a:ea, in schema order)."""
    font.name = name
    rpr = font._rPr
    ea = rpr.find(qn("a:ea"))
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})
        rpr.find(qn("a:latin")).addnext(ea)
    ea.set("typeface", name)


def _run(paragraph, text: str, size: float, color: RGBColor = INK, bold: bool = False) -> _Run:
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    set_font(run.font)
    return run


def _text(shape, text: str, size: float, color: RGBColor = INK, bold: bool = False) -> None:
    """Replace a text frame's content with one styled paragraph per line."""
    tf = shape.text_frame
    tf.clear()
    tf.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        _run(p, line, size, color, bold)


def _box(slide, box: tuple[float, float, float, float]):
    return slide.shapes.add_textbox(*(Inches(v) for v in box))


def _place_title(slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = (Inches(v) for v in TITLE_BOX)
    _text(title, text, 32, INK, bold=True)
    title.text_frame.paragraphs[0].alignment = 1  # left


def _add_picture(slide, png: bytes) -> None:
    """The chart centred in the picture area, aspect ratio kept."""
    left, top, width, height = (Inches(v) for v in PICTURE_BOX)
    pic = slide.shapes.add_picture(io.BytesIO(png), left, top, width=width)
    if pic.height > height:  # too tall for the area: fit the height instead
        ratio = height / pic.height
        pic.height, pic.width = height, Emu(round(pic.width * ratio))
    pic.left = Emu(left + (width - pic.width) // 2)
    pic.top = Emu(top + (height - pic.height) // 2)


def _notes(slide, text: str) -> None:
    tf = slide.notes_slide.notes_text_frame
    tf.clear()
    for i, line in enumerate(text.split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        _run(p, line, 12)


def cover_title(ctx: deck.DeckContext) -> str:
    """'青禾区总工会2024年度工作汇报': the configured federation's name when the deck covers its whole area
    (etl/directory.py; never made up from the regions), else the chosen regions' ('白沙镇总工会…')."""
    who = ctx.federation or f"{ctx.place}总工会"
    return f"{who}{ctx.year_to}年度工作汇报" if ctx.period == PERIOD_FY else f"{who}{ctx.year_to}年上半年工作汇报"


COVER_PT, COVER_MIN_PT = 40, 28
# The template's cover title box less its insets, less 6 % for the error of `text_width` (bold glyphs are
# wider than its estimate): a line it calls full must not wrap its last character in PowerPoint.
COVER_WIDTH_PT = (11.33 - 0.2) * 72 * 0.94
# Where a cover title may break: after the federation's name, before the year, before 工作汇报.
COVER_BREAKS = re.compile(r"(?<=总工会)|(?<=工会)(?=\d)|(?=\d{4}年)|(?=工作汇报)")


def text_width(text: str, pt: float) -> float:
    """Rough width in points of a line in Noto Sans CJK: a CJK character is 1 em, Latin and digits ~0.55 em."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in text) * pt


def cover_lines(title: str, width: float = COVER_WIDTH_PT, size: int = COVER_PT) -> tuple[str, int]:
    """The cover title and its size: one line when it fits, else two lines broken where the words break
    (never one character alone on the second line), in smaller type only when two lines still do not fit."""
    for pt in range(size, COVER_MIN_PT - 1, -2):
        if text_width(title, pt) <= width:
            return title, pt
        cuts = {m.start() for m in COVER_BREAKS.finditer(title)} - {0, len(title)}
        cuts = [i for i in cuts if i >= 2 and len(title) - i >= 2] or [len(title) // 2]
        best = min(cuts, key=lambda i: max(text_width(title[:i], pt), text_width(title[i:], pt)))
        if max(text_width(title[:best], pt), text_width(title[best:], pt)) <= width:
            return f"{title[:best]}\n{title[best:]}", pt
    return title, COVER_MIN_PT


def slide_png(slide: deck.Slide, renderer: Renderer | None = None) -> bytes:
    """One slide's chart as a PNG in the presentation look (bigger fonts, no in-chart title): the PPTX's
    picture, under the slide's own title and subtitle."""
    fig = deck.for_slide(slide.figure, height=render.SLIDE_SIZE[1])
    return (renderer or render.png)(fig)


PNG_HEAD = 120  # CSS px above the chart of a standalone PNG: title, scope and sources, where it was made


def picture_png(slide: deck.Slide, renderer: Renderer | None = None, today: dt.date | None = None) -> bytes:
    """One slide as a picture that stands alone (pasted into a report or a chat): the chart under the
    slide's title, its scope and sources line, and where and when it was made."""
    today = today or dt.date.today()
    height = render.SLIDE_SIZE[1] + PNG_HEAD
    fig = deck.for_slide(slide.figure, height=height)
    about = f"{slide.subtitle}<br>工会统计看板 · {today:%Y年%m月%d日}导出"
    fig.update_layout(
        title={"text": slide.title, "x": 0.01, "xanchor": "left", "y": 1 - 20 / height, "yanchor": "top",
               "font": {"size": 32, "color": "#222"},
               "subtitle": {"text": about, "font": {"size": 19, "color": "#555"}}},
        margin={"t": (fig.layout.margin.t or 80) + PNG_HEAD})
    return render.png(fig, height=height) if renderer is None else renderer(fig)


def build(slides: Sequence[deck.Slide], ctx: deck.DeckContext, renderer: Renderer | None = None,
          cover: bool = True, template: Path = TEMPLATE) -> bytes:
    """The .pptx bytes: an optional cover, then one slide per deck slide in order."""
    prs = Presentation(str(template))
    today = dt.date.today()
    total = len(slides) + int(cover)
    if cover:
        s = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE])
        title, size = cover_lines(cover_title(ctx))
        _text(s.shapes.title, title, size, INK, bold=True)
        _text(s.placeholders[1], f"{ctx.years}{PERIOD_ZH[ctx.period]}数据 · 工会统计看板 · {today:%Y年%m月%d日}",
              20, GREY)
        _notes(s, "\n".join([f"本汇报共{len(slides)}页图表：" + "、".join(x.title for x in slides) + "。",
                             f"范围：{ctx.place}，{ctx.years}，{PERIOD_ZH[ctx.period]}。",
                             "每页备注列出图中全部数字及其来源文件；标“约”的为报告中的约数。"]))
    for i, sl in enumerate(slides, start=1 + int(cover)):
        s = prs.slides.add_slide(prs.slide_layouts[LAYOUT_TITLE_ONLY])
        _place_title(s, sl.title)
        _text(_box(s, SUBTITLE_BOX), sl.subtitle, 16, GREY)
        _add_picture(s, slide_png(sl, renderer))
        page = _box(s, PAGE_BOX)
        _text(page, f"{i} / {total}", 12, GREY)
        page.text_frame.paragraphs[0].alignment = 3  # right
        _notes(s, sl.notes)
    prs.core_properties.title = cover_title(ctx)
    prs.core_properties.author = "工会统计看板"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
