"""Run one parse in a child process with a memory cap and a time limit.

A big or unusual upload is parsed away from the server: if it needs more
memory than `limits().child_memory_mb` or more time than `child_seconds`, the
child is killed and the person who sent it reads why, in Chinese; the server
itself never grows past what the result takes.

Children come from a forkserver (a clean process started once, with the
parsers already imported), not from a fork of the multi-threaded server, so
each one starts in tens of milliseconds. The parent watches the child's
resident memory every 50 ms; an address-space limit inside the child is a
second line should the watcher be slow.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.spawn
import resource
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.limits import Refused, limits

PRELOAD = ["etl.tally", "etl.extract", "etl.bounded"]
log = logging.getLogger(__name__)
POLL = 0.05

_context = None
_context_lock = threading.Lock()
_starting = threading.local()
_preparation_data = multiprocessing.spawn.get_preparation_data


def _prepare_without_main(name: str) -> dict:
    """multiprocessing's start-up data, without the parent's main script for our children.

    A child normally re-runs the parent's __main__ first. Inside Streamlit (and AppTest) that is
    app.py, which must not run in a parser child (it failed there, and the child exited before
    parsing). The functions our children run live in etl modules, so they need no __main__.
    """
    data = _preparation_data(name)
    if getattr(_starting, "ours", False):
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


def _ctx():
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            multiprocessing.spawn.get_preparation_data = _prepare_without_main
            _context = ctx
    return _context


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _child(conn, fn: Callable[..., Any], args: tuple, address_cap: int) -> None:
    try:
        if address_cap:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard == resource.RLIM_INFINITY or hard > address_cap:
                resource.setrlimit(resource.RLIMIT_AS, (address_cap, hard))
        result = fn(*args)
        conn.send(("ok", result))
    except MemoryError:
        conn.send(("memory", None))
    except Refused as exc:
        conn.send(("refused", (exc.message, exc.code)))
    except Exception as exc:  # the parent turns it into a Chinese message
        conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-2000:]}"))
    finally:
        conn.close()


@dataclass
class Outcome:
    """How a child run went: the peak memory seen and how long it took."""

    peak_mb: float = 0.0
    seconds: float = 0.0


last: Outcome | None = None  # the latest run's outcome in this process (for benchmarks and logs)


def run(fn: Callable[..., Any], *args: Any, what: str, memory_mb: float | None = None,
        seconds: float | None = None, outcome: Outcome | None = None) -> Any:
    """fn(*args) in a child process; returns its result or raises Refused (over a limit) / RuntimeError (a crash).

    `what` names the file in messages. `fn` must be a module-level function and
    its arguments and result picklable.
    """
    global last
    lim = limits()
    memory_mb = lim.child_memory_mb if memory_mb is None else memory_mb
    seconds = lim.child_seconds if seconds is None else seconds
    outcome = last = outcome or Outcome()
    ctx = _ctx()
    parent, child = ctx.Pipe(duplex=False)
    # The address-space cap leaves room for what the interpreter and libraries map without using it.
    proc = ctx.Process(target=_child, args=(child, fn, args, int((memory_mb + 2048) * 1048576)), daemon=True)
    started = time.monotonic()
    _starting.ours = True
    try:
        proc.start()
    finally:
        _starting.ours = False
    child.close()
    try:
        while True:
            if parent.poll(POLL):
                try:
                    status, value = parent.recv()
                except EOFError:
                    status, value = "died", None
                break
            outcome.peak_mb = max(outcome.peak_mb, rss_mb(proc.pid))
            if outcome.peak_mb > memory_mb:
                status, value = "memory", None
                break
            if time.monotonic() - started > seconds:
                status, value = "time", None
                break
            if not proc.is_alive() and not parent.poll(0):
                status, value = "died", None
                break
    finally:
        outcome.seconds = time.monotonic() - started
        if proc.is_alive():
            proc.kill()
        proc.join(timeout=10)
        parent.close()
    if status == "ok":
        return value
    if status == "refused":
        raise Refused(*value)
    if status == "memory":
        raise Refused(f"读取文件“{what}”需要的内存超过 {memory_mb:.0f} MB 的上限，已停止读取。"
                      "请删除无关的工作表、空白行列或图片，或拆分成几个文件后分别上传。", "memory_limit")
    if status == "time":
        raise Refused(f"读取文件“{what}”超过 {seconds:g} 秒仍未完成，已停止读取。"
                      "请拆分成几个较小的文件后分别上传；如是正常文件，请把它发给管理员检查。", "time_limit")
    if status == "died":
        raise Refused(f"读取文件“{what}”时读取程序意外退出（退出码 {proc.exitcode}），文件可能已损坏。"
                      "请用原来的程序打开后另存为新文件再上传；原文件已存档。", "child_died")
    log.warning("parsing %s failed in the child process:\n%s", what, value)
    raise Refused(f"读取文件“{what}”时出错（{str(value).split(':', 1)[0]}），原文件已存档。"
                  "请把它发给管理员检查。", "extract_crash")
