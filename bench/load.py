"""Many people at once: 20 sessions over every page for 60 s, alone, with a command-line writer, with reviewers.

    .venv/bin/python bench/load.py [--sessions 20] [--seconds 60] [--think 2 6] [--scenarios readers,cli,app]

The real server (`streamlit run app.py` on 127.0.0.1) serves a copy of the
sample database (`make sample-db`, plus template reports so the 审核 queue is
long). Each session is a websocket speaking Streamlit's own protocol
(bench/sessions.py): it opens a page, waits for the script to finish, reads
for a random think time, and moves on round the pages. Scenarios:

- readers: every session reads;
- cli:     the same, while `python -m etl ingest` and `python -m etl undo` run back to back (a writer process);
- app:     18 readers and 2 reviewers saving in 审核 (writes from inside the server process);
- both:    18 readers, 2 reviewers and the command-line writer at once (tests/test_reliability.py runs this).

Prints median, 95th percentile and worst page time per scenario, what readers
saw as errors (tracebacks, error boxes) and how the writes went, plus the
server's peak memory. Bounded: 50 sessions at most, 300 s per scenario at most.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.sessions import READER_PAGES, ROOT, Run, Session, sample_copy, start_server, summary

MAX_SESSIONS, MAX_SECONDS = 50, 300
SCENARIOS = {"readers": (0, False), "cli": (0, True), "app": (2, False), "both": (2, True)}  # reviewers, CLI writer
TEMPLATE = ROOT / "data" / "samples" / "reports" / "xx镇总工会20xx年上半年工作总结（模板）.txt"
PASSWORD = "压测密码-2024"  # the reviewers' accounts in the bench's own database copy
REVIEWERS = ("审核员1", "审核员2", "审核员3", "审核员4")


@dataclass
class Result:
    scenario: str
    runs: list[Run] = field(default_factory=list)
    writes_ok: int = 0  # review saves that landed
    writes_taken: int = 0  # a reviewer's fact was handled by the other reviewer first (not a failure)
    writes_failed: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    cli_cycles: int = 0  # command-line ingest + undo pairs completed
    server_cpu: float = 0.0  # CPU seconds the server used while the sessions ran
    load: float = 0.0  # the machine's 1-minute load average at the end (other jobs share these 2 cores)

    @property
    def reader_errors(self) -> list[str]:
        """What anyone reading saw go wrong: tracebacks, error boxes, runs that never finished."""
        return ([f"{x.page or 'overview'}: {e}" for x in self.runs if not x.writer for e in x.exceptions + x.errors]
                + [f"{x.page or 'overview'}: no script_finished" for x in self.runs if not x.ok])


def prepare_db(folder: Path) -> Path:
    """Sample database plus 12 copies of the template report (their facts fill the review queue)."""
    db = sample_copy(folder)
    extra = folder / "review_fill"
    extra.mkdir(exist_ok=True)
    for i in range(12):
        (extra / f"模板副本{i}.txt").write_bytes(TEMPLATE.read_bytes() + f"\n（副本 {i}）\n".encode())
    subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "ingest", str(extra)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    from etl import accounts
    from etl.audit import Actor
    from etl.db import transaction

    with transaction(db) as con:  # an administrator first (the app requires one), then the reviewers
        accounts.add_user(con, Actor("压测", "cli"), "压测管理员", "admin", PASSWORD)
        for name in REVIEWERS:
            accounts.add_user(con, Actor("压测", "cli"), name, "review", PASSWORD, ["青禾区"])
    return db


async def sign_in(s: Session, name: str) -> None:
    """Sign in on 账号 as a person would: name, password, 登录 (the session keeps the account)."""
    form = await s.run("account")
    user, password = form.widgets.get("sign_in_name"), form.widgets.get("sign_in_password")
    button = form.widgets.get("sign_in-登录")
    if user is None or password is None or button is None:
        raise RuntimeError(f"账号页没有登录表单：{sorted(form.widgets)}")
    done = await s.run("account", [WidgetState(id=user.id, string_value=name),
                                   WidgetState(id=password.id, string_value=PASSWORD),
                                   WidgetState(id=button.id, trigger_value=True)])
    if not any(name in t for t in done.texts):
        raise RuntimeError(f"{name} 未能登录：{done.errors or done.texts[:3]}")


def writer_folder(folder: Path) -> Path:
    """Sixteen sample reports with one changed byte: new files to the database, loaded and undone in turn."""
    out = folder / "writer_batch"
    out.mkdir(exist_ok=True)
    for src in sorted((ROOT / "data" / "samples" / "reports").glob("*2023*.txt"))[:16]:
        (out / src.name).write_bytes(src.read_bytes() + b"\n")
    return out


def cli_writer(db: Path, folder: Path, stop: threading.Event, result: Result) -> None:
    """ingest → undo → ingest …: a second process holding the file read-write for each step."""
    while not stop.is_set():
        got = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "ingest", str(folder)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        m = re.search(r"已导入批次 (\d+)", got.stdout)
        if not m:
            result.writes_failed.append("ingest: " + (got.stderr or got.stdout)[-300:])
            continue
        undo = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "undo", m.group(1)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        if undo.returncode:
            result.writes_failed.append("undo: " + (undo.stderr or undo.stdout)[-300:])
        else:
            result.cli_cycles += 1


async def reader(port: int, deadline: float, think: tuple[float, float], result: Result, rng: random.Random) -> None:
    async with Session(port) as s:
        await s.run("")
        pages = READER_PAGES[rng.randrange(len(READER_PAGES)):] + READER_PAGES
        i = 0
        while time.monotonic() < deadline:
            run = await s.run(pages[i % len(pages)])
            result.runs.append(run)
            i += 1
            await asyncio.sleep(rng.uniform(*think))


async def reviewer(port: int, deadline: float, think: tuple[float, float], result: Result, rng: random.Random,
                   name: str) -> None:
    """Sign in as `name`, open 审核, pick one of the first facts in the list, accept it; again and again."""
    async with Session(port) as s:
        await s.run("")
        await sign_in(s, name)
        while time.monotonic() < deadline:
            first = await s.run("review")
            result.runs.append(first)
            pick = first.widgets.get("review_pick")
            if pick is None or len(pick.options) < 2:
                await asyncio.sleep(rng.uniform(*think))
                continue
            option = pick.options[1 + rng.randrange(min(5, len(pick.options) - 1))]  # one of the first five
            chosen = WidgetState(id=pick.id, string_value=option)
            form = await s.run("review", [chosen])
            result.runs.append(form)
            await asyncio.sleep(rng.uniform(*think) / 2)
            button = form.widgets.get("review_form-确认无误")
            if button is None:
                continue
            saved = await s.run("review", [chosen, WidgetState(id=button.id, trigger_value=True)])
            saved.writer = True
            result.runs.append(saved)
            if "已保存。" in saved.texts and not saved.errors and not saved.exceptions:
                result.writes_ok += 1
            elif any("不能再处理" in e for e in saved.errors) or any("已由他人处理" in t for t in saved.texts):
                result.writes_taken += 1  # the other reviewer handled this fact first: the page said so
            else:
                result.writes_failed.append("; ".join(saved.errors + saved.exceptions)[:300] or "没有保存")
            await asyncio.sleep(rng.uniform(*think))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_scenario(name: str, db: Path, folder: Path, sessions: int, seconds: float,
                 think: tuple[float, float], env: dict[str, str] | None = None) -> Result:
    """One scenario on its own copy of `db` (and its archive) with a fresh server; bounded by `seconds`."""
    reviewers, cli = SCENARIOS[name]
    result = Result(name)
    work = folder / f"db_{name}"
    work.mkdir()
    shutil.copy(db, work / "union.duckdb")
    shutil.copytree(db.parent / "archive", work / "archive", dirs_exist_ok=True)
    with start_server(work / "union.duckdb", work / "archive", env=env,
                      log=folder / f"server_{name}.log") as (proc, port):
        asyncio.run(_warm(port))
        stop = threading.Event()
        writer = None
        if cli:
            writer = threading.Thread(target=cli_writer, args=(work / "union.duckdb", writer_folder(folder), stop,
                                                                result))
            writer.start()
        cpu0 = cpu_seconds(proc.pid)
        try:
            asyncio.run(_drive(port, reviewers, sessions, seconds, think, result))
        finally:
            result.server_cpu = cpu_seconds(proc.pid) - cpu0
            result.load = os.getloadavg()[0]
            stop.set()
            if writer:
                writer.join(timeout=180)
        result.peak_mb = peak_rss_mb(proc.pid)
    return result


async def _warm(port: int) -> None:
    """One pass over every page first: what a server that has been up a while has in its caches."""
    async with Session(port) as s:
        for p in READER_PAGES:
            await s.run(p)


async def _drive(port: int, n_rev: int, sessions: int, seconds: float, think: tuple[float, float],
                 result: Result) -> None:
    deadline = time.monotonic() + seconds
    rng = random.Random(14)
    tasks = []
    for i in range(sessions):
        r = random.Random(rng.random())
        await asyncio.sleep(0.05)  # people do not all arrive in the same millisecond
        if i < n_rev:
            tasks.append(reviewer(port, deadline, think, result, r, REVIEWERS[i % len(REVIEWERS)]))
        else:
            tasks.append(reader(port, deadline, think, result, r))
    await asyncio.wait_for(asyncio.gather(*tasks), seconds + 120)


def table(results: list[Result], sessions: int, seconds: float, think: tuple[float, float]) -> str:
    lines = [f"{sessions} sessions, {seconds:.0f} s each, think time {think[0]:g}–{think[1]:g} s, "
             "times from request to script finished (seconds)", "",
             "| scenario | page views | median | p95 | max | reader errors | review saves "
             "| taken by the other reviewer | CLI ingest+undo | writes failed | server peak MB | server CPU s "
             "| load avg |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        med, p95, worst = summary([x.seconds for x in r.runs if x.ok])
        errors = len(r.reader_errors)
        lines.append(f"| {r.scenario} | {len(r.runs)} | {med:.2f} | {p95:.2f} | {worst:.2f} | {errors} | "
                     f"{r.writes_ok} | {r.writes_taken} | {r.cli_cycles} | {len(r.writes_failed)} | {r.peak_mb:.0f} | "
                     f"{r.server_cpu:.0f} | {r.load:.1f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN", "MAX"))
    ap.add_argument("--scenarios", default="readers,cli,app", help=f"comma-separated, of {', '.join(SCENARIOS)}")
    ap.add_argument("-v", "--verbose", action="store_true", help="list what readers saw as errors")
    args = ap.parse_args()
    sessions, seconds = min(args.sessions, MAX_SESSIONS), min(args.seconds, MAX_SECONDS)
    with tempfile.TemporaryDirectory(prefix="union-load-") as tmp:
        folder = Path(tmp)
        db = prepare_db(folder)
        results = [run_scenario(s, db, folder, sessions, seconds, tuple(args.think))
                   for s in args.scenarios.split(",")]
        print(table(results, sessions, seconds, tuple(args.think)))
        for r in results:
            if r.writes_failed or args.verbose:
                for msg in r.writes_failed[:5]:
                    print(f"  {r.scenario} write failed: {msg}")
            if args.verbose:
                for e in r.reader_errors:
                    print(f"  {r.scenario} {e[:200]}")
                by_page: dict[str, list[float]] = {}
                for x in r.runs:
                    by_page.setdefault(x.page or "overview", []).append(x.seconds)
                print("  " + r.scenario + ": " + ", ".join(f"{p} {summary(t)[0]:.2f}/{summary(t)[1]:.2f}"
                                                           for p, t in sorted(by_page.items())))


if __name__ == "__main__":
    main()
