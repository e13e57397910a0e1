"""Tables → facts in catalog units, each naming its cell; problems name theirs.

A figure is scaled by the unit its header states (帮扶金额(万元) → yuan).
Rates are percent points: a percent-formatted 0.9228 is 92.28, and a rate
column whose every value is a fraction ≤ 1 is read the same way (with a
warning) when the reader cannot see cell formats. Totals rows are not loaded;
they are compared with the sum of the rows they total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etl.catalog import load_catalog
from etl.model import Fact, Problem
from etl.tally.config import Unit, lexicon, norm
from etl.tally.layout import Column, Table
from etl.tally.mapping import metric_of, parse_number, parse_period, parse_year, unit_of
from etl.tally.read import col_letter
from etl.vocab import FLAG_PLACEHOLDER_REGION, PERIOD_FY, is_placeholder


@dataclass
class Built:
    facts: list[Fact]
    problems: list[Problem]


def _where(table: Table, r: int, c: int) -> str:
    return f"{table.grid.name}!{col_letter(c)}{r + 1}"


def _show(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def build(table: Table, *, doc: str, doc_id: str) -> Built:
    """Facts and problems of one table."""
    out = Built([], [])
    grid = table.grid
    cat = load_catalog()
    region_col, year_col, period_col = table.column("region"), table.column("year"), table.column("period")
    if region_col is None and not table.region:
        out.problems.append(Problem("error", "找不到“地区”列，标题和工作表名中也没有乡镇（街道）名称，"
                                    "无法判断数据属于哪个地区。"
                                    "请在表头加一列“地区”。", table.where, code="no_region"))
        return out
    if year_col is None and table.year is None:
        out.problems.append(Problem("error", "找不到“年度”列，标题和工作表名中也没有年份（如“2024年”），"
                                    "无法判断数据属于哪一年。"
                                    "请在标题写明年份或加一列“年度”。", table.where, code="no_year"))
        return out
    if table.layout == "wide":
        cols = [c for c in table.columns if c.role == "figure"]
        for c in table.columns:
            if c.role == "unknown" and c.header and _has_numbers(table, c.index):
                out.problems.append(Problem(
                    "warning", f"第 {c.letter} 列“{c.header}”不是已知指标，未导入。"
                    "如它对应某项指标，请在上传页的列对应中选择。",
                    _where(table, table.header_rows[-1], c.index), c.header, "unknown_column"))
        if not cols:
            out.problems.append(Problem("error", "表头中没有识别出任何统计指标列（如“会员人数”“新建工会数”）。",
                                        table.where,
                                        code="no_metric_columns"))
            return out
        fractions = {c.index for c in cols if cat[c.metric].unit == "%" and _fraction_column(table, c.index)}
        for c in cols:
            if c.index in fractions:
                out.problems.append(Problem(
                    "warning", f"“{c.header}”一列的数都不大于 1，按小数理解为百分比（如 0.9228 → 92.28%）。",
                    _where(table, table.header_rows[-1], c.index), c.header, "fraction_rate"))
        # per column: letter, catalog unit, and the factor for a plain number cell (0: take the slow path)
        fast = [(c.letter, cat[c.metric].unit,
                 0.0 if cat[c.metric].unit == "%" else (c.unit.scale if c.unit and c.unit.to == cat[c.metric].unit
                                                        else (1.0 if c.unit is None else 0.0)))
                for c in cols]
        nocache = grid.formula_nocache
    sums: dict[int, float] = {}
    block: dict[int, float] = {}
    for row in table.rows:
        raw = grid.rows[row.index]
        if row.kind in ("total", "subtotal"):
            if table.layout == "wide":
                _check_total(table, row.index, row.kind, cols, sums if row.kind == "total" else block, out)
            block = {}
            continue
        if row.kind != "data":
            continue
        region = row.region if region_col is not None else table.region
        if not region:
            if any(_cell(raw, c.index) is not None for c in table.columns if c.role in ("figure", "value")):
                out.problems.append(Problem("error", "这一行有数据但没有地区名称。",
                                            _where(table, row.index, region_col.index),
                                            code="missing_region"))
            continue
        year = table.year
        if year_col is not None:
            v = _cell(raw, year_col.index)
            year = parse_year(v) if v is not None else table.year
            if year is None:
                out.problems.append(Problem("error", f"年度“{_show(v)}”无法识别，应为四位年份，如 2024。",
                                            _where(table, row.index, year_col.index), _show(v), "bad_year"))
                continue
            y0, y1 = lexicon().years
            if not y0 <= year <= y1:
                out.problems.append(Problem("error", f"年度 {year} 不在 {y0}–{y1} 之间，请检查是否填错。",
                                            _where(table, row.index, year_col.index), _show(v), "year_range"))
                continue
        period = table.period or PERIOD_FY
        if period_col is not None and _cell(raw, period_col.index) is not None:
            v = _cell(raw, period_col.index)
            period = parse_period(v)
            if period is None:
                out.problems.append(Problem("error", f"期间“{_show(v)}”无法识别，应填“上半年”或“全年”。",
                                            _where(table, row.index, period_col.index), _show(v), "bad_period"))
                continue
        flags = (FLAG_PLACEHOLDER_REGION,) if is_placeholder(region) else ()
        base = dict(doc=doc, doc_id=doc_id, segment=grid.index, year=year, period=period, region=region, flags=flags)
        if table.layout == "wide":
            line = str(row.index + 1)
            for c, (letter, metric_unit, factor) in zip(cols, fast, strict=True):
                v = raw[c.index] if c.index < len(raw) else None
                if v is None and (row.index, c.index) not in nocache:
                    continue
                if factor and type(v) in (int, float) and (row.index, c.index) not in nocache:
                    value = round(v * factor, 6)  # the common case, kept cheap for big files
                else:
                    value = _figure(table, row.index, c.index, c.metric, c.unit, c.index in fractions, out)
                    if value is None:
                        continue
                fact = Fact(metric=c.metric, value=value, unit=metric_unit,
                            evidence=f"{region}｜{c.header}：{_show(v)}",
                            source=f"{grid.name}!{letter}{line}", **base)
                out.facts.append(fact)
                sums[c.index] = sums.get(c.index, 0.0) + value
                block[c.index] = block.get(c.index, 0.0) + value
        else:
            _long_row(table, row.index, base, out)
    return out


def _cell(raw: list[Any], c: int) -> Any:
    return raw[c] if c < len(raw) else None


def _has_numbers(table: Table, c: int) -> bool:
    rows = table.grid.rows
    return any(parse_number(_cell(rows[r.index], c)).value is not None for r in table.rows if r.kind == "data")


def _fraction_column(table: Table, c: int) -> bool:
    """Every value a fraction in [0, 1], some not 0/1, none formatted or written as percent."""
    vals = []
    for r in table.rows:
        if r.kind != "data":
            continue
        v = _cell(table.grid.rows[r.index], c)
        p = parse_number(v)
        if p.value is None:
            continue
        if p.percent_text or (table.grid.percent is not None and (r.index, c) in table.grid.percent):
            return False
        vals.append(p.value)
    return bool(vals) and all(0 <= v <= 1 for v in vals) and any(0 < v < 1 for v in vals)


def _figure(table: Table, r: int, c: int, metric: str, unit: Unit | None, fraction: bool, out: Built) -> float | None:
    """One cell → value in catalog units, or None (blank or an error recorded in `out`)."""
    cat = load_catalog()
    where = _where(table, r, c)
    if (r, c) in table.grid.formula_nocache:
        out.problems.append(Problem(
            "error", "此单元格是公式，但文件中没有保存计算结果（文件可能由程序生成、从未在 Excel 中打开）。"
            "请用 Excel 打开后保存一次再上传，或把公式改成数值。", where, None, "formula_no_cache"))
        return None
    v = _cell(table.grid.rows[r], c)
    p = parse_number(v)
    if p.error:
        out.problems.append(Problem("error", f"“{_show(v)}”{p.error}，应填写数字。", where, _show(v), "not_a_number"))
        return None
    if p.value is None:
        return None
    target = cat[metric].unit
    if target == "%":
        percent_cell = table.grid.percent is not None and (r, c) in table.grid.percent
        return round(p.value * 100, 9) if (percent_cell or fraction) and not p.percent_text else p.value
    value = p.value * (p.scale if (unit is None or unit.scale == 1) else 1)
    if unit is not None:
        if unit.to != target:
            out.problems.append(Problem(
                "warning", f"表头单位（{unit.to}）与指标“{cat[metric].name_zh}”的单位（{target}）不一致，"
                f"按{target}导入，请核对。",
                where, _show(v), "unit_mismatch"))
        else:
            value *= unit.scale
    return round(value, 6)


def _check_total(table: Table, r: int, kind: str, cols: list[Column], sums: dict[int, float], out: Built) -> None:
    cat = load_catalog()
    raw = table.grid.rows[r]
    for c in cols:
        if cat[c.metric].unit == "%":
            continue
        p = parse_number(_cell(raw, c.index))
        if p.value is None or p.error:
            continue
        scale = c.unit.scale if c.unit and c.unit.to == cat[c.metric].unit else 1
        total = p.value * scale * (p.scale if scale == 1 else 1)
        got = sums.get(c.index, 0.0)
        if abs(total - got) > 0.005 * scale + 1e-9 * abs(total):
            word = "小计" if kind == "subtotal" else "合计"
            out.problems.append(Problem(
                "warning", f"{word}行的“{c.header}”为 {_fmt(total / scale)}，上方各行相加为 {_fmt(got / scale)}，"
                f"相差 {_fmt((total - got) / scale)}。{word}行不导入，请核对各行数据。",
                _where(table, r, c.index), _show(_cell(raw, c.index)), "total_mismatch"))


def _long_row(table: Table, r: int, base: dict[str, Any], out: Built) -> None:
    raw = table.grid.rows[r]
    cat = load_catalog()
    mcol, vcol, ucol = table.column("metric"), table.column("value"), table.column("unit")
    name = _cell(raw, mcol.index)
    if name is None:
        return
    metric, unit = metric_of(name)
    if metric is None:
        out.problems.append(Problem("warning", f"指标“{_show(name)}”不是已知指标，这一行未导入。",
                                    _where(table, r, mcol.index), _show(name), "unknown_metric"))
        return
    if ucol is not None and _cell(raw, ucol.index) is not None:
        u = unit_of(_cell(raw, ucol.index))
        if u is None:
            out.problems.append(Problem("warning", f"计量单位“{_show(_cell(raw, ucol.index))}”无法识别，"
                                        f"按{cat[metric].unit}导入。",
                                        _where(table, r, ucol.index), _show(_cell(raw, ucol.index)), "unknown_unit"))
        else:
            unit = u
    value = _figure(table, r, vcol.index, metric, unit, False, out)
    if value is None:
        return
    out.facts.append(Fact(metric=metric, value=value, unit=cat[metric].unit,
                          evidence=f"{base['region']}｜{norm(name)}：{_show(raw[vcol.index])}",
                          source=_where(table, r, vcol.index), **base))
