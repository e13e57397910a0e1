"""The exported deck as an office suite draws it: LibreOffice → PDF → PNG, then measured.

Chart text on a slide must read from the back of a hall (18 pt at 16:9). The chart is a picture, so its
text size is measured, not read: the deck gets one more slide with real 18 pt text in the same font, and
the year labels under a trend must stand at least as tall as that text's digits, drawn by the same
renderer at the same resolution. The cover title is measured the same way: no line of one character.

Needs `make render-deps` (libreoffice-impress-nogui, poppler-utils) and chromium; skipped without them.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx import Presentation

from export import deck, pptx, render

pytestmark = pytest.mark.slow
DPI = 144
LONG_NAME = "某某省某某市某某经济技术开发区总工会"
CALIBRATION = "2019　2020　2021　2022"

needs_office = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm") and Path("/usr/bin/chromium").exists()),
    reason="LibreOffice, poppler or chromium missing: `make system-deps render-deps`")


def to_pngs(pptx_bytes: bytes, tmp: Path) -> list[Image.Image]:
    """Each slide as LibreOffice draws it, at DPI."""
    src = tmp / "deck.pptx"
    src.write_bytes(pptx_bytes)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp), str(src)], check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(tmp / "deck.pdf"), str(tmp / "s")], check=True,
                   timeout=120)
    return [Image.open(p).convert("RGB") for p in sorted(tmp.glob("s-*.png"))]


def ink_lines(img: Image.Image, box: tuple[float, float, float, float]) -> list[tuple[int, int, int, int]]:
    """Lines of dark text inside a box (inches: left, top, width, height): (top, bottom, left, right) in px.

    Dark means the deck's ink (#222): the grey axis line and ticks, the light grid and the coloured
    series are left out; a line is a run of rows with ink, so its height is its tallest glyph's.
    """
    left, top, width, height = (round(v * DPI) for v in box)
    a = np.asarray(img, dtype=np.int16)[top:top + height, left:left + width]
    ink = (a.max(axis=2) < 100) & (a.max(axis=2) - a.min(axis=2) < 30)
    rows = np.flatnonzero(ink.any(axis=1))
    out = []
    if not len(rows):
        return out
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is None or r > prev + 1:
            cols = np.flatnonzero(ink[start:prev + 1].any(axis=0))
            out.append((top + start, top + prev + 1, left + cols[0], left + cols[-1] + 1))
            if r is not None:
                start = r
        if r is not None:
            prev = r
    return out


@pytest.fixture(scope="module")
def drawn(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Image.Image]:
    """Cover (a long federation name), a trend slide, and 18 pt digits for calibration."""
    ctx = dataclasses.replace(deck.DeckContext.from_db(sample_db), federation=LONG_NAME)
    data = pptx.build(deck.build_deck(ctx, ["formation"]), ctx)
    prs = Presentation(io.BytesIO(data))
    s = prs.slides.add_slide(prs.slide_layouts[pptx.LAYOUT_TITLE_ONLY])
    pptx._text(pptx._box(s, (0.5, 3.0, 12.3, 1.0)), CALIBRATION, 18, pptx.INK)
    out = io.BytesIO()
    prs.save(out)
    return to_pngs(out.getvalue(), tmp_path_factory.mktemp("office"))


@needs_office
def test_chart_text_on_a_slide_is_at_least_18_pt(drawn) -> None:
    _cover, trend, calibration = drawn
    ref = ink_lines(calibration, (0.5, 3.0, 12.3, 1.0))
    assert len(ref) == 1, ref
    digit_18pt = ref[0][1] - ref[0][0]
    assert digit_18pt > 0.6 * 18 / 72 * DPI  # digits are ~0.73 em: the measure itself is sane
    years = ink_lines(trend, pptx.PICTURE_BOX)[-1]  # the lowest line of the chart: its year labels
    height = years[1] - years[0]
    pt = 18 * height / digit_18pt
    assert pt >= 18, f"year labels are {pt:.1f} pt equivalent"
    # The same figure from the sizes the code promises (render.PT_PER_PX): the two agree within a point.
    assert abs(pt - deck.TICK_PX * render.PT_PER_PX) < 1.5, (pt, deck.TICK_PX * render.PT_PER_PX)


@needs_office
def test_cover_title_leaves_no_character_alone(drawn) -> None:
    cover = drawn[0]
    lines = [ln for ln in ink_lines(cover, (0.3, 0.3, 12.7, 4.6)) if ln[1] - ln[0] > 0.3 * DPI]  # title size
    assert len(lines) == 2, lines  # too long for one line at 40 pt: broken in two
    for top, bottom, left, right in lines:
        assert right - left > 2.5 * (bottom - top), "a line of one or two characters"


def test_cover_lines_break_at_words_never_one_character_alone() -> None:
    short = "青禾区总工会2024年度工作汇报"
    assert pptx.cover_lines(short) == (short, pptx.COVER_PT)
    title, size = pptx.cover_lines(f"{LONG_NAME}2024年上半年工作汇报")
    first, second = title.split("\n")
    assert first == LONG_NAME and second == "2024年上半年工作汇报" and size == pptx.COVER_PT
    for n in range(14, 40):  # any length: no line of one character, none wider than the box
        title, size = pptx.cover_lines("工" * n + "2024年度工作汇报")
        assert all(len(line) > 1 and pptx.text_width(line, size) <= pptx.COVER_WIDTH_PT
                   for line in title.split("\n")) or size == pptx.COVER_MIN_PT
