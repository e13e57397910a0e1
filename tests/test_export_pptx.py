"""The default deck from the sample database as a real .pptx, read back with python-pptx."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

from export import deck, pptx
from export.templates import make_template

HAS_CHROMIUM = os.path.exists("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="/usr/bin/chromium missing: `make system-deps`")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def built(sample_db: Path) -> tuple[list[deck.Slide], Presentation, bytes]:
    if not HAS_CHROMIUM:
        pytest.skip("/usr/bin/chromium missing: `make system-deps`")
    ctx = deck.DeckContext.from_db(sample_db)
    slides = deck.build_deck(ctx)
    data = pptx.build(slides, ctx)
    return slides, Presentation(io.BytesIO(data)), data


def _pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


@needs_chromium
def test_every_slide_has_title_picture_and_notes(built) -> None:
    slides, prs, _ = built
    assert len(prs.slides) == len(slides) + 1  # cover + one per chart
    assert abs(prs.slide_width / prs.slide_height - 16 / 9) < 0.01
    cover, *charts = list(prs.slides)
    assert cover.shapes.title.text_frame.text == "青禾区总工会2024年度工作汇报"
    assert "工会组建：工会组织总数" in cover.notes_slide.notes_text_frame.text
    for spec, s in zip(slides, charts, strict=True):
        assert s.shapes.title.text_frame.text == spec.title
        pics = _pictures(s)
        assert len(pics) == 1, spec.key
        img = Image.open(io.BytesIO(pics[0].image.blob))
        assert pics[0].image.content_type == "image/png" and img.size[0] >= 3000, spec.key
        notes = s.notes_slide.notes_text_frame.text
        assert notes == spec.notes and "【来源】" in notes, spec.key
        texts = [sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
        assert spec.subtitle in texts, spec.key


@needs_chromium
def test_pictures_sit_inside_the_slide(built) -> None:
    _, prs, _ = built
    for s in list(prs.slides)[1:]:
        pic = _pictures(s)[0]
        assert pic.left >= 0 and pic.top > s.shapes.title.top
        assert pic.left + pic.width <= prs.slide_width and pic.top + pic.height <= prs.slide_height


@needs_chromium
def test_chinese_runs_carry_the_east_asian_font(built) -> None:
    _, prs, _ = built
    checked = 0
    for s in prs.slides:
        frames = [sh.text_frame for sh in s.shapes if sh.has_text_frame] + [s.notes_slide.notes_text_frame]
        for tf in frames:
            for p in tf.paragraphs:
                for r in p.runs:
                    if HAN.search(r.text):
                        ea = r._r.find(qn("a:rPr")).find(qn("a:ea"))
                        assert ea is not None and ea.get("typeface") == pptx.CJK_FONT, r.text
                        assert r.font.name == pptx.CJK_FONT
                        checked += 1
    assert checked > 30


@needs_chromium
def test_page_numbers(built) -> None:
    _, prs, _ = built
    total = len(prs.slides)
    for i, s in enumerate(list(prs.slides)[1:], start=2):
        assert any(sh.has_text_frame and sh.text_frame.text == f"{i} / {total}" for sh in s.shapes)


@needs_chromium
def test_trimmed_deck_without_cover(sample_db: Path) -> None:
    ctx = deck.DeckContext.from_db(sample_db)
    slides = deck.build_deck(ctx, ["hardship", "formation"])
    prs = Presentation(io.BytesIO(pptx.build(slides, ctx, cover=False)))
    assert [s.shapes.title.text_frame.text for s in prs.slides] == [x.title for x in slides]


def test_template_is_16x9_with_cjk_theme_fonts() -> None:
    prs = Presentation(str(pptx.TEMPLATE))
    assert (prs.slide_width, prs.slide_height) == (make_template.WIDTH, make_template.HEIGHT)
    assert len(prs.slides) == 0
    layout = prs.slide_layouts[pptx.LAYOUT_TITLE_ONLY]
    assert layout.name == "Title Only"
    assert all(sh.left + sh.width <= prs.slide_width for sh in layout.placeholders)
    theme = zipfile.ZipFile(pptx.TEMPLATE).read("ppt/theme/theme1.xml").decode()
    assert theme.count(f'<a:ea typeface="{pptx.CJK_FONT}"') == 2  # major and minor fonts
    assert '<a:accent1><a:srgbClr val="0072B2"/>' in theme


def test_template_script_reproduces_the_committed_template(tmp_path: Path) -> None:
    out = make_template.make(tmp_path / "t.pptx")
    new, old = Presentation(str(out)), Presentation(str(pptx.TEMPLATE))
    assert (new.slide_width, new.slide_height) == (old.slide_width, old.slide_height)
    assert [la.name for la in new.slide_layouts] == [la.name for la in old.slide_layouts]
    assert len(new.slide_master.shapes) == len(old.slide_master.shapes)
    ids = [sh.shape_id for sh in new.slide_master.shapes]
    assert len(ids) == len(set(ids))  # PowerPoint asks to repair files with duplicate shape ids


def test_a_standalone_png_carries_title_scope_and_sources(sample_db: Path) -> None:
    """Pasted into a report or a chat, the picture must say what, where, when and from which files."""
    import datetime as dt

    ctx = deck.DeckContext.from_db(sample_db)
    slide = deck.build_deck(ctx, ["coverage"])[0]
    drawn = []
    pptx.picture_png(slide, renderer=lambda fig: drawn.append(fig) or b"png", today=dt.date(2025, 3, 1))
    title = drawn[0].layout.title
    assert title.text == slide.title
    assert slide.subtitle in title.subtitle.text and "数据来源" in title.subtitle.text
    assert "2025年03月01日导出" in title.subtitle.text
    assert drawn[0].layout.margin.t >= pptx.PNG_HEAD  # the chart starts below the heading
