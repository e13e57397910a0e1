"""Read-only access for the dashboard: one short connection per query, never held; and the app's settings.

The app must never hold the DuckDB file while a command-line ingest wants to
write it (DuckDB locks per process, read-only included), so every query opens,
reads and closes, through this process's gate (etl/gate.py) so that a write
from another page never meets it. How long a read waits for a writer is
`patience()`: the full settings.read_wait when there is nothing else to show,
a moment when the cache holds an earlier answer (dashboard/cache.py shows
that instead of making the reader wait for the writer).

app.py reads the settings (etl/settings.py) once at the start of each run and
hands them here (`use`); pages and queries take the database, the archive and
the waits from `settings()`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl import limits
from etl.db import connect
from etl.settings import Settings
from etl.settings import load as load_settings

# How long a read waits when an earlier answer can be shown instead.
SHORT_WAIT_SECONDS = 0.3

_settings: Settings | None = None
_patience: contextvars.ContextVar[float | None] = contextvars.ContextVar("read_patience", default=None)


def use(settings: Settings) -> None:
    """The settings for this run of the app (app.py calls this first, every run); file limits follow them."""
    global _settings
    _settings = settings
    limits.configure(settings)


def settings() -> Settings:
    """The settings app.py handed over; read once here when the app did not (a script, a test)."""
    if _settings is None:
        use(load_settings())
    return _settings  # type: ignore[return-value]


def patience() -> float:
    """Seconds a read may wait for a writer right now."""
    value = _patience.get()
    return settings().read_wait if value is None else value


@contextlib.contextmanager
def impatient(seconds: float = SHORT_WAIT_SECONDS) -> Iterator[None]:
    """Reads inside wait at most `seconds` for a writer (the caller has something to show meanwhile)."""
    token = _patience.set(seconds)
    try:
        yield
    finally:
        _patience.reset(token)


def db_path() -> Path:
    return settings().db


def archive_path() -> Path:
    """Where uploads are archived: the same folder the command line uses (settings.archive_dir)."""
    return settings().archive_dir


@contextlib.contextmanager
def reader(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one unit of work, closed at once; waits `patience()` for a writer."""
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
