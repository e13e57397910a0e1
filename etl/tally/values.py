"""The melted cells → figures in catalog units, and the facts of the file as one Arrow table.

Cells typed as numbers are taken as one float column; every other non-empty
cell (text such as '1,234' or '2.5万', dates, booleans, Excel errors) goes
through the per-cell parser (mapping.parse_number), so a 200,000-row sheet
of numbers never calls it. Then, for all cells at once: rates are percent
points (a percent-formatted 0.9228, or a column whose every value is a
fraction ≤ 1, is read as 92.28, with a warning for the column), other figures
are scaled by the unit their header states (帮扶金额(万元) → yuan). Totals rows
are not loaded; they are compared with the sum of the rows they total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.catalog import load_catalog
from etl.model import FACT_FIELDS, FACT_SCHEMA, default_column
from etl.tally.layout import Table
from etl.tally.mapping import parse_number
from etl.tally.melt import Melted, Spec
from etl.tally.read import col_letter
from etl.tally.rules import FactFrame, Problems, fmt, messages, show
from etl.tally.sheet import EMPTY, NUMBER
from etl.vocab import FLAG_PLACEHOLDER_REGION, is_placeholder


@dataclass
class Parsed:
    """Per cell: the number it holds (nan when none), and what the per-cell parser said of the odd ones."""

    value: np.ndarray  # float64, nan where the cell holds no number
    scale: np.ndarray  # a trailing 万 in the cell's text (1 elsewhere)
    percent_text: np.ndarray  # written as '92.3%'
    error: dict[int, str]  # cell index → why it is not a number
    plain: np.ndarray  # a number typed as a number: its value is exact, its text is the number


def parse(raw: np.ndarray, kind: np.ndarray) -> Parsed:
    """Numbers as one column; only the other non-empty cells through parse_number."""
    n = len(raw)
    plain = kind == NUMBER
    value = np.full(n, np.nan)
    value[plain] = raw[plain].astype(np.float64)
    plain &= np.isfinite(value)  # nan and inf go to the parser, which names them
    value[~plain] = np.nan
    scale, percent_text, error = np.ones(n), np.zeros(n, dtype=bool), {}
    for i in np.flatnonzero(~plain & (kind != EMPTY)).tolist():
        p = parse_number(raw[i])
        if p.error:
            error[i] = p.error
        elif p.value is not None:
            value[i], scale[i], percent_text[i] = p.value, p.scale, p.percent_text
    return Parsed(value, scale, percent_text, error, plain)


def _marked(m: Melted, which: str, among: np.ndarray) -> np.ndarray:
    """Which of the cells `among` are listed in their sheet's `percent` (number formats, openpyxl only) or
    `formula_nocache` set (asked only for empty cells: a formula without its value reads as empty)."""
    table, row, col = m.cells.table, m.cells.row, m.cells.col
    out = np.zeros(len(table), dtype=bool)
    if not among.any():
        return out
    for t_index, t in enumerate(m.tables):
        marks = getattr(t.grid, which)
        if not marks:
            continue
        at = np.flatnonzero((table == t_index) & among)
        out[at] = [(r, c) in marks for r, c in zip(row[at].tolist(), col[at].tolist(), strict=True)]
    return out


def _fractions(m: Melted, p: Parsed, percent: np.ndarray, problems: Problems) -> np.ndarray:
    """Rate columns (wide) whose every value is a fraction in [0, 1], some not 0 or 1, none written or formatted
    as percent: read ×100, with a warning per column. Returns a flag per spec."""
    spec = m.cells.spec
    cat = load_catalog()
    k = len(m.specs)
    rate = np.array([s.column is not None and cat[s.metric].unit == "%" for s in m.specs], dtype=bool)
    v = p.value
    has = ~np.isnan(v)

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.bincount(spec[mask], minlength=k) > 0

    out = rate & any_of(has) & ~any_of(has & (p.percent_text | percent)) & ~any_of(has & ((v < 0) | (v > 1)))
    out &= any_of(has & (v > 0) & (v < 1))
    for j in np.flatnonzero(out).tolist():
        s = m.specs[j]
        t = m.tables[s.table]
        problems.add("fraction_rate", t.grid.index, t.header_rows[-1], s.column, s.label, header=s.label)
    return out


def _py_round(x: np.ndarray, digits: int) -> np.ndarray:
    """Python's round(v, digits) for each value: whole numbers are exact already, the others one by one."""
    out = x.copy()
    odd = np.flatnonzero(np.isfinite(x) & (x != np.floor(x)))
    if len(odd):
        out[odd] = [round(v, digits) for v in x[odd].tolist()]
    return out


