"""The columnar path for big wide tables: whole columns at once instead of cell by cell.

Same facts, same problems, same order as etl.tally.facts.build followed by
etl.tally.validate.check_file (tests/test_tally_fast.py runs both on the same
workbooks). Ordinary cells, plain numbers, are parsed, scaled, rounded and
formatted as numpy/Arrow columns; every other cell (text, dates, errors,
formulas without a cached value, unit mismatches) goes through the row path's
own `_figure`, so its problem is exactly the one the row path reports. Rows
with a bad year, period or region are found with per-value caches.
Problems carry a (row, column) sort key so they come out in row-path order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.catalog import load_catalog
from etl.model import FACT_SCHEMA, Fact, FactColumns, Problem
from etl.tally.config import lexicon
from etl.tally.facts import Built, _check_total, _figure, _show, _where
from etl.tally.layout import CellTypes, Column, Table
from etl.tally.mapping import parse_number, parse_period, parse_year
from etl.tally.validate import (
    _row,
    conflict_problem,
    duplicate_row_problem,
    jump_problem,
    pair_problem,
    value_problem,
    year_problem,
)
from etl.vocab import FLAG_PLACEHOLDER_REGION, PERIOD_FY, is_placeholder

_NONE = type(None)


def _column(table: Table, index: list[int], c: int) -> list[Any]:
    """Column c's values at the given rows (from the sheet's transposed CellTypes)."""
    return CellTypes.of(table.grid).column(c, np.asarray(index, dtype=np.int64))


def _numbers(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(is a plain int/float cell, its value as float64 with 0 elsewhere)."""
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    mask = np.equal(types, float) | np.equal(types, int)
    if mask.all():
        return mask, np.array(values, dtype=np.float64)
    out = np.zeros(len(values), dtype=np.float64)
    idx = np.flatnonzero(mask)
    if len(idx):
        out[idx] = np.array([values[i] for i in idx.tolist()], dtype=np.float64)
    return mask, out


def _round(x: np.ndarray, digits: int) -> np.ndarray:
    """Python's round(v, digits) for each value: whole numbers are exact already, the rest go one by one."""
    out = x.copy()
    odd = np.flatnonzero(~(np.isfinite(x) & (x == np.floor(x))))
    if len(odd):
        out[odd] = [round(v, digits) for v in x[odd].tolist()]
    return out


def _shown(values: list[Any], numeric: np.ndarray, nums: np.ndarray) -> pa.Array:
    """`_show(v)` of every cell as an Arrow string column: integers in one cast, the rest one by one."""
    whole = numeric & np.isfinite(nums) & (nums == np.floor(nums)) & (np.abs(nums) < 1e15)
    shown = pc.cast(pa.array(np.where(whole, nums, 0).astype(np.int64)), pa.string())
    other = np.flatnonzero(~whole)
    if len(other):
        mask = np.zeros(len(values), dtype=bool)
        mask[other] = True
        texts = [None] * len(values)
        for i in other.tolist():
            texts[i] = _show(values[i])
        shown = pc.if_else(pa.array(mask), pa.array(texts, pa.string()), shown)
    return shown


def has_numbers(table: Table, c: int, data: list[int]) -> bool:
    """etl.tally.facts._has_numbers on a column."""
    values = _column(table, data, c)
    numeric, nums = _numbers(values)
    if (numeric & np.isfinite(nums)).any():
        return True
    return any(parse_number(v).value is not None for v, n in zip(values, numeric.tolist(), strict=True) if not n)


def fraction_column(table: Table, c: int, data: list[int]) -> bool:
    """etl.tally.facts._fraction_column on a column."""
    values = _column(table, data, c)
    numeric, nums = _numbers(values)
    finite = numeric & np.isfinite(nums)
    percent = table.grid.percent
    if percent is not None and any((data[i], c) in percent for i in np.flatnonzero(finite).tolist()):
        return False
    vals = [nums[finite]]
    for i in np.flatnonzero(~numeric).tolist():
        p = parse_number(values[i])
        if p.value is None:
            continue
        if p.percent_text or (percent is not None and (data[i], c) in percent):
            return False
        vals.append(np.array([p.value]))
    v = np.concatenate(vals)
    return bool(len(v)) and bool(((v >= 0) & (v <= 1)).all()) and bool(((v > 0) & (v < 1)).any())


