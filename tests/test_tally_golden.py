"""The tally reader against its golden files (tests/golden/tallies, written by tests/golden_tallies.py).

Every test workbook, with every reader that opens it, must give exactly the
frozen tables, documents, problems and facts. An intended change is made by
rewriting the files (`python tests/golden_tallies.py --write`) and reading
the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_tallies import DB_CHECKS, cases, db_checks, engines, load, run_case

from etl.tally.rules import position

CASES = cases()
PARAMS = [(name, engine) for name, case in CASES.items() for engine in engines(case()[0])]


@pytest.mark.parametrize(("case", "engine"), PARAMS, ids=[f"{c}-{e}" for c, e in PARAMS])
def test_tally_output_equals_golden(case: str, engine: str | None) -> None:
    analysis, got = run_case(CASES[case], engine)
    want = load(case)[str(engine)]
    for key in want:
        assert got[key] == want[key], key
    sheets = [g.name for g in analysis.book.grids] if analysis.book else []
    order = [position(p.where, sheets) for p in analysis.problems]
    assert order == sorted(order), "problems come in sheet, row, column order"


def test_database_checks_equal_golden(tmp_path: Path) -> None:
    assert db_checks(tmp_path) == json.loads(DB_CHECKS.read_text(encoding="utf-8"))
