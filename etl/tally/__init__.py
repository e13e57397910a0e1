"""Excel tallies (统计表): read → find tables → melt into cells → figures → checks.

One path for every file, 20 rows or 200,000: read.py gives grids, layout.py
finds the tables, melt.py turns every table into one long frame of figure
cells, values.py parses and scales them (only odd cells one by one) into an
Arrow table of facts, rules.py checks the figures against each other.
`extract_tally_file(path)` is the contract the pipeline and
`python -m etl.extract` use; `analyze(data, name)` returns the same plus the
detected tables, for the upload page to show and correct.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.model import ColumnarFile, Document, ExtractedFile, Fact, FactColumns, Problem, bulk
from etl.tally.layout import Table, find_tables
from etl.tally.melt import melt_tables
from etl.tally.read import Book, TallyReadError, read_book
from etl.tally.rules import Problems, check
from etl.tally.values import figures

__all__ = ["Analysis", "TallyReadError", "analyze", "extract_tally_file"]

TALLY_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


@dataclass
class Analysis:
    """Everything one tally yields, with the structure found in it."""

    extracted: ExtractedFile
    book: Book | None = None
    tables: list[Table] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # 'read', 'check': where the time went
    region_cells: dict[str, str] = field(default_factory=dict)  # region → the cell that first names it

    @property
    def facts(self) -> list[Fact]:
        return self.extracted.facts

    @property
    def problems(self) -> list[Problem]:
        return self.extracted.problems


def analyze(data: bytes, name: str, *, mapping: dict[str, dict[str, str]] | None = None,
            engine: str | None = None, path: str | None = None, max_mb: float | None = None,
            regions: dict[str, str] | None = None) -> Analysis:
    """Read, find the tables, melt, parse and check. Never raises for bad input: problems say why.

    The facts stay an Arrow table until someone asks for the list (ColumnarFile). `max_mb`: a bigger
    file is refused (default: the lexicon's limit; settings.tally_max_mb where a server sets one).
    `regions`: corrected names (白莎镇 → 白沙镇, the upload page's one click), applied before the checks,
    so the file's own checks (duplicates, pairs, jumps) see the corrected towns.
    """
    with bulk():
        return _analyze(data, name, mapping=mapping, engine=engine, path=path, max_mb=max_mb, regions=regions)


def _analyze(data: bytes, name: str, *, mapping: dict[str, dict[str, str]] | None, engine: str | None,
             path: str | None, max_mb: float | None, regions: dict[str, str] | None = None) -> Analysis:
    started = time.perf_counter()
    sha = hashlib.sha256(data).hexdigest()
    ef = ColumnarFile(path=path or name, name=name, sha256=sha, data=data, kind="tally")
    try:
        book = read_book(data, name, engine=engine, max_mb=max_mb)
    except TallyReadError as exc:
        ef.problems.append(Problem("error", exc.message, name, code=exc.code))
        return Analysis(ef)
    read = time.perf_counter()
    ef.encoding = book.encoding
    problems = Problems([g.name for g in book.grids])
    tables: list[Table] = []
    for grid in book.grids:
        sheet_tables = find_tables(grid, mapping)
        if sheet_tables:
            t0 = sheet_tables[0]
            ef.documents.append(Document(doc_id=f"{sha[:16]}:{grid.index}", file_sha=sha, file_name=name,
                                         segment=grid.index, start=0, end=0, title=t0.title or grid.name,
                                         region=t0.region, year=t0.year, period=t0.period))
        tables += sheet_tables
    if not tables:
        problems.add_file("no_table", name)
    melted = melt_tables(tables, problems)
    if regions:
        melted.lines.region = np.array([regions.get(r, r) for r in melted.lines.region.tolist()] + [None],
                                       dtype=object)[:-1]
        ef.documents = [replace(d, region=regions.get(d.region, d.region)) for d in ef.documents]
    frame = figures(melted, name, sha, problems)
    kept = check(frame, problems)
    ef.set_columns(FactColumns(frame.table if kept.all() else frame.table.filter(pa.array(kept))))
    ef.problems = problems.sorted()
    return Analysis(ef, book, tables, {"read": read - started, "check": time.perf_counter() - read},
                    melted.region_cells)


def extract_tally_file(path: str | Path, *, mapping: dict[str, dict[str, str]] | None = None,
                       engine: str | None = None, max_mb: float | None = None) -> ExtractedFile:
    """One tally file → ExtractedFile (kind 'tally'); facts carry their cell as `source`."""
    p = Path(path)
    return analyze(p.read_bytes(), p.name, mapping=mapping, engine=engine, path=str(p), max_mb=max_mb).extracted
