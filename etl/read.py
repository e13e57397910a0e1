"""Read one report file into its decoded text, or refuse it with a Chinese reason.

Fact offsets index into `ReportText.text`, so this is the one place that turns
bytes into text, and it does no cleaning beyond decoding (the only change is
CRLF/CR line ends → LF, so offsets mean the same on every platform; the
archived bytes stay untouched). Cleaning lives in etl/normalize.py, which keeps
a map back to these offsets.

Every refusal is a `ReadError` whose message names the file and says what the
sender should do; callers catch it so one bad file never stops a batch.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.errors import UnionError

MAX_BYTES = 20 * 1024 * 1024  # larger uploads are refused: no report is that long

REPORT_EXTS = (".txt", ".docx", ".pdf")
TALLY_EXTS = (".xlsx", ".xlsm", ".xls", ".csv")

# Known formats we refuse, with the advice the sender needs.
_REFUSED: dict[str, str] = {
    ".doc": "是旧版 Word 格式，无法直接读取。请在 Word/WPS 中另存为 .docx 或 .txt 后重新上传。",
    ".wps": "是 WPS 文字格式，无法直接读取。请在 WPS 中另存为 .docx 或 .txt 后重新上传。",
    ".rtf": "是 RTF 格式，无法直接读取。请在 Word/WPS 中另存为 .docx 或 .txt 后重新上传。",
    ".odt": "是 OpenDocument 格式，无法直接读取。请另存为 .docx 或 .txt 后重新上传。",
    ".pages": "是 Pages 格式，无法直接读取。请导出为 .docx 或 .txt 后重新上传。",
    ".ppt": "是演示文稿，不是工作报告。请把报告正文另存为 .docx 或 .txt 后上传。",
    ".pptx": "是演示文稿，不是工作报告。请把报告正文另存为 .docx 或 .txt 后上传。",
    ".zip": "是压缩包。请解压后逐个上传其中的报告（.txt/.docx/.pdf）或统计表（.xlsx）。",
    ".rar": "是压缩包。请解压后逐个上传其中的报告（.txt/.docx/.pdf）或统计表（.xlsx）。",
    ".7z": "是压缩包。请解压后逐个上传其中的报告（.txt/.docx/.pdf）或统计表（.xlsx）。",
}
_IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic")
_OCR_ADVICE = "请上传报告的文字版本（.docx 或 .txt）；只有纸质件的，请先做文字识别（OCR）并核对。"
_IMAGE_ADVICE = "是图片，系统无法识别图片中的文字。" + _OCR_ADVICE

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CJK_ENCODINGS = ("gb18030", "big5")  # first one wins when the bytes cannot tell
_MIN_DETECT_BYTES = 40
_BINARY_MAGIC = (b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


@dataclass(frozen=True)
class ReportText:
    """A report file as bytes plus its decoded original text."""

    path: str
    name: str  # base name, used in messages and as Fact.doc
    sha256: str  # hex digest of `data`
    data: bytes
    text: str  # decoded original (BOM stripped, LF line ends): fact offsets index into it
    encoding: str  # codec used ('utf-8', 'gb18030', 'big5', 'utf-16', …; 'utf-8' for docx/pdf)
    fmt: str  # 'txt' | 'docx' | 'pdf'


class ReadError(UnionError):
    """A file that cannot be read as a report; `str(e)` is the Chinese message, which names the file."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message, item=str(path))
        self.path = str(path)


def is_tally(path: str | Path) -> bool:
    """True for spreadsheet/CSV tallies, which go through etl/tally, not here."""
    return Path(path).suffix.lower() in TALLY_EXTS


