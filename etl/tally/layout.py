"""Find the tables on a sheet: title rows, header block, data rows, totals, notes.

Real tallies are rarely made from a template. The header is found as the
first row where at least two cells are known header words (地区, 年度, a
metric); rows above it are the title (its year, period and town apply to the
table when there is no such column); rows just above or below that are part
of a merged two-row header join it. After the header, data rows run until the
next header (a second table on the same sheet) or the end; totals rows
(合计/小计) and notes/signature rows (填表人 …) are recognised by their words.

Rows are classified column by column (SheetColumns): a run of ordinary rows
(a number in it, its region cell the first text) is taken at once, and only
the other rows (headers, notes, merged or blank rows) are looked at one by
one, so a 200,000-row sheet costs little more than a 20-row one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from etl.tally.config import lexicon, norm
from etl.tally.mapping import Column, columns, find_year_period, guess_header, header_key, parse_number
from etl.tally.read import Grid, col_letter
from etl.tally.rows import Row, Rows
from etl.tally.sheet import EMPTY, SheetColumns

MAX_HEADER_ROWS = 3


@dataclass
class Table:
    grid: Grid
    number: int  # 0-based position among the tables of its sheet
    header_rows: list[int]
    rows: Rows
    columns: list[Column]
    title: str = ""
    year: int | None = None  # from the title or sheet name
    period: str | None = None
    region: str | None = None  # from the title or sheet name, when no region column
    region_cell: tuple[int, int] | None = None  # (row, column) of the title cell naming `region`
    notes: list[str] = field(default_factory=list)

    @property
    def layout(self) -> str:
        roles = {c.role for c in self.columns}
        return "long" if {"metric", "value"} <= roles else "wide"

    @property
    def key(self) -> str:
        """Hash of the normalised header row: remembered column mappings are keyed by it."""
        return header_key(self.columns)

    def column(self, role: str) -> Column | None:
        return next((c for c in self.columns if c.role == role), None)

    @property
    def where(self) -> str:
        return f"{self.grid.name}!{col_letter(0)}{self.header_rows[0] + 1}"


def filled(grid: Grid) -> list[list[Any]]:
    """The grid with every merged range filled with its top-left value (for headers and region cells)."""
    rows = [list(r) for r in grid.rows]
    width = grid.width
    for r in rows:
        r.extend([None] * (width - len(r)))
    for r1, c1, r2, c2 in grid.merged:
        if r1 >= len(rows):
            continue
        v = rows[r1][c1] if c1 < width else None
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            for c in range(c1, min(c2, width - 1) + 1):
                rows[r][c] = v
    return rows


def _is_numeric(v: Any) -> bool:
    if v is None:
        return False
    if isinstance(v, int | float) and not isinstance(v, bool):
        return True
    p = parse_number(v)
    return p.value is not None and p.error is None


def _texts(row: list[Any]) -> list[tuple[int, str]]:
    return [(c, str(v)) for c, v in enumerate(row) if v is not None and not _is_numeric(v) and norm(v)]


def _header_score(row: list[Any]) -> int:
    """How many cells of a raw row are known header words (0 when the row holds numbers)."""
    for v in row:
        if v is not None and type(v) is not str and _is_numeric(v):
            return 0
    score = 0
    for _, text in _texts(row):
        g = guess_header(text)
        if g.role in ("region", "year", "period", "metric", "value", "figure"):
            score += 1
    return score


def _first_text(row: list[Any]) -> str:
    """The first text cell that is not a number written as text (stops there: called for every row)."""
    for v in row:
        if type(v) is str and not _is_numeric(v):
            s = norm(v)
            if s:
                return s
    return ""


def is_note(row: list[Any], first: str | None = None) -> bool:
    first = _first_text(row) if first is None else first
    return bool(first) and first.startswith(lexicon().notes)


def total_kind(text: str) -> str | None:
    s = norm(text)
    lx = lexicon()
    if s in lx.subtotal:
        return "subtotal"
    if s in lx.totals:
        return "total"
    return None


_REGION_IN_TITLE = re.compile(r"([\u4e00-\u9fff]{1,8}?(?:街道|镇|乡|社区|区|县))")


def region_in(text: str) -> str | None:
    """A town named in a title or sheet name ('白沙镇2023年…' → 白沙镇); not '各镇', '全区'."""
    for m in _REGION_IN_TITLE.finditer(norm(text)):
        name = m.group(1)
        if len(name) < 2 or any(ch in name for ch in "年月日季度份各全本我该表统计计"):
            continue
        return name
    return None


def find_tables(grid: Grid, mapping: dict[str, dict[str, str]] | None = None) -> list[Table]:
    """Every table on the sheet, top to bottom. `mapping`: user corrections by table key → letter → choice."""
    rows = grid.rows
    fill = filled(grid) if grid.merged else rows  # without merges the filled grid is the grid (read only)
    types = SheetColumns.of(grid)
    tables: list[Table] = []
    r, prev_end = 0, 0
    while r < len(rows):
        if _header_score(rows[r]) < 2:
            r += 1
            continue
        head = _header_rows(grid, fill, r, prev_end)
        table_columns = columns(fill, head, grid.width, mapping)
        _unlabelled_region(table_columns, rows, head[-1] + 1)
        title = " ".join(" ".join(t for _, t in _texts(rows[i])) for i in range(prev_end, head[0]))
        year, period = find_year_period(title)
        s_year, s_period = find_year_period(grid.name)
        region = region_in(title) or region_in(grid.name)
        table = Table(grid, len(tables), head, Rows(), table_columns, title.strip(), year or s_year, period or s_period,
                      region)
        if region and region_in(title):
            table.region_cell = _cell_naming(rows, range(prev_end, head[0]), region)
        end = _collect_rows(table, fill, head[-1] + 1, types)
        if not _has_figures(table):
            r = head[-1] + 1  # header words without numbers below (a legend, a metric list): not a table
            continue
        r = end
        used = next((i for i, k in zip(reversed(table.rows.index), reversed(table.rows.kind), strict=True)
                     if k != "blank"), None)
        prev_end = used + 1 if used is not None else head[-1] + 1
        tables.append(table)
    return tables


def _header_rows(grid: Grid, fill: list[list[Any]], r: int, prev_end: int) -> list[int]:
    """Row r, a header, with the parent row above and the child rows below that belong to it."""
    rows, width = grid.rows, grid.width
    vertical = {(r1, c) for r1, c1, r2, c2 in grid.merged if r2 > r1 for c in range(c1, c2 + 1)}
    head = [r]
    # Upward: a parent row of a two-row header (merged into this row, or several text cells of its own).
    while head[0] - 1 >= prev_end and len(head) < MAX_HEADER_ROWS:
        up = head[0] - 1
        row = rows[up]
        texts = _texts(row)
        merged_down = any((up, c) in vertical for c in range(width))
        spans = any(r1 == up and c2 > c1 and c2 - c1 + 1 < width for r1, c1, r2, c2 in grid.merged)
        if any(_is_numeric(v) for v in row) or not texts or not (merged_down or (spans and len(texts) >= 2)):
            break
        head.insert(0, up)
    # Downward: a child row (sub-headers or units) with no numbers.
    region_col = _region_col_guess(fill, head, width)
    while head[-1] + 1 < len(rows) and len(head) < MAX_HEADER_ROWS:
        down = head[-1] + 1
        row = rows[down]
        if (any(_is_numeric(v) for v in row) or not _texts(row) or is_note(row)
                or (region_col is not None and row[region_col:region_col + 1] not in ([None], [])
                    and (head[-1], region_col) not in vertical)):
            break
        head.append(down)
    return head


def _cell_naming(rows: list[list[Any]], among: range, name: str) -> tuple[int, int] | None:
    """The first cell of these rows whose text names `name` (a town in a title)."""
    for r in among:
        for c, text in _texts(rows[r]):
            if name in norm(text):
                return r, c
    return None


def _has_figures(table: Table) -> bool:
    cols = [c.index for c in table.columns if c.role in ("figure", "value")]
    rows = table.grid.rows
    return any(c < len(rows[row.index]) and rows[row.index][c] is not None
               for row in table.rows if row.kind in ("data", "total", "subtotal") for c in cols)


def _unlabelled_region(columns: list[Column], rows: list[list[Any]], start: int) -> None:
    """No 地区 header: take the first unlabelled column whose cells below are mostly names."""
    if any(c.role == "region" for c in columns):
        return
    sample = rows[start:start + 30]
    for col in columns:
        if col.role != "unknown":
            continue
        vals = [row[col.index] for row in sample if col.index < len(row) and row[col.index] is not None]
        if vals and sum(1 for v in vals if not _is_numeric(v)) >= 0.8 * len(vals):
            col.role = "region"
            col.exact = False
            return


def _region_col_guess(fill: list[list[Any]], head: list[int], width: int) -> int | None:
    for c in range(width):
        pieces = [norm(fill[h][c]) for h in head if c < len(fill[h]) and fill[h][c] is not None]
        if pieces and guess_header(pieces[-1]).role == "region":
            return c
    return None


def _plain_rows(sheet: SheetColumns, region: int, figures: list[int]
                ) -> tuple[list[str | None], list[str | None], np.ndarray]:
    """Kind and region of every row of the sheet (meaningful where plain), and the rows that are not plain.

    A plain row has a number cell (so it is no header), its first text cell is the region cell, and
    that text is a name (neither a number written as text nor a note); its kind then follows from the
    region text alone (合计/小计 → total, else data, or blank without figures), as `_row_kind` decides.
    """
    n = len(sheet.rows)
    col = sheet.values[region] if region < len(sheet.values) else np.full(n, None, dtype=object)
    codes, uniques = pd.factorize(col)  # a sheet names the same towns over and over: look each up once
    named = [_region_name(v) if type(v) is str else (None, "") for v in uniques.tolist()] + [(None, "")]
    kinds = np.array([k for k, _ in named], dtype=object)[codes]  # code -1 (an empty cell) takes the last
    regions = np.array([s for _, s in named], dtype=object)[codes]
    has_figure = np.zeros(n, dtype=bool)
    for c in figures:
        if c < len(sheet.kinds):
            has_figure |= sheet.kinds[c] != EMPTY
    plain = sheet.has_number & (sheet.first_text == region) & np.not_equal(kinds, None)
    kinds[plain & ~has_figure & np.equal(kinds, "data")] = "blank"  # a name without figures carries nothing to load
    return kinds.tolist(), regions.tolist(), np.flatnonzero(~plain)


@lru_cache(maxsize=1 << 16)
def _region_name(text: str) -> tuple[str | None, str]:
    """(kind, normalised text) of a region cell: kind None when the row is not plain."""
    s = norm(text)
    plain = s and not _is_numeric(text) and not is_note([text], s)
    return ((total_kind(s) or "data"), s) if plain else (None, s)


def _collect_rows(table: Table, fill: list[list[Any]], start: int, sheet: SheetColumns) -> int:
    """Classify rows after the header; returns the row where scanning for the next table resumes.

    Runs of plain rows are taken at once (`_plain_rows`); each other row goes through `_row_kind`.
    """
    rows = table.grid.rows
    region_col = table.column("region")
    figure_cols = [c.index for c in table.columns if c.role in ("figure", "value")]
    kinds, regions, irregular = _plain_rows(sheet, region_col.index, figure_cols) if region_col else ([], [], None)
    r = start
    while r < len(rows):
        if irregular is not None:  # a run of plain rows at once, up to the next row that is not plain
            i = int(np.searchsorted(irregular, r))
            end = int(irregular[i]) if i < len(irregular) else len(rows)
            table.rows.extend_run(r, end, kinds, regions)
            r = end
            if r >= len(rows):
                break
        raw = rows[r]
        if _header_score(raw) >= 2:
            break
        first = _first_text(raw)
        if is_note(raw, first):
            return _notes(table, r)
        table.rows.append(_row_kind(table, fill, r, first, figure_cols))
        r += 1
    return r


def _row_kind(table: Table, fill: list[list[Any]], r: int, first: str, figure_cols: list[int]) -> Row:
    """One row that is not plain: blank, a total, or data (its region from the filled grid)."""
    raw = table.grid.rows[r]
    region_col = table.column("region")
    if all(v is None for v in raw):
        return Row(r, "blank")
    region = None
    if region_col is not None and region_col.index < len(fill[r]):
        v = fill[r][region_col.index]
        region = norm(v) if v is not None else None
    kind = total_kind(region or "") or total_kind(first)
    if kind is None and region_col is not None and region and not any(
            c < len(raw) and raw[c] is not None for c in figure_cols):
        kind = "blank"  # a name without figures (or a stray title) carries nothing to load
    return Row(r, kind or "data", region)


def _notes(table: Table, r: int) -> int:
    """A notes line at r closes the table (a later header starts the next one); returns where to go on."""
    rows = table.grid.rows
    table.notes.append(" ".join(t for _, t in _texts(rows[r])))
    table.rows.append(Row(r, "note"))
    r += 1
    while r < len(rows) and _header_score(rows[r]) < 2 and not any(
            _is_numeric(v) for v in rows[r][1:] if v is not None):
        if is_note(rows[r]):
            table.notes.append(" ".join(t for _, t in _texts(rows[r])))
        r += 1
    return r