def build_columns(table: Table, *, doc: str, doc_id: str) -> tuple[FactColumns, list[Problem]]:
    """etl.tally.facts.build for a wide table, as columns. Long tables: use build (few rows per fact)."""
    from etl.tally.facts import build

    if table.layout != "wide":
        built = build(table, doc=doc, doc_id=doc_id)
        return FactColumns.from_facts(built.facts), built.problems
    grid, rows, cat = table.grid, table.grid.rows, load_catalog()
    region_col, year_col, period_col = table.column("region"), table.column("year"), table.column("period")
    head = Built([], [])
    if (region_col is None and not table.region) or (year_col is None and table.year is None):
        built = build(table, doc=doc, doc_id=doc_id)  # the table-level error, nothing else
        return FactColumns.from_facts(built.facts), built.problems
    data = [row.index for row in table.rows if row.kind == "data"]
    cols = [c for c in table.columns if c.role == "figure"]
    for c in table.columns:
        if c.role == "unknown" and c.header and has_numbers(table, c.index, data):
            head.problems.append(Problem(
                "warning", f"第 {c.letter} 列“{c.header}”不是已知指标，未导入。"
                "如它对应某项指标，请在上传页的列对应中选择。",
                _where(table, table.header_rows[-1], c.index), c.header, "unknown_column"))
    if not cols:
        built = build(table, doc=doc, doc_id=doc_id)
        return FactColumns.from_facts(built.facts), built.problems
    fractions = {c.index for c in cols if cat[c.metric].unit == "%" and fraction_column(table, c.index, data)}
    for c in cols:
        if c.index in fractions:
            head.problems.append(Problem(
                "warning", f"“{c.header}”一列的数都不大于 1，按小数理解为百分比（如 0.9228 → 92.28%）。",
                _where(table, table.header_rows[-1], c.index), c.header, "fraction_rate"))
    keyed: list[tuple[tuple[int, int], Problem]] = []

    # Row-level: region, year, period; a row with a bad one yields an error and no facts.
    n = len(data)
    regions: list[str | None] = [row.region if region_col is not None else table.region
                                 for row in table.rows if row.kind == "data"]
    years: list[int | None] = [table.year] * n
    periods: list[str | None] = [table.period or PERIOD_FY] * n
    ok = np.ones(n, dtype=bool)
    figure_cells = [c.index for c in table.columns if c.role in ("figure", "value")]
    year_vals = _column(table, data, year_col.index) if year_col is not None else None
    period_vals = _column(table, data, period_col.index) if period_col is not None else None
    y0, y1 = lexicon().years
    year_of: dict[tuple[type, Any], int | None] = {}
    period_of: dict[tuple[type, Any], str | None] = {}
    for i, r in enumerate(data):
        if not regions[i]:
            ok[i] = False
            if any(c < len(rows[r]) and rows[r][c] is not None for c in figure_cells):
                keyed.append(((r, -1), Problem("error", "这一行有数据但没有地区名称。",
                                               _where(table, r, region_col.index), code="missing_region")))
            continue
        if year_vals is not None:
            v = year_vals[i]
            if v is None:
                year = table.year
            else:
                k = (type(v), v)
                if k not in year_of:
                    year_of[k] = parse_year(v)
                year = year_of[k]
            if year is None:
                ok[i] = False
                keyed.append(((r, -1), Problem("error", f"年度“{_show(v)}”无法识别，应为四位年份，如 2024。",
                                               _where(table, r, year_col.index), _show(v), "bad_year")))
                continue
            if not y0 <= year <= y1:
                ok[i] = False
                keyed.append(((r, -1), Problem("error", f"年度 {year} 不在 {y0}–{y1} 之间，请检查是否填错。",
                                               _where(table, r, year_col.index), _show(v), "year_range")))
                continue
            years[i] = year
        if period_vals is not None and period_vals[i] is not None:
            v = period_vals[i]
            k = (type(v), v)
            if k not in period_of:
                period_of[k] = parse_period(v)
            if period_of[k] is None:
                ok[i] = False
                keyed.append(((r, -1), Problem("error", f"期间“{_show(v)}”无法识别，应填“上半年”或“全年”。",
                                               _where(table, r, period_col.index), _show(v), "bad_period")))
                continue
            periods[i] = period_of[k]

    # Figure cells, column by column.
    k = len(cols)
    values = np.zeros((n, k))
    present = np.zeros((n, k), dtype=bool)
    shown: list[pa.Array] = []
    nocache = grid.formula_nocache
    for j, c in enumerate(cols):
        cells = _column(table, data, c.index)
        numeric, nums = _numbers(cells)
        target = cat[c.metric].unit
        slow = ~numeric & np.not_equal(np.fromiter(map(type, cells), dtype=object, count=len(cells)), _NONE)
        if nocache:
            for i in (i for i, r in enumerate(data) if (r, c.index) in nocache):
                slow[i], numeric[i] = True, False
        if target == "%":  # plain numbers: percent points, or fractions ×100 in a percent cell or fraction column
            bad = numeric & ~np.isfinite(nums)
            slow |= bad
            numeric &= ~bad
            scaled = nums
            if c.index in fractions or grid.percent:
                times = np.full(n, c.index in fractions)
                if grid.percent:
                    times |= np.array([(r, c.index) in grid.percent for r in data], dtype=bool)
                scaled = np.where(times, _round(nums * 100, 9), nums)
            col_values = scaled
        elif c.unit is None or c.unit.to == target:
            col_values = _round(nums * (c.unit.scale if c.unit else 1.0), 6)
        else:  # header unit disagrees with the catalog: every cell warns, row path
            slow |= numeric
            numeric[:] = False
            col_values = nums
        take = numeric & ok
        values[:, j] = np.where(take, col_values, 0.0)
        present[:, j] = take
        for i in np.flatnonzero(slow & ok).tolist():
            out = Built([], [])
            value = _figure(table, data[i], c.index, c.metric, c.unit, c.index in fractions, out)
            keyed.extend(((data[i], j), p) for p in out.problems)
            if value is not None:
                values[i, j], present[i, j] = value, True
        shown.append(_shown(cells, numeric, nums))

    # Totals rows against the rows above them (as the row path sums: in order, from 0.0).
    if any(row.kind in ("total", "subtotal") for row in table.rows):
        position = {r: i for i, r in enumerate(data)}
        running = np.cumsum(values, axis=0)
        last = 0
        seen = 0
        for row in table.rows:
            if row.kind == "data":
                seen = position[row.index] + 1
            elif row.kind in ("total", "subtotal"):
                if row.kind == "total":
                    got = running[seen - 1] if seen else np.zeros(k)
                else:
                    got = np.cumsum(values[last:seen], axis=0)[-1] if seen > last else np.zeros(k)
                out = Built([], [])
                _check_total(table, row.index, row.kind, cols, {c.index: float(got[j]) for j, c in enumerate(cols)},
                             out)
                keyed.extend(((row.index, j), p) for j, p in enumerate(out.problems))
                last = seen

    facts = _fact_table(table, doc, doc_id, cols, data, regions, years, periods, values, present, shown)
    keyed.sort(key=lambda kp: kp[0])
    return FactColumns(facts), head.problems + [p for _, p in keyed]


