"""Year-column tables pasted into reports: pipe cells, cells on their own lines, rows aligned with spaces."""

from __future__ import annotations

from etl.normalize import normalize
from etl.tables import year_column_cells


def _cells(text: str) -> list[tuple[str, int, float, str]]:
    t = normalize(text).text
    return [(c.label, c.year, c.value, c.cls) for c in year_column_cells(t, 0, len(t))]


def test_rows_aligned_with_spaces_fill_the_latest_years() -> None:
    text = ("表5　工会基本情况\n　　　　　　　　单位:个\n项　　目　　　　1995　　2000　　2005\n"
            "　基层工会组织数　　36215　37160　224605\n　会员人数(万人)　　645.48　626.67　1002.25\n"
            "　实行厂务公开的单位　　　　　19724　23355\n")
    cells = _cells(text)
    assert ("基层工会组织数", 1995, 36215, "org") in cells
    assert ("会员人数(万人)", 2005, 10022500, "person") in cells
    # a short row is the latest years'
    assert [(y, v) for lab, y, v, _ in cells if lab == "实行厂务公开的单位"] == [(2000, 19724), (2005, 23355)]


def test_cells_each_on_their_own_line_between_bars() -> None:
    text = "指 标\n|\n2006年\n|\n2005年\n|\n基层工会数\n|\n6941\n|\n6254\n|\n工会会员数\n|\n1356885\n|\n1248255\n|\n"
    assert _cells(text) == [("基层工会数", 2006, 6941, "org"), ("基层工会数", 2005, 6254, "org"),
                            ("工会会员数", 2006, 1356885, "person"), ("工会会员数", 2005, 1248255, "person")]


def test_prose_with_numbers_is_no_table() -> None:
    assert _cells("2022年和2023年，全县新建工会12家、28家，发展会员300人。") == []


def test_a_row_counting_units_counts_them_whatever_people_it_names() -> None:
    """建立职工代表大会制度的单位 names 职工 and 代表 but counts workplaces; 职工人数 still counts people."""
    text = ("　　　　　　　　单位:个\n指标　　　　2019　　2021\n　建立职工代表大会制度的单位　812　904\n"
            "　女职工委员会　330　371\n　职工人数(万人)　12.6　13.1\n")
    cells = _cells(text)
    assert ("建立职工代表大会制度的单位", 2021, 904, "org") in cells
    assert ("女职工委员会", 2019, 330, "org") in cells
    assert ("职工人数(万人)", 2019, 126000, "person") in cells
