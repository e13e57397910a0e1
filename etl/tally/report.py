"""The error report: the sender's own workbook with the bad cells marked.

Staff fix mistakes fastest in the file they made, so the report is the
ORIGINAL workbook with each problem cell filled (red: error, yellow: warning)
and carrying a comment that says why, plus a 问题清单 sheet listing them all.

Built only when someone asks for it, and bounded (etl/limits.py):
- a small .xlsx/.xlsm is opened with openpyxl and annotated in place, formats
  kept; formulas are replaced by the values the checks read (data_only), so
  nothing in the report can calculate or call out;
- a .csv or .xls, or a bigger workbook up to `annotate_cells` cells, is
  copied value by value into a new workbook written as a stream (write-only:
  one row in memory at a time);
- beyond that, only the 问题清单 is written, and its first row says why.
The 问题清单 lists at most `problems_listed` problems. Every text cell that a
spreadsheet program could read as a formula (=, +, -, @ …) is written as text
(export.xlsx.put), whatever file it came from.
A problem with a sheet's name (a town's sheet named with a typo) colours that
sheet's tab instead: no cell of the sheet holds the name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from etl.model import Problem
from etl.tally.rules import named_sheet
from etl.vocab import SEVERITY_ZH

FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
_FILL_OF_ROW = {SEVERITY_ZH[k]: v for k, v in FILLS.items()}  # 问题清单 rows are coloured by their 级别
_WHERE = re.compile(r"^(?P<sheet>.+)!(?P<cell>[A-Z]{1,3}[0-9]+)$")
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
XLS_COPY_BYTES = 1 << 20  # an .xls this small holds well under annotate_cells cells


def _notes(problems: list[Problem]) -> dict[tuple[str, str], list[Problem]]:
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        m = _WHERE.match(p.where or "")
        if m and named_sheet(p.where) is None:
            notes.setdefault((m["sheet"], m["cell"]), []).append(p)
    return notes


def _tabs(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Problems with a sheet's name (a town's sheet named with a typo), by sheet: its tab is coloured."""
    tabs: dict[str, list[Problem]] = {}
    for p in problems:
        named = named_sheet(p.where)
        if named is not None:
            tabs.setdefault(named, []).append(p)
    return tabs


def _comment(found: list[Problem]):
    from openpyxl.comments import Comment

    text = "\n".join(f"【{SEVERITY_ZH.get(p.severity, p.severity)}】{p.message}" for p in found)
    c = Comment(text, "数据检查")
    c.width, c.height = 320, 40 + 30 * len(found)
    return c


def _fill(found: list[Problem]):
    from openpyxl.styles import PatternFill

    worst = "error" if any(p.severity == "error" for p in found) else "warning"
    return PatternFill("solid", fgColor=FILLS[worst])


def _problem_rows(problems: list[Problem], cap: int) -> Iterable[list]:
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.where or ""))
    for p in ordered[:cap]:
        yield [SEVERITY_ZH.get(p.severity, p.severity), p.where, p.value, p.message]
    if len(ordered) > cap:
        yield ["", "", "", f"另有 {len(ordered) - cap} 条问题未列出（清单最多列 {cap} 条）："
                           "请先改正上面的问题后重新上传。"]


def _inspect(data: bytes, name: str):  # -> etl.limits.Inspection | None
    from etl.limits import Refused, inspect

    try:
        return inspect(data, name)
    except Refused:
        return None


def plan(data: bytes, name: str, inspection=None) -> str:  # inspection: etl.limits.Inspection
    """How the report will be built: 'annotate' (openpyxl in place), 'copy' (streamed copy) or 'list' (清单 only)."""
    from etl.limits import limits
    from etl.tally.read import TallyReadError, sniff

    lim = limits()
    try:
        kind = sniff(data, name)
    except TallyReadError:
        return "list"
    inspection = inspection or _inspect(data, name)
    cells = getattr(inspection, "cells", None)
    if cells is None and kind == "xls" and len(data) <= XLS_COPY_BYTES:
        return "copy"  # cells of an .xls cannot be counted without parsing; a small one is copied
    if cells is None or cells > lim.annotate_cells:
        return "list"
    unzipped = getattr(inspection, "unzipped", None) or 0
    if kind in ("xlsx", "xlsm") and unzipped <= lim.annotate_unzipped_mb * 1048576:
        return "annotate"
    return "copy"


