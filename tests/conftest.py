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
def empty_db(tmp_path: Path) -> Path:
    """Path of a fresh DuckDB file with the schema and catalog, on disk: no federation, no directory."""
    from etl.db import connect

    path = tmp_path / "union.duckdb"
    with connect(path):
        pass
    return path


@pytest.fixture
def tmp_db(empty_db: Path) -> Path:
    """A fresh database set up as the sample federation 青禾区总工会 (its directory, no data yet):
    loads naming its towns resolve, other names need a person's choice."""
    from scripts.sample_db import set_up

    set_up(empty_db)
    return empty_db


@pytest.fixture
def book(tmp_db: Path) -> Path:
    """tmp_db with three accounts (password people.BOOK_PASSWORD): 王主任 (管理), 李红 (填报: 城关街道, which has
    a community 城关社区 below it, so a scope's "and below" has something to find), 赵六 (查看)."""
    from people import BOOK_PASSWORD

    from etl import accounts, db
    from etl.audit import Actor

    cli = Actor("测试", "cli")
    with db.transaction(tmp_db) as con:
        street = con.execute("SELECT id FROM regions WHERE name = '城关街道'").fetchone()[0]
        con.execute("INSERT INTO regions (name, level, parent_id) VALUES ('城关社区', '村社区', ?)", [street])
        accounts.add_user(con, cli, "王主任", "管理", BOOK_PASSWORD)
        accounts.add_user(con, cli, "李红", "填报", BOOK_PASSWORD, ["城关街道"])
        accounts.add_user(con, cli, "赵六", "view", BOOK_PASSWORD)
    return tmp_db


@pytest.fixture
def renamed_db(empty_db: Path) -> Path:
    """The sample federation with a directory that records renames and merges (tests/fixtures/
    directory_renamed_towns.csv: 柳塘镇 + 桃源镇 → 桃塘镇 after 2021, 云溪乡 → 云溪镇 after 2022), no data yet."""
    from etl import directory, directory_sources
    from scripts.sample_db import FEDERATION, SINCE

    entries = directory_sources.read_csv((ROOT / "tests" / "fixtures" / "directory_renamed_towns.csv").read_bytes())
    directory.setup(empty_db, name=FEDERATION, area="青禾区", entries=entries, since=SINCE, user="测试")
    return empty_db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample data as `make sample-db` builds it (scripts/sample_db.py): the federation 青禾区总工会
    and its directory, then data/samples with every figure confirmed by "示例数据".

    Tests that change data must copy it first (see `sample_db_copy`).
    """
    from scripts.sample_db import build

    path = tmp_path_factory.mktemp("sample") / "union.duckdb"
    build(path, path.parent / "archive")
    return path


@pytest.fixture
def sample_db_copy(sample_db: Path, tmp_path: Path) -> Path:
    """A private copy of the sample database that a test may change."""
    dst = tmp_path / "union.duckdb"
    shutil.copy(sample_db, dst)
    return dst


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright, one per test module (tests/chromium.py has the flags)."""
    from chromium import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
