"""Pre-aggregated cells, rebuilt in memory once per database version.

Picking one value per cell (region × metric × year × period) means grouping
every countable fact; at 10 million facts that alone takes 0.4–0.7 s, far over
the 200 ms a page may spend. So the first query after a data change copies the
countable facts out of the file into an in-memory DuckDB (one short read-only
ATTACH, then DETACH: the file is not held afterwards and an ingest is never
blocked), picks the cell values, and adds per-parent roll-ups. Pages then query
these small tables; each query gets its own cursor (threads never share one).

Completeness is decided here, once (etl/reporting.py says the rule in words):
`expected` holds, for each parent and year, the children due to report to it
(their level reports to the parent's, lexicon/directory.toml; they exist that
year); `rollup` sums only those children's figures, leaving out units marked
不适用 (`exempt`), with how many reported; `due` counts how many were due.
Renames and merges: `lineage` maps every region to what it became, and the
view `own` is each region's own figures plus, for the years before it existed,
its predecessors' (summed for a merge, with `via` naming them and `n_parts` of
`m_parts` reported), so a renamed or merged town keeps one line.

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
from etl.reporting import reporting_levels
from etl.vocab import REVIEW_CONFIDENCE, counted_sql, excluded_reason_sql, unconfirmed_sql

REL_CONFLICT = 0.005  # sources differing by more than 0.5% disagree

# Which facts count (vocab.counted_sql) and why the others do not (vocab.excluded_reason_sql) are
# the project's one rule, written into these statements once.
_BUILD = f"""
CREATE TABLE regions AS SELECT id, name, level, parent_id, first_year, last_year, successor_id FROM src.regions;
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
CREATE TABLE exempt AS  -- 不适用 marks in force (metric or period NULL: every one)
    SELECT region_id, metric, year, period FROM src.reporting_exemptions WHERE revoked_at IS NULL;
CREATE TABLE expected AS  -- (parent_id, region_id, year): the children due to report to their parent that year
    WITH rl AS (SELECT unnest($rl_parent::VARCHAR[]) AS parent_level, unnest($rl_child::VARCHAR[]) AS child_level),
    yrs AS (SELECT DISTINCT year FROM cells)
    SELECT r.parent_id, r.id AS region_id, y.year
    FROM regions r JOIN regions p ON p.id = r.parent_id
    JOIN rl ON rl.parent_level = p.level AND rl.child_level = r.level
    JOIN yrs y ON y.year BETWEEN coalesce(r.first_year, 0) AND coalesce(r.last_year, 9999);
CREATE TABLE due AS  -- how many children each parent waits for in a year (exemptions are per metric: see queries)
    SELECT parent_id, year, count(*) AS n_expected FROM expected GROUP BY ALL;
CREATE TABLE rollup AS  -- the sum of the children that reported, of those due (rates are never added)
    SELECT e.parent_id, c.metric, c.year, c.period, sum(c.value) AS value,
           CASE WHEN bool_or(c.approx IS NOT NULL) THEN 'about' END AS approx,
           bool_or(c.conflict) AS conflict, count(*) AS n_children
    FROM cells c JOIN expected e ON e.region_id = c.region_id AND e.year = c.year JOIN metrics m ON m.code = c.metric
    WHERE m.unit <> '%' AND NOT EXISTS (
        SELECT 1 FROM exempt x WHERE x.region_id = c.region_id AND x.year = c.year
          AND coalesce(x.metric, c.metric) = c.metric AND coalesce(x.period, c.period) = c.period)
    GROUP BY ALL;
CREATE TABLE lineage AS  -- every region and the region it became (itself when never renamed or merged)
    WITH RECURSIVE chain(region_id, current_id, depth) AS (
        SELECT id, id, 0 FROM regions
        UNION ALL
        SELECT c.region_id, r.successor_id, c.depth + 1 FROM chain c JOIN regions r ON r.id = c.current_id
        WHERE r.successor_id IS NOT NULL AND c.depth < 16
    )
    SELECT region_id, arg_max(current_id, depth) AS current_id FROM chain GROUP BY region_id;
CREATE TABLE history AS  -- predecessors' figures under the region they became, for years it has none of its own
    WITH preds AS (
        SELECT l.current_id, y.year, count(*) AS m_parts
        FROM lineage l JOIN regions r ON r.id = l.region_id CROSS JOIN (SELECT DISTINCT year FROM cells) y
        WHERE l.region_id <> l.current_id AND y.year BETWEEN coalesce(r.first_year, 0) AND coalesce(r.last_year, 9999)
        GROUP BY ALL
    )
    SELECT l.current_id AS region_id, c.metric, c.year, c.period,
           CASE WHEN any_value(m.unit) = '%' AND count(*) > 1 THEN NULL ELSE sum(c.value) END AS value,
           CASE WHEN count(*) = 1 THEN any_value(c.approx) WHEN bool_or(c.approx IS NOT NULL) THEN 'about' END
               AS approx,
           bool_or(c.conflict) AS conflict, sum(c.n_sources)::BIGINT AS n_sources,
           string_agg(r.name, '、' ORDER BY r.name) AS via, count(*) AS n_parts,
           greatest(any_value(coalesce(p.m_parts, 0)), count(*)) AS m_parts
    FROM cells c JOIN lineage l ON l.region_id = c.region_id AND l.region_id <> l.current_id
    JOIN regions r ON r.id = c.region_id JOIN metrics m ON m.code = c.metric
    LEFT JOIN preds p ON p.current_id = l.current_id AND p.year = c.year
    WHERE NOT EXISTS (SELECT 1 FROM cells o WHERE o.region_id = l.current_id AND o.metric = c.metric
                      AND o.year = c.year AND o.period = c.period)
    GROUP BY l.current_id, c.metric, c.year, c.period;
CREATE VIEW own AS  -- each region's figures as a line: its own, then its predecessors' before it existed
    SELECT region_id, metric, year, period, value, approx, conflict, n_sources, NULL::VARCHAR AS via,
           1::BIGINT AS n_parts, 1::BIGINT AS m_parts FROM cells
    UNION ALL
    SELECT region_id, metric, year, period, value, approx, conflict, n_sources, via, n_parts, m_parts FROM history;
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
    from etl.db import DatabaseBusy, _is_busy, retry_while_busy

    if not path.exists():
        raise FileNotFoundError(f"数据库文件不存在：{path}。请先运行 python -m etl ingest 或 make sample-db。")
    try:
        retry_while_busy(lambda: con.execute("ATTACH ? AS src (READ_ONLY)", [str(path)]), wait)
    except duckdb.Error as exc:
        if not _is_busy(exc):
            raise
        raise DatabaseBusy(f"数据库 {path} 正在被另一个程序写入，等待 {wait:.0f} 秒后仍未完成。请稍后刷新页面。"
                           ) from exc


def build(path: Path | str, wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory snapshot of the countable cells of the database at `path`."""
    from etl.db import damage_told, gated

    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    with gated(path, read_only=True, wait=db.patience() if wait is None else wait) as left, damage_told(path):
        _attach(con, Path(path), left)
        try:
            pairs = reporting_levels()
            for stmt in filter(str.strip, _BUILD.split(";")):
                given = {"rel": REL_CONFLICT, "min_conf": REVIEW_CONFIDENCE,
                         "rl_parent": [p for p, _ in pairs], "rl_child": [c for _, c in pairs]}
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
