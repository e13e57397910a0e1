"""Spreadsheet bytes → grids of cell values, one reader per format.

Before any parser sees the bytes, `sniff` decides what the file really is from
its content (not its name) and refuses, with a Chinese message, what must not
be parsed: empty files, files over the size limit, zip bombs (judged from the
zip directory's declared sizes, before anything is decompressed), password-
protected workbooks (an OLE container holding EncryptedPackage) and things that
are not spreadsheets at all. Macros in .xlsm are never run: both readers only
read cell values.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePosixPath
from typing import Any
from xml.etree import ElementTree

from etl.errors import UnionError
from etl.tally.config import lexicon

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class TallyReadError(UnionError):
    """The file cannot be read as a tally; `message` says why, in Chinese, naming the file."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, code=code)


@dataclass
class Grid:
    """One sheet as a rectangle of values (None = empty), 0-based coordinates."""

    name: str
    index: int
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 inclusive
    percent: set[tuple[int, int]] | None = None  # percent-formatted numeric cells; None: formats unknown
    formulas: Callable[[], dict[str, set[tuple[int, int]]]] | None = field(default=None, repr=False, compare=False)
    cells: Any = field(default=None, repr=False, compare=False)  # sheet.SheetColumns, built on demand

    @property
    def formula_nocache(self) -> set[tuple[int, int]]:
        """Cells holding a formula without a computed value (they read as empty). Found on first use: the
        sheet's XML is unzipped again only when some figure cell is empty (never for a full 200,000-row sheet)."""
        return self.formulas().get(self.name, set()) if self.formulas else set()

    @property
    def width(self) -> int:
        return max(map(len, self.rows), default=0)


@dataclass
class Book:
    kind: str  # 'xlsx' | 'xlsm' | 'xls' | 'csv'
    engine: str  # 'openpyxl' | 'calamine' | 'csv'
    grids: list[Grid]
    encoding: str | None = None


def sniff(data: bytes, name: str, max_mb: float | None = None) -> str:
    """The real format of `data`: 'xlsx', 'xlsm', 'xls' or 'csv'; raises TallyReadError otherwise.

    `max_mb`: the size limit (default: lexicon/tally_headers.toml's max_file_mb).
    """
    max_mb = lexicon().limits["max_file_mb"] if max_mb is None else max_mb
    if not data:
        raise TallyReadError(f"文件“{name}”是空的（0 字节），请重新导出后上传。", "empty")
    if len(data) > max_mb * 1024 * 1024:
        raise TallyReadError(
            f"文件“{name}”有 {len(data) / 1048576:.1f} MB，超过上限 {max_mb:.0f} MB。"
            "请删除无关工作表或分成几个文件上传。", "too_large")
    if data.startswith(ZIP_MAGIC):
        return _check_zip(data, name)
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise TallyReadError(f"文件“{name}”设置了打开密码，无法读取。"
                                 "请在 Excel 中取消密码（文件→信息→保护工作簿）后重新上传。",
                                 "encrypted")
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls"
        raise TallyReadError(f"文件“{name}”是 Office 文件，但不是 Excel 表格（可能是 Word 文档）。", "not_spreadsheet")
    if data[:5] == b"%PDF-":
        raise TallyReadError(f"文件“{name}”是 PDF，不是 Excel 表格。请上传原始 .xlsx/.xls/.csv 文件。",
                             "not_spreadsheet")
    head = data[:4096]
    if b"\x00" in head:
        raise TallyReadError(f"文件“{name}”不是表格文件（无法识别的二进制内容）。", "not_spreadsheet")
    return "csv"


def _check_zip(data: bytes, name: str) -> str:
    """Refuse bombs from the declared sizes in the central directory, before decompressing anything."""
    lim = lexicon().limits
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise TallyReadError(f"文件“{name}”已损坏（压缩结构无法读取），请重新保存后上传。", "corrupt") from exc
    if len(infos) > lim["max_zip_members"]:
        raise TallyReadError(f"文件“{name}”内部包含 {len(infos)} 个部件，超出正常表格范围，已拒绝读取。", "zip_bomb")
    total = sum(i.file_size for i in infos)
    if total > lim["max_uncompressed_mb"] * 1024 * 1024:
        raise TallyReadError(
            f"文件“{name}”解压后将达 {total / 1048576:.0f} MB，超过上限 {lim['max_uncompressed_mb']:.0f} MB，"
            "疑似压缩炸弹或异常文件，已拒绝读取。", "zip_bomb")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > lim["max_zip_ratio"] * max(i.compress_size, 1):
            raise TallyReadError(
                f"文件“{name}”中的部件 {i.filename} 压缩比异常（{i.file_size // max(i.compress_size, 1)} 倍），"
                "疑似压缩炸弹，已拒绝读取。", "zip_bomb")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        what = "Word 文档" if "word/document.xml" in names else ("PowerPoint 文件" if "ppt/presentation.xml" in names
                                                                else "压缩包")
        raise TallyReadError(f"文件“{name}”是{what}，不是 Excel 表格。", "not_spreadsheet")
    return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"


