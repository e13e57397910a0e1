"""Checks on tally facts: inside the file, and against what the database holds.

File checks (no database): counts ≥ 0, rates 0–100, years in range, pairs
that must not cross (new ≤ total, members ≤ workers: etl/lexicon/
tally_headers.toml), duplicate rows, implausible jumps between periods of the
same file. Database checks: unknown regions with near-match suggestions,
conflicts with stored figures (shown side by side; the user keeps or
replaces), jumps against the previous period already stored.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from etl.catalog import load_catalog
from etl.model import Fact, Problem
from etl.tally.config import lexicon, norm


def _fmt(x: float | None) -> str:
    if x is None:
        return "空"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _key(f: Fact) -> tuple[str | None, int | None, str | None]:
    return (f.region, f.year, f.period)


def value_problem(metric: str, value: float, where: str) -> Problem | None:
    """A figure that cannot be right on its own: negative, a rate over 100, a fractional count."""
    m = load_catalog()[metric]
    if value < 0:
        return Problem("error", f"“{m.name_zh}”为负数 {_fmt(value)}，数量和金额不能小于 0。",
                       where, _fmt(value), "negative_value")
    if m.unit == "%" and value > 100:
        return Problem("error", f"“{m.name_zh}”为 {_fmt(value)}%，比率应在 0–100% 之间。",
                       where, _fmt(value), "rate_out_of_range")
    if m.unit != "%" and m.unit != "元" and not float(value).is_integer():
        return Problem("warning", f"“{m.name_zh}”为 {_fmt(value)}{m.unit}，通常应为整数，请核对。",
                       where, _fmt(value), "fractional_count")
    return None


def year_problem(year: int, where: str) -> Problem:
    y0, y1 = lexicon().years
    return Problem("error", f"年度 {year} 不在 {y0}–{y1} 之间。", where, str(year), "year_range")


def conflict_problem(f: Fact, first: Fact) -> Problem:
    return Problem(
        "error", f"{f.region} {f.year}年“{load_catalog()[f.metric].name_zh}”出现两次且数值不同："
        f"{first.source} 为 {_fmt(first.value)}，此处为 {_fmt(f.value)}。请删除重复行。",
        f.source or "", _fmt(f.value), "duplicate_conflict")


def duplicate_row_problem(f: Fact, first: Fact) -> Problem:
    line = _row(first.source).split("!")[-1]
    return Problem("warning", f"{f.region} {f.year}年的这一行与第 {line} 行重复，只导入一次。",
                   f.source or "", f.region, "duplicate_row")


def pair_problem(rule: dict[str, str], small: Fact, big: Fact) -> Problem:
    cat = load_catalog()
    return Problem(
        "error", f"{rule['why']}：{cat[small.metric].name_zh} {_fmt(small.value)}，"
        f"{cat[big.metric].name_zh} {_fmt(big.value)}（{big.source}）。", small.source or "",
        _fmt(small.value), "pair_order")


def check_file(facts: list[Fact]) -> tuple[list[Fact], list[Problem]]:
    """Problems found inside the file; returns the facts with exact duplicate rows removed.

    etl.tally.fast.check_columns does the same on columns for big files; tests hold them equal.
    """
    lx = lexicon()
    problems: list[Problem] = []
    y0, y1 = lx.years
    bad_years: set[int] = set()
    for f in facts:
        if f.value is None:
            continue
        p = value_problem(f.metric, f.value, f.source or "")
        if p is not None:
            problems.append(p)
        if f.year is not None and not y0 <= f.year <= y1 and f.year not in bad_years:
            bad_years.add(f.year)
            problems.append(year_problem(f.year, f.source or ""))
    # duplicates: the same region/period/metric twice
    seen: dict[tuple, Fact] = {}
    kept: list[Fact] = []
    dup_rows: dict[str, tuple[Fact, Fact]] = {}
    for f in facts:
        k = (*_key(f), f.metric)
        first = seen.get(k)
        if first is None:
            seen[k] = f
            kept.append(f)
        elif first.value == f.value:
            dup_rows.setdefault(_row(f.source), (f, first))
        else:
            problems.append(conflict_problem(f, first))
    for f, first in dup_rows.values():
        problems.append(duplicate_row_problem(f, first))
    # pairs that must not cross
    by_key: dict[tuple, dict[str, Fact]] = defaultdict(dict)
    for f in kept:
        by_key[_key(f)][f.metric] = f
    for group in by_key.values():
        for rule in lx.le_checks:
            small, big = group.get(rule["small"]), group.get(rule["big"])
            if small and big and small.value is not None and big.value is not None and small.value > big.value:
                problems.append(pair_problem(rule, small, big))
    problems += _jumps(kept, {(*_key(f), f.metric): f.value for f in kept}, "本表")
    return kept, problems


def _row(source: str | None) -> str:
    """'Sheet1!D7' → 'Sheet1!7'."""
    sheet, _, cell = (source or "").rpartition("!")
    return f"{sheet}!{cell.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"


def jump_problem(f: Fact, before: float, where_prev: str) -> Problem:
    m = load_catalog()[f.metric]
    factor = lexicon().jump["factor"]
    return Problem(
        "warning", f"“{m.name_zh}”从 {f.year - 1}年的 {_fmt(before)}（{where_prev}）变为 {_fmt(f.value)}，"
        f"变化超过 {factor:g} 倍，请确认不是填错单位或位数。", f.source or "", _fmt(f.value), "jump")


def _jumps(facts: list[Fact], previous: dict[tuple, float | None], where_prev: str,
           region_of: dict[str, str] | None = None) -> list[Problem]:
    """Stock metrics that changed by more than the configured factor since the same period a year before."""
    cat = load_catalog()
    factor, min_base = lexicon().jump["factor"], lexicon().jump["min_base"]
    out = []
    for f in facts:
        m = cat[f.metric]
        if m.kind != "stock" or m.unit == "%" or f.value is None or f.year is None:
            continue
        region = (region_of or {}).get(f.region or "", f.region)
        before = previous.get((region, f.year - 1, f.period, f.metric))
        if before is None or max(before, f.value) < min_base:
            continue
        if f.value > before * factor or f.value * factor < before:
            out.append(jump_problem(f, before, where_prev))
    return out


@dataclass(frozen=True)
class Conflict:
    """A figure the database already holds differently: shown side by side, kept or replaced."""

    new: Fact
    fact_id: int
    old_value: float | None
    old_source: str  # file name and cell, or the report sentence


def region_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every known spelling (name or alias) → canonical region name, the shipped registry included."""
    names: dict[str, str] = {}
    try:
        from etl.regions import seed_registry
    except ImportError:
        seed_registry = tuple
    for seed in seed_registry():
        names[seed.name] = seed.name
        for alias in seed.aliases:
            names.setdefault(alias, seed.name)
    names.update({n: n for (n,) in con.execute("SELECT name FROM regions").fetchall()})
    for alias, name in con.execute(
            "SELECT a.alias, r.name FROM region_aliases a JOIN regions r ON r.id = a.region_id").fetchall():
        names[alias] = name
    return names


