"""Pre-aggregated cells, rebuilt in memory once per database version.

Picking one value per cell (region × metric × year × period) means grouping
every countable fact; at 10 million facts that alone takes 0.4–0.7 s, far over
the 200 ms a page may spend. So the first query after a data change copies the
countable facts out of the file into an in-memory DuckDB (one short read-only
ATTACH, then DETACH: the file is not held afterwards and an ingest is never
blocked), picks the cell values, and adds per-parent roll-ups. Pages then query
these small tables; each query gets its own cursor (threads never share one).
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

_lock = threading.Lock()
_snapshots: dict[tuple, duckdb.DuckDBPyConnection] = {}
KEEP = 2  # versions kept: the current one and the one a slow reader may still be using


def _attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """ATTACH read-only, retrying while a writer holds the file (as etl.db.open_db does)."""
    if not path.exists():
        raise FileNotFoundError(f"数据库文件不存在：{path}。请先运行 python -m etl ingest 或 make sample-db。")
    deadline = time.monotonic() + db.settings().read_wait
    delay = 0.02
    while True:
        try:
            con.execute("ATTACH ? AS src (READ_ONLY)", [str(path)])
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def build(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory snapshot of the countable cells of the database at `path`."""
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    _attach(con, Path(path))
    try:
        for stmt in filter(str.strip, _BUILD.split(";")):
            given = {"rel": REL_CONFLICT, "min_conf": REVIEW_CONFIDENCE}
            params = {k: v for k, v in given.items() if f"${k}" in stmt}
            con.execute(stmt, params)
    finally:
        con.execute("DETACH src")
    return con


def cursor(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on the snapshot of the current data version (built on first use)."""
    key = db.version(path)
    with _lock:
        con = _snapshots.get(key)
        if con is None:
            con = build(key[0])
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
