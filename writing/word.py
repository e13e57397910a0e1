"""Word files: the checked draft with a comment on every wrong figure, and the drafted paragraphs.

An uploaded .docx gets its comments in place: its own paragraphs, runs and
formatting are kept, and only the runs around a wrong figure are split so the
comment covers exactly that figure. Pasted text or a .txt becomes a new
document, one paragraph per line. Figures a comment cannot be anchored to
(text boxes, headers) are listed at the end, so no finding is lost.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from writing.check import DraftCheck, Figure
from writing.paragraphs import Paragraph as Para
from writing.paragraphs import as_text

AUTHOR = "工会统计看板"
INITIALS = "核"
FONT = "仿宋"  # the body face of Chinese official documents; Word falls back when it is missing
_TEXT_TAGS = {qn(t) for t in ("w:br", "w:cr", "w:noBreakHyphen", "w:ptab", "w:t", "w:tab")}
RED = RGBColor(0xC6, 0x28, 0x28)


def comment_text(f: Figure) -> str:
    """What the comment on a wrong figure says: stored figure, suggestion, source."""
    src = f"来源：{f.sources[0].where}" if f.sources else ""
    more = f"等{len(f.sources)}处" if len(f.sources) > 1 else ""
    return "；".join(x for x in (f.note, src + more) if x) + "。"


def commented_draft(check: DraftCheck, original: bytes | None = None) -> bytes:
    """The draft as .docx with one comment per wrong figure (the original .docx when given)."""
    wrong = check.wrong
    if original is not None:
        doc = Document(io.BytesIO(original))
        placed = _comment_in_place(doc, check.text, wrong)
    else:
        doc = _new_document()
        placed = _write_text(doc, check.text, wrong)
    lost = [f for f in wrong if id(f) not in placed]
    if lost:  # anchored nowhere (text box, header): listed, never dropped
        doc.add_paragraph("核对意见（以下数字无法在正文中标注）：")
        for f in lost:
            doc.add_paragraph(f"“{f.text}”：{comment_text(f)}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _new_document() -> DocumentObject:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)  # font.name sets only the Latin face
    return doc


def _write_text(doc: DocumentObject, text: str, wrong: list[Figure]) -> set[int]:
    """One paragraph per line; each wrong figure its own red run with the comment on it."""
    placed: set[int] = set()
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        p = doc.add_paragraph()
        cut = pos
        for f in sorted((f for f in wrong if pos <= f.start and f.end <= end), key=lambda f: f.start):
            if f.start < cut:
                continue
            p.add_run(text[cut:f.start])
            run = p.add_run(text[f.start:f.end])
            run.font.color.rgb = RED
            doc.add_comment(run, comment_text(f), author=AUTHOR, initials=INITIALS)
            placed.add(id(f))
            cut = f.end
        p.add_run(text[cut:end])
        pos = end + 1
    return placed


def _paragraphs(doc: DocumentObject) -> Iterator[Paragraph]:
    """Body paragraphs and table-cell paragraphs in reading order (a merged cell once)."""
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, doc)
        elif tag == "tbl":
            seen: set[int] = set()
            for row in Table(child, doc).rows:
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def _comment_in_place(doc: DocumentObject, text: str, wrong: list[Figure]) -> set[int]:
    """Find each paragraph's place in the extracted text (in order), then comment the wrong figures in it."""
    spans = []
    cursor = 0
    for p in _paragraphs(doc):
        t = p.text
        if not t:
            continue
        i = text.find(t, cursor)
        if i < 0:
            continue
        spans.append((i, i + len(t), p))
        cursor = i + len(t)
    placed: set[int] = set()
    for f in sorted(wrong, key=lambda f: -f.start):  # from the end, so earlier offsets stay valid
        for s, e, p in spans:
            if s <= f.start and f.end <= e:
                runs = _isolate(p, f.start - s, f.end - s)
                if runs:
                    doc.add_comment(runs, comment_text(f), author=AUTHOR, initials=INITIALS)
                    placed.add(id(f))
                break
    return placed


def _isolate(p: Paragraph, a: int, b: int) -> list[Run]:
    """The runs covering characters [a, b) of the paragraph, split at a and b (formatting copied)."""
    out = []
    pos = 0
    for child in list(p._p.xpath("w:r | w:hyperlink")):
        n = len(child.text)
        s, e = pos, pos + n
        pos = e
        if e <= a or s >= b or n == 0:
            continue
        if child.tag == qn("w:hyperlink"):  # a link stays whole
            out += [Run(r, p) for r in child.xpath("w:r")]
            continue
        r = child
        if s < a:
            r = _split(r, a - s)
            s = a
        if e > b:
            _split(r, b - s)
        out.append(Run(r, p))
    return out


def _split(r, k: int):
    """Split run element `r` at character k: `r` keeps [0, k), the returned copy (placed after it) has the rest."""
    right = copy.deepcopy(r)
    _keep(r, 0, k)
    _keep(right, k, None)
    r.addnext(right)
    return right


def _keep(r, lo: int, hi: int | None) -> None:
    """Remove from run element `r` everything outside characters [lo, hi); a zero-width element stays
    with the characters after it."""
    pos = 0
    for child in list(r):
        if child.tag == qn("w:rPr"):
            continue
        n = len(str(child)) if child.tag in _TEXT_TAGS else 0
        s, e = pos, pos + n
        pos = e
        if n == 0:
            if s < lo or (hi is not None and s >= hi):
                r.remove(child)
            continue
        if e <= lo or (hi is not None and s >= hi):
            r.remove(child)
        elif child.tag == qn("w:t"):
            child.text = child.text[max(lo - s, 0):n if hi is None else min(hi - s, n)]
            child.set(qn("xml:space"), "preserve")


def paragraphs_docx(paras: list[Para], title: str) -> bytes:
    """The drafted paragraphs as .docx: a title, one numbered heading and paragraph per area, then the sources."""
    doc = _new_document()
    head = doc.add_paragraph()
    head.add_run(title).bold = True
    for line in as_text(paras).split("\n"):
        doc.add_paragraph(line)
    doc.add_paragraph("数据来源（每个数字在库中的出处）：")
    for p in paras:
        for f in p.figures:
            where = "；".join(s.where for s in f.sources[:3]) + ("等" if len(f.sources) > 3 else "")
            basis = f"（{f.basis}）" if f.basis else ""
            doc.add_paragraph(f"{p.title} · {f.text}{basis}：{where or '（无来源记录）'}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
