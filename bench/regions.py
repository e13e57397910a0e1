"""Region resolution of a big tally against the directory: once per distinct name vs once per row.

    .venv/bin/python bench/regions.py [ROWS]     (default 200,000)

What a load does with a tally's region column (etl/load_rows.py `fact_table`): dictionary-encode the
names, resolve each distinct name once against the directory (`BatchResolver.resolve_all`: name,
alias, official code, 总工会 suffix, traditional characters, county prefix), spread the ids back with
one `take`, then move renamed and merged towns to their successor by the row's year
(`successors_by_year`). The obvious alternative resolves row by row with the same resolver
(`resolve` + `in_year` per row). Two directories: the sample federation with its renames and merges
(tests/fixtures/directory_renamed_towns.csv, 8 towns and their aliases) and a synthetic district of
1,000 towns. The rows name towns as senders write them: full names, aliases, 总工会 suffixes, codes,
one typo in a hundred (unknown: the load would hold it for a person).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl import db, directory, directory_sources  # noqa: E402
from etl.regions import BatchResolver, RegionResolver  # noqa: E402

SAMPLE_VARIANTS = ["城关街道", "城关街道总工会", "东湖街", "白沙镇", "339901102000", "柳塘镇", "桃源镇工会", "新港",
                   "云溪乡", "云溪镇", "桃塘镇", "青禾区城关街道", "白杉镇"]


def sample_directory(path: Path) -> list[str]:
    entries = directory_sources.read_csv((ROOT / "tests" / "fixtures" / "directory_renamed_towns.csv").read_bytes())
    directory.setup(path, name="青禾区总工会", area="青禾区", entries=entries)
    return SAMPLE_VARIANTS


def large_directory(path: Path, towns: int = 1000) -> list[str]:
    entries = [directory.Entry("基准区", "区县", None, "339902000000")]
    entries += [directory.Entry(f"基准{i:04d}镇", "乡镇街道", "基准区", f"339902{i:03d}000"[:12],
                                (f"基准{i:04d}",)) for i in range(1, towns + 1)]
    directory.setup(path, name="基准区总工会", area="基准区", entries=entries)
    names = [e.name for e in entries[1:]]
    return names + [f"{n}总工会" for n in names[::2]] + [n.removesuffix("镇") for n in names[::3]] + ["基准99999镇"]


def rows(variants: list[str], n: int) -> tuple[pa.Array, pa.Array]:
    rnd = random.Random(9)
    return (pa.array([rnd.choice(variants) for _ in range(n)], pa.string()),
            pa.array([rnd.randint(2019, 2025) for _ in range(n)], pa.int32()))


def ours(con, names: pa.Array, years: pa.Array) -> pa.Array:
    """As etl/load_rows.py does it: each distinct name once, then one take and the successors by year."""
    r = BatchResolver(con)
    enc = pc.dictionary_encode(names)
    distinct = enc.dictionary.to_pylist()
    ids = r.resolve_all(distinct)
    region_id = pc.take(pa.array([ids[x] for x in distinct], pa.int32()), enc.indices)
    return r.successors_by_year(region_id, years)


def per_row(con, names: pa.Array, years: pa.Array) -> pa.Array:
    """The obvious way: resolve every row, then follow its successor, row by row."""
    r = RegionResolver(con)
    out = []
    for name, year in zip(names.to_pylist(), years.to_pylist(), strict=True):
        rid = r.resolve(name)
        out.append(None if rid is None else r.in_year(rid, year))
    return pa.array(out, pa.int32())


def timed(fn, *args) -> tuple[float, pa.Array]:
    t = time.perf_counter()
    got = fn(*args)
    return time.perf_counter() - t, got


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    print(f"{'directory':34} {'rows':>8} {'names':>6} {'ours (s)':>9} {'per row (s)':>12} {'speed-up':>9} "
          f"{'unknown rows':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, make in (("sample 青禾区 (renames, merges)", sample_directory),
                            ("synthetic 1,000 towns", large_directory)):
            path = Path(tmp) / f"{make.__name__}.duckdb"
            variants = make(path)
            names, years = rows(variants, n)
            with db.connect(path, read_only=True) as con:
                t_ours, a = timed(ours, con, names, years)
                t_row, b = timed(per_row, con, names, years)
            assert a.to_pylist() == b.to_pylist(), "the two ways disagree"
            unknown = a.null_count
            print(f"{label:34} {n:8,} {len(set(variants)):6,} {t_ours:9.3f} {t_row:12.3f} {t_row / t_ours:8.0f}× "
                  f"{unknown:12,}")


if __name__ == "__main__":
    main()
