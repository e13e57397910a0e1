"""The app reading and a command-line ingest writing the same DuckDB file at the same time: both succeed.

DuckDB locks the file per process (read-only included), so the dashboard
opens per query and closes at once, and retries briefly on a lock error; the
CLI (another process) retries too. Reader threads here use the same code path
as the pages (dashboard.queries → snapshot → dashboard.db).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dashboard import db, queries
from dashboard.synth import build_demo

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def read_loop(path: Path, stop: threading.Event, errors: list, reads: list) -> None:
    """What a busy dashboard does: every query opens, reads, closes; the version is re-read each time."""
    district = 1
    while not stop.is_set():
        try:
            db.forget()
            queries.trend(["members_total", "aid_amount"], [district], 2019, 2024, ["FY"], path=path)
            queries.by_region(["union_coverage_rate"], [district], 2024, 2024, ["FY"], path=path)
            queries.review_queue(path=path)
            reads.append(time.monotonic())
        except Exception as exc:  # any failure is what this test is about
            errors.append(repr(exc))
        time.sleep(0.01)


def test_app_reads_while_cli_ingests(tmp_path):
    path = tmp_path / "union.duckdb"
    build_demo(path)
    with duckdb.connect(str(path), read_only=True) as con:
        facts_before = con.execute("SELECT count(*) FROM facts").fetchone()[0]

    stop, errors, reads = threading.Event(), [], []
    threads = [threading.Thread(target=read_loop, args=(path, stop, errors, reads)) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    started = time.monotonic()
    cli = subprocess.run(
        [sys.executable, "-m", "etl", "--db", str(path), "ingest", str(ROOT / "data" / "samples" / "reports")],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    finished = time.monotonic()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    assert cli.returncode in (0, 1), cli.stdout + cli.stderr  # 1 = some files refused, still a loaded batch
    assert "已导入批次" in cli.stdout, cli.stdout + cli.stderr
    assert not errors, errors[:3]
    assert finished - started < 60, "the ingest was held up by the readers"
    assert any(r > started for r in reads) and any(r > finished for r in reads), "readers kept reading"
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] > facts_before
    # The app sees the new batch at once (new version → new snapshot).
    db.forget()
    review = queries.review_queue(limit=100_000, path=path)
    assert (review["region"] == "xx镇").sum() > 1  # the sample template's facts arrived
