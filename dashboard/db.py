"""Read-only access for the dashboard: one short connection per query, and the app's settings.

The app must never hold the DuckDB file while a command-line ingest wants to
write it (DuckDB locks per process, read-only included), so every query opens,
reads and closes. etl.db.connect already retries briefly on lock errors.

app.py reads the settings (etl/settings.py) once at the start of each run and
hands them here (`use`); pages and queries take the database, the archive and
the waits from `settings()`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.db import connect, db_version
from etl.settings import Settings
from etl.settings import load as load_settings

_settings: Settings | None = None


def use(settings: Settings) -> None:
    """The settings for this run of the app (app.py calls this first, every run)."""
    global _settings
    _settings = settings


def settings() -> Settings:
    """The settings app.py handed over; read once here when the app did not (a script, a test)."""
    if _settings is None:
        use(load_settings())
    return _settings  # type: ignore[return-value]


def db_path() -> Path:
    return settings().db


def archive_path() -> Path:
    """Where uploads are archived: the same folder the command line uses (settings.archive_dir)."""
    return settings().archive_dir


@contextlib.contextmanager
def reader(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection for one unit of work, closed at once; waits settings.read_wait for a writer."""
    with connect(path or db_path(), read_only=True, wait=settings().read_wait) as con:
        yield con


def query_df(sql: str, params: Sequence[Any] | dict[str, Any] | None = None,
             path: Path | str | None = None) -> pd.DataFrame:
    """Run one parametrised query and return a DataFrame (connection closed before returning)."""
    with reader(path) as con:
        return con.execute(sql, params or []).df()


_memo: dict[str, tuple[float, tuple]] = {}
_memo_lock = threading.Lock()
VERSION_TTL = 1.0  # seconds a computed version is reused (one page run asks several times)


def forget() -> None:
    """Drop remembered versions (after this process wrote, so the next read sees it at once)."""
    with _memo_lock:
        _memo.clear()


def version(path: Path | str | None = None) -> tuple:
    """Cache key that changes whenever the data does (reused for VERSION_TTL seconds).

    etl.db.db_version sees new batches and facts; the file's mtime and size
    (and its WAL's) also catch in-place changes such as a review rejecting a fact.
    """
    key = str(path or db_path())
    with _memo_lock:
        hit = _memo.get(key)
    if hit and time.monotonic() - hit[0] < VERSION_TTL:
        return hit[1]
    v = _version(Path(key))
    with _memo_lock:
        _memo[key] = (time.monotonic(), v)
    return v


def _version(p: Path) -> tuple:
    stamps = []
    for f in (p, Path(str(p) + ".wal")):
        try:
            st = f.stat()
            stamps.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamps.append(None)
    with reader(p) as con:
        return (str(p), db_version(con), *stamps)
