"""Find the tables on a sheet: title rows, header block, data rows, totals, notes.

Real tallies are rarely made from a template. The header is found as the
first row where at least two cells are known header words (地区, 年度, a
metric); rows above it are the title (its year, period and town apply to the
table when there is no such column); rows just above or below that are part
of a merged two-row header join it. After the header, data rows run until the
next header (a second table on the same sheet) or the end; totals rows
(合计/小计) and notes/signature rows (填表人 …) are recognised by their words.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from etl.tally.config import Unit, lexicon, norm
from etl.tally.mapping import ROLES, HeaderGuess, find_year_period, guess_header, parse_number
from etl.tally.read import Grid, col_letter

MAX_HEADER_ROWS = 3


@dataclass
class Column:
    index: int
    header: str  # header pieces joined with ' / ', as shown to the user
    role: str  # ROLES, 'figure' (one metric per column) or 'unknown'
    metric: str | None = None
    unit: Unit | None = None
    exact: bool = True  # False: matched by a contained synonym; the page asks for confirmation

    @property
    def letter(self) -> str:
        return col_letter(self.index)


@dataclass(slots=True)  # a big sheet has one per row
class Row:
    index: int
    kind: str  # 'data' | 'total' | 'subtotal' | 'note' | 'blank'
    region: str | None = None


@dataclass
class Table:
    grid: Grid
    number: int  # 0-based position among the tables of its sheet
    header_rows: list[int]
    rows: list[Row]
    columns: list[Column]
    title: str = ""
    year: int | None = None  # from the title or sheet name
    period: str | None = None
    region: str | None = None  # from the title or sheet name, when no region column
    notes: list[str] = field(default_factory=list)

    @property
    def layout(self) -> str:
        roles = {c.role for c in self.columns}
        return "long" if {"metric", "value"} <= roles else "wide"

    @property
    def key(self) -> str:
        """Hash of the normalised header row: remembered column mappings are keyed by it."""
        text = "|".join(norm(c.header) for c in self.columns)
        return hashlib.sha1(text.encode()).hexdigest()[:16]

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


def find_tables(grid: Grid, mapping: dict[str, dict[str, str]] | None = None,
                quick: bool | None = None) -> list[Table]:
    """Every table on the sheet, top to bottom. `mapping`: user corrections by table key → letter → choice.

    `quick` classifies ordinary data rows column by column (see CellTypes) instead of one by one; same
    result, used by default for sheets of QUICK_MIN_ROWS rows or more.
    """
    rows = grid.rows
    fill = filled(grid) if grid.merged else rows  # without merges the filled grid is the grid (read only)
    types = CellTypes.of(grid) if (quick if quick is not None else len(rows) >= QUICK_MIN_ROWS) else None
    width = grid.width
    tables: list[Table] = []
    vertical = {(r1, c) for r1, c1, r2, c2 in grid.merged if r2 > r1 for c in range(c1, c2 + 1)}
    r, prev_end = 0, 0
    while r < len(rows):
        if _header_score(rows[r]) < 2:
            r += 1
            continue
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
        columns = _columns(fill, head, width, mapping, grid)
        _unlabelled_region(columns, rows, head[-1] + 1)
        title = " ".join(" ".join(t for _, t in _texts(rows[i])) for i in range(prev_end, head[0]))
        year, period = find_year_period(title)
        s_year, s_period = find_year_period(grid.name)
        region = region_in(title) or region_in(grid.name)
        table = Table(grid, len(tables), head, [], columns, title.strip(), year or s_year, period or s_period, region)
        end = _collect_rows(table, fill, head[-1] + 1, types)
        if not _has_figures(table):
            r = head[-1] + 1  # header words without numbers below (a legend, a metric list): not a table
            continue
        r = end
        used = [row.index for row in table.rows if row.kind != "blank"]
        prev_end = (used[-1] + 1) if used else head[-1] + 1
        tables.append(table)
    return tables


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


def _columns(fill: list[list[Any]], head: list[int], width: int,
             mapping: dict[str, dict[str, str]] | None, grid: Grid) -> list[Column]:
    cols: list[Column] = []
    for c in range(width):
        pieces: list[str] = []
        for h in head:
            v = fill[h][c] if c < len(fill[h]) else None
            if v is not None and norm(v) and (not pieces or norm(v) != norm(pieces[-1])):
                pieces.append(str(v).strip())
        header = " / ".join(pieces)
        g = _classify(pieces)
        cols.append(Column(c, header, g.role, g.metric, g.unit, g.exact))
    while cols and not cols[-1].header:
        cols.pop()
    roles = {c.role for c in cols}
    if {"metric", "value"} <= roles:
        for col in cols:  # 单位 names a unit column in the long layout, an organisation otherwise
            if col.role == "region" and norm(col.header) == "单位":
                col.role = "unit"
    if mapping:
        t = Table(grid, 0, head, [], cols)
        for letter, choice in mapping.get(t.key, {}).items():
            for col in cols:
                if col.letter == letter:
                    apply_choice(col, choice)
    return cols


def apply_choice(col: Column, choice: str) -> None:
    """A user's mapping choice: a role name, a metric code or 'ignore'."""
    if choice in ROLES:
        col.role, col.metric = choice, None
    elif choice == "unknown":
        col.role, col.metric = "ignore", None
    else:
        col.role, col.metric = "figure", choice
    col.exact = True


