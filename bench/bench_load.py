"""Loading speed: facts via one Arrow INSERT … SELECT (etl/load_rows.py) vs row-by-row executemany.

Also the re-ingest of an already loaded folder (skipped by sha256 before
extraction) vs extracting it again. Prints a table with ratios.

    .venv/bin/python bench/bench_load.py [N_FACTS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import db  # noqa: E402
from etl.load_rows import fact_table, insert_facts  # noqa: E402
from etl.model import ExtractedFile, Fact  # noqa: E402
from etl.pipeline import expand_paths, extract_path, ingest_paths  # noqa: E402
from etl.regions import BatchResolver  # noqa: E402
from scripts.sample_db import set_up  # noqa: E402

TOWNS = ["城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"]


def make_rows(con, n: int):  # -> pyarrow.Table of facts-table rows
    facts = [Fact(doc="bench.txt", metric="members_total", value=float(i), unit="人", evidence=f"会员{i}人",
                  doc_id="x:0", year=2015 + i % 10, period="FY", as_of="2015-12-31", region=TOWNS[i % 8],
                  start=i, end=i + 5, flags=("redacted",) if i % 50 == 0 else ()) for i in range(n)]
    f = ExtractedFile("bench.txt", "bench.txt", "0" * 64, b"", "report", facts=facts)
    return fact_table(1, f, f.fact_table, {}, set(), BatchResolver(con))


def executemany_insert(con, rows) -> None:
    cols = rows.column_names
    marks = ", ".join("?" for _ in cols)
    con.executemany(f"INSERT INTO facts ({', '.join(cols)}) VALUES ({marks})",
                    [[r[c] for c in cols] for r in rows.to_pylist()])


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def bench_insert(n: int) -> list[tuple[str, float, float]]:
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        times = {}
        for name, fn in (("arrow", insert_facts), ("executemany", executemany_insert)):
            path = Path(tmp) / f"{name}.duckdb"
            set_up(path)  # the sample federation's directory: the towns resolve
            with db.transaction(path) as con:
                rows = make_rows(con, n)
                times[name] = timed(lambda fn=fn, con=con, rows=rows: fn(con, rows))
                assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == n
        out.append((f"insert {n} facts", times["arrow"], times["executemany"]))
    return out


def bench_reingest() -> list[tuple[str, float, float]]:
    samples = ROOT / "data" / "samples"
    with tempfile.TemporaryDirectory() as tmp:
        path, archive = Path(tmp) / "u.duckdb", Path(tmp) / "archive"
        set_up(path)
        first = timed(lambda: ingest_paths([samples], db_path=path, archive_dir=archive))
        again = timed(lambda: ingest_paths([samples], db_path=path, archive_dir=archive))
        extract_all = timed(lambda: [extract_path(p) for p in expand_paths([samples])])
    return [("first ingest of data/samples", first, float("nan")),
            ("re-ingest (skip by sha256 vs extract again)", again, extract_all)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    rows = bench_insert(n) + bench_reingest()
    print(f"{'case':48} {'ours (s)':>10} {'alternative (s)':>16} {'speed-up':>9}")
    for name, ours, alt in rows:
        ratio = f"{alt / ours:8.1f}×" if alt == alt else "        -"
        alt_s = f"{alt:16.3f}" if alt == alt else f"{'-':>16}"
        print(f"{name:48} {ours:10.3f} {alt_s} {ratio}")


if __name__ == "__main__":
    main()
