"""Every table of a tally melted into one long frame of figure cells.

A wide table (one column per metric), a long one (地区, 指标, 数值, 单位 per
row), several tables on a sheet, a sheet per year or per town: each becomes
the same thing, one entry per figure cell in reading order (sheet, table,
row, column) with the data row it belongs to (`Lines`: region, year, period)
and what it holds (`Spec`: metric, header text, header unit). Cells are taken
column by column from the sheet's arrays (etl/tally/sheet.py). The checks that
are about a table or a row are made here: no region or year column, unknown
columns, a row without a town, a year or period that cannot be read, an
unknown metric or unit in a long table. etl/tally/values.py turns the cells
into figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from etl.tally.config import Unit, lexicon, norm
from etl.tally.layout import Table
from etl.tally.mapping import Column, metric_of, parse_number, parse_period, parse_year, unit_of
from etl.tally.rules import Problems, show
from etl.tally.sheet import NONE, SheetColumns
from etl.vocab import PERIOD_FY


@dataclass(frozen=True)
class Spec:
    """What a figure cell holds: one per column of a wide table, one per distinct metric cell of a long one."""

    table: int  # index among the file's tables
    metric: str
    label: str  # shown before the value in the evidence: the header, or the long table's metric name
    unit: Unit | None  # as the header (or the unit cell) states it
    column: int | None = None  # wide: the sheet column; fraction and totals checks read it


@dataclass
class Lines:
    """The data rows of every table, in order; `ok` where the row's region, year and period are all readable.

    While melting each field is a list of per-table arrays; `concat` makes one array of each.
    """

    row: list[np.ndarray] = field(default_factory=list)
    ok: list[np.ndarray] = field(default_factory=list)
    region: list[np.ndarray] = field(default_factory=list)  # str (object)
    year: list[np.ndarray] = field(default_factory=list)  # int64, 0 where unknown
    period: list[np.ndarray] = field(default_factory=list)  # str (object)

    def __len__(self) -> int:
        return sum(len(r) for r in self.row)

    def concat(self) -> Lines:
        def cat(parts: list[np.ndarray], dtype: Any) -> list[np.ndarray]:
            return [np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)]

        return Lines(cat(self.row, np.int64), cat(self.ok, bool), cat(self.region, object), cat(self.year, np.int64),
                     cat(self.period, object))


@dataclass
class Cells:
    """One entry per figure cell of a data row (arrays of equal length), in reading order."""

    table: list[np.ndarray] = field(default_factory=list)  # while melting: one array per table, concatenated after
    row: list[np.ndarray] = field(default_factory=list)
    col: list[np.ndarray] = field(default_factory=list)
    line: list[np.ndarray] = field(default_factory=list)  # index into Lines
    spec: list[np.ndarray] = field(default_factory=list)  # index into the specs list
    raw: list[np.ndarray] = field(default_factory=list)  # the value as read (object)
    types: list[np.ndarray] = field(default_factory=list)  # its Python type (object)

    def concat(self) -> Cells:
        def cat(parts: list[np.ndarray], dtype: Any) -> list[np.ndarray]:
            return [np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)]

        return Cells(cat(self.table, np.int64), cat(self.row, np.int64), cat(self.col, np.int64),
                     cat(self.line, np.int64), cat(self.spec, np.int64), cat(self.raw, object),
                     cat(self.types, object))


@dataclass
class Melted:
    tables: list[Table]
    cells: Cells  # concatenated: each field holds one array
    lines: Lines
    specs: list[Spec]
    region_cells: dict[str, str]  # region name → the cell that first names it (for messages)


def melt_tables(tables: list[Table], problems: Problems) -> Melted:
    """All tables of a file → one frame of figure cells, plus their table and row problems."""
    out = Melted(tables, Cells(), Lines(), [], {})
    spec_index: dict[Spec, int] = {}
    for t_index, table in enumerate(tables):
        if not _usable(table, problems):
            continue
        data = np.array([r.index for r in table.rows if r.kind == "data"], dtype=np.int64)
        sheet = SheetColumns.of(table.grid)
        if table.layout == "wide" and not _header_checks(table, data, sheet, problems):
            continue
        first_line = len(out.lines)
        _lines(table, t_index, data, sheet, out.lines, problems)
        _region_cells(table, out.lines, out.region_cells)
        line = np.arange(first_line, first_line + len(data), dtype=np.int64)
        if table.layout == "wide":
            _wide(table, t_index, data, line, sheet, out, spec_index, problems)
        else:
            _long(table, t_index, data, line, sheet, out, spec_index, problems)
    out.cells = out.cells.concat()
    out.lines = out.lines.concat()
    return out


def _usable(table: Table, problems: Problems) -> bool:
    """A table without region, year or any metric column yields nothing (one error says why)."""
    sheet, r0 = table.grid.index, table.header_rows[0]
    if table.column("region") is None and not table.region:
        problems.add("no_region", sheet, r0, 0)
        return False
    if table.column("year") is None and table.year is None:
        problems.add("no_year", sheet, r0, 0)
        return False
    return True


def _lines(table: Table, t_index: int, data: np.ndarray, sheet: SheetColumns, lines: Lines,
           problems: Problems) -> None:
    """Region, year and period of each data row; a row with a missing or unreadable one is not ok (one error)."""
    region_col, year_col, period_col = table.column("region"), table.column("year"), table.column("period")
    y0, y1 = lexicon().years
    region = np.array([r.region if region_col is not None else table.region for r in table.rows if r.kind == "data"]
                      + [None], dtype=object)[:-1]
    named = np.array([bool(r) for r in region.tolist()], dtype=bool)
    year = np.full(len(data), table.year or 0, dtype=np.int64)
    bad_year = np.zeros(len(data), dtype=bool)
    out_of_range = np.zeros(len(data), dtype=bool)
    if year_col is not None:
        raw, types = sheet.column(year_col.index, data)
        given = np.not_equal(types, NONE)
        parsed = _each(raw, types, parse_year)
        year = np.where(given, [0 if y is None else y for y in parsed.tolist()], year)
        bad_year = (given & np.equal(parsed, None)) | (~given & (table.year is None))
        out_of_range = ~bad_year & ((year < y0) | (year > y1))
    period = np.full(len(data), table.period or PERIOD_FY, dtype=object)
    if period_col is not None:
        raw, types = sheet.column(period_col.index, data)
        period = np.where(np.not_equal(types, NONE), _each(raw, types, parse_period), period)
    ok = named & ~bad_year & ~out_of_range & np.not_equal(period, None)
    _row_problems(table, data, sheet, np.flatnonzero(~ok), named, bad_year, out_of_range, year, problems)
    lines.row.append(data)
    lines.ok.append(ok)
    lines.region.append(region)
    lines.year.append(year)
    lines.period.append(period)


def _each(raw: np.ndarray, types: np.ndarray, parse: Any) -> np.ndarray:
    """parse(v) of each cell, called once per distinct (type, value): a year column repeats a few values."""
    out = np.full(len(raw), None, dtype=object)
    if not len(raw):
        return out
    t_codes, _ = pd.factorize(types)
    v_codes, _ = pd.factorize(raw)
    key = t_codes.astype(np.int64) * (int(v_codes.max()) + 2) + v_codes
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    parsed = np.full(len(first), None, dtype=object)
    parsed[:] = [parse(raw[i]) if types[i] is not NONE else None for i in first.tolist()]
    return parsed[inverse.reshape(-1)]


def _row_problems(table: Table, data: np.ndarray, sheet: SheetColumns, bad: np.ndarray, named: np.ndarray,
                  bad_year: np.ndarray, out_of_range: np.ndarray, year: np.ndarray, problems: Problems) -> None:
    """One error per row that yields nothing, in the order region, year, period (a blank row: none)."""
    s, region_col = table.grid.index, table.column("region")
    year_col, period_col = table.column("year"), table.column("period")
    y0, y1 = lexicon().years
    filled = _has_figures(table, data, sheet)
    for i in bad.tolist():
        r = int(data[i])
        if not named[i]:
            if filled[i]:  # a name-less row with figures is an error; an empty one is nothing
                problems.add("missing_region", s, r, region_col.index)
        elif bad_year[i] or out_of_range[i]:
            v = sheet.column(year_col.index, data[i:i + 1])[0][0]
            if bad_year[i]:
                problems.add("bad_year", s, r, year_col.index, show(v), shown=show(v))
            else:
                problems.add("year_range", s, r, year_col.index, show(v), year=int(year[i]), y0=y0, y1=y1)
        else:
            v = sheet.column(period_col.index, data[i:i + 1])[0][0]
            problems.add("bad_period", s, r, period_col.index, show(v), shown=show(v))


def _has_figures(table: Table, data: np.ndarray, sheet: SheetColumns) -> np.ndarray:
    """Which data rows have anything in a figure (or value) column."""
    out = np.zeros(len(data), dtype=bool)
    for c in table.columns:
        if c.role in ("figure", "value"):
            out |= np.not_equal(sheet.column(c.index, data)[1], NONE)
    return out


def _region_cells(table: Table, lines: Lines, found: dict[str, str]) -> None:
    """The cell that first names each region: its region cell (the merge's top-left), or the title's."""
    from etl.tally.rules import where

    region_col = table.column("region")
    if region_col is None:
        if table.region and table.region_cell and table.region not in found:
            found[table.region] = where(table.grid.name, *table.region_cell)
        return
    anchor = {(r, c): (r1, c1) for r1, c1, r2, c2 in table.grid.merged
              for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if c1 <= region_col.index <= c2}
    regions, rows = lines.region[-1], lines.row[-1]
    first: dict[str, int] = {}
    for i, name in enumerate(regions.tolist()):
        if name and name not in first:
            first[name] = i
    for name, i in first.items():
        if name not in found:
            r = int(rows[i])
            found[name] = where(table.grid.name, *anchor.get((r, region_col.index), (r, region_col.index)))


def _add(cells: Cells, t_index: int, rows: np.ndarray, col: np.ndarray, line: np.ndarray, spec: np.ndarray,
         raw: np.ndarray, types: np.ndarray) -> None:
    cells.table.append(np.full(len(rows), t_index, dtype=np.int64))
    for name, arr in (("row", rows), ("col", col), ("line", line), ("spec", spec), ("raw", raw), ("types", types)):
        getattr(cells, name).append(arr)


def _spec(spec: Spec, out: Melted, index: dict[Spec, int]) -> int:
    if spec not in index:
        index[spec] = len(out.specs)
        out.specs.append(spec)
    return index[spec]


def _header_checks(table: Table, data: np.ndarray, sheet: SheetColumns, problems: Problems) -> bool:
    """Columns with numbers under an unknown header (warned, not loaded); False when no column is a metric."""
    s, head = table.grid.index, table.header_rows[-1]
    for c in table.columns:
        if c.role == "unknown" and c.header and _has_numbers(*sheet.column(c.index, data)):
            problems.add("unknown_column", s, head, c.index, c.header, letter=c.letter, header=c.header)
    if not any(c.role == "figure" for c in table.columns):
        problems.add("no_metric_columns", s, table.header_rows[0], 0)
        return False
    return True


def _wide(table: Table, t_index: int, data: np.ndarray, line: np.ndarray, sheet: SheetColumns, out: Melted,
          index: dict[Spec, int], problems: Problems) -> None:
    """One cell per data row and figure column, row by row (columns left to right within a row)."""
    figures: list[Column] = [c for c in table.columns if c.role == "figure"]
    k, n = len(figures), len(data)
    raw = np.empty((n, k), dtype=object)
    types = np.empty((n, k), dtype=object)
    for j, c in enumerate(figures):
        raw[:, j], types[:, j] = sheet.column(c.index, data)
    specs = np.array([_spec(Spec(t_index, c.metric, c.header, c.unit, c.index), out, index) for c in figures])
    _add(out.cells, t_index, np.repeat(data, k), np.tile([c.index for c in figures], n), np.repeat(line, k),
         np.tile(specs, n), raw.reshape(-1), types.reshape(-1))


def _has_numbers(values: np.ndarray, types: np.ndarray) -> bool:
    numeric = np.equal(types, float) | np.equal(types, int)
    if any(np.isfinite(float(v)) for v in values[numeric].tolist()):
        return True
    return any(parse_number(v).value is not None for v in values[~numeric & np.not_equal(types, NONE)].tolist())


def _long(table: Table, t_index: int, data: np.ndarray, line: np.ndarray, sheet: SheetColumns, out: Melted,
          index: dict[Spec, int], problems: Problems) -> None:
    """One cell per data row (its value column), its metric and unit read from the row's own cells."""
    s = table.grid.index
    mcol, vcol, ucol = table.column("metric"), table.column("value"), table.column("unit")
    names = sheet.column(mcol.index, data)[0].tolist()
    units = sheet.column(ucol.index, data)[0].tolist() if ucol else [None] * len(data)
    keep, specs = [], []
    for i, r in enumerate(data.tolist()):
        name = names[i]
        if not out.lines.ok[-1][i] or name is None:
            continue
        metric, unit = metric_of(name)
        if metric is None:
            problems.add("unknown_metric", s, r, mcol.index, show(name), shown=show(name))
            continue
        if units[i] is not None:
            u = unit_of(units[i])
            if u is None:
                from etl.catalog import load_catalog

                problems.add("unknown_unit", s, r, ucol.index, show(units[i]), shown=show(units[i]),
                             unit=load_catalog()[metric].unit)
            else:
                unit = u
        keep.append(i)
        specs.append(_spec(Spec(t_index, metric, norm(name), unit), out, index))
    at = np.array(keep, dtype=np.int64)
    raw, types = sheet.column(vcol.index, data[at])
    _add(out.cells, t_index, data[at], np.full(len(at), vcol.index, dtype=np.int64), line[at],
         np.array(specs, dtype=np.int64), raw, types)