def _classify(pieces: list[str]) -> HeaderGuess:
    """Child alone, then parent+child, then the parent (child being only a unit)."""
    if not pieces:
        return HeaderGuess("unknown")
    unit = None
    for p in reversed(pieces):
        g = guess_header(p)
        if g.unit:
            unit = g.unit
            break
    candidates = [pieces[-1], "".join(pieces[-2:]), "".join(pieces), *reversed(pieces[:-1])]
    guesses = [guess_header(c) for c in candidates]
    for g in guesses:
        if g.role != "unknown" and g.exact:
            return HeaderGuess(g.role, g.metric, g.unit or unit, True)
    for g in guesses:
        if g.role != "unknown":
            return HeaderGuess(g.role, g.metric, g.unit or unit, False)
    return HeaderGuess("unknown", unit=unit)


QUICK_MIN_ROWS = 2000


class CellTypes:
    """Per-cell Python types of a sheet as arrays, to classify ordinary data rows column by column.

    An ordinary ("plain") row has a number cell (so it is no header), its first text cell is the
    region cell, and that text is a name: neither a number written as text nor a note. Its kind is
    then decided by the region text alone (合计/小计 → total, else data, or blank when the figure
    cells are empty), exactly as `_collect_rows` decides row by row; every other row still goes
    through that row-by-row logic.
    """

    @classmethod
    def of(cls, grid: Grid) -> CellTypes:
        """The grid's CellTypes, built once (the columnar build reads its columns too)."""
        if grid.cells is None:
            grid.cells = cls(grid)
        return grid.cells

    def column(self, c: int, rows: Any) -> list[Any]:
        """Values of column c at the given row indices (a numpy int array)."""
        if c >= len(self.columns) or not len(rows):
            return [None] * len(rows)
        return self.arrays[c][rows].tolist()

    def __init__(self, grid: Grid) -> None:
        import numpy as np

        self.np = np
        self.rows = grid.rows
        n, width = len(grid.rows), grid.width
        self.columns: list[tuple[Any, ...]] = list(itertools.zip_longest(*grid.rows)) if n else []
        self.columns += [(None,) * n for _ in range(width - len(self.columns))]
        self.types = [np.fromiter(map(type, col), dtype=object, count=n) for col in self.columns]
        self.arrays = [np.fromiter(col, dtype=object, count=n) for col in self.columns]
        self.has_number = np.zeros(n, dtype=bool)
        self.first_text = np.full(n, -1, dtype=np.int64)  # column of the first str cell
        for c, t in enumerate(self.types):
            self.has_number |= np.equal(t, float) | np.equal(t, int)
            self.first_text = np.where((self.first_text < 0) & np.equal(t, str), c, self.first_text)
        self._irregular: Any = None
        self._names: dict[str, tuple[str | None, str]] = {}

    def _name(self, text: str) -> tuple[str | None, str]:
        """(kind, normalised text) of a region cell: kind None when the row is not plain."""
        got = self._names.get(text)
        if got is None:
            s = norm(text)
            plain = s and not _is_numeric(text) and not is_note([text], s)
            got = (total_kind(s) or "data", s) if plain else (None, s)
            self._names[text] = got
        return got

    def plain_rows(self, region: int, figures: list[int]) -> tuple[list[str], list[str | None]]:
        """Kind and region of every row (meaningful where plain); sets which rows are not plain."""
        np = self.np
        n = len(self.rows)
        col = self.columns[region] if region < len(self.columns) else (None,) * n
        names = {v: self._name(v) for v in set(col) if type(v) is str}
        other = (None, "")
        named = [names.get(v, other) if type(v) is str else other for v in col]
        kinds = [k for k, _ in named]
        regions: list[str | None] = [s for _, s in named]
        has_figure = np.zeros(n, dtype=bool)
        for c in figures:
            if c < len(self.types):
                has_figure |= np.not_equal(self.types[c], None.__class__)
        plain = self.has_number & (self.first_text == region) & np.array([k is not None for k in kinds], dtype=bool)
        for r in np.flatnonzero(plain & ~has_figure).tolist():
            if kinds[r] == "data":
                kinds[r] = "blank"  # a name without figures carries nothing to load
        self._irregular = np.flatnonzero(~plain)
        return kinds, regions  # type: ignore[return-value]

    def next_irregular(self, r: int) -> int:
        """The first row at or after r that is not plain (len(rows) when none)."""
        i = int(self.np.searchsorted(self._irregular, r))
        return int(self._irregular[i]) if i < len(self._irregular) else len(self.rows)


