"""Bad inputs: each gets its Chinese message, read from the bytes without exhausting memory."""

from __future__ import annotations

import io
import resource
import zipfile

import pytest
from tally_books import GOOD, formula_without_cache

from etl.tally import analyze
from etl.tally.config import lexicon
from etl.tally.mapping import parse_number, parse_period, parse_year
from etl.tally.read import col_letter, formula_cells_without_cache, sniff


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb() -> bytes:
    """Looks like an .xlsx; one sheet part declares 64 MB of zeros compressed to ~60 KB."""
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"\0" * (64 * 1024 * 1024)})


def encrypted() -> bytes:
    """The start of an OLE compound file holding an EncryptedPackage stream (what Excel writes for a password)."""
    directory = "EncryptedInfo".encode("utf-16-le") + b"\0" * 40 + "EncryptedPackage".encode("utf-16-le")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + b"\0" * 2048


BAD = [
    ("empty", b"", "x.xlsx", "empty", "是空的"),
    ("zip_bomb", None, "炸弹.xlsx", "zip_bomb", "疑似压缩炸弹"),
    ("encrypted", None, "加密.xlsx", "encrypted", "设置了打开密码"),
    ("word_docx", _zip({"[Content_Types].xml": b"", "word/document.xml": b"<w/>"}), "报告.xlsx", "not_spreadsheet",
     "是Word 文档"),
    ("pdf", b"%PDF-1.7\n...", "表.xlsx", "not_spreadsheet", "是 PDF"),
    ("binary_png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "图.xls", "not_spreadsheet", "不是表格文件"),
    ("corrupt_zip", b"PK\x03\x04garbage" * 10, "坏.xlsx", "corrupt", "已损坏"),
    ("not_utf8_nor_gbk_csv", b"\xff\xfe\xfa\xfb\x81\x30" * 50, "乱码.csv", "encoding", "既不是 UTF-8 也不是 GBK"),
    ("no_table", None, "无表.xlsx", "no_table", "没有找到统计表"),
]


def _data(case: str, data: bytes | None) -> bytes:
    if case == "zip_bomb":
        return zip_bomb()
    if case == "encrypted":
        return encrypted()
    if case == "no_table":
        from tally_books import xlsx
        return xlsx({"说明": {"rows": [["本月无数据"], ["填表人：张三"]]}})
    return data


@pytest.mark.parametrize(("case", "data", "name", "code", "words"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_a_chinese_message(case: str, data: bytes | None, name: str, code: str, words: str) -> None:
    a = analyze(_data(case, data), name)
    assert not a.facts
    (p,) = [p for p in a.problems if p.severity == "error"]
    assert p.code == code
    assert words in p.message


def test_zip_bomb_is_refused_before_decompression() -> None:
    """Judged from the declared sizes: peak memory does not grow by the 64 MB the member would inflate to."""
    data = zip_bomb()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    analyze(data, "炸弹.xlsx")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert (after - before) < 32 * 1024  # KiB


def test_too_large_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(lexicon().limits, "max_file_mb", 0.001)
    _, data = GOOD["csv_utf8"]()
    a = analyze(data * 20, "大.csv")
    assert [p.code for p in a.problems] == ["too_large"] and "超过上限" in a.problems[0].message


def test_formula_without_cached_value_names_the_cell() -> None:
    name, data = formula_without_cache()
    assert formula_cells_without_cache(data) == {"Sheet1": {(2, 2)}}
    a = analyze(data, name)
    (p,) = [p for p in a.problems if p.severity == "error"]
    assert (p.code, p.where) == ("formula_no_cache", "Sheet1!C3")
    assert "没有保存计算结果" in p.message
    # the other cells of the file are still read
    got = {(f.region, f.metric, f.value) for f in a.facts}
    assert got >= {("白沙镇", "union_orgs_total", 150), ("青石镇", "union_orgs_new", 4)}


@pytest.mark.parametrize(("builder", "kind"), [("plain_with_year_period", "xlsx"), ("xlsm_with_macro", "xlsm"),
                                               ("csv_gbk", "csv")])
def test_sniff_by_content(builder: str, kind: str) -> None:
    _, data = GOOD[builder]()
    assert sniff(data, "misnamed.xls") == kind


@pytest.mark.parametrize(("cell", "value", "percent", "error"), [
    ("1,234", 1234, False, None),
    ("１２３４", 1234, False, None),
    ("12.5%", 12.5, True, None),
    (" 36，800 ", 36800, False, None),
    ("-", None, False, None),
    ("无", None, False, None),
    ("三十", None, False, "不是数字"),
    ("#DIV/0!", None, False, "是 Excel 错误值 #DIV/0!，请修正公式"),
    (True, None, False, "是逻辑值（TRUE/FALSE），不是数字"),
], ids=["thousands", "fullwidth", "percent_sign", "chinese_comma", "dash_blank", "wu_blank", "chinese_numeral",
        "excel_error", "boolean"])
def test_parse_number(cell, value, percent: bool, error: str | None) -> None:
    p = parse_number(cell)
    assert (p.value, p.percent_text, p.error) == (value, percent, error)


def test_parse_number_with_wan() -> None:
    p = parse_number("2.5万")
    assert (p.value, p.scale) == (2.5, 10000)


@pytest.mark.parametrize(("text", "year", "period"), [
    ("2023", 2023, None), ("2023年度", 2023, "FY"), ("上半年", None, "H1"), ("1-6月", None, "H1"),
    ("全年", None, "FY"), ("1—12月", None, "FY")], ids=["year", "year_du", "h1", "months_h1", "fy", "months_fy"])
def test_year_and_period_cells(text: str, year: int | None, period: str | None) -> None:
    assert parse_year(text) == year
    assert parse_period(text) == period


def test_col_letter() -> None:
    assert [col_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
