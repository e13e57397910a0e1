"""An upload's figures against what the database already holds.

Regions unknown to the registry (named at the cell that first writes them;
one close to a known name is taken for a typo and blocks the load until the
person corrects it on the page or keeps it as a new region), conflicts with
stored figures (shown side by side; the user keeps or replaces), jumps
against the same period a year before already stored. The checks inside the file are etl/tally/rules.py;
the messages of both are lexicon/tally_checks.toml.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from etl.catalog import load_catalog
from etl.model import Problem
from etl.region_names import canonical_name, names_a_place
from etl.regions import RegionResolver
from etl.tally.rules import fmt, is_stock_count, jump_hits, problem
from etl.unknown_regions import spellings, suggestions


@dataclass(frozen=True)
class Conflict:
    """A figure the database already holds differently: shown side by side, kept or replaced."""

    new: Any  # the Fact from the upload
    fact_id: int
    old_value: float | None
    old_source: str  # file name and cell, or the report sentence


def region_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every known spelling (name or alias) of the directory → its region's name."""
    return spellings(con)


@dataclass(frozen=True)
class UnknownRegion:
    """A region name of the file that the directory does not know."""

    name: str  # as the file's facts carry it
    where: str  # the cell (or sheet name) that first writes it
    near: tuple[str, ...]  # known regions it may be a typo of, closest first (empty: a new name)


def unknown_regions(con: duckdb.DuckDBPyConnection, facts: list[Any], region_cells: dict[str, str] | None = None,
                    known: dict[str, str] | None = None) -> list[UnknownRegion]:
    """The file's region names the directory does not know (the resolver's rule: names, aliases, codes, county
    prefixes), in file order, each with its place and the directory's near names (etl.unknown_regions.suggestions).

    Placeholders (xx镇) and relative words (本镇) name no region: flagged on the fact, never asked about.
    """
    known = region_names(con) if known is None else known
    resolver = RegionResolver(con)
    out: dict[str, UnknownRegion] = {}
    for f in facts:
        if f.region in out or not names_a_place(f.region) or resolver.resolve(f.region) is not None:
            continue
        where = (region_cells or {}).get(f.region) or f.source or ""
        out[f.region] = UnknownRegion(f.region, where, tuple(suggestions(f.region, known)))
    return list(out.values())


def _unknown_problems(unknown: list[UnknownRegion], keep: Collection[str]) -> list[Problem]:
    """A name close to a known one is a likely typo (an error until corrected or kept); any other is a warning."""
    out = []
    for u in unknown:
        if u.near and u.name not in keep:
            out.append(problem("unknown_region_typo", u.where, u.name, region=u.name, near="”或“".join(u.near),
                               first=u.near[0]))
        else:
            out.append(problem("unknown_region", u.where, u.name, region=u.name))
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


def check_db(con: duckdb.DuckDBPyConnection, facts: list[Any], region_cells: dict[str, str] | None = None,
             keep_regions: Collection[str] = ()) -> tuple[list[Problem], list[Conflict], list[Any]]:
    """Regions unknown to the database, conflicts with stored facts, jumps against stored periods.

    Also returns the facts the database already holds with the same value: loading them again
    would count a flow twice, so the upload leaves them out. `region_cells` (Analysis.region_cells)
    names the cell where each region is written; without it a region is named at its first figure.
    `keep_regions`: unknown names the person said are no typo (a warning, not an error).
    """
    cat = load_catalog()
    known = region_names(con)
    problems = _unknown_problems(unknown_regions(con, facts, region_cells, known), keep_regions)
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
