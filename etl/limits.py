"""How much work one file may cause, and the checks made before it is archived or parsed.

A 30 MB workbook can hold 400 MB of sheet XML and ten million cells; a 6 MB
text can hold a million numbers. Parsers given such files ran for minutes or
took the server past 11 GB. So every file is first looked at cheaply (its
size, what its zip directory declares, the decompressed bytes counted while
streaming, the cells of its sheets counted without building them) and
refused at once, before it is archived or parsed, with a Chinese message
that says the limit and what to do. What passes may still be big: such files
are parsed in a child process with a memory cap and a time limit
(etl/sandbox.py), and report text is cut to a bounded amount of work
(etl/bounded.py).

The values are fields of the settings object (etl/settings.py: union.toml's
[limits], UNION_* variables), handed here once per run by `configure`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from etl.errors import UnionError
from etl.read import MAX_BYTES, REPORT_EXTS, TALLY_EXTS

if TYPE_CHECKING:
    from etl.settings import Settings

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """The numbers; every refusal message quotes the one it hit."""

    report_mb: float  # a report file (.txt/.docx/.pdf) larger than this is refused
    tally_mb: float  # a tally file (.xlsx/.xls/.csv)
    unzipped_mb: float  # everything inside one .xlsx/.docx, decompressed
    zip_members: int  # parts inside one .xlsx/.docx
    cells: int  # cells in all sheets of one tally (styled empty cells count: the readers build them too)
    numbers: int  # numbers read per report file; the rest is skipped and said so
    sentence_chars: int  # a run of text without 。！？；or a line break longer than this is skipped
    child_above_mb: float  # files bigger than this (and every PDF) are parsed in a child process
    child_above_cells: int  # … and tallies with more cells than this
    child_memory_mb: float  # the child is stopped when it uses more memory than this
    child_seconds: float  # … or runs longer than this
    annotate_cells: int  # the annotated original is built only up to this many cells (else the list alone)
    annotate_unzipped_mb: float  # … and this much sheet XML (openpyxl holds it all in memory)
    problems_listed: int  # rows in the 问题清单 sheet at most
    preview_hours: float  # upload previews never loaded are deleted after this long


def from_settings(settings: Settings) -> Limits:
    """The limits the settings give (etl/settings.py: defaults < union.toml [limits] < UNION_* variables)."""
    from etl.tally.config import lexicon

    tally = lexicon().limits
    return Limits(
        report_mb=settings.report_max_mb if settings.report_max_mb is not None else MAX_BYTES / 1048576,
        tally_mb=settings.tally_max_mb if settings.tally_max_mb is not None else tally["max_file_mb"],
        unzipped_mb=(settings.unzipped_max_mb if settings.unzipped_max_mb is not None
                     else tally["max_uncompressed_mb"]),
        zip_members=int(tally["max_zip_members"]),
        cells=settings.max_cells,
        numbers=settings.max_numbers,
        sentence_chars=settings.max_sentence,
        child_above_mb=settings.child_above_mb,
        child_above_cells=settings.child_above_cells,
        child_memory_mb=settings.parse_memory_mb,
        child_seconds=settings.parse_seconds,
        annotate_cells=settings.annotate_max_cells,
        annotate_unzipped_mb=settings.annotate_max_xml_mb,
        problems_listed=settings.problems_listed,
        preview_hours=settings.preview_hours,
    )


_LIMITS: Limits | None = None


def configure(settings: Settings) -> None:
    """The limits for this run: the command line and app.py call this with the settings they read once."""
    global _LIMITS
    _LIMITS = from_settings(settings)


def limits() -> Limits:
    """The configured limits; read from the settings here when nobody configured them (a script, a test)."""
    if _LIMITS is None:
        from etl.settings import load

        configure(load())
    return _LIMITS  # type: ignore[return-value]


def reset() -> None:
    """Forget the configured limits (tests that change the environment call this)."""
    global _LIMITS
    _LIMITS = None


# Codes of refusals made before a file is archived (etl.load does not archive such a file either).
REFUSED_CODES = ("too_large", "too_many_cells", "zip_bomb", "corrupt_zip")


class Refused(UnionError):
    """A file over a limit; `message` is Chinese and names the limit and what to do."""

    def __init__(self, message: str, code: str, *, item: str | None = None) -> None:
        super().__init__(message, item=item, code=code)


@dataclass(frozen=True)
class Inspection:
    """What the cheap look found: enough to choose where to parse the file."""

    name: str
    kind: str  # 'report' | 'tally' | 'other'
    size: int
    cells: int | None = None  # tallies: cells in all sheets (None when unknown, e.g. .xls)
    unzipped: int | None = None  # zip formats: decompressed bytes

    @property
    def isolate(self) -> bool:
        """Parse in a child process (memory cap, time limit) rather than in this one."""
        lim = limits()
        return (self.size > lim.child_above_mb * 1048576 or (self.cells or 0) > lim.child_above_cells
                or Path(self.name).suffix.lower() in (".pdf", ".xls"))


def kind_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return "tally" if suffix in TALLY_EXTS else "report" if suffix in REPORT_EXTS else "other"


def count_zh(n: float) -> str:
    """12,345 or 123 万: how many, said the way a Chinese reader expects."""
    return f"{n:,.0f}" if n < 100_000 else f"{n / 10000:,.0f} 万"


def _mb(n: float) -> str:
    return f"{n / 1048576:.1f} MB" if n < 1048576 * 100 else f"{n / 1048576:.0f} MB"


def check_size(name: str, size: int) -> None:
    """Refuse a file by its size alone (the command line calls this before reading the file)."""
    lim = limits()
    kind = kind_of(name)
    cap = lim.tally_mb if kind == "tally" else lim.report_mb
    if size > cap * 1048576:
        what = "统计表" if kind == "tally" else "报告"
        advice = ("请删除无关的工作表，或按镇（街道）拆分成几个文件后分别上传。" if kind == "tally"
                  else "请确认没有误传其他文件；报告过长时请按单位或时期拆分后再上传。")
        raise Refused(f"文件“{name}”有 {_mb(size)}，超过{what}文件 {cap:g} MB 的上限，未存档也未读取。{advice}",
                      "too_large")


def inspect(data: bytes, name: str) -> Inspection:
    """Size, decompressed size and cell count, without parsing; raises Refused over a limit.

    Problems that are not about size (a password, a wrong extension, a broken
    file) are left to the readers, which say so after the file is archived.
    """
    check_size(name, len(data))
    kind = kind_of(name)
    suffix = Path(name).suffix.lower()
    if data.startswith(ZIP_MAGIC) and suffix in (".xlsx", ".xlsm", ".docx"):
        unzipped, cells = _inspect_zip(data, name, count_cells=kind == "tally")
        _check_cells(name, cells)
        return Inspection(name, kind, len(data), cells if kind == "tally" else None, unzipped)
    if suffix == ".csv":
        cells = _csv_cells(data)
        _check_cells(name, cells)
        return Inspection(name, kind, len(data), cells)
    return Inspection(name, kind, len(data))


def _check_cells(name: str, cells: int | None) -> None:
    cap = limits().cells
    if cells is not None and cells > cap:
        raise Refused(
            f"文件“{name}”约有 {count_zh(cells)} 个单元格，超过 {count_zh(cap)} 个的上限，未存档也未读取。"
            "常见原因是表格下方或右侧有大片带格式的空白区域：请删除这些空行空列（或无关的工作表），"
            "或按镇（街道）拆分成几个文件后分别上传。", "too_many_cells")


_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
CHUNK = 1 << 20


def _inspect_zip(data: bytes, name: str, count_cells: bool) -> tuple[int, int | None]:
    """Decompressed bytes of every part (counted while streaming, stopped at the cap) and cells in the sheets.

    The declared sizes are checked first; a part whose real size differs from
    its declared one fails its checksum in zipfile and is refused as damaged.
    """
    lim = limits()
    cap = lim.unzipped_mb * 1048576
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError):
        return 0, None  # not a readable zip: the reader says the file is damaged (after archiving it)
    if len(infos) > lim.zip_members:
        raise Refused(f"文件“{name}”内部有 {len(infos)} 个部件，超过 {lim.zip_members} 个的上限，疑似异常文件，"
                      "未存档也未读取。请用 Excel 或 WPS 打开后另存为新文件再上传。", "zip_bomb")
    declared = sum(i.file_size for i in infos)
    if declared > cap:
        raise Refused(_unzipped_message(name, declared, lim.unzipped_mb), "zip_bomb")
    total, cells = 0, 0
    try:
        for info in infos:
            sheet = count_cells and _SHEET.match(info.filename) is not None
            tail = b""
            with zf.open(info) as part:
                while chunk := part.read(CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise Refused(_unzipped_message(name, total, lim.unzipped_mb), "zip_bomb")
                    if sheet:  # <c …>, <c>, <x:c …>; a tag split between chunks is counted once
                        both = tail + chunk
                        cells += both.count(b"<c ") + both.count(b"<c>") + both.count(b":c ")
                        tail = chunk[-2:]
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:  # checksum, truncation, encryption
        raise Refused(f"文件“{name}”已损坏（压缩内容与目录不符：{type(exc).__name__}），未存档也未读取。"
                      "请用 Excel 或 WPS 打开后另存为新文件再上传。", "corrupt_zip") from exc
    return total, (cells if count_cells else None)


def _unzipped_message(name: str, size: float, cap_mb: float) -> str:
    return (f"文件“{name}”解压后超过 {_mb(size)}，超过 {cap_mb:g} MB 的上限，疑似压缩炸弹或异常文件，未存档也未读取。"
            "请删除无关的工作表或图片后另存，或拆分成几个文件后分别上传。")


def _csv_cells(data: bytes) -> int:
    """Rows × widest plausible delimiter count, from byte counts (no decoding)."""
    rows = data.count(b"\n") + 1
    delims = max(data.count(b","), data.count(b"\t"), data.count(b";"), data.count("，".encode()))
    return rows + delims

