"""Page query times on a synthetic database of 10+ million facts, next to pandas doing the same work.

    .venv/bin/python bench/queries.py [--towns 42000] [--years 20] [--repeat 7] [--db PATH]

Builds (or reuses with --db) 42,000 towns × 20 years × 2 periods × 6 metrics
= 10,080,000 facts with DuckDB generate_series, then for every page times the
query calls that page makes (median and p95 over --repeat runs, caches of the
app bypassed) and the same aggregation in pandas on the same countable facts
already loaded in memory. The snapshot build (once per data change) is
reported separately, next to pandas loading the facts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import queries, snapshot
from dashboard.synth import build_large

KPI = ["union_orgs_total", "members_total", "union_coverage_rate", "cc_workers_covered", "aid_amount", "members_new"]


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    return statistics.median(ts), ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))]


# ---------------------------------------------------------------- the pandas side (same rules, same data)

def pd_cells(facts: pd.DataFrame) -> pd.DataFrame:
    """One value per cell: highest confidence, then latest id (as the snapshot does)."""
    f = facts.sort_values(["confidence", "id"])
    return f.groupby(["region_id", "metric", "year", "period"], sort=False).tail(1)


def pd_trend(facts, regions, metrics, y0, y1, periods):
    f = facts[facts["metric"].isin(metrics) & facts["year"].between(y0, y1) & facts["period"].isin(periods)]
    cells = pd_cells(f)
    kids = cells.merge(regions[["id", "parent_id"]], left_on="region_id", right_on="id")
    return kids[kids["parent_id"] == 1].groupby(["metric", "year", "period"])["value"].sum()


def pd_by_region(facts, metrics, y0, y1, periods, top=None):
    f = facts[facts["metric"].isin(metrics) & facts["year"].between(y0, y1) & facts["period"].isin(periods)]
    cells = pd_cells(f)
    if top:
        last = cells[(cells["metric"] == metrics[0]) & (cells["period"] == periods[0])]
        last = last[last["year"] == last["year"].max()].nlargest(top, "value")["region_id"]
        cells = cells[cells["region_id"].isin(last)]
    return cells


def pd_review(facts):
    f = facts.copy()
    f["n"] = f.groupby(["region_id", "metric", "year", "period"])["value"].transform("nunique")
    return f[(f["confidence"] < 0.7) | (f["flags"].map(len) > 0) | (f["n"] > 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--towns", type=int, default=42_000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--db", type=Path, help="reuse (or create) this database instead of a temp one")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:  # the 240 MB database goes away unless --db keeps it
        run(args, args.db or Path(tmp) / "bench.duckdb")


def run(args: argparse.Namespace, path: Path) -> None:
    if not path.exists():
        t = time.perf_counter()
        n = build_large(path, towns=args.towns, years=args.years)
        print(f"built {n:,} facts in {time.perf_counter() - t:.1f} s → {path}")
    with duckdb.connect(str(path), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM facts").fetchone()[0]
        y1 = con.execute("SELECT max(year) FROM facts").fetchone()[0]
        y0 = y1 - args.years + 1
        t = time.perf_counter()
        facts = con.execute("SELECT id, region_id, metric, year, period, value, confidence, flags FROM facts "
                            "WHERE status = 'active'").df()
        regions = con.execute("SELECT id, parent_id FROM regions").df()
        pd_load = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    snapshot.build(path).close()
    snap_build = (time.perf_counter() - t) * 1000
    snapshot.cursor(path).close()  # warm the current version's snapshot, as the running app would

    root = [1]
    FY = ["FY"]
    both = ["FY", "H1"]
    pages = {
        "总览 overview": (
            lambda: (queries.trend(KPI, root, y0, y1, FY, path=path),
                     queries.changes(KPI, root, y1, "FY", path=path),
                     queries.excluded(KPI, y0, y1, path=path)),
            lambda: (pd_trend(facts, regions, KPI, y0, y1, FY), pd_by_region(facts, KPI, y1 - 1, y1, FY)),
        ),
        "工会组建 formation": (
            lambda: (queries.trend(KPI[:3], root, y0, y1, both, path=path),
                     queries.by_region(KPI[:3], root, y0, y1, both, top=24, path=path)),
            lambda: (pd_trend(facts, regions, KPI[:3], y0, y1, both),
                     pd_by_region(facts, KPI[:3], y0, y1, both, top=24)),
        ),
        "困难帮扶 hardship": (
            lambda: (queries.trend(["aid_amount"], root, y0, y1, both, path=path),
                     queries.by_region(["aid_amount"], root, y0, y1, FY, top=24, path=path)),
            lambda: (pd_trend(facts, regions, ["aid_amount"], y0, y1, both),
                     pd_by_region(facts, ["aid_amount"], y0, y1, FY, top=24)),
        ),
        "覆盖率 coverage": (
            lambda: (queries.by_region(["union_coverage_rate"], root, y0, y1, FY, top=24, path=path),
                     queries.by_region(["union_coverage_rate"], root, y1, y1, FY, path=path)),
            lambda: (pd_by_region(facts, ["union_coverage_rate"], y0, y1, FY, top=24),
                     pd_by_region(facts, ["union_coverage_rate"], y1, y1, FY)),
        ),
        "地区详情 region": (
            lambda: (queries.region_profile(12345, path=path), queries.region_files(12345, path=path)),
            lambda: pd_cells(facts[facts["region_id"] == 12345]),
        ),
        "数据来源 sources": (
            lambda: queries.sources(12345, "members_total", y1, "FY", path=path),
            lambda: facts[(facts["region_id"] == 12345) & (facts["metric"] == "members_total")
                          & (facts["year"] == y1) & (facts["period"] == "FY")],
        ),
        "审核 review": (
            lambda: (queries.review_queue(path=path), queries.review_total(path=path)),
            lambda: pd_review(facts),
        ),
    }
    print(f"\n{n:,} facts · {args.towns:,} towns · {args.years} years · median/p95 of {args.repeat} runs (ms)\n")
    print(f"{'page':<22}{'duckdb med':>12}{'p95':>9}{'pandas med':>12}{'p95':>9}{'pandas/duckdb':>15}")
    worst = 0.0
    for name, (ours, theirs) in pages.items():
        m, p = timed(ours, args.repeat)
        pm, pp = timed(theirs, max(3, args.repeat // 2))
        worst = max(worst, m)
        print(f"{name:<22}{m:>12.0f}{p:>9.0f}{pm:>12.0f}{pp:>9.0f}{pm / m:>14.1f}×")
    print(f"\nonce per data change: snapshot build {snap_build:.0f} ms; pandas loading the facts {pd_load:.0f} ms")
    print(f"slowest page median {worst:.0f} ms ({'within' if worst < 200 else 'OVER'} the 200 ms aim)")


if __name__ == "__main__":
    main()
