#!/usr/bin/env python3
"""Build the demo database of the fictional 青禾区总工会 the way a federation builds its own.

One function for `make sample-db` and the tests' sample database (tests/conftest.py), so the demo and
the tests cannot drift apart:
1. the set-up: the federation's name and its directory from data/directory/青禾区地区名录.csv (the towns
   with their codes, two 直属 enterprises and a sector union), tracking deadlines since 2026-01-01;
2. one ingest of data/samples (reports 2019–2024, the 2025 tallies: the full year with 4 of 8 towns),
   every figure confirmed by 示例数据 (the demo's figures are known to be right).

    .venv/bin/python scripts/sample_db.py data/union.duckdb
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIRECTORY = ROOT / "data" / "directory" / "青禾区地区名录.csv"
SAMPLES = ROOT / "data" / "samples"
FEDERATION = "青禾区总工会"
SINCE = dt.date(2026, 1, 1)  # deadlines tracked from here: 2025's full year (due 2026-01-31) is judged
USER = "示例数据"
# When the material came in: the 2025 full-year tally is dated 2026-01-20, before its due date 2026-01-31, so
# 报送情况 shows its four towns as 已报 (not 逾期) whatever day the demo is built; earlier years are before SINCE.
RECEIVED = dt.date(2026, 1, 20)


def set_up(path: Path | str) -> None:
    """Only the federation and its directory (what the first-run set-up does)."""
    from etl import directory, directory_sources

    entries = directory_sources.read_csv(DIRECTORY.read_bytes())
    directory.setup(path, name=FEDERATION, area="青禾区", entries=entries, since=SINCE, user=USER)


def build(path: Path | str, archive: Path | str | None = None):
    """Set up the sample federation and load the samples; returns the ingest's LoadSummary."""
    from etl.pipeline import ingest_paths
    from etl.settings import load

    path = Path(path)
    set_up(path)
    return ingest_paths([SAMPLES], db_path=path, archive_dir=archive or load().with_db(path).archive_dir, user=USER,
                        confirmed_by=USER, received_on=RECEIVED)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/sample_db.py DB_PATH")
    print(build(sys.argv[1]).to_text())