def canonical(raw: str) -> str:
    """Region spelling without union suffixes (白沙镇总工会 → 白沙镇); etl.regions decides when present."""
    try:
        from etl.regions import canonical_name
    except ImportError:  # helper B's module not there yet
        s = norm(raw)
        for suffix in ("总工会", "工会联合会", "联合工会", "工会"):
            if s.endswith(suffix) and len(s) > len(suffix):
                return s[: -len(suffix)]
        return s
    return canonical_name(raw)


def check_db(con: duckdb.DuckDBPyConnection, facts: list[Fact]) -> tuple[list[Problem], list[Conflict], list[Fact]]:
    """Regions unknown to the database, conflicts with stored facts, jumps against stored periods.

    Also returns the facts the database already holds with the same value: loading them again
    would count a flow twice, so the upload leaves them out.
    """
    cat = load_catalog()
    known = region_names(con)
    problems: list[Problem] = []
    reported: set[str] = set()
    for f in facts:
        if not f.region or f.region in reported:
            continue
        if f.region in known or canonical(f.region) in known:
            continue
        reported.add(f.region)
        near = difflib.get_close_matches(canonical(f.region), sorted(set(known.values())), n=3, cutoff=0.5)
        hint = f"是否为：{'、'.join(near)}？如是笔误请改正后重新上传；" if near else ""
        problems.append(Problem("warning", f"地区“{f.region}”不在地区名录中。{hint}否则导入时将新建该地区。",
                                f.source or "", f.region, "unknown_region"))
    wanted = {(known.get(f.region) or known.get(canonical(f.region or "")) or f.region) for f in facts}
    rows = con.execute(
        """
        SELECT f.id, coalesce(r.name, f.region_raw), f.year, f.period, f.metric, f.value,
               coalesce(fl.name, f.doc_id, ''), f.source_cell, f.evidence
        FROM facts f
        JOIN batches b ON b.id = f.batch_id AND b.status = 'loaded'
        LEFT JOIN regions r ON r.id = f.region_id
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        WHERE f.status = 'active' AND coalesce(r.name, f.region_raw) IN (SELECT unnest(?))
        """, [sorted(w for w in wanted if w)]).fetchall()
    stored: dict[tuple, list[tuple]] = defaultdict(list)
    for fid, region, year, period, metric, value, src, cell, evidence in rows:
        stored[(region, year, period, metric)].append((fid, value, f"{src} {cell}" if cell else f"{src}：{evidence}"))
    conflicts: list[Conflict] = []
    same: list[Fact] = []
    region_of: dict[str, str] = {}
    for f in facts:
        raw = f.region or ""
        if raw not in region_of:
            region_of[raw] = known.get(raw) or known.get(canonical(raw)) or raw
        held = stored.get((region_of[raw], f.year, f.period, f.metric), [])
        for fid, value, src in held:
            if value is None or f.value is None or abs(value - f.value) > 1e-9 * max(1.0, abs(value)):
                conflicts.append(Conflict(f, fid, value, src))
        if held and len(held) == len([h for h in held if h[1] == f.value]):
            same.append(f)
    prev = {k: v[0][1] for k, v in stored.items()}
    for c in conflicts:
        problems.append(Problem(
            "warning", f"数据库中已有 {c.new.region} {c.new.year}年“{cat[c.new.metric].name_zh}”为 {_fmt(c.old_value)}"
            f"（来源：{c.old_source}），本表为 {_fmt(c.new.value)}。请选择保留原值或替换。",
            c.new.source or "", _fmt(c.new.value), "conflict"))
    problems += _jumps(facts, prev, "数据库", region_of)
    return problems, conflicts, same
