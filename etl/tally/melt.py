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

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from etl.catalog import load_catalog
from etl.tally.config import Unit, lexicon, norm
from etl.tally.layout import Table
from etl.tally.mapping import Column, metric_of, parse_number, parse_period, parse_year, unit_of
from etl.tally.rules import Problems, show
from etl.tally.sheet import EMPTY, NONE, SheetColumns
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
    """The data rows of every table, in order; `ok` where the row's region, year and period are all readable."""

    row: np.ndarray  # int64
    ok: np.ndarray  # bool
    region: np.ndarray  # str (object)
    year: np.ndarray  # int64, 0 where unknown
    period: np.ndarray  # str (object)


@dataclass
class Cells:
    """One entry per figure cell of a data row (arrays of equal length), in reading order."""

    table: np.ndarray  # int64: index among the file's tables
    row: np.ndarray  # int64
    col: np.ndarray  # int64
    line: np.ndarray  # int64: index into Lines
    spec: np.ndarray  # int64: index into the specs list
    raw: np.ndarray  # object: the value as read
    kind: np.ndarray  # int8: what it holds (etl/tally/sheet.py: EMPTY, NUMBER, TEXT, OTHER)


class _Parts:
    """Per-table arrays of one of the frames above while melting; `done` concatenates them."""

    def __init__(self, kind: type) -> None:
        self.kind = kind
        self.parts: dict[str, list[np.ndarray]] = {f.name: [] for f in fields(kind)}

    def add(self, **arrays: np.ndarray) -> None:
        for name, arr in arrays.items():
            self.parts[name].append(arr)

    def last(self, name: str) -> np.ndarray:
        return self.parts[name][-1]

    def __len__(self) -> int:
        return sum(len(a) for a in self.parts["row"])

    def done(self) -> Any:
        return self.kind(**{k: np.concatenate(v) if v else np.zeros(0, dtype=object if k in _OBJECTS else np.int64)
                            for k, v in self.parts.items()})


_OBJECTS = ("raw", "region", "period")


@dataclass
class Melted:
    tables: list[Table]
    cells: Cells
    lines: Lines
    specs: list[Spec]
    region_cells: dict[str, str]  # region name → the cell that first names it (for messages)


@dataclass
class _Melting:
    """What melt_tables gathers, table by table."""

    cells: _Parts = field(default_factory=lambda: _Parts(Cells))
    lines: _Parts = field(default_factory=lambda: _Parts(Lines))
    specs: list[Spec] = field(default_factory=list)
    index: dict[Spec, int] = field(default_factory=dict)
    region_cells: dict[str, str] = field(default_factory=dict)


def melt_tables(tables: list[Table], problems: Problems) -> Melted:
    """All tables of a file → one frame of figure cells, plus their table and row problems."""
    out = _Melting()
    for t_index, table in enumerate(tables):
        if not _usable(table, problems):
            continue
        data, regions = table.rows.data()
        sheet = SheetColumns.of(table.grid)
        if table.layout == "wide" and not _header_checks(table, data, sheet, problems):
            continue
        first_line = len(out.lines)
        _lines(table, data, regions, sheet, out.lines, problems)
        _region_cells(table, out.lines, out.region_cells)
        line = np.arange(first_line, first_line + len(data), dtype=np.int64)
        if table.layout == "wide":
            _wide(table, t_index, data, line, sheet, out)
        else:
            _long(table, t_index, data, line, sheet, out, problems)
    return Melted(tables, out.cells.done(), out.lines.done(), out.specs, out.region_cells)


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


def _lines(table: Table, data: np.ndarray, regions: np.ndarray, sheet: SheetColumns, lines: _Parts,
           problems: Problems) -> None:
    """Region, year and period of each data row; a row with a missing or unreadable one is not ok (one error)."""
    region_col, year_col, period_col = table.column("region"), table.column("year"), table.column("period")
    y0, y1 = lexicon().years
    region = regions if region_col is not None else np.full(len(data), table.region, dtype=object)
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
    lines.add(row=data, ok=ok, region=region, year=year, period=period)


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
    filled = dict(zip(bad.tolist(), _has_figures(table, data[bad], sheet).tolist(), strict=True))
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
            out |= sheet.kind(c.index, data) != EMPTY
    return out


def _region_cells(table: Table, lines: _Parts, found: dict[str, str]) -> None:
    """The cell that first names each region: its region cell (the merge's top-left), the title's, or, for a
    region only the sheet's name gives, that name (never a figure's cell)."""
    from etl.tally.rules import sheet_where, where

    region_col = table.column("region")
    if region_col is None:
        if table.region and table.region not in found:
            found[table.region] = (where(table.grid.name, *table.region_cell) if table.region_cell
                                   else sheet_where(table.grid.name))
        return
    anchor = {(r, c): (r1, c1) for r1, c1, r2, c2 in table.grid.merged
              for r in range(r1, r2 + 1) for c in range(c1, c2 + 1) if c1 <= region_col.index <= c2}
    regions, rows = lines.last("region"), lines.last("row")
    codes, names = pd.factorize(regions)  # in order of first appearance
    _, first = np.unique(codes, return_index=True)
    for code, i in zip(codes[np.sort(first)].tolist(), np.sort(first).tolist(), strict=True):
        name = names[code] if code >= 0 else None
        if name and name not in found:
            r = int(rows[i])
            found[name] = where(table.grid.name, *anchor.get((r, region_col.index), (r, region_col.index)))


