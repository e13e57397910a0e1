"""Tally workbooks as towns really send them, built with openpyxl for the tally tests.

Each builder returns (file name, bytes). Figures are those of the fictional
青禾区 towns; the tests state which facts each must yield.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from typing import Any

import openpyxl

Sheet = dict[str, Any]  # {"rows": [...], "merge": ["A1:F1"], "percent": ["D4"], "start": "A1"}


def xlsx(sheets: dict[str, Sheet]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, spec in sheets.items():
        ws = wb.create_sheet(title)
        r0 = spec.get("row0", 1)
        c0 = spec.get("col0", 1)
        for i, row in enumerate(spec["rows"]):
            for j, v in enumerate(row):
                if v is not None:
                    ws.cell(r0 + i, c0 + j, v)
        for rng in spec.get("merge", []):
            ws.merge_cells(rng)
        for ref in spec.get("percent", []):
            ws[ref].number_format = "0.00%"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def title_two_row_header() -> tuple[str, bytes]:
    """Title row with the year, two-row merged header, units in headers, 合计 row, 填表人 line."""
    rows = [
        ["2023年各镇(街道)工会组建情况统计表"],
        ["地区", "工会组建", None, None, "会员发展", None],
        [None, "工会组织总数(家)", "新建工会(家)", "建会率(%)", "会员人数(人)", "帮扶金额(万元)"],
        ["白沙镇", 120, 5, 0.9228, 5234, 2.5],
        ["青石镇", 80, 3, 0.91, 4120, 1.25],
        ["合计", 200, 8, None, 9354, 3.75],
        ["填表人：张三", None, "审核人：李四", None, "填报日期：2024年1月10日"],
    ]
    return "组建情况.xlsx", xlsx({"统计表": {"rows": rows, "merge": ["A1:F1", "A2:A3", "B2:D2", "E2:F2"],
                                           "percent": ["D4", "D5"]}})


def plain_with_year_period() -> tuple[str, bytes]:
    """Header in row 1 with 年度 and 期间 columns; synonyms 单位/年度/会员人数."""
    rows = [
        ["序号", "单位", "年度", "期间", "会员人数(人)", "新发展会员(人)", "入会率(%)"],
        [1, "城关街道", 2024, "上半年", 23410, 610, 93.1],
        [2, "城关街道", "2024年", "全年", 23980, 1180, 94.0],
        [3, "东湖街道", 2024, "1-6月", 19876, 402, 92.5],
    ]
    return "会员.xlsx", xlsx({"Sheet1": {"rows": rows}})


def vertical_merged_region() -> tuple[str, bytes]:
    """Region cells merged vertically over the H1 and FY rows of one town."""
    rows = [
        ["乡镇(街道)", "年份", "期间", "帮扶慰问户数(户)", "帮扶慰问金额(元)"],
        ["柳塘镇", 2022, "上半年", 41, 61500],
        [None, 2022, "全年", 88, 132000],
        ["桃源镇", 2022, "上半年", 36, 54000],
        [None, 2022, "全年", 70, 105000],
    ]
    return "帮扶.xlsx", xlsx({"帮扶": {"rows": rows, "merge": ["A2:A3", "A4:A5"]}})


def long_layout() -> tuple[str, bytes]:
    """One row per figure: 地区, 年份, 指标, 数值, 单位 (单位 is a unit column here)."""
    rows = [
        ["地区", "年份", "指标", "数值", "单位"],
        ["新港镇", 2021, "会员总数", 8012, "人"],
        ["新港镇", 2021, "帮扶金额", 3.2, "万元"],
        ["新港镇", 2021, "建会率", 88.5, "%"],
        ["云溪乡", 2021, "工会组织数", 96, "个"],
    ]
    return "长表.xlsx", xlsx({"数据": {"rows": rows}})


def sheet_per_year() -> tuple[str, bytes]:
    """One sheet per year; the year is only in the sheet name."""
    def sheet(base: int) -> Sheet:
        return {"rows": [["地区", "工会组织总数(家)", "会员总数(人)"],
                         ["白沙镇", base, base * 40], ["青石镇", base - 30, (base - 30) * 40]]}
    return "分年.xlsx", xlsx({"2022年": sheet(110), "2023年": sheet(120)})


def sheet_per_town() -> tuple[str, bytes]:
    """One sheet per town, named after it; years down the rows."""
    def sheet(base: int) -> Sheet:
        return {"rows": [["年份", "期间", "工会组织总数(家)", "签订集体合同企业数(家)"],
                         [2022, "全年", base, base // 2], [2023, "全年", base + 8, base // 2 + 5]]}
    return "分镇.xlsx", xlsx({"白沙镇": sheet(140), "云溪乡": sheet(90)})


def two_tables_one_sheet() -> tuple[str, bytes]:
    """Two tables on one sheet, each with its own title year."""
    rows = [
        ["2022年工会组建情况"],
        ["地区", "工会组织总数(家)", "新建工会(家)"],
        ["城关街道", 600, 20],
        ["东湖街道", 480, 15],
        [None],
        [None],
        ["2023年工会组建情况"],
        ["地区", "工会组织总数(家)", "新建工会(家)"],
        ["城关街道", 612, 14],
        ["东湖街道", 498, 18],
    ]
    return "两表.xlsx", xlsx({"组建": {"rows": rows}})


def blank_rows_and_columns() -> tuple[str, bytes]:
    """Table starting at C5 with an empty column inside and blank rows between the data."""
    rows = [
        ["2024年工会统计"],
        [None],
        ["地区", None, "会员总数(人)", "职工总数(人)"],
        ["青石镇", None, 7010, 7800],
        [None],
        ["柳塘镇", None, 5230, 6010],
        [None],
    ]
    return "空行.xlsx", xlsx({"Sheet1": {"rows": rows, "row0": 3, "col0": 3}})


def text_numbers() -> tuple[str, bytes]:
    """Numbers typed as text: separators, full-width digits, '%' signs, 万, dashes for blanks."""
    rows = [
        ["地区", "年度", "会员总数(人)", "建会率(%)", "帮扶慰问金额(元)", "新建工会数(家)"],
        ["桃源镇", 2023, "6,540", "91.5%", "2.5万", "-"],
        ["新港镇", 2023, "８０１２", " 89.0 ", "36，800", "７"],
    ]
    return "文本数字.xlsx", xlsx({"Sheet1": {"rows": rows}})


def fraction_rates() -> tuple[str, bytes]:
    """Rates typed as fractions in General-format cells (0.9228 meaning 92.28%)."""
    rows = [["地区", "年份", "建会率(%)", "入会率(%)"], ["白沙镇", 2024, 0.9228, 0.95], ["青石镇", 2024, 0.9, 0.931]]
    return "小数比率.xlsx", xlsx({"Sheet1": {"rows": rows}})


def subtotals() -> tuple[str, bytes]:
    """小计 for streets and for towns, then 合计: none is loaded as a region; sums agree."""
    rows = [
        ["2024年全年各镇(街道)工会统计表"],
        ["地区", "会员总数(人)", "帮扶慰问户数(户)"],
        ["城关街道", 24100, 60],
        ["东湖街道", 20300, 52],
        ["小计", 44400, 112],
        ["白沙镇", 6300, 30],
        ["云溪乡", 2100, 12],
        ["小计", 8400, 42],
        ["合计", 52800, 154],
    ]
    return "小计.xlsx", xlsx({"Sheet1": {"rows": rows}})


def notes_rows() -> tuple[str, bytes]:
    """Remarks and signature lines under the table are ignored."""
    rows = [
        ["地区", "年份", "参与调处劳动争议数(起)"],
        ["城关街道", 2022, 12],
        ["备注：数据截至2022年12月31日"],
        ["单位负责人：赵六", None, "填报日期：2023-01-05"],
    ]
    return "备注.xlsx", xlsx({"Sheet1": {"rows": rows}})


def unit_row_below_header() -> tuple[str, bytes]:
    """Units in their own row under the header ('(家)', '(万元)')."""
    rows = [
        ["2021年上半年统计"],
        ["地区", "新建工会", "帮扶金额", "会员总数"],
        [None, "(家)", "(万元)", "(人)"],
        ["青石镇", 4, 1.8, 6900],
    ]
    return "单位行.xlsx", xlsx({"Sheet1": {"rows": rows, "merge": ["A2:A3"]}})


def formula_without_cache() -> tuple[str, bytes]:
    """A formula written by openpyxl: the file holds no computed value for it."""
    rows = [["地区", "年份", "工会组织总数(家)", "新建工会(家)"],
            ["白沙镇", 2024, 150, 6], ["青石镇", 2024, "=C2-40", 4]]
    return "公式.xlsx", xlsx({"Sheet1": {"rows": rows}})


def xlsm_with_macro() -> tuple[str, bytes]:
    """An .xlsm (a vbaProject.bin part inside): read as values, the macro never runs."""
    _, data = plain_with_year_period()
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real macro project")
    return "会员.xlsm", buf.getvalue()


def csv_utf8() -> tuple[str, bytes]:
    text = "地区,年份,会员总数(人),帮扶慰问金额(万元)\n东湖街道,2020,\"18,230\",21.5\n白沙镇,2020,5120,9.8\n"
    return "会员.csv", ("\ufeff" + text).encode("utf-8")


def csv_gbk() -> tuple[str, bytes]:
    text = ("2020年工会统计表\n乡镇,年度,会员总数（人）,职工总数（人）\n"
            "柳塘镇,2020,4810,5600\n桃源镇,2020,5560,6300\n合计,,10370,11900\n")
    return "会员_gbk.csv", text.encode("gbk")


MEDIUM_TOWNS = ["城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"]


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
    towns = MEDIUM_TOWNS + [f"试验{i:03d}镇" for i in range(120)]
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


GOOD: dict[str, Callable[[], tuple[str, bytes]]] = {
    "title_two_row_header": title_two_row_header,
    "plain_with_year_period": plain_with_year_period,
    "vertical_merged_region": vertical_merged_region,
    "long_layout": long_layout,
    "sheet_per_year": sheet_per_year,
    "sheet_per_town": sheet_per_town,
    "two_tables_one_sheet": two_tables_one_sheet,
    "blank_rows_and_columns": blank_rows_and_columns,
    "text_numbers": text_numbers,
    "fraction_rates": fraction_rates,
    "subtotals": subtotals,
    "notes_rows": notes_rows,
    "unit_row_below_header": unit_row_below_header,
    "xlsm_with_macro": xlsm_with_macro,
    "csv_utf8": csv_utf8,
    "csv_gbk": csv_gbk,
}


def long_layout_problems() -> tuple[str, bytes]:
    """A long table with what goes wrong in one: unknown metric and unit, a unit that does not fit, text values,
    bad years and periods, a row without a town."""
    rows = [
        ["地区", "年份", "期间", "指标", "数值", "单位"],
        ["新港镇", 2021, "全年", "会员总数", 8012, "人"],
        ["新港镇", 2021, "全年", "困难职工建档数", 35, "户"],
        ["新港镇", 2021, "全年", "帮扶金额", 3.2, "打"],
        ["新港镇", 2021, "全年", "会员总数", 0.8, "万元"],
        ["新港镇", "二〇二一", "全年", "建会率", 88.5, "%"],
        ["云溪乡", 1999, "全年", "工会组织数", 96, "个"],
        ["云溪乡", 2021, "第三季", "工会组织数", 96, "个"],
        [None, 2021, "全年", "工会组织数", 97, "个"],
        ["云溪乡", 2021, "上半年", "职工总数", "三千", "人"],
        ["云溪乡", 2021, "上半年", "会员总数", "2.1万", None],
    ]
    return "长表问题.xlsx", xlsx({"数据": {"rows": rows}})


def wide_odd_cells() -> tuple[str, bytes]:
    """A wide table whose title year is out of range, a header unit that does not fit its metric, and cells
    holding dates, booleans, Excel errors, percent signs in counts and a 小计 that does not add up."""
    import datetime as dt

    rows = [
        ["1999年各镇(街道)工会统计表"],
        ["地区", "会员总数(万元)", "新建工会(家)", "职工总数(人)", "入会率(%)"],
        ["白沙镇", 1.2, dt.datetime(2024, 1, 5), 6000, 0.91],
        ["青石镇", 0.9, True, "#N/A", "88%"],
        ["柳塘镇", 1.1, "12.5%", 4500, 0.5],
        ["小计", 3.2, 20, 10000, None],
        ["xx镇", 1.0, 2, 3000, 0.8],
        ["某某街道", 1.0, 2, 3000, 0.8],
    ]
    return "怪格子.xlsx", xlsx({"Sheet1": {"rows": rows}})


def blocks_and_totals() -> tuple[str, bytes]:
    """Two tables on one sheet, a merged region over two rows, a total that is off, a notes line between."""
    rows = [
        ["2023年上半年统计"],
        ["地区", "期间", "帮扶慰问户数(户)", "帮扶慰问金额(元)"],
        ["柳塘镇", "上半年", 41, 61500],
        [None, "全年", 88, 132000],
        ["合计", None, 130, 193500],
        ["备注：金额为慰问金和慰问品折合"],
        [None],
        ["2024年统计"],
        ["地区", "期间", "帮扶慰问户数(户)", "帮扶慰问金额(元)"],
        ["桃源镇", "上半年", 36, 54000],
        ["桃源镇", "全年", 70, 105000],
        ["桃源镇", "全年", 70, 105000],
        ["桃源镇", "全年", 71, 105000],
    ]
    return "分块.xlsx", xlsx({"帮扶": {"rows": rows, "merge": ["A3:A4"]}})


ODD: dict[str, Callable[[], tuple[str, bytes]]] = {
    "long_layout_problems": long_layout_problems,
    "wide_odd_cells": wide_odd_cells,
    "blocks_and_totals": blocks_and_totals,
    "formula_without_cache": formula_without_cache,
    "medium_2000_rows": medium_book,
}


# ---------------------------------------------------------------- a typo'd town in the shapes towns really send

TYPO = "白莎镇"  # for 白沙镇


def _sample_with_typo() -> tuple[str, bytes]:
    """The shipped sample tally (title, 填报单位 line, two-row merged header, % cells, 合计, signatures), A7 typo'd."""
    from pathlib import Path

    src = next((Path(__file__).resolve().parent.parent / "data" / "samples" / "tallies").glob("*.xlsx"))
    wb = openpyxl.load_workbook(src)
    wb.active["A7"] = TYPO
    buf = io.BytesIO()
    wb.save(buf)
    return "样例_笔误.xlsx", buf.getvalue()