def error_workbook(data: bytes, name: str, problems: list[Problem], inspection=None) -> bytes:
    """The original workbook with problem cells highlighted and commented, as .xlsx bytes (see the module doc).

    `inspection` is etl.limits.inspect(data, name), when the caller has it: its cell count and unzipped
    size choose how the report is built (a file whose cells cannot be counted, e.g. .xls, gets the list only).
    """
    from etl.limits import limits

    inspection = inspection or _inspect(data, name)
    how = plan(data, name, inspection)
    cap = limits().problems_listed
    if how == "annotate":
        return _annotated(data, problems, cap)
    return _streamed(data, name, problems, cap, copy=how == "copy", cells=getattr(inspection, "cells", None))


def _annotated(data: bytes, problems: list[Problem], cap: int) -> bytes:
    """Small .xlsx: the original opened with its formats, values instead of formulas, problem cells marked."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    from export.xlsx import put

    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # macros dropped: the report is a plain .xlsx
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    put(c, c.value)  # text that looks like a formula stays text
    for (sheet, cell), found in _notes(problems).items():
        if sheet in wb.sheetnames:
            c = wb[sheet][cell]
            c.fill = _fill(found)
            c.comment = _comment(found)
    for sheet, found in _tabs(problems).items():
        if sheet in wb.sheetnames:
            wb[sheet].sheet_properties.tabColor = FILLS["error" if any(p.severity == "error" for p in found)
                                                        else "warning"]
    title = "问题清单"
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title, 0)
    for j, head in enumerate(["级别", "位置", "单元格内容", "问题说明"], start=1):
        put(ws.cell(1, j), head)
        ws.cell(1, j).font = Font(bold=True)
    for i, values in enumerate(_problem_rows(problems, cap), start=2):
        for j, v in enumerate(values, start=1):
            put(ws.cell(i, j), v)
        if values[0] in _FILL_OF_ROW:
            ws.cell(i, 1).fill = PatternFill("solid", fgColor=_FILL_OF_ROW[values[0]])
    for col, width in zip("ABCD", (8, 18, 18, 100), strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _streamed(data: bytes, name: str, problems: list[Problem], cap: int, copy: bool, cells: int | None) -> bytes:
    """A write-only workbook: the 问题清单, then (when `copy`) every sheet's values with problem cells marked."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    from etl.limits import count_zh, limits
    from export.xlsx import put

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题清单")
    for col, width in zip("ABCD", (8, 18, 18, 100), strict=True):
        ws.column_dimensions[col].width = width

    def row(values: list, bold: bool = False, fill: str | None = None) -> list:
        out = []
        for v in values:
            c = WriteOnlyCell(ws)
            put(c, v)
            if bold:
                c.font = Font(bold=True)
            out.append(c)
        if fill:
            out[0].fill = PatternFill("solid", fgColor=fill)
        return out

    if not copy:
        why = (f"原表约有 {count_zh(cells)} 个单元格，超过 {count_zh(limits().annotate_cells)} 个，"
               "未复制原表；请按“位置”列在原文件中查找。" if cells
               else "原表无法读取或无法统计单元格数，未复制；请按下面的说明检查原文件。")
        ws.append(row(["说明", "", "", why]))
    ws.append(row(["级别", "位置", "单元格内容", "问题说明"], bold=True))
    for values in _problem_rows(problems, cap):
        ws.append(row(values, fill=_FILL_OF_ROW.get(values[0])))
    if copy:
        _copy_sheets(wb, data, name, _notes(problems))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _copy_sheets(wb, data: bytes, name: str, notes: dict[tuple[str, str], list[Problem]]) -> None:
    from openpyxl.cell import WriteOnlyCell

    from etl.tally.read import col_letter, read_book
    from export.xlsx import put, sheet_name

    taken = {"问题清单"}
    for grid in read_book(data, name, engine="calamine" if not name.lower().endswith(".csv") else None).grids:
        ws = wb.create_sheet(sheet_name(grid.name, taken))
        by_row: dict[int, dict[str, list[Problem]]] = {}  # 0-based row -> cell name -> its problems
        for (sheet, cell), found in notes.items():
            m = _CELL.match(cell)
            if sheet == grid.name and m:
                by_row.setdefault(int(m[2]) - 1, {})[cell] = found
        for r, values in enumerate(grid.rows):
            out = []
            here = by_row.get(r, {})
            for c, v in enumerate(values):
                cell = WriteOnlyCell(ws)
                put(cell, v)
                found = here.get(f"{col_letter(c)}{r + 1}")
                if found:
                    cell.fill = _fill(found)
                    cell.comment = _comment(found)
                out.append(cell)
            ws.append(out)
