"""Read one report file into its decoded text, or refuse it with a Chinese reason.

Fact offsets index into `ReportText.text`, so this is the one place that turns
bytes into text, and it does no cleaning beyond decoding (the only change is
CRLF/CR line ends → LF, so offsets mean the same on every platform; the
archived bytes stay untouched). Cleaning lives in etl/normalize.py, which keeps
a map back to these offsets.

Every refusal is a `ReadError` whose message names the file and says what the
sender should do; callers catch it so one bad file never stops a batch.

This module checks the file (type, size, emptiness) and hands the bytes to
the reader of its format: etl/encodings.py for .txt (which codec: UTF-8,
GB18030, Big5, UTF-16), etl/docx_pdf.py for .docx and .pdf.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from etl.errors import UnionError

MAX_BYTES = 20 * 1024 * 1024  # larger uploads are refused: no report is that long

REPORT_EXTS = (".txt", ".docx", ".pdf")
TALLY_EXTS = (".xlsx", ".xlsm", ".xls", ".csv")

# Known formats we refuse, with the advice the sender needs.
REFUSED: dict[str, str] = {
    ".doc": "是旧版 Word 格式，无法直接读取。请在 Word/WPS 中另存为 .docx 或 .txt 后重新上传。",
    ".wps": "是 WPS 文字格式，无法直接读取。请在 WPS 中另存为 .docx 或 .txt 后重新上传。",
    ".rtf": "是 RTF 格式，无法直接读取。请在 Word/WPS 中另存为 .docx 或 .txt 后重新上传。",
    ".odt": "是 OpenDocument 格式，无法直接读取。请另存为 .docx 或 .txt 后重新上传。",
    ".pages": "是 Pages 格式，无法直接读取。请导出为 .docx 或 .txt 后重新上传。",
    **dict.fromkeys((".ppt", ".pptx"), "是演示文稿，不是工作报告。请把报告正文另存为 .docx 或 .txt 后上传。"),
    **dict.fromkeys((".zip", ".rar", ".7z"),
                    "是压缩包。请解压后逐个上传其中的报告（.txt/.docx/.pdf）或统计表（.xlsx）。"),
}
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic")
OCR_ADVICE = "请上传报告的文字版本（.docx 或 .txt）；只有纸质件的，请先做文字识别（OCR）并核对。"
IMAGE_ADVICE = "是图片，系统无法识别图片中的文字。" + OCR_ADVICE

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
        from etl.encodings import decode_txt

        text, encoding = decode_txt(p, name, data)
    else:  # imported when needed: python-docx and pypdf take a while to import
        from etl.docx_pdf import docx_text, pdf_text

        text, encoding = (docx_text if ext == ".docx" else pdf_text)(p, name, data), "utf-8"
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
    if ext in REFUSED:
        raise ReadError(p, f"文件 {name} {REFUSED[ext]}")
    if ext in IMAGE_EXTS:
        raise ReadError(p, f"文件 {name} {IMAGE_ADVICE}")
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