def scale(m: Melted, p: Parsed, percent: np.ndarray, fraction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's figure in catalog units, and where the header's unit does not fit the metric (not scaled)."""
    cat = load_catalog()
    spec = m.cells.spec
    rate = np.array([cat[s.metric].unit == "%" for s in m.specs], dtype=bool)[spec]
    unit_scale = np.array([s.unit.scale if s.unit else np.nan for s in m.specs])[spec]
    fits = np.array([s.unit is not None and s.unit.to == cat[s.metric].unit for s in m.specs], dtype=bool)[spec]
    stated = ~np.isnan(unit_scale)
    times100 = (percent | fraction[spec]) & ~p.percent_text
    value = p.value * np.where(~stated | (unit_scale == 1), p.scale, 1.0)  # 2.5万 counts only without a unit
    value = _py_round(np.where(fits, value * np.where(stated, unit_scale, 1.0), value), 6)
    value = np.where(rate, np.where(times100, _py_round(p.value * 100, 9), p.value), value)
    return value, stated & ~fits & ~rate


def cell_checks(m: Melted, p: Parsed, nocache: np.ndarray, mismatch: np.ndarray, ok: np.ndarray,
                problems: Problems) -> None:
    """What is wrong with single cells of rows that are otherwise fine (the first that applies per cell)."""
    cat = load_catalog()
    c = m.cells
    raw, spec, table, row, col = c.raw, c.spec, c.table, c.row, c.col
    has = ~np.isnan(p.value)
    for i in np.flatnonzero(ok & (nocache | np.isin(np.arange(len(raw)), list(p.error)) | (has & mismatch))):
        at = (m.tables[table[i]].grid.index, int(row[i]), int(col[i]))
        if nocache[i]:
            problems.add("formula_no_cache", *at)
        elif i in p.error:
            problems.add("not_a_number", *at, show(raw[i]), shown=show(raw[i]), why=p.error[i])
        else:
            s = m.specs[spec[i]]
            problems.add("unit_mismatch", *at, show(raw[i]), header_unit=s.unit.to, metric_zh=cat[s.metric].name_zh,
                         unit=cat[s.metric].unit)


def figures(m: Melted, doc: str, sha: str, problems: Problems) -> FactFrame:
    """Parse, scale and check every cell; the facts of the file in reading order."""
    c = m.cells
    table = c.table
    p = parse(c.raw, c.kind)
    percent = _marked(m, "percent", p.plain)
    nocache = _marked(m, "formula_nocache", c.kind == EMPTY)
    fraction = _fractions(m, p, percent, problems)
    value, mismatch = scale(m, p, percent, fraction)
    ok = m.lines.ok[c.line]
    cell_checks(m, p, nocache, mismatch, ok, problems)
    fact = ok & ~nocache & ~np.isnan(value)
    totals(m, np.where(fact, value, 0.0), problems)
    at = np.flatnonzero(fact)
    sheet = np.array([t.grid.index for t in m.tables] or [0], dtype=np.int64)[table[at]]
    region, _ = pd.factorize(m.lines.region)  # coded per data row: far fewer than facts
    period, periods = pd.factorize(m.lines.period)
    row_key = ((region + 1) * (len(periods) + 1) + period + 1)[c.line[at]]
    metric, metrics = pd.factorize(np.array([s.metric for s in m.specs], dtype=object))  # coded per spec
    return FactFrame(fact_table(m, p, value, at, doc, sha), sheet, c.row[at], c.col[at], row_key=row_key,
                     metric_key=((metric + 1)[c.spec[at]], metrics.tolist()))


def _shown(raw: np.ndarray, p: Parsed, at: np.ndarray) -> pa.Array:
    """show(cell) of the facts' cells, as the sender typed them: whole numbers in one Arrow cast, other numbers
    by repr (what show gives a float) once per distinct value (a column of 万元 repeats them), the few text
    cells one by one."""
    v = p.value[at]  # a plain cell's value is its number as float64, exactly what show() formats
    plain = p.plain[at]
    whole_mask = plain & (v == np.floor(v)) & (np.abs(v) < 1e15)
    whole, other = np.flatnonzero(whole_mask), np.flatnonzero(~whole_mask)
    numbers, cells = other[plain[other]], other[~plain[other]]
    code, distinct = pd.factorize(v[numbers])  # never ±0 here (whole), so equal values have one repr
    pieces = pa.concat_arrays([
        pc.cast(pa.array(v[whole].astype(np.int64)), pa.string()),
        pc.take(pa.array(list(map(repr, distinct.tolist())), pa.string()), pa.array(code)),
        pa.array([show(x) for x in raw[at[cells]].tolist()], pa.string())])
    place = np.empty(len(at), dtype=np.int64)  # where each fact's text sits in `pieces`
    place[np.concatenate([whole, numbers, cells])] = np.arange(len(at))
    return pc.take(pieces, pa.array(place))


def _sources(m: Melted, at: np.ndarray) -> pa.Array:
    """'Sheet!D7' of the cells `at`: 'Sheet!D' made once per table and column, then the row number."""
    c = m.cells
    width = int(c.col.max(initial=0)) + 1
    heads = pa.array([f"{t.grid.name}!{col_letter(x)}" for t in m.tables for x in range(width)], pa.string())
    return pc.binary_join_element_wise(pc.take(heads, pa.array(c.table[at] * width + c.col[at])),
                                       pc.cast(pa.array(c.row[at] + 1), pa.string()), "")


def _evidence_heads(m: Melted, regions: pa.DictionaryArray, line: np.ndarray, spec: np.ndarray) -> pa.Array:
    """'region｜header：' of each fact, made once per distinct region and header (a town's row repeats the
    headers, a column repeats the towns); null where the region is (as joining a null gives)."""
    code = pc.fill_null(pc.take(regions.indices, pa.array(line)), -1).to_numpy().astype(np.int64)
    pair, distinct = pd.factorize(code * len(m.specs) + spec)
    names, labels = regions.dictionary.to_pylist(), [s.label for s in m.specs]
    heads = [None if r < 0 else f"{names[r]}｜{labels[k]}：" for r, k in (divmod(int(x), len(m.specs))
                                                                          for x in distinct.tolist())]
    return pc.take(pa.array(heads, pa.string()), pa.array(pair))


def fact_table(m: Melted, p: Parsed, value: np.ndarray, at: np.ndarray, doc: str, sha: str) -> pa.Table:
    """The facts (cells `at`) as a FACT_SCHEMA table: evidence 'region｜header：cell', source 'Sheet!D7'."""
    c, lines, cat = m.cells, m.lines, load_catalog()
    line = c.line[at]
    spec = pa.array(c.spec[at])
    tables = c.table[at]
    region_of = pa.array(lines.region, pa.string())
    region = pc.take(region_of, pa.array(line))
    enc = region_of.dictionary_encode()
    marks = pa.array([[FLAG_PLACEHOLDER_REGION] if r and is_placeholder(r) else [] for r in enc.dictionary.to_pylist()],
                     pa.list_(pa.string()))
    evidence = pc.binary_join_element_wise(_evidence_heads(m, enc, line, c.spec[at]), _shown(c.raw, p, at), "")
    seg = np.array([t.grid.index for t in m.tables], dtype=np.int32)
    columns = {  # every other field keeps its default (approx, as_of, offsets, confidence 1, needs_review no)
        "doc": pa.repeat(pa.scalar(doc, pa.string()), len(at)),
        "metric": pc.take(pa.array([s.metric for s in m.specs], pa.string()), spec),
        "value": pa.array(value[at]),
        "unit": pc.take(pa.array([cat[s.metric].unit for s in m.specs], pa.string()), spec),
        "evidence": evidence,
        "doc_id": pc.take(pa.array([f"{sha[:16]}:{x}" for x in seg.tolist()], pa.string()), pa.array(tables)),
        "segment": pa.array(seg[tables]),
        "year": pa.array(lines.year[line].astype(np.int32)),
        "period": pc.take(pa.array(lines.period, pa.string()), pa.array(line)),
        "region": region,
        "source": _sources(m, at),
        "flags": pc.take(marks, pc.take(enc.indices, pa.array(line))),
    }
    return pa.table({f.name: columns[f.name] if f.name in columns else default_column(f, len(at))
                     for f in FACT_FIELDS}, schema=FACT_SCHEMA)


def totals(m: Melted, value: np.ndarray, problems: Problems) -> None:
    """Each 合计/小计 row of a wide table against the sum of the figures above it (小计: since the last total)."""
    c = m.cells
    for t_index, t in enumerate(m.tables):
        if t.layout != "wide" or not ("total" in t.rows.kind or "subtotal" in t.rows.kind):
            continue
        at = np.flatnonzero(c.table == t_index)
        if not len(at):
            continue
        specs = sorted(set(c.spec[at].tolist()))
        col = {s: j for j, s in enumerate(specs)}
        rows = c.row[at]
        order = sorted(set(rows.tolist()))
        grid = np.zeros((len(order), len(specs)))
        pos = {r: i for i, r in enumerate(order)}
        grid[[pos[r] for r in rows.tolist()], [col[s] for s in c.spec[at].tolist()]] = value[at]
        _total_rows(t, [m.specs[s] for s in specs], pos, grid, problems)


def _total_rows(t: Table, specs: list[Spec], pos: dict[int, int], grid: np.ndarray, problems: Problems) -> None:
    """Sums as the rows were added one after another (cumsum, from 0): the figures a person adds up."""
    cat = load_catalog()
    running = np.cumsum(grid, axis=0)
    last = seen = 0
    for index, kind in zip(t.rows.index, t.rows.kind, strict=True):
        if kind == "data":
            seen = pos[index] + 1
            continue
        if kind not in ("total", "subtotal"):
            continue
        if kind == "total":
            got = running[seen - 1] if seen else np.zeros(len(specs))
        else:
            got = np.cumsum(grid[last:seen], axis=0)[-1] if seen > last else np.zeros(len(specs))
        last = seen
        raw = t.grid.rows[index]
        for j, s in enumerate(specs):
            v = raw[s.column] if s.column < len(raw) else None
            unit = cat[s.metric].unit
            p = parse_number(v)
            if unit == "%" or p.value is None or p.error:
                continue
            scale = s.unit.scale if s.unit and s.unit.to == unit else 1
            total = p.value * scale * (p.scale if scale == 1 else 1)
            if abs(total - got[j]) > 0.005 * scale + 1e-9 * abs(total):
                word = messages()["total_mismatch"].extra["words"][kind]
                problems.add("total_mismatch", t.grid.index, index, s.column, show(v), word=word, header=s.label,
                             total=fmt(total / scale), got=fmt(got[j] / scale), diff=fmt((total - got[j]) / scale))
