"""Shared fixtures: paths, an empty on-disk database, the sample database.

Accounts: tests/people.py makes them in a test's own database and signs AppTests in; nothing
waits for a person. AppTest runs without a server address, so the tests view without signing in
as `make run` on this machine does (UNION_VIEW_WITHOUT_SIGN_IN); tests of the network case unset it.
A page's error shows in full (UNION_SHOW_ERROR_DETAILS), so a test sees it as AppTest's exception.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("UNION_VIEW_WITHOUT_SIGN_IN", "1")
os.environ.setdefault("UNION_SHOW_ERROR_DETAILS", "1")  # a broken page shows its exception (at.exception)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

@pytest.fixture
def shared_dir() -> Path:
    """../shared (seeds, gold sets, scorer); skips the test when absent."""
    if not (SHARED / "eval" / "metrics.csv").exists():
        pytest.skip("../shared is not beside the project (seeds and gold sets unavailable)")
    return SHARED


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    """Path of a fresh DuckDB file with the schema and catalog, on disk."""
    from etl.db import connect

    path = tmp_path / "union.duckdb"
    with connect(path):
        pass
    return path


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample data (data/samples) ingested once into a temp database, as `make sample-db`
    does it: every figure confirmed by "示例数据" (the demo's figures are known to be right).

    Tests that change data must copy it first (see `sample_db_copy`).
    """
    from etl.pipeline import ingest_paths

    path = tmp_path_factory.mktemp("sample") / "union.duckdb"
    archive = path.parent / "archive"
    ingest_paths([ROOT / "data" / "samples"], db_path=path, archive_dir=archive, user="示例数据",
                 confirmed_by="示例数据")
    return path


@pytest.fixture
def sample_db_copy(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy of the sample database that a test may change."""
    dst = tmp_path / "union.duckdb"
    shutil.copy(sample_db, dst)
    return dst
