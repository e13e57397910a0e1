"""The columnar path (etl/tally/fast.py) gives exactly what the row path gives: facts, problems, order.

Every workbook is analysed twice, `fast=False` (cell by cell, the reference)
and `fast=True`, and everything the user or the loader sees is compared:
facts (value, cell, evidence, flags), problems (message, cell, order), the
rows the layout found, and finally the database rows after loading.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tally_books import GOOD, medium_book, xlsx
from test_tally_validate import HEAD, ROW_CASES

from etl.db import connect
from etl.load import load_files
from etl.model import ColumnarFile
from etl.tally import analyze

CASES = {**GOOD, "medium_2000_rows": medium_book}
CASES.update({f"row_check_{c[0]}": (lambda row=c[1]: ("t.xlsx", xlsx({"Sheet1": {"rows": [HEAD, row]}})))
              for c in ROW_CASES})


def both(name: str, data: bytes, engine: str | None = None):
    return (analyze(data, name, engine=engine, fast=False), analyze(data, name, engine=engine, fast=True))


def assert_same(slow, fast) -> None:
    assert [p for p in fast.problems] == [p for p in slow.problems]
    assert len(fast.facts) == len(slow.facts)
    for a, b in zip(slow.facts, fast.facts, strict=True):
        assert b == a
    assert [[(r.index, r.kind, r.region) for r in t.rows] for t in fast.tables] == \
        [[(r.index, r.kind, r.region) for r in t.rows] for t in slow.tables]


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_fast_path_equals_row_path(case: str, engine: str) -> None:
    name, data = CASES[case]()
    if engine == "openpyxl" and name.endswith(".csv"):
        engine = None
    slow, fast = both(name, data, engine)
    assert_same(slow, fast)


def test_medium_workbook_has_every_kind_of_problem() -> None:
    """The workbook above really exercises the checks (else the equality test would prove little)."""
    name, data = medium_book()
    slow, fast = both(name, data, "calamine")
    codes = {p.code for p in fast.problems}
    assert codes >= {"not_a_number", "negative_value", "rate_out_of_range", "fractional_count", "pair_order",
                     "bad_year", "bad_period", "missing_region", "year_range", "duplicate_row", "duplicate_conflict",
                     "total_mismatch", "jump"}, codes
    assert any(f.flags == ("placeholder_region",) for f in fast.facts)
    assert any(f.value == 1234 and f.source == "汇总!D6" for f in fast.facts)
    assert any(f.value == 32000 and f.metric == "members_total" for f in fast.facts)
    assert len(fast.facts) > 11_000
    assert_same(slow, fast)


def test_facts_stay_columns_until_asked_for() -> None:
    name, data = medium_book()
    ef = analyze(data, name, engine="calamine", fast=True).extracted
    assert isinstance(ef, ColumnarFile) and ef._fact_list is None
    assert ef.fact_count == ef.fact_table.num_rows
    first = ef.facts[0]
    assert ef._columns is None  # the list was handed out: from now on it is the truth
    ef.facts = ef.facts[1:]
    assert ef.fact_count == len(ef.facts) and ef.facts[0] != first


def test_loading_either_path_writes_the_same_rows(tmp_path: Path) -> None:
    """The loader takes the Arrow table (fast) or the Fact list (slow): same rows, regions and aliases."""
    name, data = medium_book()
    slow, fast = both(name, data, "calamine")
    got = []
    for how, a in (("slow", slow), ("fast", fast)):
        db = tmp_path / f"{how}.duckdb"
        with connect(db):
            pass
        if how == "fast":
            assert a.extracted._fact_list is None
        s = load_files(db, [a.extracted], archive_dir=tmp_path / how, accept_partial=True)
        assert s.loaded == 1
        with connect(db, read_only=True) as con:
            got.append((
                con.execute("SELECT * EXCLUDE (id, created_at) FROM facts ORDER BY id").fetchall(),
                con.execute("SELECT * FROM regions ORDER BY id").fetchall(),
                con.execute("SELECT * FROM region_aliases ORDER BY alias").fetchall(),
                (s.facts, s.flagged)))
    assert got[0][0] and got[1] == got[0]


def test_bad_big_file_is_refused_whole(tmp_path: Path) -> None:
    """Errors found on the fast path block the load just as on the row path; nothing is written."""
    name, data = medium_book()
    fast = analyze(data, name, engine="calamine", fast=True)
    db = tmp_path / "u.duckdb"
    with connect(db):
        pass
    s = load_files(db, [fast.extracted], archive_dir=tmp_path / "a")
    assert s.batch_id is None and s.errors == 1 and "处错误" in s.files[0].reason
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
