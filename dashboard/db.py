"""Read-only access for the dashboard: one short connection per query, never held.

The app must never hold the DuckDB file while a command-line ingest wants to
write it (DuckDB locks per process, read-only included), so every query opens,
reads and closes, through this process's gate (etl/gate.py) so that a write
from another page never meets it. How long a read waits for a writer is
`patience()`: the full READ_WAIT_SECONDS when there is nothing else to show,
a moment when the cache holds an earlier answer (dashboard/cache.py shows
that instead of making the reader wait for the writer).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.db import connect

# How long a page waits for a writer (an ingest) before it shows "busy".
READ_WAIT_SECONDS = float(os.environ.get("UNION_DB_READ_WAIT", "20"))
# How long it waits when an earlier answer can be shown instead.
SHORT_WAIT_SECONDS = 0.3

_patience: contextvars.ContextVar[float | None] = contextvars.ContextVar("read_patience", default=None)


def patience() -> float:
    """Seconds a read may wait for a writer right now."""
    value = _patience.get()
    return READ_WAIT_SECONDS if value is None else value


@contextlib.contextmanager
def impatient(seconds: float = SHORT_WAIT_SECONDS) -> Iterator[None]:
    """Reads inside wait at most `seconds` for a writer (the caller has something to show meanwhile)."""
    token = _patience.set(seconds)
    try:
        yield
    finally:
        _patience.reset(token)


def db_path() -> Path:
    """The database the app reads: env UNION_DB, read at call time (tests switch it)."""
    return Path(os.environ.get("UNION_DB", "data/union.duckdb"))


def archive_path() -> Path:
    """Where uploads are archived: env UNION_ARCHIVE, read at call time like db_path()."""
    return Path(os.environ.get("UNION_ARCHIVE", "data/archive"))


@contextlib.contextmanager
def reader(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one unit of work, closed at once."""
    with connect(path or db_path(), read_only=True, wait=patience()) as con:
        yield con


def query_df(sql: str, params: Sequence[Any] | dict[str, Any] | None = None,
             path: Path | str | None = None) -> pd.DataFrame:
    """Run one parametrised query and return a DataFrame (connection closed before returning)."""
    with reader(path) as con:
        return con.execute(sql, params or []).df()


def forget() -> None:
    """Kept for callers that used to clear a remembered version: versions are no longer remembered."""


def version(path: Path | str | None = None) -> tuple:
    """Cache key that changes whenever the data does, read from the file system alone.

    Every commit grows the write-ahead log or rewrites the file (a checkpoint),
    and a restore replaces it, so (mtime, size, inode) of the file and its WAL
    change with the data. No connection is opened: a page can tell whether
    its cached answers still hold even while another process is writing.
    """
    p = Path(path or db_path())
    stamps = []
    for f in (p, Path(str(p) + ".wal")):
        try:
            st = f.stat()
            stamps.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            stamps.append(None)
    return (str(p), *stamps)
