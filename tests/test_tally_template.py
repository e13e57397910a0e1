"""The template: catalog columns named as the official forms name them, with units, data validation, Chinese
instructions and metric explanations, and it reads back cleanly."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl

from etl.catalog import load_catalog
from etl.tally import analyze
from etl.tally.mapping import classify_header
from etl.tally.template import build_template, header_of, key_headers

ROOT = Path(__file__).resolve().parent.parent


def test_template_structure() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(build_template()))
    assert wb.sheetnames == ["填表说明", "数据", "指标说明"]
    ws = wb["数据"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["乡镇(街道)名称", "年度", "期间"] == key_headers()
    assert headers[3:-1] == [header_of(code) for code in load_catalog()]
    assert "会员人数(人)" in headers and "帮扶慰问金额(元)" in headers and "建会率(%)" in headers
    assert "基层工会组织数(个)" in headers and "职工互助保障赔付金额(元)" in headers  # the forms' names
    assert ws.freeze_panes == "B2"
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["C2:C1000"].type == "list" and "上半年,全年" in rules["C2:C1000"].formula1
    assert rules["B2:B1000"].type == "whole"
    covered = " ".join(rules)
    for col in range(4, len(headers)):
        letter = openpyxl.utils.get_column_letter(col)
        assert f"{letter}2:{letter}1000" in covered
    assert len(list(wb["指标说明"].iter_rows(min_row=2))) == len(load_catalog())


def test_template_example_row_reads_back() -> None:
    a = analyze(build_template(), "统计表模板.xlsx")
    assert not a.problems
    assert {(f.region, f.year, f.period, f.metric) for f in a.facts} >= {("白沙镇", 2024, "FY", "members_total")}
    assert all(f.source.startswith("数据!") for f in a.facts)


def test_cli_writes_the_template(tmp_path: Path) -> None:
    out = tmp_path / "模板.xlsx"
    r = subprocess.run([sys.executable, "-m", "etl", "template", "-o", str(out)], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert openpyxl.load_workbook(out).sheetnames == ["填表说明", "数据", "指标说明"]


def test_every_template_header_reads_back_as_its_metric() -> None:
    for code in load_catalog():
        g = classify_header([header_of(code)])
        assert (g.role, g.metric, g.exact) == ("figure", code, True), header_of(code)


def test_instructions_and_metric_sheet_are_chinese() -> None:
    """No Latin words on the two sheets a town's clerk reads (units such as % and digits are fine)."""
    import re

    wb = openpyxl.load_workbook(io.BytesIO(build_template()))
    meta = wb["指标说明"]
    assert [c.value for c in meta[1]] == ["表头", "类别", "单位", "统计方式", "含义和口径", "表头也可写作"]
    rows = {r[0]: r for r in meta.iter_rows(min_row=2, values_only=True)}
    assert rows["帮扶慰问金额(元)"][2] == "元" and "慰问品折合" in rows["帮扶慰问金额(元)"][4]
    assert rows["基层工会组织数(个)"][2] == "个"
    texts = [str(v) for ws in (wb["填表说明"], meta) for row in ws.iter_rows(values_only=True) for v in row if v]
    latin = [t for t in texts if re.search(r"[A-Za-z]{2,}", t)]
    assert latin == []
