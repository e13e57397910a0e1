"""Pre-aggregated cells, rebuilt in memory once per database version.

Picking one value per cell (region × metric × year × period) means grouping
every countable fact; at 10 million facts that alone takes 0.4–0.7 s, far over
the 200 ms a page may spend. So the first query after a data change copies the
countable facts out of the file into an in-memory DuckDB (one short read-only
ATTACH, then DETACH: the file is not held afterwards and an ingest is never
blocked), picks the cell values, and adds per-parent roll-ups. Pages then query
these small tables; each query gets its own cursor (threads never share one).

While another process is writing the file, a new snapshot cannot be built;
the previous one is used instead (queries raise `Stale` carrying the answer,
so dashboard/cache.py shows it without keeping it as the answer for the new
version), and the page never waits for the writer.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb

from dashboard import db
from etl.vocab import REVIEW_CONFIDENCE, counted_sql, excluded_reason_sql, unconfirmed_sql

REL_CONFLICT = 0.005  # sources differing by more than 0.5% disagree

# Which facts count (vocab.counted_sql) and why the others do not (vocab.excluded_reason_sql) are
# the project's one rule, written into these statements once.
_BUILD = f"""
CREATE TABLE regions AS SELECT id, name, level, parent_id FROM src.regions;
CREATE TABLE metrics AS SELECT code, category, name_zh, unit, kind FROM src.metrics;
CREATE TABLE cells AS
    SELECT region_id, metric, year, period,
           arg_max(value, confidence * 1e12 + id) AS value,
           arg_max(approx, confidence * 1e12 + id) AS approx,  -- 'about' | 'at_least' | 'at_most' | NULL
           max(value) - min(value) > $rel * abs(max(value)) AS conflict,
           count(*) AS n_sources
    FROM src.facts f
    WHERE {counted_sql("f", "src.batches")}
    GROUP BY ALL
    ORDER BY metric, period, year;  -- sorted so that filters on metric and year skip whole row groups
CREATE TABLE conflict_ids AS
    WITH cc AS (SELECT region_id, metric, year, period FROM cells WHERE conflict)
    SELECT f.id FROM src.facts f JOIN cc USING (region_id, metric, year, period)
    WHERE {counted_sql("f", "src.batches")};
CREATE TABLE excluded AS  -- active facts the charts leave out, by metric, year (may be NULL) and reason
    SELECT metric, year, {excluded_reason_sql()} AS reason, count(*) AS n
    FROM src.facts
    WHERE status = 'active' AND batch_id IN (SELECT id FROM src.batches WHERE status = 'loaded')
      AND {excluded_reason_sql()} IS NOT NULL
    GROUP BY ALL;
CREATE TABLE review_ids AS  -- what the review page lists: low confidence, flags, conflicts, whatever is not counted
    SELECT id, confidence, id IN (SELECT id FROM conflict_ids) AS conflict FROM src.facts
    WHERE status = 'active' AND reviewed_by IS NULL
      AND batch_id IN (SELECT id FROM src.batches WHERE status = 'loaded')
      AND (confidence < $min_conf OR len(coalesce(flags, []::VARCHAR[])) > 0
           OR id IN (SELECT id FROM conflict_ids) OR {excluded_reason_sql()} IS NOT NULL OR {unconfirmed_sql()});
CREATE TABLE rollup AS
    SELECT r.parent_id, c.metric, c.year, c.period, sum(c.value) AS value,
           CASE WHEN bool_or(c.approx IS NOT NULL) THEN 'about' END AS approx,
           bool_or(c.conflict) AS conflict, count(*) AS n_children
    FROM cells c JOIN regions r ON r.id = c.region_id JOIN metrics m ON m.code = c.metric
    WHERE r.parent_id IS NOT NULL AND m.unit <> '%'
    GROUP BY ALL;
"""

_lock = threading.Lock()  # guards _snapshots
_build_lock = threading.Lock()  # one build at a time
_snapshots: dict[tuple, duckdb.DuckDBPyConnection] = {}
_retry_after: dict[str, float] = {}  # path -> when to try building again after finding it busy
KEEP = 2  # versions kept: the current one and the one a slow reader may still be using
BUSY_RETRY = 1.0  # seconds between build attempts while another process writes the file
_local = threading.local()


class Stale(Exception):
    """An answer computed from the snapshot of an earlier version: show it, do not cache it."""

    def __init__(self, value) -> None:
        super().__init__("stale")
        self.value = value


def reset_stale() -> None:
    """Start counting: did any snapshot query of this thread use an earlier version?"""
    _local.stale = False


def was_stale() -> bool:
    return getattr(_local, "stale", False)


def _attach(con: duckdb.DuckDBPyConnection, path: Path, wait: float) -> None:
    """ATTACH read-only, retrying while another process writes the file (as etl.db.open_db does)."""
    from etl.db import DatabaseBusy, _is_busy

    if not path.exists():
        raise FileNotFoundError(f"数据库文件不存在：{path}。请先运行 python -m etl ingest 或 make sample-db。")
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            con.execute("ATTACH ? AS src (READ_ONLY)", [str(path)])
            return
        except duckdb.Error as exc:
            if not _is_busy(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(f"数据库 {path} 正在被另一个程序写入，等待 {wait:.0f} 秒后仍未完成。请稍后刷新页面。"
                                   ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def build(path: Path | str, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory snapshot of the countable cells of the database at `path`."""
    from etl.db import gated

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    with gated(path, read_only=True, wait=db.patience() if wait is None else wait) as left:
        _attach(con, Path(path), left)
        try:
            for stmt in filter(str.strip, _BUILD.split(";")):
                given = {"rel": REL_CONFLICT, "min_conf": REVIEW_CONFIDENCE}
                params = {k: v for k, v in given.items() if f"${k}" in stmt}
                con.execute(stmt, params)
        finally:
            con.execute("DETACH src")
    return con


def cursor(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on the snapshot of the current data version (built on first use).

    When the file is being written by another process and an earlier snapshot
    of it exists, that one is used at once and the thread is marked stale.
    """
    from etl.db import DatabaseBusy

    key = db.version(path)
    with _lock:
        con = _snapshots.get(key)
        older = next((c for k, c in reversed(_snapshots.items()) if k[0] == key[0]), None)
    if con is not None:
        return con.cursor()
    if older is not None and time.monotonic() < _retry_after.get(key[0], 0.0):
        _local.stale = True
        return older.cursor()
    with _build_lock:
        with _lock:
            con = _snapshots.get(key)  # built by another thread while this one waited
        if con is None:
            try:
                con = build(key[0], wait=db.SHORT_WAIT_SECONDS if older is not None else None)
            except DatabaseBusy:
                if older is None:
                    raise
                _retry_after[key[0]] = time.monotonic() + BUSY_RETRY
                _local.stale = True
                return older.cursor()
            with _lock:
                _snapshots[key] = con
                while len(_snapshots) > KEEP:
                    _snapshots.pop(next(iter(_snapshots)))  # dropped, closed when its last cursor closes
    return con.cursor()


def query_df(sql: str, params: dict | None = None, path: Path | str | None = None):
    """Run one parametrised query on the snapshot and return a DataFrame."""
    cur = cursor(path)
    try:
        return cur.execute(sql, params or {}).df()
    finally:
        cur.close()