def _fact_table(table: Table, doc: str, doc_id: str, cols: list[Column], data: list[int],
                regions: list[str | None], years: list[int | None], periods: list[str | None],
                values: np.ndarray, present: np.ndarray, shown: list[pa.Array]) -> pa.Table:
    """Facts in row-path order (row by row, columns left to right) as a FACT_SCHEMA table."""
    n, k = present.shape
    flat = np.flatnonzero(present.reshape(-1))
    row_pos, col_pos = flat // k, flat % k
    cat = load_catalog()
    region_arr = pa.array(regions, pa.string())
    enc = region_arr.dictionary_encode()
    marks = [[FLAG_PLACEHOLDER_REGION] if r and is_placeholder(r) else []
             for r in enc.dictionary.to_pylist()]
    flag_arr = pc.take(pa.array(marks, pa.list_(pa.string())), enc.indices)
    rows_taken = pa.array(row_pos)
    cols_taken = pa.array(col_pos)
    region_f = pc.take(region_arr, rows_taken)
    # Evidence and cell names are joined column by column (n rows each), then put in fact order with one take.
    lines = pc.cast(pa.array(np.asarray(data, dtype=np.int64) + 1), pa.string())
    evidence_by_col = [pc.binary_join_element_wise(region_arr, pa.scalar(f"｜{c.header}："), shown[j], "")
                       for j, c in enumerate(cols)]
    source_by_col = [pc.binary_join_element_wise(pa.scalar(f"{table.grid.name}!{c.letter}"), lines, "")
                     for c in cols]
    order = pa.array(col_pos * n + row_pos)
    evidence = pc.take(pa.chunked_array(evidence_by_col, pa.string()), order).combine_chunks()
    source = pc.take(pa.chunked_array(source_by_col, pa.string()), order).combine_chunks()
    m = len(flat)
    return pa.table({
        "doc": pa.repeat(pa.scalar(doc, pa.string()), m),
        "metric": pc.take(pa.array([c.metric for c in cols], pa.string()), cols_taken),
        "value": pa.array(values.reshape(-1)[flat]),
        "unit": pc.take(pa.array([cat[c.metric].unit for c in cols], pa.string()), cols_taken),
        "evidence": evidence,
        "doc_id": pa.repeat(pa.scalar(doc_id, pa.string()), m),
        "segment": pa.repeat(pa.scalar(table.grid.index, pa.int32()), m),
        "approx": pa.nulls(m, pa.string()),
        "year": pc.take(pa.array(years, pa.int32()), rows_taken),
        "period": pc.take(pa.array(periods, pa.string()), rows_taken),
        "as_of": pa.nulls(m, pa.string()),
        "region": region_f,
        "start": pa.nulls(m, pa.int32()),
        "end": pa.nulls(m, pa.int32()),
        "source": source,
        "confidence": pa.repeat(pa.scalar(1.0, pa.float64()), m),
        "flags": pc.take(flag_arr, rows_taken),
        "needs_review": pa.repeat(pa.scalar(False, pa.bool_()), m),
    }, schema=FACT_SCHEMA)


