"""The columnar path (etl/tally/fast.py) gives exactly what the row path gives: facts, problems, order.

Every workbook is analysed twice, `fast=False` (cell by cell, the reference)
and `fast=True`, and everything the user or the loader sees is compared:
facts (value, cell, evidence, flags), problems (message, cell, order), the
rows the layout found, and finally the database rows after loading.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from tally_books import GOOD, xlsx
from test_tally_validate import HEAD, ROW_CASES

from etl.db import connect
from etl.load import load_files
from etl.tally import analyze
from etl.tally.columns import TallyFile

TOWNS = ["城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"]


def medium_rows(n: int = 2000, seed: int = 7) -> list[list]:
    """A 2,000-row wide tally with the mistakes staff make, spread through it.

    Regular rows for many made-up towns over several years and both periods, plus: text
    numbers (with 万 and separators), a note in a number cell, a negative count, a rate over
    100, a fractional count, new > total, a blank cell, a bad year, a bad period, a row
    without a town, an exact duplicate row and a conflicting one, a placeholder town, an
    unknown town (typo of a real one), a jump between years, a town without figures, an empty
    row, a 小计 and a 合计 row.
    """
    rnd = random.Random(seed)
    head = ["地区", "年份", "期间", "工会组织总数(家)", "新建工会(家)", "会员总数(人)", "职工总数(人)", "建会率(%)",
            "帮扶金额(万元)"]
    rows: list[list] = [["青禾区各镇(街道)工会统计表"], head]
    towns = TOWNS + [f"试验{i:03d}镇" for i in range(120)]
    for i in range(n):
        town = towns[(i // 16) % len(towns)] if i < n - 40 else towns[i % len(towns)] + "二"
        year, period = 2010 + (i % 16) // 2, ("上半年", "全年")[i % 2]
        orgs = 50 + (i * 7) % 300
        rows.append([town, year, period, orgs, orgs // 10, orgs * 40, orgs * 45, round(80 + rnd.random() * 20, 1),
                     round(rnd.random() * 30, 2)])
    bad = {
        5: (3, "1,234"), 9: (5, "3.2万"), 13: (3, "约150家"), 17: (4, -3), 21: (7, 123.5), 25: (3, 150.5),
        29: (4, 9999), 33: (6, None), 37: (1, "二〇二〇"), 41: (2, "第三季"), 45: (0, None), 49: (1, 1999),
        53: (8, "#DIV/0!"), 57: (3, True), 61: (0, "xx镇"), 65: (0, "城关街到"), 69: (5, 10_000_000),
        73: (7, "92.5%"), 77: (8, "-"),
    }
    for r, (c, v) in bad.items():
        rows[r][c] = v
    rows.insert(81, list(rows[80]))  # exact duplicate
    dup = list(rows[90])
    dup[3] = dup[3] + 1
    rows.insert(91, dup)  # same town/year/period, different figure
    rows.insert(120, ["小计", None, None, 999, 99, 9999, 99999, None, 9.9])
    rows.insert(150, ["桃源镇", 2016, "全年", None, None, None, None, None, None])  # a name, no figures: blank
    rows.insert(160, [None] * 9)
    rows.append(["合计", None, None, 1, 2, 3, 4, None, 5])
    rows.append(["填表人：张三", None, None, "审核人：李四"])
    return rows


def medium_book() -> tuple[str, bytes]:
    return "中等规模统计表.xlsx", xlsx({"汇总": {"rows": medium_rows()}})


CASES = {**GOOD, "medium_2000_rows": medium_book}
CASES.update({f"row_check_{c[0]}": (lambda row=c[1]: ("t.xlsx", xlsx({"Sheet1": {"rows": [HEAD, row]}})))
              for c in ROW_CASES})


def both(name: str, data: bytes, engine: str | None = None):
    return (analyze(data, name, engine=engine, fast=False), analyze(data, name, engine=engine, fast=True))


def assert_same(slow, fast) -> None:
    assert [p for p in fast.problems] == [p for p in slow.problems]
    assert len(fast.facts) == len(slow.facts)
    for a, b in zip(slow.facts, fast.facts, strict=True):
        assert b == a
    assert [[(r.index, r.kind, r.region) for r in t.rows] for t in fast.tables] == \
        [[(r.index, r.kind, r.region) for r in t.rows] for t in slow.tables]


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_fast_path_equals_row_path(case: str, engine: str) -> None:
    name, data = CASES[case]()
    if engine == "openpyxl" and name.endswith(".csv"):
        engine = None
    slow, fast = both(name, data, engine)
    assert_same(slow, fast)


def test_medium_workbook_has_every_kind_of_problem() -> None:
    """The workbook above really exercises the checks (else the equality test would prove little)."""
    name, data = medium_book()
    slow, fast = both(name, data, "calamine")
    codes = {p.code for p in fast.problems}
    assert codes >= {"not_a_number", "negative_value", "rate_out_of_range", "fractional_count", "pair_order",
                     "bad_year", "bad_period", "missing_region", "year_range", "duplicate_row", "duplicate_conflict",
                     "total_mismatch", "jump"}, codes
    assert any(f.flags == ("placeholder_region",) for f in fast.facts)
    assert any(f.value == 1234 and f.source == "汇总!D6" for f in fast.facts)
    assert any(f.value == 32000 and f.metric == "members_total" for f in fast.facts)
    assert len(fast.facts) > 11_000
    assert_same(slow, fast)


def test_facts_stay_columns_until_asked_for() -> None:
    name, data = medium_book()
    ef = analyze(data, name, engine="calamine", fast=True).extracted
    assert isinstance(ef, TallyFile) and ef.fact_columns is not None
    assert ef.fact_count == ef.fact_columns.num_rows
    first = ef.facts[0]
    assert ef.fact_columns is None  # the list was handed out: from now on it is the truth
    ef.facts = ef.facts[1:]
    assert ef.fact_count == len(ef.facts) and ef.facts[0] != first


def test_loading_either_path_writes_the_same_rows(tmp_path: Path) -> None:
    """The loader takes the Arrow table (fast) or the Fact list (slow): same rows, regions and aliases."""
    name, data = medium_book()
    slow, fast = both(name, data, "calamine")
    got = []
    for how, a in (("slow", slow), ("fast", fast)):
        db = tmp_path / f"{how}.duckdb"
        with connect(db):
            pass
        if how == "fast":
            assert a.extracted.fact_columns is not None
        s = load_files(db, [a.extracted], archive_dir=tmp_path / how, accept_partial=True)
        assert s.loaded == 1
        with connect(db, read_only=True) as con:
            got.append((
                con.execute("SELECT * EXCLUDE (id, created_at) FROM facts ORDER BY id").fetchall(),
                con.execute("SELECT * FROM regions ORDER BY id").fetchall(),
                con.execute("SELECT * FROM region_aliases ORDER BY alias").fetchall(),
                (s.facts, s.flagged)))
    assert got[0][0] and got[1] == got[0]


def test_bad_big_file_is_refused_whole(tmp_path: Path) -> None:
    """Errors found on the fast path block the load just as on the row path; nothing is written."""
    name, data = medium_book()
    fast = analyze(data, name, engine="calamine", fast=True)
    db = tmp_path / "u.duckdb"
    with connect(db):
        pass
    s = load_files(db, [fast.extracted], archive_dir=tmp_path / "a")
    assert s.batch_id is None and s.errors == 1 and "处错误" in s.files[0].reason
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0
