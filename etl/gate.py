"""One writer or many readers per database file, inside one process.

DuckDB 2.0 refuses, inside one process, a read-write connection while a
read-only one (or a read-only ATTACH) to the same file is open, and the
other way round ("different configuration", "Unique file handle
conflict"). The Streamlit server reads in every session's thread and writes
from the review, upload and history pages, so every connection to a file
passes this gate first: readers share it, a writer has it alone, and a
waiting writer stops new readers from starting so it is never starved.

A thread may take the gate again while it holds it (a reader inside a
reader; anything inside its own write). A reader asking to write would wait
for itself: that is refused at once (GateError), not left to time out.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class GateError(RuntimeError):
    """Asked for something the gate cannot give (a reader upgrading to a writer)."""


class GateTimeout(TimeoutError):
    """The gate was not free in time; `holder` says who had it, in Chinese."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


class Gate:
    """A readers-writer lock, writer-preferring and re-entrant per thread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers: dict[int, int] = {}  # thread id -> depth
        self._writer: int | None = None
        self._write_depth = 0
        self._waiting_writers = 0
        self._writer_since = 0.0
        self._writer_what = ""

    def holder(self) -> str:
        """Who has the gate now, for messages."""
        with self._cond:
            return self._describe()

    @contextlib.contextmanager
    def read(self, timeout: float) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me or me in self._readers:
                self._readers[me] = self._readers.get(me, 0) + 1
            else:
                deadline = time.monotonic() + timeout
                while self._writer is not None or self._waiting_writers:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise GateTimeout(self._describe())
                    self._cond.wait(left)
                self._readers[me] = 1
        try:
            yield
        finally:
            with self._cond:
                self._readers[me] -= 1
                if not self._readers[me]:
                    del self._readers[me]
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self, timeout: float, what: str = "") -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._write_depth += 1
            else:
                if me in self._readers:
                    raise GateError("a thread that is reading the database asked to write it")
                deadline = time.monotonic() + timeout
                self._waiting_writers += 1
                try:
                    while self._writer is not None or self._readers:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise GateTimeout(self._describe())
                        self._cond.wait(left)
                finally:
                    self._waiting_writers -= 1
                self._writer, self._write_depth = me, 1
                self._writer_since, self._writer_what = time.monotonic(), what
        try:
            yield
        finally:
            with self._cond:
                self._write_depth -= 1
                if not self._write_depth:
                    self._writer, self._writer_what = None, ""
                    self._cond.notify_all()

    def _describe(self) -> str:
        if self._writer is not None:
            what = self._writer_what or "一项写入操作"
            return (f"本程序（进程 {os.getpid()}）中正在进行的{what}"
                    f"（已进行 {time.monotonic() - self._writer_since:.0f} 秒）")
        if self._readers:
            return f"本程序（进程 {os.getpid()}）中正在读取数据的 {len(self._readers)} 个页面"
        return f"本程序（进程 {os.getpid()}）"


_gates: dict[str, Gate] = {}
_gates_lock = threading.Lock()


def gate(path: Path | str) -> Gate:
    """The one gate for this database file in this process."""
    key = os.path.realpath(path)
    with _gates_lock:
        g = _gates.get(key)
        if g is None:
            g = _gates[key] = Gate()
        return g