# ---------------------------------------------------------------- file checks


def _codes(arr: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, int]:
    """Integer codes (0 = null) for equality keys, and how many distinct codes there are."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = arr.dictionary_encode()
    codes = pc.fill_null(pc.add(enc.indices.cast(pa.int64()), 1), 0).to_numpy()
    return codes, len(enc.dictionary) + 1


def _fact(t: pa.Table, i: int) -> Fact:
    row = {name: t.column(name)[i].as_py() for name in t.column_names}
    row["flags"] = tuple(row["flags"] or ())
    return Fact(**row)


def check_columns(fc: FactColumns) -> tuple[FactColumns, list[Problem]]:
    """etl.tally.validate.check_file on columns: the same problems in the same order, and the kept facts."""
    t = fc.table
    n = t.num_rows
    if n == 0:
        return fc, []
    cat = load_catalog()
    lx = lexicon()
    value_null = t["value"].is_null().to_numpy(zero_copy_only=False)
    value = pc.fill_null(t["value"], 0.0).to_numpy()
    metric = t["metric"].to_numpy(zero_copy_only=False)
    metric_codes, n_metric = _codes(t["metric"])
    metric_names = t["metric"].combine_chunks().dictionary_encode().dictionary.to_pylist()
    unit_of = np.array(["", *(cat[m].unit for m in metric_names)], dtype=object)[metric_codes]
    year_null = t["year"].is_null().to_numpy(zero_copy_only=False)
    year = pc.fill_null(t["year"], 0).to_numpy().astype(np.int64)
    keyed: list[tuple[tuple[int, int], Problem]] = []

    # 1. values that cannot be right, and years out of range (first fact of each such year)
    has = ~value_null
    rate = unit_of == "%"
    whole = np.isfinite(value) & (value == np.floor(value))
    suspicious = has & ((value < 0) | (rate & (value > 100)) | (~rate & (unit_of != "元") & ~whole))
    sources = None
    if suspicious.any():
        sources = t["source"].to_pylist()
        for i in np.flatnonzero(suspicious).tolist():
            p = value_problem(metric[i], float(value[i]), sources[i] or "")
            if p is not None:
                keyed.append(((i, 0), p))
    y0, y1 = lx.years
    out_of_range = has & ~year_null & ((year < y0) | (year > y1))
    if out_of_range.any():
        sources = sources or t["source"].to_pylist()
        first_of: dict[int, int] = {}
        for i in np.flatnonzero(out_of_range).tolist():
            first_of.setdefault(int(year[i]), i)
        keyed += [((i, 1), year_problem(y, sources[i] or "")) for y, i in first_of.items()]
    keyed.sort(key=lambda kp: kp[0])
    problems = [p for _, p in keyed]

    # 2. the same region/year/period/metric twice: kept once (equal) or an error (different)
    region_codes, _ = _codes(t["region"])
    period_codes, n_period = _codes(t["period"])
    ymin = int(year[~year_null].min()) if (~year_null).any() else 0
    year_codes = np.where(year_null, 0, year - ymin + 2)  # +2: year-1 of the smallest year still has a code
    n_year = int(year_codes.max()) + 2
    group = (region_codes * n_period + period_codes) * n_year + year_codes
    key = group * n_metric + metric_codes
    dup = pd.Index(key).duplicated(keep="first")
    if dup.any():
        first_of_key: dict[int, int] = {}
        for i in np.flatnonzero(~dup).tolist():
            first_of_key[int(key[i])] = i
        dup_rows: dict[str, tuple[Fact, Fact]] = {}
        for i in np.flatnonzero(dup).tolist():
            f, f0 = _fact(t, i), _fact(t, first_of_key[int(key[i])])
            if f0.value == f.value:
                dup_rows.setdefault(_row(f.source), (f, f0))
            else:
                problems.append(conflict_problem(f, f0))
        problems += [duplicate_row_problem(f, f0) for f, f0 in dup_rows.values()]
    kept = ~dup
    kept_idx = np.flatnonzero(kept)

    # 3. pairs that must not cross, per region/year/period in order of first appearance among kept facts
    rank, _ = pd.factorize(group[kept_idx])  # codes in order of first appearance
    pair_hits: list[tuple[int, int, int, int]] = []  # (group rank, rule, small fact, big fact)
    by_metric = {m: i + 1 for i, m in enumerate(metric_names)}
    for r_i, rule in enumerate(lx.le_checks):
        sm, bg = by_metric.get(rule["small"]), by_metric.get(rule["big"])
        if sm is None or bg is None:
            continue
        small_at = np.flatnonzero((metric_codes[kept_idx] == sm) & has[kept_idx])
        big_at = np.flatnonzero((metric_codes[kept_idx] == bg) & has[kept_idx])
        partner_of = np.full(int(rank.max()) + 1, -1, dtype=np.int64)
        partner_of[rank[big_at]] = kept_idx[big_at]
        small = kept_idx[small_at]
        partner = partner_of[rank[small_at]]
        hit = (partner >= 0) & (value[small] > value[np.maximum(partner, 0)])
        pair_hits += [(int(g), r_i, int(a), int(b)) for g, a, b in
                      zip(rank[small_at][hit].tolist(), small[hit].tolist(), partner[hit].tolist(), strict=True)]
    for _, r_i, a, b in sorted(pair_hits):
        problems.append(pair_problem(lx.le_checks[r_i], _fact(t, a), _fact(t, b)))

    # 4. jumps against the same period a year before, inside the file
    factor, min_base = lx.jump["factor"], lx.jump["min_base"]
    stock = np.array([False, *(cat[m].kind == "stock" and cat[m].unit != "%" for m in metric_names)])[metric_codes]
    cand = kept_idx[stock[kept_idx] & has[kept_idx] & ~year_null[kept_idx]]
    at = pd.Index(key[kept_idx]).get_indexer(key[cand] - n_metric)  # the same key with year - 1
    found = at >= 0
    prev = np.where(found, kept_idx[np.maximum(at, 0)], 0)
    found &= ~value_null[prev]
    before = value[prev]
    now = value[cand]
    plain = np.isfinite(before) & np.isfinite(now)
    jump = found & plain & (np.maximum(before, now) >= min_base) & ((now > before * factor) | (now * factor < before))
    odd = found & ~plain  # nan/inf: Python's own comparisons decide, as in the row path
    for i in np.flatnonzero(jump | odd).tolist():
        f, b = _fact(t, int(cand[i])), float(before[i])
        if jump[i] or (not max(b, f.value) < min_base and (f.value > b * factor or f.value * factor < b)):
            problems.append(jump_problem(f, b, "本表"))
    return FactColumns(t.filter(pa.array(kept))), problems

