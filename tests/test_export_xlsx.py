"""Table export: formula-like text stays text (openpyxl, the XML itself, and LibreOffice agree), names are legal."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from export import xlsx

ESCAPED = [
    ("=1+1", "等号公式"),
    ("=HYPERLINK(\"http://x\",\"点我\")", "超链接公式"),
    ("+86 138 0000 0000", "加号开头电话"),
    ("-5", "负号开头文本"),
    ("@SUM(A1:A3)", "at 函数"),
    ("=cmd|' /C calc'!A0", "DDE 命令"),
    ("\t=1+1", "制表符开头"),
    ("\r=1+1", "回车开头"),
]
PLAIN = [
    ("青石镇", "镇名"),
    ("东湖街道=第一", "中间有等号"),
    ("工会组织总数（家）", "表头"),
    ("", "空字符串"),
]


@pytest.mark.parametrize("text", [t for t, _ in ESCAPED], ids=[i for _, i in ESCAPED])
def test_formula_like_text_is_escaped(text: str) -> None:
    assert xlsx.needs_escape(text)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.table(pd.DataFrame({"地区": [text]})))).active
    cell = ws["A2"]
    assert cell.value == text  # kept exactly, nothing lost
    assert cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize("text", [t for t, _ in PLAIN], ids=[i for _, i in PLAIN])
def test_plain_text_is_not_marked(text: str) -> None:
    assert not xlsx.needs_escape(text)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.table(pd.DataFrame({"地区": [text]})))).active
    assert not ws["A2"].quotePrefix


def test_no_formula_element_in_the_sheet_xml() -> None:
    data = xlsx.table(pd.DataFrame({"地区": [t for t, _ in ESCAPED]}))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_numbers_stay_numbers_and_gaps_stay_empty() -> None:
    df = pd.DataFrame({"年份": [2023, 2024], "建会率（%）": [95.0, float("nan")], "会员（人）": [-3, 248919],
                       "约数": [True, False]})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.table(df))).active
    assert [c.value for c in ws[2]] == [2023, 95, -3, "是"]
    assert [c.value for c in ws[3]] == [2024, None, 248919, "否"]
    assert ws["C2"].data_type == "n"


@pytest.mark.parametrize(("title", "expected"), [
    ("覆盖率：各镇（街道）建会率", "覆盖率：各镇（街道）建会率"),  # full-width colon is legal
    ("a/b\\c?d*e[f]g", "abcdefg"),
    ("很长的标题" * 10, ("很长的标题" * 10)[:31]),
    ("", "表"),
], ids=["全角冒号可用", "非法字符", "超长标题", "空标题"])
def test_sheet_names_are_legal(title: str, expected: str) -> None:
    assert xlsx.sheet_name(title, set()) == expected


def test_duplicate_sheet_names_get_numbers() -> None:
    taken: set[str] = set()
    names = [xlsx.sheet_name("建会率", taken) for _ in range(3)]
    assert names == ["建会率", "建会率(2)", "建会率(3)"]


def test_workbook_with_about_sheet() -> None:
    data = xlsx.tables([("建会率", pd.DataFrame({"地区": ["青石镇"], "建会率": [96.5]})),
                        ("建会率", pd.DataFrame({"地区": ["白沙镇"], "建会率": [97.3]}))],
                       about=[("建会率", "=危险的备注")])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "建会率", "建会率(2)"]
    assert wb["说明"]["B2"].value == "=危险的备注" and wb["说明"]["B2"].quotePrefix
    assert wb["建会率(2)"]["A2"].value == "白沙镇"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed (make render-deps)")
def test_libreoffice_reads_escaped_cells_as_text(tmp_path: Path) -> None:
    texts = [t for t, _ in ESCAPED if not t.startswith(("\t", "\r"))]
    src = tmp_path / "t.xlsx"
    src.write_bytes(xlsx.table(pd.DataFrame({"地区": texts, "数": range(len(texts))})))
    got = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                          "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(src)],
                         check=True, capture_output=True, text=True, timeout=120)
    if not (tmp_path / "t.csv").exists() and "could not be loaded" in got.stdout + got.stderr:
        pytest.skip("LibreOffice without Calc (make render-deps installs Impress only): cannot open .xlsx")
    rows = list(csv.reader((tmp_path / "t.csv").open(encoding="utf-8")))
    assert [r[0] for r in rows[1:]] == texts  # not evaluated: '=1+1' is not '2'