def read_book(data: bytes, name: str, engine: str | None = None, max_mb: float | None = None) -> Book:
    """Read every sheet. engine None picks openpyxl for small .xlsx (formats, merges) and calamine otherwise."""
    kind = sniff(data, name, max_mb)
    if kind == "csv":
        return _read_csv(data, name)
    if engine is None:
        small = len(data) <= lexicon().limits["openpyxl_max_mb"] * 1024 * 1024
        engine = "openpyxl" if kind in ("xlsx", "xlsm") and small else "calamine"
    try:
        grids = _read_openpyxl(data) if engine == "openpyxl" else _read_calamine(data)
    except TallyReadError:
        raise
    except Exception as exc:  # a reader's own exception type varies by format and library
        raise TallyReadError(f"文件“{name}”无法作为 Excel 读取（{type(exc).__name__}）。"
                             "请在 Excel 中另存为 .xlsx 后重新上传。",
                             "unreadable") from exc
    if kind in ("xlsx", "xlsm"):
        formulas = cache(lambda: formula_cells_without_cache(data))
        for g in grids:
            g.formulas = formulas
    max_rows = lexicon().limits["max_rows"]
    for g in grids:
        if len(g.rows) > max_rows:
            raise TallyReadError(f"工作表“{g.name}”有 {len(g.rows)} 行，超过上限 {max_rows:.0f} 行。", "too_large")
    return Book(kind=kind, engine=engine, grids=grids)


def _read_openpyxl(data: bytes) -> list[Grid]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_vba=False, keep_links=False)
    grids = []
    for index, ws in enumerate(wb.worksheets):
        rows: list[list[Any]] = []
        percent: set[tuple[int, int]] = set()
        for r, row in enumerate(ws.iter_rows()):
            vals = []
            for c, cell in enumerate(row):
                v = cell.value
                if isinstance(v, str) and not v.strip():
                    v = None
                if isinstance(v, int | float) and not isinstance(v, bool) and "%" in (cell.number_format or ""):
                    percent.add((r, c))
                vals.append(v)
            rows.append(vals)
        merged = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        grids.append(Grid(ws.title, index, _trim(rows), merged, percent))
    wb.close()
    return grids


def _read_calamine(data: bytes) -> list[Grid]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = []
    for index, name in enumerate(wb.sheet_names):
        sh = wb.get_sheet_by_index(index)
        rows = [row if "" not in row else [None if v == "" else v for v in row]
                for row in sh.to_python(skip_empty_area=False)]
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
        grids.append(Grid(name, index, _trim(rows), merged, None))
    return grids


def _read_csv(data: bytes, name: str) -> Book:
    encoding = "utf-8"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("gb18030"), "gbk"
        except UnicodeDecodeError as exc:
            raise TallyReadError(f"文件“{name}”既不是 UTF-8 也不是 GBK 编码的表格，无法读取。", "encoding") from exc
    sample = text[:8192]
    delim = max([",", "\t", ";", "，"], key=sample.count)
    try:
        rows = [[v if v.strip() else None for v in row] for row in csv.reader(io.StringIO(text), delimiter=delim)]
    except csv.Error as exc:  # e.g. a "cell" longer than csv's field limit: random bytes, not a table
        raise TallyReadError(f"文件“{name}”不是正常的表格（{exc}），可能是改了扩展名的其他文件。"
                             "请用 Excel 或 WPS 打开原表，另存为 .xlsx 或 .csv 后重新上传。",
                             "not_spreadsheet") from exc
    stem = PurePosixPath(name).stem or "CSV"
    return Book(kind="csv", engine="csv", grids=[Grid(stem[:31], 0, _trim(rows), [], None)], encoding=encoding)


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows (formatting often extends a sheet far below its data)."""
    end = len(rows)
    while end and all(v is None for v in rows[end - 1]):
        end -= 1
    return rows[:end]


_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?(?<!/)>(.*?)</c>', re.S)


def formula_cells_without_cache(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name, the cells holding a formula but no cached value.

    A workbook written by a program (openpyxl, some exporters) and never opened
    in Excel stores formulas without results; every reader then sees an empty
    cell, so we look at the sheet XML directly to say which cells those are.
    """
    out: dict[str, set[tuple[int, int]]] = {}
    zf = zipfile.ZipFile(io.BytesIO(data))
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {el.get("Id"): el.get("Target", "") for el in rels}
    wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    for sheet in wb.iterfind("m:sheets/m:sheet", ns):
        t = target.get(sheet.get(f"{{{ns['r']}}}id"), "")
        path = t.lstrip("/") if t.startswith("/") else f"xl/{t}"
        try:
            xml = zf.read(path)
        except KeyError:
            continue
        if b"<f" not in xml:
            continue
        cells = set()
        for m in _CELL.finditer(xml):
            body = m.group(3)
            if b"<f" in body and not re.search(rb"<v>[^<]+</v>", body):
                cells.add((int(m.group(2)) - 1, col_index(m.group(1).decode())))
        out[sheet.get("name", "")] = cells
    return out


def col_index(letters: str) -> int:
    """Excel letters → 0-based column index (A → 0, AA → 26); the inverse of col_letter."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s
