"""Readers never wait for a writer when they have something to show (dashboard/cache.py, snapshot.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dashboard import cache, db, snapshot
from etl.db import DatabaseBusy
from etl.settings import Settings

HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
con.execute("INSERT INTO batches (kind, note) VALUES ('report', 'a writer at work')")
con.execute("UPDATE facts SET value = value + 1000000 WHERE metric = 'members_total'")
print("holding", flush=True)
sys.stdin.readline()
con.close()
"""


@pytest.fixture
def app_db(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "union.duckdb"
    shutil.copy(sample_db, path)
    monkeypatch.setattr(db, "_settings", Settings(db=path))  # what app.py hands over on each run
    cache.clear()
    return path


def _members(path: Path) -> float:
    regions = cache.get("regions")
    top = [int(i) for i in regions.loc[regions["depth"] == 0, "id"]]
    df = cache.get("trend", ["members_total"], top, 2019, 2024, ["FY"])
    return float(df["value"].sum())


def test_while_another_process_writes_the_page_shows_the_last_answer_at_once(app_db: Path) -> None:
    before = _members(app_db)
    sources = cache.get("sources", 1, "members_total", 2024, "FY")  # a question read from the file itself
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(app_db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        assert db.version() != snapshot_versions(app_db)[-1]  # the file changed under the lock
        started = time.monotonic()
        assert _members(app_db) == before  # the previous answer, not a 20-second wait
        assert cache.get("sources", 1, "members_total", 2024, "FY").equals(sources)
        assert time.monotonic() - started < 3
    finally:
        holder.communicate("done\n", timeout=30)
    time.sleep(snapshot.BUSY_RETRY)  # a busy file is tried again after this long
    assert _members(app_db) > before + 1_000_000  # released: the writer's change shows on the next run


def test_a_question_never_answered_waits_then_says_who_is_busy(app_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(db, "_settings", replace(db.settings(), read_wait=0.5))
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(app_db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseBusy, match="进程"):
            cache.get("sources", 2, "members_new", 2020, "H1")
    finally:
        holder.communicate("done\n", timeout=30)


def snapshot_versions(path: Path) -> list[tuple]:
    return [k for k in snapshot._snapshots if k[0] == str(path)]
