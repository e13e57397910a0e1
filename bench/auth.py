"""What signing in costs a page switch: the same switches signed in and signed out, on the sample data.

    .venv/bin/python bench/auth.py [--rounds 8] [--db PATH]

Builds the sample database (data/samples, as `make sample-db`) in a temp folder unless --db names
one (it is copied), adds an administrator, then drives the real app (app.py through Streamlit's
AppTest: router, session check, sidebar, page) in two sessions side by side: a visitor (viewing
without sign-in allowed) and a signed-in administrator, who also sees more pages and the sidebar's
account lines. Each round switches both through the same pages, interleaved, so the machine's noise
falls on both. Prints median and p90 per page switch for each, and the difference; then the parts of
the signed-in run alone: the session check (a read-only open and one query) and the
`last_seen` write it makes at most once a minute.

The issue's bar: signing in adds at most 50 ms to a page switch.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ["overview", "membership", "coverage", "region", "sources"]
PASSWORD = "基准测试的密码-1"


def p90(ts: list[float]) -> float:
    ts = sorted(ts)
    return ts[min(len(ts) - 1, round(0.9 * (len(ts) - 1)))]


def sample_db(folder: Path, given: Path | None) -> Path:
    from scripts.sample_db import build

    path = folder / "union.duckdb"
    if given:
        shutil.copy(given, path)
        return path
    build(path, folder / "archive")  # as `make sample-db`: the federation and its directory, then the samples
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=8, help="times each page is switched to, per session")
    ap.add_argument("--db", type=Path, default=None, help="a database to copy instead of building the samples")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db_path = sample_db(Path(tmp), args.db)
        os.environ.update(UNION_DB=str(db_path), UNION_ARCHIVE=str(Path(tmp) / "archive"),
                          UNION_VIEW_WITHOUT_SIGN_IN="1")
        from streamlit.testing.v1 import AppTest

        from dashboard.auth import TOKEN
        from etl import accounts, db, sessions
        from etl.audit import Actor

        with db.transaction(db_path) as con:
            accounts.add_user(con, Actor("基准", "cli"), "管理员", "admin", PASSWORD)
        token = sessions.sign_in(db_path, "管理员", PASSWORD)

        visitor = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        member = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        member.session_state[TOKEN] = token
        apps = {"signed out": visitor, "signed in": member}
        for at in apps.values():  # warm: first runs import and build caches
            at.run()
            for page in PAGES:
                at.switch_page(f"app_pages/{page}.py").run()
        assert member.sidebar.caption and "已登录：管理员" in member.sidebar.caption[0].value, "not signed in"

        times: dict[str, list[float]] = {k: [] for k in apps}
        for _ in range(args.rounds):
            for page in PAGES:
                for name, at in apps.items():
                    t = time.perf_counter()
                    at.switch_page(f"app_pages/{page}.py").run()
                    times[name].append((time.perf_counter() - t) * 1000)
                    assert not at.exception, (name, page, [e.message for e in at.exception])

        # the parts: the session check every run makes, and the occasional last_seen write
        check, write = [], []
        for _ in range(50):
            t = time.perf_counter()
            with db.connect(db_path, read_only=True) as con:
                sessions.check_session(con, token)
            check.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            with db.transaction(db_path) as con:
                sessions.touch(con, token)
            write.append((time.perf_counter() - t) * 1000)

    n = len(times["signed out"])
    print(f"Page switches through app.py (AppTest), sample data, {n} switches each over {', '.join(PAGES)}\n")
    print(f"| {'session':<12} | median ms | p90 ms |")
    print(f"|{'-' * 14}|-----------|--------|")
    for name, ts in times.items():
        print(f"| {name:<12} | {statistics.median(ts):9.1f} | {p90(ts):6.1f} |")
    diff = statistics.median(times["signed in"]) - statistics.median(times["signed out"])
    pairs = [a - b for a, b in zip(times["signed in"], times["signed out"], strict=True)]
    print(f"\nsigned in − signed out: {diff:+.1f} ms (median of switches); per pair median "
          f"{statistics.median(pairs):+.1f} ms, p90 {p90(pairs):+.1f} ms (bar: ≤ 50 ms)")
    print(f"session check alone (read-only open + query): median {statistics.median(check):.2f} ms, "
          f"p90 {p90(check):.2f} ms")
    print(f"last_seen write (at most once a minute per session): median {statistics.median(write):.2f} ms, "
          f"p90 {p90(write):.2f} ms")


if __name__ == "__main__":
    main()
