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


def _formula_cells(wb) -> list[str]:
    """Cells a spreadsheet program would calculate: formula cells, or text starting like one without the quote."""
    from export.xlsx import needs_escape

    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str) and needs_escape(c.value) and not c.quotePrefix):
                    bad.append(f"{ws.title}!{c.coordinate}={c.value!r}")
    return bad


def test_nothing_in_the_report_can_calculate() -> None:
    """Town names and notes like =HYPERLINK(…) and =cmd|…: text in every sheet, including 问题清单."""
    import hostile

    for name, data in (("注入.xlsx", hostile.injection_xlsx()), ("注入.csv", hostile.injection_csv())):
        a = analyze(data, name)
        out = openpyxl.load_workbook(io.BytesIO(error_workbook(data, name, a.problems)))
        assert _formula_cells(out) == [], name
        texts = {c.value for ws in out.worksheets for row in ws.iter_rows() for c in row}
        assert hostile.FORMULAS[1] in texts  # kept exactly as written, as text


def test_a_formula_in_the_original_becomes_its_value() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "年份", "工会组织总数(家)"])
    ws.append(["白沙镇", 2024, -1])
    ws["D1"] = '=HYPERLINK("http://127.0.0.1:9","x")'
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    out = openpyxl.load_workbook(io.BytesIO(error_workbook(data, "f.xlsx", analyze(data, "f.xlsx").problems)))
    assert _formula_cells(out) == []


def test_big_files_get_the_list_only_and_the_list_is_capped(monkeypatch) -> None:
    from etl import limits

    name, data = "坏.xlsx", xlsx({"Sheet1": {"rows": [["地区", "年份", "会员总数(人)"], ["白沙镇", 2024, -1]]}})
    problems = analyze(data, name).problems * 40
    monkeypatch.setenv("UNION_ANNOTATE_MAX_CELLS", "5")
    monkeypatch.setenv("UNION_PROBLEMS_LISTED", "10")
    limits.reset()
    try:
        out = openpyxl.load_workbook(io.BytesIO(error_workbook(data, name, problems)))
    finally:
        limits.reset()
    assert out.sheetnames == ["问题清单"]
    rows = [[c.value for c in row] for row in out["问题清单"].iter_rows()]
    assert "未复制原表" in rows[0][3] and len(rows) == 2 + 10 + 1
    assert f"另有 {len(problems) - 10} 条问题未列出" in rows[-1][3]


def test_an_unreadable_file_gets_the_list_not_a_traceback() -> None:
    import hostile

    data = hostile.random_csv(1)
    problems = analyze(data, "随机.csv").problems
    out = openpyxl.load_workbook(io.BytesIO(error_workbook(data, "随机.csv", problems)))
    assert out.sheetnames == ["问题清单"]
