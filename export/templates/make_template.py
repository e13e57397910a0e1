"""Write export/templates/deck_16x9.pptx: the 16:9 template the deck export fills.

Run once (`.venv/bin/python -m export.templates.make_template`) and commit the
result; rerun after changing the look. python-pptx's built-in template is 4:3
with Calibri/empty East-Asian theme fonts, so this script starts from it and
- sets the slide size to 13.333 × 7.5 in (16:9) and stretches every master and
  layout placeholder to match,
- writes the dashboard's palette into the theme colours and a CJK font into the
  theme's East-Asian (a:ea) and Latin slots, so text typed later in PowerPoint
  also gets a Chinese font,
- puts a thin band in the dashboard's blue across the top of the master and a
  small '工会统计看板' mark in its bottom-left corner.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Inches, Pt

from dashboard import theme
from export.pptx import CJK_FONT, set_font

OUT = Path(__file__).resolve().parent / "deck_16x9.pptx"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
THEME_SLOTS = ["accent1", "accent2", "accent3", "accent4", "accent5", "accent6"]


def _stretch(shapes, sx: float) -> None:
    """Widen shapes that have their own position (placeholders without one inherit the stretched master's)."""
    for shp in shapes:
        if shp._element.xpath("./p:spPr/a:xfrm"):
            shp.left, shp.width = Emu(round(shp.left * sx)), Emu(round(shp.width * sx))


def _theme_xml(xml: str) -> str:
    """Palette into accent1–6, the CJK font into the major/minor Latin and East-Asian typefaces."""
    for slot, colour in zip(THEME_SLOTS, theme.PALETTE, strict=False):
        xml = re.sub(rf"(<a:{slot}>)(.*?)(</a:{slot}>)", rf'\1<a:srgbClr val="{colour[1:]}"/>\3', xml, flags=re.S)
    xml = re.sub(r'<a:latin typeface="[^"]*"', f'<a:latin typeface="{CJK_FONT}"', xml)
    return re.sub(r'<a:ea typeface="[^"]*"', f'<a:ea typeface="{CJK_FONT}"', xml)


def _decorate_master(prs: Presentation) -> None:
    """Shapes cannot be added to a master directly: draw them on a scratch slide and move the XML."""
    scratch = prs.slides.add_slide(prs.slide_layouts[6])
    band = scratch.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, Inches(0.12))
    band.fill.solid()
    band.fill.fore_color.rgb = RGBColor.from_string(theme.PALETTE[0][1:])
    band.line.fill.background()
    mark = scratch.shapes.add_textbox(Inches(0.4), Inches(7.05), Inches(4), Inches(0.35))
    run = mark.text_frame.paragraphs[0].add_run()
    run.text = "工会统计看板"
    run.font.size = Pt(11)
    run.font.color.rgb = RGBColor(0x88, 0x88, 0x88)
    set_font(run.font, CJK_FONT)
    tree = prs.slide_master.shapes._spTree
    for shape_id, shp in enumerate((band, mark), start=1001):  # ids the master's placeholders do not use
        el = copy.deepcopy(shp._element)
        el.xpath("./*[1]/p:cNvPr")[0].set("id", str(shape_id))
        tree.append(el)
    # drop the scratch slide again
    sld_id = prs.slides._sldIdLst[-1]
    prs.part.drop_rel(sld_id.rId)
    prs.slides._sldIdLst.remove(sld_id)


def make(out: Path = OUT) -> Path:
    prs = Presentation()
    sx = WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _stretch(prs.slide_master.shapes, sx)
    for layout in prs.slide_layouts:
        _stretch(layout.shapes, sx)
    theme_part = prs.slide_master.part.part_related_by(RT.THEME)
    theme_part._blob = _theme_xml(theme_part.blob.decode("utf-8")).encode("utf-8")
    _decorate_master(prs)
    prs.core_properties.title = "工会统计看板 汇报模板（16:9）"
    prs.core_properties.author = "工会统计看板"
    prs.save(out)
    return out


if __name__ == "__main__":
    print(make())