def _add(cells: _Parts, t_index: int, rows: np.ndarray, col: np.ndarray, line: np.ndarray, spec: np.ndarray,
         raw: np.ndarray, kind: np.ndarray) -> None:
    cells.add(table=np.full(len(rows), t_index, dtype=np.int64), row=rows, col=col, line=line, spec=spec, raw=raw,
              kind=kind)


def _spec(spec: Spec, out: _Melting) -> int:
    if spec not in out.index:
        out.index[spec] = len(out.specs)
        out.specs.append(spec)
    return out.index[spec]


def _header_checks(table: Table, data: np.ndarray, sheet: SheetColumns, problems: Problems) -> bool:
    """Columns with numbers under an unknown header (warned, not loaded), two columns of one metric (an error: the
    second is not loaded); False when no column is a metric."""
    s, head = table.grid.index, table.header_rows[-1]
    for c in table.columns:
        if c.role == "unknown" and c.header and _has_numbers(*sheet.column(c.index, data)):
            problems.add("unknown_column", s, head, c.index, c.header, letter=c.letter, header=c.header)
    if not any(c.role == "figure" for c in table.columns):
        problems.add("no_metric_columns", s, table.header_rows[0], 0)
        return False
    first: dict[str, Column] = {}
    for c in table.columns:
        if c.role != "figure":
            continue
        if c.metric in first:  # its figures repeat the first column's key: said once here, not on every row
            f = first[c.metric]
            problems.add("same_metric_columns", s, head, c.index, c.header, letter=c.letter, header=c.header,
                         first_letter=f.letter, first_header=f.header, metric_zh=load_catalog()[c.metric].name_zh)
        else:
            first[c.metric] = c
    return True


def _wide(table: Table, t_index: int, data: np.ndarray, line: np.ndarray, sheet: SheetColumns,
          out: _Melting) -> None:
    """One cell per data row and figure column, row by row (columns left to right within a row)."""
    figures: list[Column] = [c for c in table.columns if c.role == "figure"]
    k, n = len(figures), len(data)
    raw = np.empty((n, k), dtype=object)
    kind = np.empty((n, k), dtype=np.int8)
    for j, c in enumerate(figures):
        raw[:, j], kind[:, j] = sheet.column(c.index, data)[0], sheet.kind(c.index, data)
    specs = np.array([_spec(Spec(t_index, c.metric, c.header, c.unit, c.index), out) for c in figures])
    _add(out.cells, t_index, np.repeat(data, k), np.tile([c.index for c in figures], n), np.repeat(line, k),
         np.tile(specs, n), raw.reshape(-1), kind.reshape(-1))


def _has_numbers(values: np.ndarray, types: np.ndarray) -> bool:
    numeric = np.equal(types, float) | np.equal(types, int)
    if any(np.isfinite(float(v)) for v in values[numeric].tolist()):
        return True
    return any(parse_number(v).value is not None for v in values[~numeric & np.not_equal(types, NONE)].tolist())


def _long(table: Table, t_index: int, data: np.ndarray, line: np.ndarray, sheet: SheetColumns, out: _Melting,
          problems: Problems) -> None:
    """One cell per data row (its value column), its metric and unit read from the row's own cells."""
    s = table.grid.index
    mcol, vcol, ucol = table.column("metric"), table.column("value"), table.column("unit")
    names = sheet.column(mcol.index, data)[0].tolist()
    units = sheet.column(ucol.index, data)[0].tolist() if ucol else [None] * len(data)
    keep, specs = [], []
    for i, r in enumerate(data.tolist()):
        name = names[i]
        if not out.lines.last("ok")[i] or name is None:
            continue
        metric, unit = metric_of(name)
        if metric is None:
            problems.add("unknown_metric", s, r, mcol.index, show(name), shown=show(name))
            continue
        if units[i] is not None:
            u = unit_of(units[i])
            if u is None:
                problems.add("unknown_unit", s, r, ucol.index, show(units[i]), shown=show(units[i]),
                             unit=load_catalog()[metric].unit)
            else:
                unit = u
        keep.append(i)
        specs.append(_spec(Spec(t_index, metric, norm(name), unit), out))
    at = np.array(keep, dtype=np.int64)
    _add(out.cells, t_index, data[at], np.full(len(at), vcol.index, dtype=np.int64), line[at],
         np.array(specs, dtype=np.int64), sheet.column(vcol.index, data[at])[0], sheet.kind(vcol.index, data[at]))
