"""Tables → .xlsx, safe to open: text that looks like a formula stays text.

Region names, file names and evidence come from uploaded files, so a cell such
as '=HYPERLINK(...)' or '@SUM(...)' could run as a formula in Excel or WPS when
the exported sheet is opened. Every text cell starting with = + - @ (or a tab /
carriage return, which some spreadsheet programs strip before parsing) is
written as a string cell with Excel's quote prefix: the text is kept exactly,
shown as typed, and never evaluated. Numbers stay numbers.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
HEADER_FONT = Font(bold=True)


def needs_escape(text: str) -> bool:
    """Would a spreadsheet program read this text as a formula (or DDE command)?"""
    return text.startswith(FORMULA_STARTS)


def put(cell: Cell, value: object) -> None:
    """Write one value; formula-like text becomes a quoted string cell, missing numbers stay empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return
    if isinstance(value, bool):
        cell.value = "是" if value else "否"
        return
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would turn a leading '=' into a formula cell
        if needs_escape(value):
            cell.quotePrefix = True
        return
    cell.value = value if isinstance(value, int | float) else str(value)


def sheet_name(title: str, taken: set[str]) -> str:
    """A legal, unique sheet name (≤ 31 characters, no []:*?/\\) from a Chinese title."""
    base = BAD_SHEET_CHARS.sub("", title).strip("'") or "表"
    base = base[:31]
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fill(ws, df: pd.DataFrame) -> None:
    for j, col in enumerate(df.columns, start=1):
        put(ws.cell(row=1, column=j), str(col))
        ws.cell(row=1, column=j).font = HEADER_FONT
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            put(ws.cell(row=i, column=j), value)
    for j, col in enumerate(df.columns, start=1):
        longest = max([_width(col), *(_width(v) for v in df.iloc[:200, j - 1])])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, longest + 2))
    ws.freeze_panes = "A2"


def tables(sheets: Sequence[tuple[str, pd.DataFrame]], about: Sequence[tuple[str, str]] = ()) -> bytes:
    """One sheet per (title, table), plus a '说明' sheet of (item, text) rows when given; returns .xlsx bytes."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    if about:
        ws = wb.create_sheet(sheet_name("说明", taken))
        _fill(ws, pd.DataFrame(list(about), columns=["项目", "内容"]))
        ws.column_dimensions["B"].width = 100
        for row in ws.iter_rows(min_row=2, min_col=2, max_col=2):
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for title, df in sheets:
        _fill(wb.create_sheet(sheet_name(title, taken)), df)
    if not wb.sheetnames:
        wb.create_sheet("空表")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table(df: pd.DataFrame, title: str = "数据") -> bytes:
    """A single table as a one-sheet workbook."""
    return tables([(title, df)])
