"""An upload's figures against what the database already holds.

Regions unknown to the registry (with near-match suggestions, named at the
cell that first writes them), conflicts with stored figures (shown side by
side; the user keeps or replaces), jumps against the same period a year
before already stored. The checks inside the file are etl/tally/rules.py;
the messages of both are lexicon/tally_checks.toml.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from etl.catalog import load_catalog
from etl.model import Problem
from etl.regions import canonical_name, seed_registry
from etl.tally.rules import fmt, is_stock_count, jump_hits, messages, problem


@dataclass(frozen=True)
class Conflict:
    """A figure the database already holds differently: shown side by side, kept or replaced."""

    new: Any  # the Fact from the upload
    fact_id: int
    old_value: float | None
    old_source: str  # file name and cell, or the report sentence


def region_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every known spelling (name or alias) → canonical region name, the shipped registry included."""
    names: dict[str, str] = {}
    for seed in seed_registry():
        names[seed.name] = seed.name
        for alias in seed.aliases:
            names.setdefault(alias, seed.name)
    names.update({n: n for (n,) in con.execute("SELECT name FROM regions").fetchall()})
    for alias, name in con.execute(
            "SELECT a.alias, r.name FROM region_aliases a JOIN regions r ON r.id = a.region_id").fetchall():
        names[alias] = name
    return names


def _unknown_regions(facts: list[Any], known: dict[str, str], region_cells: dict[str, str]) -> list[Problem]:
    out: list[Problem] = []
    reported: set[str] = set()
    for f in facts:
        if not f.region or f.region in reported or f.region in known or canonical_name(f.region) in known:
            continue
        reported.add(f.region)
        near = difflib.get_close_matches(canonical_name(f.region), sorted(set(known.values())), n=3, cutoff=0.5)
        hint = messages()["unknown_region"].extra["hint"].format(near="、".join(near)) if near else ""
        out.append(problem("unknown_region", region_cells.get(f.region) or f.source or "", f.region,
                           region=f.region, hint=hint))
    return out


def _stored(con: duckdb.DuckDBPyConnection, wanted: set[str]) -> dict[tuple, list[tuple]]:
    """Active facts of these regions: (region, year, period, metric) → [(id, value, where it came from)]."""
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
    return stored


def check_db(con: duckdb.DuckDBPyConnection, facts: list[Any], region_cells: dict[str, str] | None = None
             ) -> tuple[list[Problem], list[Conflict], list[Any]]:
    """Regions unknown to the database, conflicts with stored facts, jumps against stored periods.

    Also returns the facts the database already holds with the same value: loading them again
    would count a flow twice, so the upload leaves them out. `region_cells` (Analysis.region_cells)
    names the cell where each region is written; without it a region is named at its first figure.
    """
    cat = load_catalog()
    known = region_names(con)
    problems = _unknown_regions(facts, known, region_cells or {})
    region_of = {raw: known.get(raw) or known.get(canonical_name(raw)) or raw
                 for raw in {f.region or "" for f in facts}}
    stored = _stored(con, {region_of[f.region or ""] for f in facts})
    conflicts: list[Conflict] = []
    same: list[Any] = []
    for f in facts:
        held = stored.get((region_of[f.region or ""], f.year, f.period, f.metric), [])
        for fid, value, src in held:
            if value is None or f.value is None or abs(value - f.value) > 1e-9 * max(1.0, abs(value)):
                conflicts.append(Conflict(f, fid, value, src))
        if held and len(held) == len([h for h in held if h[1] == f.value]):
            same.append(f)
    for c in conflicts:
        problems.append(problem("conflict", c.new.source or "", fmt(c.new.value), region=c.new.region,
                                year=c.new.year, metric_zh=cat[c.new.metric].name_zh, old=fmt(c.old_value),
                                old_source=c.old_source, value=fmt(c.new.value)))
    problems += _jumps(facts, {k: v[0][1] for k, v in stored.items()}, region_of)
    return problems, conflicts, same


def _jumps(facts: list[Any], prev: dict[tuple, float | None], region_of: dict[str, str]) -> list[Problem]:
    """Stock counts that changed by more than the configured factor since the stored year before."""
    usable = [f for f in facts if f.value is not None and f.year is not None]
    before = [prev.get((region_of[f.region or ""], f.year - 1, f.period, f.metric)) for f in usable]
    found = np.array([b is not None for b in before], dtype=bool)
    cat = load_catalog()
    stock = np.array([is_stock_count(cat[f.metric]) for f in usable], dtype=bool)
    hits = jump_hits(lambda i: usable[i].metric, stock, np.array([f.year for f in usable], dtype=np.int64),
                     np.array([f.value for f in usable], dtype=float),
                     np.array([b if b is not None else np.nan for b in before], dtype=float), found, "数据库")
    return [problem("jump", usable[i].source or "", shown, **fields) for i, shown, fields in hits]
