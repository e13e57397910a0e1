"""The error report is the sender's own workbook with the bad cells filled and commented."""

from __future__ import annotations

import io

import openpyxl
from tally_books import GOOD, xlsx

from etl.tally import analyze
from etl.tally.report import FILLS, error_workbook


def test_bad_cells_are_highlighted_and_commented() -> None:
    rows = [["地区", "年份", "工会组织总数(家)", "新建工会(家)"], ["白沙镇", 2024, -1, 2], ["青石镇", 2024, 10, 12],
            ["合计", None, 10, 14]]
    data = xlsx({"Sheet1": {"rows": rows}})
    a = analyze(data, "t.xlsx")
    out = openpyxl.load_workbook(io.BytesIO(error_workbook(data, "t.xlsx", a.problems)))
    ws = out["Sheet1"]
    assert ws["C2"].value == -1  # the original content is untouched
    assert ws["C2"].fill.fgColor.rgb.endswith(FILLS["error"]) and "负数" in ws["C2"].comment.text
    assert ws["D3"].fill.fgColor.rgb.endswith(FILLS["error"]) and "不应大于" in ws["D3"].comment.text
    assert ws["B2"].comment is None
    listing = out["问题清单"]
    assert listing["A1"].value == "级别" and listing.max_row == 1 + len(a.problems)
    assert {listing.cell(r, 2).value for r in range(2, listing.max_row + 1)} == {p.where for p in a.problems}


def test_csv_report_is_a_new_workbook_with_the_same_cells() -> None:
    name, data = GOOD["csv_gbk"]()
    a = analyze(data, name)
    bad = data.replace(b"4810", b"-481")
    problems = [*a.problems, *analyze(bad, name).problems]
    out = openpyxl.load_workbook(io.BytesIO(error_workbook(bad, name, problems)))
    ws = out["会员_gbk"]
    assert ws["C3"].value == "-481" and ws["C3"].comment is not None