def _collect_rows(table: Table, fill: list[list[Any]], start: int, types: CellTypes | None = None) -> int:
    """Classify rows after the header; returns the row where scanning for the next table resumes."""
    rows = table.grid.rows
    region_col = table.column("region")
    figure_cols = [c.index for c in table.columns if c.role in ("figure", "value")]
    quick = types.plain_rows(region_col.index, figure_cols) if types and region_col and not table.grid.merged \
        else None
    r = start
    while r < len(rows):
        if quick is not None:  # a run of ordinary rows at once
            kinds, regions = quick
            end = types.next_irregular(r)
            table.rows.extend(map(Row, range(r, end), kinds[r:end], regions[r:end]))
            r = end
            if r >= len(rows):
                break
        raw = rows[r]
        if _header_score(raw) >= 2:
            break
        if all(v is None for v in raw):
            table.rows.append(Row(r, "blank"))
            r += 1
            continue
        first = _first_text(raw)
        if is_note(raw, first):
            table.notes.append(" ".join(t for _, t in _texts(raw)))
            table.rows.append(Row(r, "note"))
            r += 1
            # A notes line closes the table; a later header starts the next one.
            while r < len(rows) and _header_score(rows[r]) < 2 and not any(
                    _is_numeric(v) for v in rows[r][1:] if v is not None):
                if is_note(rows[r]):
                    table.notes.append(" ".join(t for _, t in _texts(rows[r])))
                r += 1
            return r
        region = None
        if region_col is not None and region_col.index < len(fill[r]):
            v = fill[r][region_col.index]
            region = norm(v) if v is not None else None
        kind = total_kind(region or "") or total_kind(first)
        if kind is None and region_col is not None and region and not any(
                c < len(raw) and raw[c] is not None for c in figure_cols):
            kind = "blank"  # a name without figures (or a stray title) carries nothing to load
        table.rows.append(Row(r, kind or "data", region))
        r += 1
    return r