def read_report(path: str | Path, data: bytes | None = None) -> ReportText:
    """Read a .txt/.docx/.pdf report; `data` lets uploads skip the disk.

    Raises `ReadError` with a Chinese message for anything it cannot read.
    """
    p = Path(path)
    name = p.name
    ext = p.suffix.lower()
    _check_extension(p, name, ext)
    if data is None:
        try:
            size = p.stat().st_size
        except OSError as e:
            raise ReadError(p, f"文件 {name} 无法打开（{e.strerror or e}）。请确认文件存在且有读取权限。") from e
        _check_size(p, name, size)
        data = p.read_bytes()
    _check_size(p, name, len(data))
    if not data.strip():
        raise ReadError(p, f"文件 {name} 是空文件（没有任何内容）。请确认上传的是填写好的报告。")
    if ext == ".txt":
        text, encoding = _decode_txt(p, name, data)
    elif ext == ".docx":
        text, encoding = _docx_text(p, name, data), "utf-8"
    else:
        text, encoding = _pdf_text(p, name, data), "utf-8"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError(p, f"文件 {name} 没有文字内容（只有空白）。请确认上传的是填写好的报告。")
    return ReportText(
        path=str(p),
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        text=text,
        encoding=encoding,
        fmt=ext[1:],
    )


def _check_extension(p: Path, name: str, ext: str) -> None:
    if ext in REPORT_EXTS:
        return
    if ext in TALLY_EXTS:
        raise ReadError(p, f"文件 {name} 是统计表，不是文字报告，应按统计表导入（系统会自动识别 .xlsx/.xls/.csv）。")
    if ext in _REFUSED:
        raise ReadError(p, f"文件 {name} {_REFUSED[ext]}")
    if ext in _IMAGE_EXTS:
        raise ReadError(p, f"文件 {name} {_IMAGE_ADVICE}")
    shown = ext or "（无扩展名）"
    raise ReadError(
        p,
        f"文件 {name} 的类型 {shown} 不受支持。工作报告请上传 .txt、.docx 或 .pdf，统计表请上传 .xlsx、.xls 或 .csv。",
    )


def _check_size(p: Path, name: str, size: int) -> None:
    if size > MAX_BYTES:
        mb = size / 1024 / 1024
        raise ReadError(
            p,
            f"文件 {name} 有 {mb:.1f} MB，超过单个文件 {MAX_BYTES // 1024 // 1024} MB 的上限。"
            "请确认是否误传了其他文件；报告过长时请按单位或时期拆分后再上传。",
        )
    if size == 0:
        raise ReadError(p, f"文件 {name} 是空文件（0 字节）。请确认上传的是填写好的报告。")


# --- plain text ---------------------------------------------------------------


def _decode_txt(p: Path, name: str, data: bytes) -> tuple[str, str]:
    """Decode a text file: BOM, then strict UTF-8, then GB18030 or Big5."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.removesuffix("-sig")
            except UnicodeDecodeError as e:
                raise ReadError(p, _undecodable(name)) from e
    if b"\x00" in data:
        text16 = _utf16_without_bom(data)
        if text16 is not None:
            return text16
        raise ReadError(p, _binary(name))
    try:
        # Valid UTF-8 always wins, even with a run of mojibake inside: a
        # legacy codec would "succeed" too and garble every other line.
        text = data.decode("utf-8")
        _refuse_binary(p, name, data, text)
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith(_BINARY_MAGIC):
        raise ReadError(p, _binary(name))
    decoded = {}
    for codec in _CJK_ENCODINGS:
        try:
            decoded[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise ReadError(p, _undecodable(name))
    codec = _pick_codec(data, decoded)
    text = decoded[codec]
    _refuse_binary(p, name, data, text)
    return text, codec


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a BOM: NUL high bytes of ASCII give it away."""
    if len(data) % 2:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        plain = sum(1 for ch in sample if _is_plain(ch))
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in sample)
        if plain >= 0.95 * len(sample) and (not has_cjk or _commonness(sample) >= 0.6):
            return text, codec
    return None


