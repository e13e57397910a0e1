"""The reliability suite: nothing is lost, readers never see an error, hostile files do no harm.

- kill -9 at random moments of `python -m etl ingest` and `undo`: every batch afterwards is whole or absent;
- 20 sessions on the real server reading every page while two reviewers save in 审核 and the command line
  loads and undoes batches: readers see no error, every save lands (or is reported as taken by the other);
- the hostile folder (tests/hostile.py) through the command line and the upload pages, each file with its
  expected outcome; in the browser, hostile names render as text and a 30 MB heavy workbook leaves the
  server's memory alone.

Marked `slow` and `reliability`; about four minutes on two cores. The figures each test measured are printed
(run with -s, or see the 'Captured stdout' of a failure).
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import hostile
import people
import pytest

from etl.archive import find_archived, sha256_of
from scripts.sample_db import set_up

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "data" / "samples" / "reports").glob("*2022年工作总结.txt"))[:10]
pytestmark = [pytest.mark.slow, pytest.mark.reliability]


def figures(name: str, **values) -> None:
    """Print what a test measured (the closing note of issue 14 quotes these)."""
    print(f"[reliability] {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()), flush=True)


# ---------------------------------------------------------------- kill -9 over ingest and undo

def _batch_folder(base: Path, i: int) -> Path:
    """The same ten reports with i+1 trailing line breaks: new bytes to the database, the same facts."""
    folder = base / f"in{i:02d}"
    folder.mkdir()
    for p in REPORTS:
        (folder / p.name).write_bytes(p.read_bytes() + b"\n" * (i + 1))
    return folder


def _expected(base: Path) -> dict[str, int]:
    """Facts per file name from one clean ingest of the same reports."""
    ref = base / "ref.duckdb"
    set_up(ref)  # the sample federation: the reports' towns are in its directory
    subprocess.run([sys.executable, "-m", "etl", "--db", str(ref), "ingest", str(_batch_folder(base, 99))],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    with duckdb.connect(str(ref), read_only=True) as con:
        return dict(con.execute(
            "SELECT fl.name, count(f.id) FROM files fl LEFT JOIN facts f "
            "ON f.source_file = fl.sha256 AND f.batch_id = fl.batch_id GROUP BY fl.name").fetchall())


def _broken(db: Path, expected: dict[str, int]) -> list[str]:
    """Everything that would mean a partial batch: what the dashboard (read-only) would see after a crash."""
    problems = []
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT b.id, b.status, (SELECT count(*) FROM facts f WHERE f.batch_id = b.id), "
            "coalesce((SELECT list(name) FROM files fl WHERE fl.batch_id = b.id), []), "
            "(SELECT count(*) FROM documents d WHERE d.batch_id = b.id) FROM batches b").fetchall()
        for bid, status, n_facts, names, n_docs in rows:
            if status == "loaded":
                want = sum(expected[n] for n in names)
                if sorted(names) != sorted(expected) or n_facts != want or n_docs == 0:
                    problems.append(f"batch {bid} loaded with {len(names)} files, {n_facts} facts (want {want})")
            elif n_facts or names or n_docs:
                problems.append(f"batch {bid} undone but holds {n_facts} facts, {len(names)} files")
        orphans = con.execute("SELECT count(*) FROM facts WHERE batch_id NOT IN (SELECT id FROM batches)").fetchone()
        if orphans[0]:
            problems.append(f"{orphans[0]} facts without a batch")
        for (path,) in con.execute("SELECT archive_path FROM files").fetchall():
            if path and not Path(path).exists():
                problems.append(f"archived original missing: {path}")
    return problems


def _kill_at_random(cmd: list[str], rng: random.Random, lo: float, hi: float) -> bool:
    """Start cmd, SIGKILL it after a random delay; True when it was still running (a real crash)."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(lo, hi))
    alive = proc.poll() is None
    if alive:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    return alive


