"""核对稿件 and 起草数字段落 speed: stored figures read per region and period (writing.stored.Store) against the
obvious way, one database query per figure.

Compared in one run on the sample database (data/samples ingested into a temp file):
- checking a draft (the district's 2024 paragraphs, 35 figures with their changes): extraction alone, then
  the whole check with the Store, then only the lookups done one query per figure on its own connection;
- drafting the paragraphs of every sample region, year and period (126 scopes) with one shared Store,
  and with a new Store per scope (what a page does on each rerun).

    .venv/bin/python bench/writing.py   (about half a minute)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.db import reader  # noqa: E402
from etl.extract import extract_report_text  # noqa: E402
from scripts.sample_db import build  # noqa: E402
from writing.check import check_draft  # noqa: E402
from writing.paragraphs import as_text, paragraphs  # noqa: E402
from writing.stored import Store  # noqa: E402


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def naive_lookups(facts, db: Path) -> int:
    """One query per figure (and one more for the year before), each on its own short connection."""
    n = 0
    for f in facts:
        for year in (f.year, f.year - 1):
            with reader(db) as con:
                con.execute(
                    """SELECT f.value, f.approx, f.evidence FROM facts f JOIN regions r ON r.id = f.region_id
                       WHERE r.name = ? AND f.metric = ? AND f.year = ? AND f.period = ? AND f.status = 'active'
                       ORDER BY f.confidence DESC, f.id DESC LIMIT 1""",
                    [f.region, f.metric, year, f.period or "FY"]).fetchall()
                n += 1
    return n


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-writing-"))
    db = tmp / "union.duckdb"
    build(db, tmp / "archive")  # as `make sample-db`: the federation and its directory, then the samples
    draft = "青禾区总工会2024年工作报告\n" + as_text(paragraphs("青禾区", 2024, "FY", path=db), numbered=False)
    rows = []
    t_extract, (_, facts) = timed(extract_report_text, draft, name="稿件.txt", region="青禾区")
    rows.append(("extraction only", t_extract, f"{len(facts)} facts"))
    check_draft(draft, path=db)  # warm the snapshot, as a running app has it
    t_check, check = timed(check_draft, draft, path=db)
    rows.append(("check, Store per region and period", t_check, f"{len(check.figures)} figures"))
    facts = [f for f in facts if f.year]
    t_naive, n = timed(naive_lookups, facts, db)
    rows.append(("lookups only, one query per figure", t_naive, f"{n} queries"))
    scopes = [(r, y, p) for r in Store(db).regions["name"] for y in range(2019, 2026) for p in ("FY", "H1")]
    store = Store(db)
    t_shared, _ = timed(lambda: [paragraphs(*s, store=store) for s in scopes])
    rows.append(("paragraphs, all scopes, one Store", t_shared, f"{len(scopes)} scopes"))
    t_fresh, _ = timed(lambda: [paragraphs(*s, path=db) for s in scopes])
    rows.append(("paragraphs, all scopes, Store per scope", t_fresh, f"{len(scopes)} scopes"))
    print(f"{'what':<42}{'seconds':>10}  size")
    for what, t, size in rows:
        print(f"{what:<42}{t:>10.3f}  {size}")


if __name__ == "__main__":
    main()
