"""DuckDB schema and short-lived connections.

DuckDB locks the file per process: while one process has it open read-write,
every other open fails, read-only included (see ../shared/STACK_NOTES.md).
So nobody keeps a connection: each unit of work opens, works and closes, and
an open that meets a lock waits briefly and retries before it tells the user,
in Chinese, which process holds the file.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb

from etl import schema
from etl.errors import UnionError

LOCK_WAIT = 10.0  # seconds; the command line and the app pass etl.settings' lock_wait
T = TypeVar("T")


class DatabaseBusy(UnionError):
    """Another process holds the database file; the message says which, in Chinese."""


class DatabaseDamaged(UnionError):
    """The file is no DuckDB database, or a block of it fails its checksum: only a backup brings it back."""


# DuckDB's words for a file it cannot trust (a block whose checksum fails, a file that is not a database).
_NOT_A_DATABASE = "not a valid DuckDB database file"
_DAMAGED = re.compile(rf"Corrupt database file|checksum .* does not match|{_NOT_A_DATABASE}")


@contextlib.contextmanager
def damage_told(path: Path | str) -> Iterator[None]:
    """DuckDB's error for a damaged file at `path` becomes DatabaseDamaged, in Chinese, with the way back.

    Without it a person sees DuckDB's English (or a page's "something went wrong") and nothing about the
    last backup (python -m etl restore) and the archive of every uploaded file.
    """
    try:
        yield
    except duckdb.Error as exc:
        if not is_damage(exc):
            raise
        raise _damaged(path, _NOT_A_DATABASE in str(exc)) from exc  # DuckDB's words stay on the cause


def is_damage(exc: BaseException) -> bool:
    """True when DuckDB says the file itself is bad (not busy, not a wrong query)."""
    return isinstance(exc, duckdb.Error) and bool(_DAMAGED.search(str(exc)))


def _damaged(path: Path | str, not_a_database: bool) -> DatabaseDamaged:
    what = ("它不是本程序的数据库文件（可能指错了文件，或文件已损坏）。"
            "请先检查数据库设置（--db、UNION_DB 或 union.toml）；若它确是本会的数据库，"
            if not_a_database else "文件已损坏（有数据块校验不符）。")
    return DatabaseDamaged(
        f"无法使用数据库 {path}：{what}请管理员从最近的备份恢复：python -m etl restore 备份文件夹 --yes"
        "（备份默认在数据库所在文件夹的 backups 下；原数据库文件会改名保留，不删除任何文件）。"
        "上传过的原文件都在存档中，恢复后缺少的批次可以重新导入。", item=str(path), code="damaged")


def _holder(message: str) -> str:
    """Describe the process named in DuckDB's lock error, from /proc when we can."""
    m = re.search(r"PID (\d+)", message)
    if not m:
        return "另一个程序"
    pid = m.group(1)
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmd = ""
    return f"进程 {pid}" + (f"（{cmd[:120]}）" if cmd else "")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def _is_in_process_conflict(exc: Exception) -> bool:
    """This process already has the file open another way (read-only vs read-write, or ATTACHed)."""
    text = str(exc)
    return "different configuration" in text or "Unique file handle conflict" in text


def _is_busy(exc: Exception) -> bool:
    return _is_lock_error(exc) or _is_in_process_conflict(exc)


def _busy_message(path: Path, holder: str, wait: float) -> str:
    return (f"数据库 {path} 正被{holder}占用，等待 {wait:.0f} 秒后仍未释放。"
            "请等该操作完成（或关闭占用它的程序）后重试；已填写的内容不会丢失，刷新前可再点一次。")


def open_db(path: Path | str, read_only: bool = False,
            wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the database, retrying while another process (or this one, another way) holds it.

    A writer creates the file if missing and brings its schema up to date
    (etl/schema.py); a reader of a database from an earlier release first has a
    writer do that. Raises DatabaseBusy with a Chinese message naming the holder
    after `wait` seconds (default LOCK_WAIT; settings.lock_wait from the callers
    that read settings). Prefer `connect`, which also passes this process's gate
    (etl/gate.py) so its own readers and writers never collide.
    """
    path = Path(path)
    wait = LOCK_WAIT if wait is None else wait
    if read_only and not path.exists():
        raise FileNotFoundError(f"数据库文件不存在：{path}。请先运行 python -m etl ingest 或 make sample-db。")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only, wait)
    if not read_only:
        schema.migrate(con)
        sync_catalog(con)
    elif schema.version(con) < schema.LATEST:  # an older release's file: upgrade it once, then read
        con.close()
        open_db(path, read_only=False, wait=wait).close()
        con = _connect(path, read_only, wait)
    return con


def retry_while_busy(attempt: Callable[[], T], wait: float) -> T:
    """`attempt()`, tried again with a growing pause while the file is busy; after `wait` seconds its error stands."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            return attempt()
        except duckdb.Error as exc:
            if not _is_busy(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def _connect(path: Path, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    try:
        return retry_while_busy(lambda: duckdb.connect(str(path), read_only=read_only), wait)
    except duckdb.Error as exc:
        if not _is_busy(exc):
            raise
        holder = _holder(str(exc)) if _is_lock_error(exc) else f"本程序（进程 {os.getpid()}）中的另一个连接"
        raise DatabaseBusy(_busy_message(path, holder, wait)) from exc


@contextlib.contextmanager
def gated(path: Path | str, read_only: bool, wait: float | None = None, what: str = "") -> Iterator[float]:
    """Hold this process's gate for the file (shared to read, alone to write); yields the seconds left to wait."""
    from etl.gate import GateTimeout, gate

    wait = LOCK_WAIT if wait is None else wait
    started = time.monotonic()
    g = gate(path)
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(g.read(wait) if read_only else g.write(wait, what))
        except GateTimeout as exc:
            raise DatabaseBusy(_busy_message(Path(path), exc.holder, wait)) from exc
        yield max(0.0, wait - (time.monotonic() - started))


@contextlib.contextmanager
def connect(path: Path | str, read_only: bool = False,
            wait: float | None = None, what: str = "") -> Iterator[duckdb.DuckDBPyConnection]:
    """Short-lived connection for one unit of work; always closed.

    Passes the process's gate first, so a write from one page never meets a
    read from another (`what` names the write in messages, e.g. 审核更正).
    """
    with gated(path, read_only, wait, what) as left, damage_told(path):  # a bad block may show in any query
        con = open_db(path, read_only=read_only, wait=left)
        try:
            yield con
        finally:
            con.close()


@contextlib.contextmanager
def transaction(path: Path | str, wait: float | None = None,
                what: str = "") -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-write connection inside one transaction: all or nothing."""
    with connect(path, read_only=False, wait=wait, what=what) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")


def sync_catalog(con: duckdb.DuckDBPyConnection) -> None:
    """Make the metrics table equal etl/lexicon/metrics.csv (written only when they differ)."""
    from etl.catalog import load_catalog  # local import: catalog is data-only

    rows = [(m.code, m.category, m.name_zh, m.unit, m.kind, m.meaning) for m in load_catalog().values()]
    held = con.execute("SELECT code, category, name_zh, unit, kind, meaning FROM metrics").fetchall()
    if sorted(rows) == sorted(held):
        return
    con.executemany(
        "INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
        "category = excluded.category, name_zh = excluded.name_zh, unit = excluded.unit, "
        "kind = excluded.kind, meaning = excluded.meaning",
        rows,
    )