def _timed(cmd: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return time.monotonic() - started


def test_kill_minus_nine_during_ingest_and_undo_never_leaves_a_partial_batch(tmp_path: Path) -> None:
    rng = random.Random(14)
    expected = _expected(tmp_path)
    db = tmp_path / "union.duckdb"
    set_up(db)
    cli = [sys.executable, "-m", "etl", "--db", str(db)]
    # How long each takes when left alone (the faster of two: the first run is cold): kills are aimed at the
    # later part, where the writing happens, and end before a run left alone would have finished.
    t_ingest = min(_timed([*cli, "ingest", str(_batch_folder(tmp_path, 0))]),
                   _timed([*cli, "ingest", str(_batch_folder(tmp_path, 1))]))
    t_undo = _timed([*cli, "undo", "2"])
    killed_ingest = killed_undo = 0
    for i in range(2, 24):
        killed_ingest += _kill_at_random([*cli, "ingest", str(_batch_folder(tmp_path, i))], rng,
                                         0.4 * t_ingest, 0.95 * t_ingest)
        assert _broken(db, expected) == [], f"after ingest kill {i}"
    for j in range(8):
        with duckdb.connect(str(db), read_only=True) as con:
            loaded = [r[0] for r in con.execute("SELECT id FROM batches WHERE status = 'loaded' ORDER BY id"
                                                ).fetchall()]
        if not loaded:  # every earlier undo finished before its kill: load one to undo
            _timed([*cli, "ingest", str(_batch_folder(tmp_path, 30 + j))])
            with duckdb.connect(str(db), read_only=True) as con:
                loaded = [con.execute("SELECT max(id) FROM batches WHERE status = 'loaded'").fetchone()[0]]
        killed_undo += _kill_at_random([*cli, "undo", str(loaded[-1])], rng, 0.5 * t_undo, 0.95 * t_undo)
        assert _broken(db, expected) == [], "after an undo kill"
    # The database still takes a complete load and an undo afterwards.
    done = subprocess.run([*cli, "ingest", str(_batch_folder(tmp_path, 50))], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "已导入批次" in done.stdout, done.stderr
    assert _broken(db, expected) == []
    figures("kill -9", ingest_kills=killed_ingest, undo_kills=killed_undo, partial_batches=0,
            ingest_seconds=round(t_ingest, 2), undo_seconds=round(t_undo, 2))
    assert killed_ingest >= 8 and killed_undo >= 2  # most kills landed while the process was working


# ---------------------------------------------------------------- sessions, in-app writers and a CLI writer

def test_twenty_sessions_read_while_the_app_and_the_command_line_write(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.load import prepare_db, run_scenario

    db = prepare_db(tmp_path)
    result = run_scenario("both", db, tmp_path, sessions=20, seconds=30, think=(1.0, 3.0),
                          env={"UNION_SHOW_ERROR_DETAILS": "0"})  # what users get: messages, never tracebacks
    readers = sum(1 for r in result.runs if not r.writer)
    figures("sessions", sessions=20, page_views=len(result.runs), reader_errors=len(result.reader_errors),
            review_saves=result.writes_ok, taken_by_other=result.writes_taken, cli_ingest_undo=result.cli_cycles,
            failed_writes=len(result.writes_failed), server_peak_mb=round(result.peak_mb))
    assert result.reader_errors == []
    assert result.writes_failed == []
    # Enough happened to mean something (a floor, not a speed test: since issue 10 every run also checks the
    # session, and the two reviewers sign in first; on this shared 2-core machine 84–136 page views were seen).
    assert readers > 60 and result.cli_cycles >= 1 and result.writes_ok >= 2


# ---------------------------------------------------------------- the hostile folder

def _case_codes(entry: dict) -> set[str]:
    return {p["code"] for p in entry["problems"]}


def test_hostile_folder_through_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    cases = hostile.write(folder)
    db, archive = tmp_path / "union.duckdb", tmp_path / "archive"
    set_up(db)
    started = time.monotonic()
    got = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "ingest", str(folder), "--archive",
                          str(archive), "--json", "--new-regions-under", "青禾区"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = json.loads(got.stdout)
    by_name = {f["name"]: f for f in out["files"]}
    assert set(by_name) == set(cases)
    for name, case in cases.items():
        entry = by_name[name]
        if case.outcome == "loaded":
            assert entry["status"] == "loaded", (name, entry)
        else:
            assert entry["status"] == "failed", (name, entry)
        if case.code:
            assert case.code in _case_codes(entry), (name, entry["problems"])
            message = next(p["message"] for p in entry["problems"] if p["code"] == case.code)
            assert case.words in message, (name, message)
        archived = find_archived(sha256_of((folder / name).read_bytes()), archive) is not None
        assert archived is (case.outcome != "refused"), (name, "archived" if archived else "not archived")
    figures("hostile files, command line", files=len(cases), seconds=round(seconds), cli_peak_mb=round(peak),
            loaded=sum(1 for f in out["files"] if f["status"] == "loaded"),
            refused_before_archiving=sum(1 for c in cases.values() if c.outcome == "refused"))
    assert seconds < 240 and peak < 1536


HOSTILE_PAGES = [c for c in hostile.CASES if c.name != "巨大.xlsx"]  # a 200 MB upload is the browser's to refuse


@pytest.mark.parametrize("case", HOSTILE_PAGES, ids=[c.name for c in HOSTILE_PAGES])
def test_hostile_files_on_the_upload_pages(case: hostile.Case, tmp_db: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("UNION_DB", str(tmp_db))
    monkeypatch.setenv("UNION_ARCHIVE", str(tmp_path / "archive"))
    tally = case.name.lower().endswith((".xlsx", ".csv"))
    data = case.build()  # once: a workbook built twice differs in its timestamps
    at = people.sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), tmp_db).run()  # 管理
    at.switch_page("app_pages/upload.py" if tally else "app_pages/upload_report.py").run()
    at.file_uploader(key="tally_file" if tally else "report_file").upload(case.name, data,
                                                                          "application/octet-stream").run()
    assert not at.exception, [e.message for e in at.exception]
    shown = " ".join(m.value.replace("\\", "") for m in [*at.error, *at.warning])  # messages are escaped text
    tables = " ".join(str(d.value.to_dict()) for d in at.dataframe)
    if case.code and case.words:
        assert case.words in shown or case.words in tables, (case.name, shown[:300])
    archived = find_archived(sha256_of(data), tmp_path / "archive" / "previews") is not None
    assert archived is (case.outcome != "refused"), case.name


# ---------------------------------------------------------------- in the browser

def clean_injection_tally() -> bytes:
    """injection_xlsx without its deliberate error: it loads, so the hostile town names reach every page."""
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(hostile.injection_xlsx()))
    ws = wb.active
    ws.delete_rows(ws.max_row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sample reports plus files whose names, towns and sentences are hostile (all loaded)."""
    base = tmp_path_factory.mktemp("hostile_db")
    inputs = base / "in"
    inputs.mkdir()
    for p in REPORTS:
        shutil.copy(p, inputs / p.name)
    (inputs / "![x](evil.png)报告.txt").write_bytes(hostile.injection_report())
    (inputs / "[点我](javascript:alert(1))统计.xlsx").write_bytes(clean_injection_tally())
    db = base / "union.duckdb"
    set_up(db)  # hostile names become towns of the sample federation (by the person's --new-regions-under)
    got = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "ingest", str(inputs), "--new-regions-under",
                          "青禾区"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert "已导入批次" in got.stdout, got.stdout + got.stderr
    people.ensure(db, people.FIRST_ADMIN)  # uploads need an account (issue 10)
    return db


@pytest.mark.browser
def test_hostile_names_render_as_text_and_a_heavy_upload_leaves_the_server_alone(hostile_db: Path,
                                                                                   tmp_path: Path) -> None:
    from urllib.parse import quote, urlparse

    from playwright.sync_api import expect, sync_playwright

    sys.path.insert(0, str(ROOT))
    from bench.sessions import start_server

    heavy = tmp_path / "重表_30MB.xlsx"
    heavy.write_bytes(hostile.heavy_xlsx())
    noise = tmp_path / "随机字节.csv"
    noise.write_bytes(hostile.random_csv())
    town = quote(hostile.MD_TOWN)
    stored_html = hostile.HTML_TOWN.replace(" ", "")  # the tally reader drops spaces in names
    visits = ["", f"?region={town}", "formation", "membership", "coverage", f"region?town={town}",
              f"region?town={quote(hostile.HTML_TOWN)}", f"region?town={quote(stored_html)}",
              f"sources?src_region={town}&src_metric=union_orgs_total&src_year=2024", "review", "history",
              f"present?region={town}"]
    shots = Path(os.environ.get("SCREENSHOTS_DIR", "/tmp/union-screenshots")) / "hostile"
    shots.mkdir(parents=True, exist_ok=True)
    with start_server(hostile_db, env={"UNION_SHOW_ERROR_DETAILS": "0"}) as (proc, port), sync_playwright() as p:
        base = f"http://127.0.0.1:{port}"
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="zh-CN").new_page()
        requests: list[str] = []
        dialogs: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        seen_text = ""
        for i, path in enumerate(visits):
            page.goto(f"{base}/{path}")
            page.wait_for_selector('[data-testid="stApp"] h1, .slide-title', timeout=30_000)
            page.wait_for_timeout(2500)  # charts and tables drawn
            assert page.locator('[data-testid="stException"]').count() == 0, path
            assert page.locator("img[src*='127.0.0.1:9'], img[src*='evil.png'], img[src*='town.png']").count() == 0
            assert page.locator("a[href^='javascript:']").count() == 0, path
            seen_text += page.inner_text("body").replace("\u200b", "")
            page.screenshot(path=str(shots / f"{i:02d}_{path.split('?')[0] or 'overview'}.png"), full_page=True)
        # The names are shown as written somewhere (sidebar, region picker, tables, captions).
        assert hostile.MD_TOWN in seen_text and "[点我](javascript:alert(1))统计.xlsx" in seen_text
        assert "<img src=" in seen_text and stored_html in seen_text  # HTML-looking names are text, not elements

        # Upload the 30 MB heavy workbook and 45 MB of random bytes: a message, the server's memory unmoved.
        page.goto(f"{base}/upload")
        people.sign_in_here(page, people.FIRST_ADMIN)  # the refused URL shows the sign-in form
        page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(heavy))
        expect(page.locator('[data-testid="stAlert"]').filter(has_text="个单元格")).to_be_visible(timeout=120_000)
        page.screenshot(path=str(shots / "upload_heavy.png"), full_page=True)
        page.goto(f"{base}/upload")
        people.sign_in_here(page, people.FIRST_ADMIN)
        page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached", timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(noise))
        expect(page.locator('[data-testid="stAlert"]').filter(has_text="不是表格")).to_be_visible(timeout=120_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(shots / "upload_random.png"), full_page=True)
        peak = _peak_mb(proc.pid)
        browser.close()
    outside = sorted({u for u in requests if not u.startswith((base, "data:", "blob:"))})  # the favicon is local
    leaked = [u for u in requests if urlparse(u).netloc == hostile.EVIL_HOST
              or urlparse(u).path.endswith(("evil.png", "town.png", "img.png"))]
    figures("browser", pages=len(visits), outside_requests=len(outside), leaked=len(leaked), dialogs=len(dialogs),
            server_peak_mb=round(peak))
    assert leaked == [] and dialogs == [], leaked
    assert outside == [], outside
    assert peak < 1536


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_every_exported_workbook_cell_is_text_when_it_looks_like_a_formula(hostile_db: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The deck's Excel export with towns named =HYPERLINK(…), =cmd|…, +SUM(…): nothing calculates."""
    import io

    import openpyxl
    from streamlit.testing.v1 import AppTest

    from export.xlsx import needs_escape

    monkeypatch.setenv("UNION_DB", str(hostile_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run().switch_page("app_pages/present.py").run()  # the whole area: the hostile towns are in its tables
    at.button(key="present_make_xlsx").click().run()
    assert not at.exception
    wb = openpyxl.load_workbook(io.BytesIO(at.session_state["present_xlsx"][1]))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    risky = [c for c in cells if isinstance(c.value, str) and needs_escape(c.value)]
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert not [c for c in cells if c.data_type == "f"]
