"""Excel tallies (统计表): read → find tables → facts → check.

`extract_tally_file(path)` is the contract the pipeline and
`python -m etl.extract` use; `analyze(data, name)` returns the same plus the
detected tables, for the upload page to show and correct.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

from etl.model import Document, ExtractedFile, Fact, Problem
from etl.tally.layout import Table, find_tables
from etl.tally.read import Book, TallyReadError, read_book

__all__ = ["Analysis", "TallyReadError", "analyze", "extract_tally_file"]

TALLY_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


@dataclass
class Analysis:
    """Everything one tally yields, with the structure found in it."""

    extracted: ExtractedFile
    book: Book | None = None
    tables: list[Table] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # 'read', 'check': where the time went

    @property
    def facts(self) -> list[Fact]:
        return self.extracted.facts

    @property
    def problems(self) -> list[Problem]:
        return self.extracted.problems


FAST_MIN_ROWS = 5000  # a sheet this long takes the columnar path (etl/tally/fast.py) unless told otherwise


def analyze(data: bytes, name: str, *, mapping: dict[str, dict[str, str]] | None = None,
            engine: str | None = None, path: str | None = None, fast: bool | None = None) -> Analysis:
    """Read, lay out, build facts and run the file checks. Never raises for bad input: problems say why.

    `fast`: the columnar path (same facts and problems, facts kept as columns until asked for);
    None takes it when a sheet has FAST_MIN_ROWS rows or more.
    """
    from etl.model import bulk

    with bulk():
        return _analyze(data, name, mapping=mapping, engine=engine, path=path, fast=fast)


def _analyze(data: bytes, name: str, *, mapping: dict[str, dict[str, str]] | None,
             engine: str | None, path: str | None, fast: bool | None) -> Analysis:
    from etl.model import ColumnarFile, FactColumns
    from etl.tally.facts import build
    from etl.tally.validate import check_file

    started = time.perf_counter()
    sha = hashlib.sha256(data).hexdigest()
    ef = ColumnarFile(path=path or name, name=name, sha256=sha, data=data, kind="tally")
    try:
        book = read_book(data, name, engine=engine)
    except TallyReadError as exc:
        ef.problems.append(Problem("error", exc.message, name, code=exc.code))
        return Analysis(ef)
    read = time.perf_counter()
    if fast is None:
        fast = any(len(g.rows) >= FAST_MIN_ROWS for g in book.grids)
    ef.encoding = book.encoding
    tables: list[Table] = []
    facts: list[Fact] = []
    parts: list[FactColumns] = []
    for grid in book.grids:
        doc_id = f"{sha[:16]}:{grid.index}"
        sheet_tables = find_tables(grid, mapping, quick=fast)
        for t in sheet_tables:
            if fast:
                from etl.tally.fast import build_columns

                columns, problems = build_columns(t, doc=name, doc_id=doc_id)
                parts.append(columns)
                ef.problems += problems
                continue
            built = build(t, doc=name, doc_id=doc_id)
            facts += built.facts
            ef.problems += built.problems
        if sheet_tables:
            t0 = sheet_tables[0]
            ef.documents.append(Document(doc_id=doc_id, file_sha=sha, file_name=name, segment=grid.index, start=0,
                                         end=0, title=t0.title or grid.name, region=t0.region, year=t0.year,
                                         period=t0.period))
        tables += sheet_tables
    if not tables:
        ef.problems.append(Problem("error", "文件中没有找到统计表：没有一行表头包含“地区”“年度”"
                                   "或指标名称（如“会员人数”）。"
                                   "请使用模板（数据上传页可下载）或检查表头。", name, code="no_table"))
    if fast:
        from etl.tally.fast import check_columns

        kept_columns, problems = check_columns(FactColumns.concat(parts))
        ef.set_columns(kept_columns)
    else:
        ef.facts, problems = check_file(facts)
    ef.problems += problems
    return Analysis(ef, book, tables, {"read": read - started, "check": time.perf_counter() - read})


def extract_tally_file(path: str | Path, *, mapping: dict[str, dict[str, str]] | None = None,
                       engine: str | None = None, fast: bool | None = None) -> ExtractedFile:
    """One tally file → ExtractedFile (kind 'tally'); facts carry their cell as `source`."""
    p = Path(path)
    return analyze(p.read_bytes(), p.name, mapping=mapping, engine=engine, path=str(p), fast=fast).extracted
