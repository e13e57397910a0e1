"""Text out of .docx and .pdf reports, in reading order, as one string the fact offsets index into.

A .docx gives paragraphs and tables in document order (a table row is one
line, cells joined by ' | '); a text PDF gives its pages with the line
wrapping undone and the radical look-alikes its fonts use (⼯会) turned into
the characters they show (工会); a scanned PDF is refused with OCR advice.
python-docx and pypdf are imported only when such a file arrives. Apart from
etl/read.py because each format's quirks are their own.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from etl.normalize import wrapped
from etl.read import OCR_ADVICE, REFUSED, ReadError


def docx_text(p: Path, name: str, data: bytes) -> str:
    """Paragraphs and tables in document order; a table row is one line, cells joined by ' | '."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(p, f"文件 {name} {REFUSED['.doc']}")
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ReadError(
            p, f"文件 {name} 不是有效的 .docx 文件（可能已损坏或只是改了扩展名）。请在 Word/WPS 中重新另存为 .docx。"
        ) from e
    lines: list[str] = []
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            lines.extend(_table_lines(Table(child, doc)))
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    """One line per row; merged cells (repeated by python-docx, with the same XML element) appear once."""
    out = []
    for row in table.rows:
        cells = {id(cell._tc): " ".join(cell.text.split("\n")).strip() for cell in row.cells}
        out.append(" | ".join(cells.values()))
    return out


_MIN_PDF_CHARS = 20  # fewer extractable characters than this: a scan, not a text PDF


def pdf_text(p: Path, name: str, data: bytes) -> str:
    """Text of a text PDF, pages joined by a line break; scans are refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError(p, f"文件 {name} 是加密的 PDF，无法读取。请上传未加密的版本或 .docx/.txt。")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise ReadError(p, f"文件 {name} 不是有效的 PDF 文件（可能已损坏）。请重新导出 PDF，或上传 .docx/.txt。") from e
    text = "\n".join(_unwrap(_fix_radicals(page.rstrip("\n"))) for page in pages)
    if len("".join(text.split())) < _MIN_PDF_CHARS:
        raise ReadError(
            p,
            f"文件 {name} 是扫描件（PDF 里只有图片，没有可提取的文字），系统无法识别。" + OCR_ADVICE,
        )
    return text


@cache
def _radical_table() -> dict[int, str]:
    """Kangxi/CJK radical code points → the ideograph they look like (工 for ⼯).

    PDF fonts often map glyphs to the radical block, so extracted text says
    ⼯会 where the page shows 工会; the display is identical, only the code
    points differ, and nothing downstream would match them.
    """
    import unicodedata

    table = {}
    for cp in (*range(0x2E80, 0x2EFF), *range(0x2F00, 0x2FE0)):
        nf = unicodedata.normalize("NFKC", chr(cp))
        if len(nf) == 1 and nf != chr(cp):
            table[cp] = nf
    return table


def _fix_radicals(text: str) -> str:
    return text.translate(_radical_table())


def _unwrap(page: str) -> str:
    """Undo the PDF's line wrapping: a full-width line not ending a sentence continues on the next."""
    lines = page.split("\n")
    out = [lines[0]]
    for ln, cont in zip(lines[1:], wrapped(lines)[:-1], strict=True):
        if cont:
            out[-1] += ln
        else:
            out.append(ln)
    return "\n".join(out)
