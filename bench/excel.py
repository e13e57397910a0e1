"""Rows per second for reading + validating + loading a big tally, calamine vs openpyxl, in one run.

Builds a 200,000-row wide tally (地区, 年份, 期间 + metric columns; town names
cycle through many made-up towns so there are no duplicate keys) with
openpyxl's write-only mode, then runs the real path twice: etl.tally.analyze
with each reader engine (read, find tables, build facts, file checks) and
etl.load.load_files into a fresh on-disk DuckDB. Prints one table.

    .venv/bin/python bench/excel.py [--rows 200000] [--skip-openpyxl]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADERS = ["地区", "年份", "期间", "工会组织总数(家)", "会员总数(人)", "职工总数(人)", "建会率(%)", "帮扶金额(万元)"]


def make_tally(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("汇总")
    ws.append(["青禾区各镇(街道)工会工作统计表（压力测试）"])
    ws.append(HEADERS)
    towns = rows // 20 + 1
    for i in range(rows):
        town, k = divmod(i, 20)
        year, half = 2005 + k // 2, ("上半年", "全年")[k % 2]
        orgs = 100 + town % 400 + k
        ws.append([f"测试{town:06d}镇", year, half, orgs, orgs * 40, orgs * 44, 85 + (town % 15), round(orgs / 97, 2)])
    del towns
    wb.save(path)


def run(path: Path, engine: str, workdir: Path) -> dict[str, float]:
    from etl.db import connect
    from etl.load import load_files
    from etl.tally import analyze

    data = path.read_bytes()
    t0 = time.perf_counter()
    a = analyze(data, path.name, engine=engine)
    t1 = time.perf_counter()
    assert a.extracted.ok, a.problems[:3]
    db = workdir / f"{engine}.duckdb"
    with connect(db):
        pass
    summary = load_files(db, [a.extracted], archive_dir=workdir / "archive")
    t2 = time.perf_counter()
    return {"read_check": t1 - t0, "load": t2 - t1, "total": t2 - t0, "facts": summary.facts}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--skip-openpyxl", action="store_true", help="openpyxl takes about a minute at 200,000 rows")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "big.xlsx"
        t = time.perf_counter()
        make_tally(path, args.rows)
        print(f"built {args.rows:,} rows × {len(HEADERS)} columns ({path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - t:.1f} s\n")
        engines = ["calamine"] + ([] if args.skip_openpyxl else ["openpyxl"])
        results = {e: run(path, e, work) for e in engines}
    base = results["calamine"]["total"]
    print(f"{'reader':<10} {'rows':>9} {'facts':>9} {'read+check s':>13} {'load s':>8} {'total s':>8} "
          f"{'rows/s':>9} {'× calamine':>11}")
    for e, r in results.items():
        print(f"{e:<10} {args.rows:>9,} {r['facts']:>9,} {r['read_check']:>13.2f} {r['load']:>8.2f} "
              f"{r['total']:>8.2f} {args.rows / r['total']:>9,.0f} {r['total'] / base:>11.1f}")


if __name__ == "__main__":
    main()
