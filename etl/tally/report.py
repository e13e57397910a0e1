"""The error report: the sender's own workbook with the bad cells marked.

Staff fix mistakes fastest in the file they made, so the report is the
ORIGINAL workbook with each problem cell filled (red: error, yellow: warning)
and carrying a comment that says why, plus a 问题清单 sheet listing them all.
A problem with a sheet's name (a town's sheet named with a typo) colours that
sheet's tab instead: no cell of the sheet holds the name.
.xls and .csv inputs, which openpyxl cannot edit, are copied cell by cell into
a new workbook first.
"""

from __future__ import annotations

import io
import re

from etl.model import Problem
from etl.tally.rules import named_sheet
from etl.vocab import SEVERITY_ZH

FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
_WHERE = re.compile(r"^(?P<sheet>.+)!(?P<cell>[A-Z]{1,3}[0-9]+)$")


def _workbook(data: bytes, name: str):  # -> openpyxl.Workbook
    import openpyxl

    from etl.tally.read import read_book, sniff

    if sniff(data, name) in ("xlsx", "xlsm"):
        return openpyxl.load_workbook(io.BytesIO(data))  # macros dropped: the report is a plain .xlsx
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for grid in read_book(data, name).grids:
        ws = wb.create_sheet(grid.name)
        for row in grid.rows:
            ws.append(list(row))
    return wb


def error_workbook(data: bytes, name: str, problems: list[Problem]) -> bytes:
    """The original workbook with problem cells highlighted and commented, as .xlsx bytes."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = _workbook(data, name)
    notes: dict[tuple[str, str], list[Problem]] = {}
    tabs: dict[str, list[Problem]] = {}  # a sheet's name (a town's sheet named with a typo): its tab is coloured
    for p in problems:
        m = _WHERE.match(p.where or "")
        named = named_sheet(p.where)
        if named in wb.sheetnames:
            tabs.setdefault(named, []).append(p)
        elif m and m["sheet"] in wb.sheetnames:
            notes.setdefault((m["sheet"], m["cell"]), []).append(p)
    for sheet, found in tabs.items():
        wb[sheet].sheet_properties.tabColor = FILLS["error" if any(p.severity == "error" for p in found) else "warning"]
    for (sheet, cell), found in notes.items():
        c = wb[sheet][cell]
        worst = "error" if any(p.severity == "error" for p in found) else "warning"
        c.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(f"【{SEVERITY_ZH.get(p.severity, p.severity)}】{p.message}" for p in found)
        c.comment = Comment(text, "数据检查")
        c.comment.width, c.comment.height = 320, 40 + 30 * len(found)
    title = "问题清单"
    while title in wb.sheetnames:
        title += "_"
    ws = wb.create_sheet(title, 0)
    ws.append(["级别", "位置", "单元格内容", "问题说明"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for p in sorted(problems, key=lambda p: (p.severity != "error", p.where)):
        ws.append([SEVERITY_ZH.get(p.severity, p.severity), p.where, p.value, p.message])
        ws.cell(ws.max_row, 1).fill = PatternFill("solid", fgColor=FILLS.get(p.severity, "FFFFFF"))
    for col, width in zip("ABCD", (8, 18, 18, 100), strict=True):
        ws.column_dimensions[col].width = width
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