def _one(rows: list[list], **spec: Any) -> bytes:
    return xlsx({"Sheet1": {"rows": rows, **spec}})


# name → (builder, where the typo is written). Every one must be reported there, and annotated there.
TYPO_SHAPES: dict[str, tuple[Callable[[], tuple[str, bytes]], str]] = {
    "sample_title_merged_header": (_sample_with_typo, "2025上半年!A7"),
    "header_row_1_typo_in_row_4": (lambda: ("四行.xlsx", _one([
        ["地区", "年份", "工会组织总数(家)", "会员总数(人)"], ["城关街道", 2024, 600, 24000],
        ["青石镇", 2024, 300, 7000], [TYPO, 2024, 150, 5000]])), "Sheet1!A4"),
    "serial_then_unit_column": (lambda: ("序号.xlsx", _one([
        ["序号", "单位", "年度", "会员人数(人)"], [1, "青石镇", 2024, 7000], [2, TYPO, 2024, 5000]])), "Sheet1!B3"),
    "region_column_last": (lambda: ("地区在后.xlsx", _one([
        ["年份", "会员总数(人)", "职工总数(人)", "地区"], [2024, 7000, 8000, "青石镇"], [2024, 5000, 6000, TYPO]])),
        "Sheet1!D3"),
    "region_merged_over_two_rows": (lambda: ("合并.xlsx", _one([
        ["乡镇(街道)", "年份", "期间", "帮扶慰问户数(户)"], [TYPO, 2024, "上半年", 40], [None, 2024, "全年", 80],
        ["青石镇", 2024, "上半年", 30]], merge=["A2:A3"])), "Sheet1!A2"),
    "region_merged_across_two_columns": (lambda: ("横向合并.xlsx", _one([
        ["乡镇", None, "年份", "会员总数(人)"], ["青石镇", None, 2024, 7000], [TYPO, None, 2024, 5000]],
        merge=["A1:B1", "A2:B2", "A3:B3"])), "Sheet1!A3"),
    "long_layout_repeated": (lambda: ("长表.xlsx", _one([
        ["地区", "年份", "指标", "数值"], ["青石镇", 2024, "会员总数", 7000], [TYPO, 2024, "会员总数", 5000],
        [TYPO, 2024, "职工总数", 6000]])), "Sheet1!A3"),
    "town_in_title_only": (lambda: ("标题.xlsx", _one([
        [f"{TYPO}2024年工会工作统计表"], ["项目", "会员总数(人)", "职工总数(人)"], ["全镇", 5000, 6000]])),
        "Sheet1!A1"),
    "town_in_filled_by_line": (lambda: ("填报单位.xlsx", _one([
        ["2024年工会工作统计表"], [f"填报单位：{TYPO}总工会"], ["年份", "会员总数(人)", "职工总数(人)"],
        [2024, 5000, 6000]])), "Sheet1!A2"),
    "sheet_per_town": (lambda: ("分镇.xlsx", xlsx({
        "青石镇": {"rows": [["年份", "会员总数(人)"], [2024, 7000]]},
        TYPO: {"rows": [["年份", "会员总数(人)"], [2024, 5000]]}})), f"工作表“{TYPO}”的名称"),
    "table_from_C5": (lambda: ("偏移.xlsx", xlsx({"Sheet1": {"rows": [
        ["2024年统计"], [None], ["地区", None, "会员总数(人)"], ["青石镇", None, 7000], [TYPO, None, 5000]],
        "row0": 3, "col0": 3}})), "Sheet1!C7"),
    "second_table_on_sheet": (lambda: ("两表.xlsx", _one([
        ["2023年"], ["地区", "会员总数(人)"], ["青石镇", 6900], [None], ["2024年"], ["地区", "会员总数(人)"],
        ["青石镇", 7000], [TYPO, 5000]])), "Sheet1!A8"),
    "csv_gbk_after_good_rows": (lambda: ("会员.csv", (
        "2024年工会统计表\n乡镇,年度,会员总数（人）\n青石镇,2024,7000\n 白莎镇 ,2024,5000\n白莎镇,2024,5000\n"
    ).encode("gbk")), "会员!A4"),
}
