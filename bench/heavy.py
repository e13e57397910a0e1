"""Heavy files through the upload path, now and the obvious way (parse everything in the server, no limits).

    .venv/bin/python bench/heavy.py [--cap-mb 3000] [--cap-seconds 90]

Files are built from code (tests/hostile.py): the 30 MB workbook holding 381 MB
of sheet XML, an 840,000-cell tally under the limits, a 5.8 MB text of small
numbers, a 1 MB text without a full stop, 45 MB of random bytes named .csv.

"now" runs the upload pages' own code (etl.tally.upload.prepare and
etl.report_upload.prepare_report, then the annotated workbook when one is
offered) in a fresh process and reports that process's peak memory — what the
server adds — and the peak of the child process that parsed the file, if any.
"unbounded" is what the pages did before: parse in the server process and
build the annotated workbook with a full openpyxl load, for reports extract
the whole text; it runs in a child capped at --cap-mb and --cap-seconds so
the machine survives it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

NOW = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from etl import sandbox
path, kind, db, archive = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
data = path.read_bytes()
t = time.perf_counter()
if kind == "tally":
    from etl.tally import upload as up
    from etl.tally.report import error_workbook
    plan = up.prepare(data, path.name, db_path=db, archive_dir=archive)
    made = 0
    if plan.tables:
        made = len(error_workbook(data, path.name, plan.problems, plan.inspection))
    problems = plan.problems
    outcome = f"{{plan.analysis.extracted.fact_count}} facts, {{len(problems)}} problems" + (
        f", annotated workbook {{made >> 20}} MB" if made else "")
else:
    from etl.report_upload import prepare_report
    plan = prepare_report(data, path.name, db_path=db, archive_dir=archive)
    problems = plan.file.problems
    outcome = f"{{len(plan.file.facts)}} facts"
said = ("too_many_numbers", "sentence_too_long")
codes = sorted({{p.code for p in problems if p.severity == "error" or p.code in said}})
child = sandbox.last.peak_mb if sandbox.last else 0.0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": time.perf_counter() - t, "peak_mb": peak, "child_mb": child, "outcome": outcome,
                  "codes": codes}}))
"""

UNBOUNDED = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
cap = int(sys.argv[3]) << 20
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
path, kind = Path(sys.argv[1]), sys.argv[2]
data = path.read_bytes()
t = time.perf_counter()
try:
    if kind == "tally":  # what pages/upload.py did on every rerun: analyze, then the old error_workbook
        import io, openpyxl
        from etl.tally import analyze
        from etl.tally.read import read_book, sniff
        a = analyze(data, path.name)
        if sniff(data, path.name) in ("xlsx", "xlsm"):
            wb = openpyxl.load_workbook(io.BytesIO(data))
        else:
            wb = openpyxl.Workbook()
            for grid in read_book(data, path.name).grids:
                ws = wb.create_sheet(grid.name)
                for row in grid.rows:
                    ws.append(list(row))
        wb.save(io.BytesIO())
        outcome = f"{{a.extracted.fact_count}} facts"
    else:
        from etl.extract import extract_report_file
        ef = extract_report_file(path)
        outcome = f"{{len(ef.facts)}} facts"
except MemoryError:
    outcome = "MemoryError"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": time.perf_counter() - t, "peak_mb": peak, "outcome": outcome}}))
"""


def run(script: str, args: list[str], timeout: float) -> dict:
    t = time.perf_counter()
    try:
        got = subprocess.run([sys.executable, "-c", script.format(root=str(ROOT)), *args], capture_output=True,
                             text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"seconds": time.perf_counter() - t, "peak_mb": float("nan"), "outcome": f"not done in {timeout:.0f} s"}
    if got.returncode:
        tail = (got.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": time.perf_counter() - t, "peak_mb": float("nan"), "outcome": f"crashed: {tail[:60]}"}
    return json.loads(got.stdout.strip().splitlines()[-1])


def main() -> None:
    import hostile

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cap-mb", type=int, default=3000, help="memory cap of the unbounded run")
    ap.add_argument("--cap-seconds", type=float, default=90, help="time limit of the unbounded run")
    args = ap.parse_args()
    files = [("重表_30MB.xlsx", hostile.heavy_xlsx, "tally"),
             ("84万格.xlsx", hostile.big_but_allowed_xlsx, "tally"),
             ("随机字节.csv", hostile.random_csv, "tally"),
             ("数字很多.txt", hostile.many_numbers_txt, "report"),
             ("一行到底.txt", hostile.one_line_txt, "report")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="union-heavy-") as tmp:
        folder = Path(tmp)
        for name, build, kind in files:
            path = folder / name
            path.write_bytes(build())
            now = run(NOW, [str(path), kind, str(folder / "u.duckdb"), str(folder / "archive")], 600)
            old = run(UNBOUNDED, [str(path), kind, str(args.cap_mb)], args.cap_seconds)
            rows.append((name, path.stat().st_size, now, old))
    print(f"Heavy files: now (the upload pages' code) vs unbounded (parse in the server), "
          f"unbounded capped at {args.cap_mb} MB / {args.cap_seconds:.0f} s.\n")
    print("| file | MB | now: outcome | now: s | server peak MB | child peak MB | unbounded: outcome | "
          "unbounded: s | unbounded peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, size, now, old in rows:
        codes = ", ".join(now.get("codes", []))
        print(f"| {name} | {size / 1048576:.1f} | {now['outcome']}{' (' + codes + ')' if codes else ''} | "
              f"{now['seconds']:.1f} | {now['peak_mb']:.0f} | {now.get('child_mb', 0):.0f} | {old['outcome']} | "
              f"{old['seconds']:.1f} | {old['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
