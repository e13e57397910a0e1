"""Show a figure's evidence inside its document: the sentence highlighted in the original text, or the
tally row under its header rows."""

from __future__ import annotations

import html
import re
from itertools import pairwise

import pandas as pd

WINDOW = 160  # characters of context either side of the evidence


def highlight(text: str | None, start: int | None, end: int | None, evidence: str | None = None,
              window: int = WINDOW) -> str | None:
    """HTML excerpt of `text` around [start, end) with the evidence in <mark>; None when offsets are unusable.

    Offsets index the decoded original file text (Python string positions).
    Everything from the file is HTML-escaped.
    """
    if not isinstance(text, str) or start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    start, end = int(start), int(end)
    if not (0 <= start <= end <= len(text)):
        return None
    if evidence and text[start:end] != evidence:
        return None
    a, b = max(0, start - window), min(len(text), end + window)
    before, hit, after = text[a:start], text[start:end], text[end:b]
    body = (("…" if a > 0 else "") + html.escape(before) + "<mark>" + html.escape(hit) + "</mark>"
            + html.escape(after) + ("…" if b < len(text) else ""))
    return body.replace("\n", "<br>")


def history_html(history: pd.DataFrame, via_zh: dict[str, str]) -> str:
    """A figure's history (queries.figure_history) as an HTML list, oldest first; every text escaped.

    One line per event: when · who (via) · what happened, which starts with the action
    (导入 34, 更正：… 34 → 36, 确认无误：…).
    """
    items = []
    for h in history.itertuples():
        who = f"{html.escape(str(h.who))}（{html.escape(via_zh.get(h.via, str(h.via)))}）"
        items.append(f"<li><span class='when'>{h.when:%Y-%m-%d %H:%M}</span> · <b>{who}</b> · "
                     f"{html.escape(str(h.what))}</li>")
    return "<ol class='figure-history' style='line-height:1.9'>" + "".join(items) + "</ol>"


def lines_html(lines: list[str]) -> str:
    """Sentences that name things from files (regions, rows), as an escaped HTML list."""
    return "<ul style='margin:0'>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"


CELL_REF = re.compile(r"^(?P<sheet>.*)!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>[0-9]+)$")
COLS_AROUND = 2  # columns shown either side of the figure's cell (the row label columns are always shown)


def parse_cell(ref: str) -> tuple[str, int, int] | None:
    """'2025上半年!K7' → (sheet, row, column), 0-based; None when it is not a sheet!cell reference."""
    m = CELL_REF.match(ref or "")
    if not m:
        return None
    from etl.tally.read import col_index

    return m["sheet"], int(m["row"]) - 1, col_index(m["col"])


def tally_row(data: bytes, name: str, ref: str, around: int = COLS_AROUND) -> str | None:
    """HTML table: the header rows of the table a tally cell belongs to, then the cell's own row, with
    Excel's row numbers and column letters and the cell marked. Every cell text is escaped.

    Leaders asked for more than '2025上半年!K7': the row (which town) and the header (which figure) are
    what they check a number against. None when the file cannot be read or the cell is not in it.
    """
    from etl.tally.layout import filled, find_tables
    from etl.tally.read import TallyReadError, read_book

    where = parse_cell(ref)
    if where is None:
        return None
    sheet, r, c = where
    try:
        book = read_book(data, name)
    except TallyReadError:
        return None
    grid = next((g for g in book.grids if g.name == sheet), None)
    if grid is None or r >= len(grid.rows):
        return None
    table = next((t for t in find_tables(grid) if t.header_rows[0] <= r
                  and any(row.index == r for row in t.rows)), None)
    head = table.header_rows if table else []
    fill = filled(grid)
    labels = [x.index for x in table.columns if x.role == "region"] if table else []
    cols = sorted({*labels[:1], *range(max(0, c - around), min(grid.width, c + around + 1))} or {c})
    skip = {j for j, k in pairwise(cols) if k > j + 1}  # a '…' column after j
    out = ["<table class='tally-row' style='border-collapse:collapse;font-size:.95rem'>",
           "<tr><th></th>" + "".join(f"<th style='{_TH}'>{col_letter(j)}</th>" + (f"<th style='{_TH}'>…</th>"
                                     if j in skip else "") for j in cols) + "</tr>"]
    for i in [*head, r]:
        cells = []
        for n, j in enumerate(cols):
            if n and cols[n - 1] in skip:
                cells.append(f"<td style='{_TD};color:#999'>…</td>")
            v = fill[i][j] if j < len(fill[i]) else None
            text = html.escape("" if v is None else _plain(v))
            style = _TD + (";background:#fff3b0;font-weight:700;outline:2px solid #D55E00" if (i, j) == (r, c)
                           else (";background:#f3f3f3;font-weight:600" if i in head else ""))
            cells.append(f"<td style='{style}'>{text}</td>")
        out.append(f"<tr><th style='{_TH}'>{i + 1}</th>{''.join(cells)}</tr>")
    out.append("</table>")
    return "".join(out)


_TH = "border:1px solid #ccc;padding:2px 8px;color:#666;font-weight:400;background:#fafafa"
_TD = "border:1px solid #ccc;padding:2px 8px"


def _plain(v: object) -> str:
    """A cell value as the sheet shows it (12.0 → 12)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def col_letter(index: int) -> str:
    from etl.tally.read import col_letter as letter

    return letter(index)