def _is_plain(ch: str) -> bool:
    """Printable ASCII, line breaks, CJK punctuation/ideographs or full-width forms."""
    return ch in "\t\n\r" or " " <= ch <= "~" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _pick_codec(data: bytes, decoded: dict[str, str]) -> str:
    """Choose between legacy codecs that all decode: detector first, then plausibility.

    charset-normalizer is reliable from a sentence on; for a few characters it
    can pick Big5 for GBK bytes, so a plausibility score (share of common
    characters after Traditional→Simplified) breaks close calls.
    """
    if len(decoded) == 1:
        return next(iter(decoded))
    scores = {codec: _commonness(text) for codec, text in decoded.items()}
    best = max(scores, key=lambda c: scores[c])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] - ranked[1] >= 0.15:
        return best
    if len(data) < _MIN_DETECT_BYTES:
        return _CJK_ENCODINGS[0]  # too short to tell: mainland senders mostly use GBK
    from charset_normalizer import from_bytes

    guess = from_bytes(data, cp_isolation=list(decoded)).best()
    if guess is not None:
        enc = guess.encoding.replace("_", "")
        for codec in decoded:
            if codec.replace("_", "") == enc:
                return codec
    return best


@cache
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def _commonness(text: str) -> float:
    """Share of CJK characters that are among the 3,755 most common (GB2312 level 1)."""
    sample = _t2s().convert(text[:4000])
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    common = 0
    for ch in cjk:
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if 0xB0 <= b[0] <= 0xD7:
            common += 1
    return common / len(cjk)


def _refuse_binary(p: Path, name: str, data: bytes, text: str) -> None:
    """NUL bytes or many control characters mean this is not a text file."""
    if "\x00" in text or data.startswith(_BINARY_MAGIC):
        raise ReadError(p, _binary(name))
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if controls > max(3, len(sample) // 100):
        raise ReadError(p, _binary(name))


def _binary(name: str) -> str:
    return (
        f"文件 {name} 不是文本文件（内容是二进制数据），可能是扩展名改错了的 Word、Excel 或图片文件。"
        "请用原来的程序打开，另存为 .txt（UTF-8）或 .docx 后重新上传。"
    )


def _undecodable(name: str) -> str:
    return (
        f"文件 {name} 的文字编码无法识别（既不是 UTF-8，也不是 GBK/GB18030 或 Big5）。"
        "请用记事本或 WPS 打开，另存为 UTF-8 编码的 .txt 后重新上传。"
    )


# --- Word (.docx) ---------------------------------------------------------------


def _docx_text(p: Path, name: str, data: bytes) -> str:
    """Paragraphs and tables in document order; a table row is one line, cells joined by ' | '."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(p, f"文件 {name} {_REFUSED['.doc']}")
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
    """One line per row; merged cells (repeated by python-docx) appear once."""
    out = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                continue
            seen.add(key)
            cells.append(" ".join(cell.text.split("\n")).strip())
        out.append(" | ".join(cells))
    return out


# --- PDF ------------------------------------------------------------------------------

_MIN_PDF_CHARS = 20  # fewer extractable characters than this: a scan, not a text PDF


def _pdf_text(p: Path, name: str, data: bytes) -> str:
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
            f"文件 {name} 是扫描件（PDF 里只有图片，没有可提取的文字），系统无法识别。" + _OCR_ADVICE,
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


_WRAP_END = tuple("。！？：；!?:;」』”）)")


def _unwrap(page: str) -> str:
    """Undo the PDF's line wrapping: a full-width line not ending a sentence continues on the next."""
    lines = page.split("\n")
    if len(lines) < 3:
        return page
    lengths = sorted(len(ln) for ln in lines)
    full = lengths[int(0.9 * (len(lengths) - 1))]
    out = [lines[0]]
    for ln in lines[1:]:
        prev = out[-1]
        if full >= 20 and len(prev) >= 0.85 * full and not prev.rstrip().endswith(_WRAP_END):
            out[-1] = prev + ln
        else:
            out.append(ln)
    return "\n".join(out)
