"""Real-world tally layouts → exactly the right facts, each naming its cell.

One case per layout that towns actually send (tests/tally_books.py builds
them with openpyxl; two were written by LibreOffice: tests/fixtures/tallies).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tally_books import GOOD

from etl.tally import analyze, extract_tally_file

FIXTURES = Path(__file__).parent / "fixtures" / "tallies"

# (region, year, period, metric, value, cell)
EXPECTED: dict[str, list[tuple]] = {
    "title_two_row_header": [
        ("白沙镇", 2023, "FY", "union_orgs_total", 120, "统计表!B4"),
        ("白沙镇", 2023, "FY", "union_orgs_new", 5, "统计表!C4"),
        ("白沙镇", 2023, "FY", "union_coverage_rate", 92.28, "统计表!D4"),
        ("白沙镇", 2023, "FY", "members_total", 5234, "统计表!E4"),
        ("白沙镇", 2023, "FY", "aid_amount", 25000, "统计表!F4"),
        ("青石镇", 2023, "FY", "union_orgs_total", 80, "统计表!B5"),
        ("青石镇", 2023, "FY", "union_orgs_new", 3, "统计表!C5"),
        ("青石镇", 2023, "FY", "union_coverage_rate", 91, "统计表!D5"),
        ("青石镇", 2023, "FY", "members_total", 4120, "统计表!E5"),
        ("青石镇", 2023, "FY", "aid_amount", 12500, "统计表!F5"),
    ],
    "plain_with_year_period": [
        ("城关街道", 2024, "H1", "members_total", 23410, "Sheet1!E2"),
        ("城关街道", 2024, "H1", "members_new", 610, "Sheet1!F2"),
        ("城关街道", 2024, "H1", "membership_rate", 93.1, "Sheet1!G2"),
        ("城关街道", 2024, "FY", "members_total", 23980, "Sheet1!E3"),
        ("城关街道", 2024, "FY", "members_new", 1180, "Sheet1!F3"),
        ("城关街道", 2024, "FY", "membership_rate", 94.0, "Sheet1!G3"),
        ("东湖街道", 2024, "H1", "members_total", 19876, "Sheet1!E4"),
        ("东湖街道", 2024, "H1", "members_new", 402, "Sheet1!F4"),
        ("东湖街道", 2024, "H1", "membership_rate", 92.5, "Sheet1!G4"),
    ],
    "vertical_merged_region": [
        ("柳塘镇", 2022, "H1", "aid_households", 41, "帮扶!D2"),
        ("柳塘镇", 2022, "H1", "aid_amount", 61500, "帮扶!E2"),
        ("柳塘镇", 2022, "FY", "aid_households", 88, "帮扶!D3"),
        ("柳塘镇", 2022, "FY", "aid_amount", 132000, "帮扶!E3"),
        ("桃源镇", 2022, "H1", "aid_households", 36, "帮扶!D4"),
        ("桃源镇", 2022, "H1", "aid_amount", 54000, "帮扶!E4"),
        ("桃源镇", 2022, "FY", "aid_households", 70, "帮扶!D5"),
        ("桃源镇", 2022, "FY", "aid_amount", 105000, "帮扶!E5"),
    ],
    "long_layout": [
        ("新港镇", 2021, "FY", "members_total", 8012, "数据!D2"),
        ("新港镇", 2021, "FY", "aid_amount", 32000, "数据!D3"),
        ("新港镇", 2021, "FY", "union_coverage_rate", 88.5, "数据!D4"),
        ("云溪乡", 2021, "FY", "union_orgs_total", 96, "数据!D5"),
    ],
    "sheet_per_year": [
        ("白沙镇", 2022, "FY", "union_orgs_total", 110, "2022年!B2"),
        ("白沙镇", 2022, "FY", "members_total", 4400, "2022年!C2"),
        ("青石镇", 2022, "FY", "union_orgs_total", 80, "2022年!B3"),
        ("青石镇", 2022, "FY", "members_total", 3200, "2022年!C3"),
        ("白沙镇", 2023, "FY", "union_orgs_total", 120, "2023年!B2"),
        ("白沙镇", 2023, "FY", "members_total", 4800, "2023年!C2"),
        ("青石镇", 2023, "FY", "union_orgs_total", 90, "2023年!B3"),
        ("青石镇", 2023, "FY", "members_total", 3600, "2023年!C3"),
    ],
    "sheet_per_town": [
        ("白沙镇", 2022, "FY", "union_orgs_total", 140, "白沙镇!C2"),
        ("白沙镇", 2022, "FY", "cc_enterprises", 70, "白沙镇!D2"),
        ("白沙镇", 2023, "FY", "union_orgs_total", 148, "白沙镇!C3"),
        ("白沙镇", 2023, "FY", "cc_enterprises", 75, "白沙镇!D3"),
        ("云溪乡", 2022, "FY", "union_orgs_total", 90, "云溪乡!C2"),
        ("云溪乡", 2022, "FY", "cc_enterprises", 45, "云溪乡!D2"),
        ("云溪乡", 2023, "FY", "union_orgs_total", 98, "云溪乡!C3"),
        ("云溪乡", 2023, "FY", "cc_enterprises", 50, "云溪乡!D3"),
    ],
    "two_tables_one_sheet": [
        ("城关街道", 2022, "FY", "union_orgs_total", 600, "组建!B3"),
        ("城关街道", 2022, "FY", "union_orgs_new", 20, "组建!C3"),
        ("东湖街道", 2022, "FY", "union_orgs_total", 480, "组建!B4"),
        ("东湖街道", 2022, "FY", "union_orgs_new", 15, "组建!C4"),
        ("城关街道", 2023, "FY", "union_orgs_total", 612, "组建!B9"),
        ("城关街道", 2023, "FY", "union_orgs_new", 14, "组建!C9"),
        ("东湖街道", 2023, "FY", "union_orgs_total", 498, "组建!B10"),
        ("东湖街道", 2023, "FY", "union_orgs_new", 18, "组建!C10"),
    ],
    "blank_rows_and_columns": [
        ("青石镇", 2024, "FY", "members_total", 7010, "Sheet1!E6"),
        ("青石镇", 2024, "FY", "workers_total", 7800, "Sheet1!F6"),
        ("柳塘镇", 2024, "FY", "members_total", 5230, "Sheet1!E8"),
        ("柳塘镇", 2024, "FY", "workers_total", 6010, "Sheet1!F8"),
    ],
    "text_numbers": [
        ("桃源镇", 2023, "FY", "members_total", 6540, "Sheet1!C2"),
        ("桃源镇", 2023, "FY", "union_coverage_rate", 91.5, "Sheet1!D2"),
        ("桃源镇", 2023, "FY", "aid_amount", 25000, "Sheet1!E2"),
        ("新港镇", 2023, "FY", "members_total", 8012, "Sheet1!C3"),
        ("新港镇", 2023, "FY", "union_coverage_rate", 89.0, "Sheet1!D3"),
        ("新港镇", 2023, "FY", "aid_amount", 36800, "Sheet1!E3"),
        ("新港镇", 2023, "FY", "union_orgs_new", 7, "Sheet1!F3"),
    ],
    "fraction_rates": [
        ("白沙镇", 2024, "FY", "union_coverage_rate", 92.28, "Sheet1!C2"),
        ("白沙镇", 2024, "FY", "membership_rate", 95.0, "Sheet1!D2"),
        ("青石镇", 2024, "FY", "union_coverage_rate", 90.0, "Sheet1!C3"),
        ("青石镇", 2024, "FY", "membership_rate", 93.1, "Sheet1!D3"),
    ],
    "subtotals": [
        ("城关街道", 2024, "FY", "members_total", 24100, "Sheet1!B3"),
        ("城关街道", 2024, "FY", "aid_households", 60, "Sheet1!C3"),
        ("东湖街道", 2024, "FY", "members_total", 20300, "Sheet1!B4"),
        ("东湖街道", 2024, "FY", "aid_households", 52, "Sheet1!C4"),
        ("白沙镇", 2024, "FY", "members_total", 6300, "Sheet1!B6"),
        ("白沙镇", 2024, "FY", "aid_households", 30, "Sheet1!C6"),
        ("云溪乡", 2024, "FY", "members_total", 2100, "Sheet1!B7"),
        ("云溪乡", 2024, "FY", "aid_households", 12, "Sheet1!C7"),
    ],
    "notes_rows": [("城关街道", 2022, "FY", "disputes_handled", 12, "Sheet1!C2")],
    "unit_row_below_header": [
        ("青石镇", 2021, "H1", "union_orgs_new", 4, "Sheet1!B4"),
        ("青石镇", 2021, "H1", "aid_amount", 18000, "Sheet1!C4"),
        ("青石镇", 2021, "H1", "members_total", 6900, "Sheet1!D4"),
    ],
    "csv_utf8": [
        ("东湖街道", 2020, "FY", "members_total", 18230, "会员!C2"),
        ("东湖街道", 2020, "FY", "aid_amount", 215000, "会员!D2"),
        ("白沙镇", 2020, "FY", "members_total", 5120, "会员!C3"),
        ("白沙镇", 2020, "FY", "aid_amount", 98000, "会员!D3"),
    ],
    "csv_gbk": [
        ("柳塘镇", 2020, "FY", "members_total", 4810, "会员_gbk!C3"),
        ("柳塘镇", 2020, "FY", "workers_total", 5600, "会员_gbk!D3"),
        ("桃源镇", 2020, "FY", "members_total", 5560, "会员_gbk!C4"),
        ("桃源镇", 2020, "FY", "workers_total", 6300, "会员_gbk!D4"),
    ],
}
EXPECTED["xlsm_with_macro"] = EXPECTED["plain_with_year_period"]

# Warnings each layout must raise (codes); anything else would be noise for the sender.
WARNINGS = {"fraction_rates": ["fraction_rate", "fraction_rate"]}

SOFFICE = [
    ("城关街道", 2023, "FY", "union_orgs_total", 612, "soffice_source!B3"),
    ("城关街道", 2023, "FY", "members_total", 23410, "soffice_source!C3"),
    ("城关街道", 2023, "FY", "union_coverage_rate", 95.2, "soffice_source!D3"),
    ("城关街道", 2023, "FY", "aid_amount", 365000, "soffice_source!E3"),
    ("东湖街道", 2023, "FY", "union_orgs_total", 498, "soffice_source!B4"),
    ("东湖街道", 2023, "FY", "members_total", 19876, "soffice_source!C4"),
    ("东湖街道", 2023, "FY", "union_coverage_rate", 94.1, "soffice_source!D4"),
    ("东湖街道", 2023, "FY", "aid_amount", 283000, "soffice_source!E4"),
    ("白沙镇", 2023, "FY", "union_orgs_total", 153, "soffice_source!B5"),
    ("白沙镇", 2023, "FY", "members_total", 6120, "soffice_source!C5"),
    ("白沙镇", 2023, "FY", "union_coverage_rate", 90.4, "soffice_source!D5"),
    ("白沙镇", 2023, "FY", "aid_amount", 126000, "soffice_source!E5"),
]


def facts_of(facts) -> list[tuple]:
    return [(f.region, f.year, f.period, f.metric, pytest.approx(f.value), f.source) for f in facts]


@pytest.mark.parametrize("case", sorted(GOOD), ids=sorted(GOOD))
def test_layout_yields_the_right_facts(case: str) -> None:
    name, data = GOOD[case]()
    a = analyze(data, name)
    assert facts_of(a.facts) == EXPECTED[case]
    assert not [p for p in a.problems if p.severity == "error"], a.problems
    assert sorted(p.code for p in a.problems) == WARNINGS.get(case, []), a.problems
    for f in a.facts:
        assert f.doc == name and f.doc_id.startswith(a.extracted.sha256[:16] + ":")
        assert f.unit and f.evidence.startswith(f.region)


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
@pytest.mark.parametrize("case", ["title_two_row_header", "vertical_merged_region", "two_tables_one_sheet",
                                  "unit_row_below_header", "subtotals"])
def test_calamine_reads_the_same_as_openpyxl(case: str, engine: str) -> None:
    """calamine sees no formats: percent-formatted fractions are still read as percent (by the column rule)."""
    name, data = GOOD[case]()
    assert facts_of(analyze(data, name, engine=engine).facts) == EXPECTED[case]


@pytest.mark.parametrize("file", ["soffice_made.xlsx", "soffice_made.xls"], ids=["libreoffice_xlsx", "libreoffice_xls"])
def test_third_party_files(file: str) -> None:
    ef = extract_tally_file(FIXTURES / file)
    assert ef.kind == "tally" and ef.ok
    assert facts_of(ef.facts) == SOFFICE


def test_title_gives_year_and_period_and_table_is_described() -> None:
    name, data = GOOD["unit_row_below_header"]()
    (t,) = analyze(data, name).tables
    assert (t.year, t.period, t.layout, t.header_rows) == (2021, "H1", "wide", [1, 2])
    assert [c.unit.scale if c.unit else None for c in t.columns] == [None, 1, 10000, 1]


def test_documents_one_per_sheet() -> None:
    name, data = GOOD["sheet_per_year"]()
    ef = analyze(data, name).extracted
    assert [(d.segment, d.year) for d in ef.documents] == [(0, 2022), (1, 2023)]


def test_remembered_mapping_overrides_the_guess() -> None:
    """A column the reader cannot name (困难职工建档数) is ignored with a warning until the user maps it."""
    from tally_books import xlsx

    data = xlsx({"Sheet1": {"rows": [["地区", "年份", "会员总数(人)", "困难职工建档数(户)"],
                                     ["白沙镇", 2024, 6000, 35]]}})
    first = analyze(data, "x.xlsx")
    assert [f.metric for f in first.facts] == ["members_total"]
    assert [p.code for p in first.problems] == ["unknown_column"] and first.problems[0].where == "Sheet1!D1"
    key = first.tables[0].key
    second = analyze(data, "x.xlsx", mapping={key: {"D": "aid_households"}})
    assert [(f.metric, f.value) for f in second.facts] == [("members_total", 6000), ("aid_households", 35)]
    assert not second.problems


def test_sample_tally_is_reproducible_and_clean(tmp_path: Path) -> None:
    import runpy

    sample = Path(__file__).resolve().parent.parent / "data" / "samples" / "tallies"
    gen = runpy.run_path(str(sample / "generate.py"))
    assert sorted(sample.glob("*.xlsx")) == sorted([gen["OUT"], gen["OUT_FY"]])
    for shipped, period, towns in ((gen["OUT"], "H1", gen["TOWNS"]), (gen["OUT_FY"], "FY", gen["REPORTED_FY"])):
        assert gen["build"](period) == shipped.read_bytes()
        ef = extract_tally_file(shipped)
        assert ef.problems == []
        assert len(ef.facts) == len(towns) * 11
        assert {f.region for f in ef.facts} == set(towns)
        assert {(f.year, f.period) for f in ef.facts} == {(2025, period)}
    assert len(gen["TOWNS"]) == 8 and len(gen["REPORTED_FY"]) == 4  # the full year: 4 of 8 towns so far
