"""The completeness rule (etl/reporting.py) and the aggregates built on it (dashboard/snapshot.py, queries).

Table tests on a real database: the sample federation's directory (青禾区, 8 towns and streets, two 直属
enterprises and a sector union that are not waited for), figures loaded as tallies, then what the
dashboard reads: complete vs partial sums, 不适用, stocks vs flows, and renames and merges across years.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard import db, queries, summary
from etl import reporting
from etl.db import connect
from etl.load import load_files
from tests.test_load import tally

TOWNS = ["城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"]


def ids(db: Path) -> dict[str, int]:
    with connect(db, read_only=True) as con:
        return dict(con.execute("SELECT name, id FROM regions").fetchall())


def load(db: Path, tmp_path: Path, name: str, rows: list[tuple[str, str, float]], year: int) -> None:
    s = load_files(db, [tally(name, rows, year=year)], archive_dir=tmp_path / "archive")
    assert s.errors == 0, s.to_text()


def district(db: Path, metric: str, y0: int = 2023, y1: int = 2025):
    t = queries.trend([metric], [ids(db)["青禾区"]], y0, y1, ["FY"], path=db)
    return {int(r["year"]): r for _, r in t.iterrows() if r["value"] == r["value"]}


@pytest.fixture
def four_of_eight(tmp_db: Path, tmp_path: Path) -> Path:
    """2024: all 8 towns report 10 unions each (and the 直属 hospital 99, not summed); 2025: 4 towns, 20 each."""
    load(tmp_db, tmp_path, "2024.xlsx", [(t, "union_orgs_total", 10) for t in TOWNS]
         + [("青禾区人民医院", "union_orgs_total", 99)], 2024)
    load(tmp_db, tmp_path, "2025.xlsx", [(t, "union_orgs_total", 20) for t in TOWNS[:4]], 2025)
    return tmp_db


def test_complete_and_partial_sums(four_of_eight: Path) -> None:
    got = district(four_of_eight, "union_orgs_total")
    y24, y25 = got[2024], got[2025]
    assert (y24["value"], bool(y24["complete"]), y24["n_children"], y24["n_expected"]) == (80, True, 8, 8)
    assert (y25["value"], bool(y25["partial"]), y25["n_children"], y25["n_expected"]) == (80, True, 4, 8)
    assert y25["unit_word"] == "镇街"


def test_headline_stays_on_the_last_complete_year(four_of_eight: Path) -> None:
    t = queries.trend(["union_orgs_total"], [ids(four_of_eight)["青禾区"]], 2023, 2025, ["FY"], path=four_of_eight)
    (k,) = summary.kpis(t, ["union_orgs_total"])
    assert (k.year, k.value, k.when, k.newer) == (2024, 80, "2024年，8/8镇街", (2025, "4/8镇街"))
    assert k.previous is None  # 2023 has no figure: no 同比 from nothing
    (p,) = summary.kpis(t, ["union_orgs_total"], complete_only=False)
    assert (p.year, p.partial, p.when, p.previous) == (2025, True, "2025年，4/8镇街已报", None)  # no 同比 across


def test_a_district_figure_of_its_own_is_complete(four_of_eight: Path, tmp_path: Path) -> None:
    load(four_of_eight, tmp_path, "own.xlsx", [("青禾区", "union_orgs_total", 170)], 2025)
    y25 = district(four_of_eight, "union_orgs_total")[2025]
    assert (y25["value"], bool(y25["complete"]), bool(y25["from_children"])) == (170, True, False)


def test_not_applicable_units_are_not_waited_for(four_of_eight: Path) -> None:
    rid = ids(four_of_eight)
    marks = [reporting.mark_not_applicable(four_of_eight, rid[t], 2025, reason="撤并中", user="李四")
             for t in TOWNS[4:]]
    y25 = district(four_of_eight, "union_orgs_total")[2025]
    assert (y25["value"], bool(y25["complete"]), y25["n_children"], y25["n_expected"]) == (80, True, 4, 4)
    reporting.revoke(four_of_eight, marks[0], user="李四")
    db.forget()  # the dashboard's version stamp is reused for a moment; the page forgets it after a change
    assert district(four_of_eight, "union_orgs_total")[2025]["n_expected"] == 5
    with pytest.raises(reporting.ReportingError, match="已被撤回"):
        reporting.revoke(four_of_eight, marks[0])
    with connect(four_of_eight, read_only=True) as con:  # each mark and its revocation, with who did it
        got = con.execute("SELECT user_name, summary FROM audit_log WHERE action = 'exempt' ORDER BY id").fetchall()
    assert len(got) == 5 and all(u == "李四" for u, _ in got)
    assert got[0][1] == "标记柳塘镇 2025年全年和上半年全部指标不适用（撤并中）" and got[-1][1].startswith("撤回")


def test_missing_towns_are_listed_as_missing_not_absent(four_of_eight: Path) -> None:
    df = queries.by_region(["union_orgs_total"], [ids(four_of_eight)["青禾区"]], 2025, 2025, ["FY"], path=four_of_eight)
    status = dict(zip(df["region"], df["status"], strict=True))
    assert {t: status[t] for t in TOWNS} == {**{t: "reported" for t in TOWNS[:4]}, **{t: "missing" for t in TOWNS[4:]}}


def test_stocks_take_the_last_complete_year_and_flows_add_complete_years(tmp_db: Path, tmp_path: Path) -> None:
    for year, n in ((2023, 8), (2024, 8), (2025, 3)):
        load(tmp_db, tmp_path, f"{year}.xlsx", [(t, "union_orgs_total", year - 2000) for t in TOWNS[:n]]
             + [(t, "union_orgs_new", 1) for t in TOWNS[:n]], year)
    t = queries.trend(["union_orgs_total", "union_orgs_new"], [ids(tmp_db)["青禾区"]], 2023, 2025, ["FY"], path=tmp_db)
    got = {r["metric"]: (r["value"], r["basis"]) for _, r in queries.range_total(t).iterrows()}
    assert got["union_orgs_total"] == (8 * 24, "2024年末")  # a stock: the last complete year, never summed
    assert got["union_orgs_new"] == (16, "2023–2024年累计，2025年未报齐不计")  # a flow: complete years added


def test_renames_and_merges_keep_one_line_across_years(renamed_db: Path, tmp_path: Path) -> None:
    """柳塘镇 + 桃源镇 → 桃塘镇 after 2021; 云溪乡 → 云溪镇 after 2022."""
    before = [(t, "union_orgs_total", 10) for t in TOWNS]
    after = [(t, "union_orgs_total", 11) for t in ("城关街道", "东湖街道", "白沙镇", "青石镇", "新港镇")] + [
        ("桃塘镇", "union_orgs_total", 25), ("云溪乡", "union_orgs_total", 12)]
    load(renamed_db, tmp_path, "2021.xlsx", before, 2021)
    load(renamed_db, tmp_path, "2022.xlsx", after, 2022)
    got = district(renamed_db, "union_orgs_total", 2021, 2022)
    assert (got[2021]["value"], got[2021]["n_children"], got[2021]["n_expected"]) == (80, 8, 8)
    assert (got[2022]["value"], got[2022]["n_children"], got[2022]["n_expected"], bool(got[2022]["complete"])) == \
        (5 * 11 + 25 + 12, 7, 7, True)
    towns = queries.by_region(["union_orgs_total"], [ids(renamed_db)["青禾区"]], 2021, 2022, ["FY"], path=renamed_db)
    taotang = towns[towns["region"] == "桃塘镇"].set_index("year")
    assert taotang.loc[2021, "value"] == 20 and taotang.loc[2021, "via"] == "柳塘镇、桃源镇"  # its parts' sum
    assert taotang.loc[2022, "value"] == 25 and taotang.loc[2022, "via"] is None
    assert "柳塘镇" not in set(towns["region"])  # one line under the current name


def test_a_merged_towns_year_before_is_partial_when_a_part_is_missing(renamed_db: Path, tmp_path: Path) -> None:
    load(renamed_db, tmp_path, "2021.xlsx", [("柳塘镇", "union_orgs_total", 10)], 2021)
    towns = queries.by_region(["union_orgs_total"], [ids(renamed_db)["青禾区"]], 2021, 2021, ["FY"], path=renamed_db)
    taotang = towns[towns["region"] == "桃塘镇"].iloc[0]
    assert (taotang["value"], bool(taotang["partial"])) == (10, True)


@pytest.mark.parametrize(("received", "since", "today", "expected"), [
    (dt.date(2026, 1, 20), dt.date(2026, 1, 1), None, reporting.REPORTED),
    (dt.date(2026, 2, 3), dt.date(2026, 1, 1), None, reporting.LATE),
    (dt.date(2026, 2, 3), dt.date(2026, 6, 1), None, reporting.REPORTED),  # before tracking began: never late
    (None, None, dt.date(2026, 1, 10), reporting.PENDING),
    (None, None, dt.date(2026, 2, 10), reporting.MISSING),
], ids=["on-time", "late", "untracked", "not-yet-due", "missing"])
def test_status_of_a_full_year_figure(received, since, today, expected) -> None:
    assert reporting.due_date(2025, "FY") == dt.date(2026, 1, 31)
    assert reporting.status(received, 2025, "FY", since, today) == expected


def test_a_mark_needs_a_known_region_and_period(tmp_db: Path) -> None:
    with pytest.raises(reporting.ReportingError, match="期别“Q3”不认识"):
        reporting.mark_not_applicable(tmp_db, 1, 2025, period="Q3")
    with pytest.raises(reporting.ReportingError, match="没有编号为 99999"):
        reporting.mark_not_applicable(tmp_db, 99999, 2025)
