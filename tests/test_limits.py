"""The cheap look before a file is archived or parsed: size, decompressed size, cells (etl/limits.py)."""

from __future__ import annotations

import io
import zipfile

import hostile
import pytest
from tally_books import GOOD

from etl import limits as lim
from etl.limits import Refused, check_size, inspect


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch):
    """Limits small enough to hit with small files; restored afterwards."""
    monkeypatch.setenv("UNION_MAX_CELLS", "5000")
    monkeypatch.setenv("UNION_UNZIPPED_MAX_MB", "2")
    monkeypatch.setenv("UNION_REPORT_MAX_MB", "1")
    lim.reset()
    yield lim.limits()
    lim.reset()


@pytest.mark.parametrize(("name", "size", "refused"), [
    ("统计表.xlsx", 50 << 20, False), ("统计表.xlsx", (50 << 20) + 1, True), ("报告.txt", 20 << 20, False),
    ("报告.docx", (20 << 20) + 1, True), ("统计表.CSV", 51 << 20, True)],
    ids=["tally-at-limit", "tally-over", "report-at-limit", "report-over", "upper-case-csv-over"])
def test_size_alone(name: str, size: int, refused: bool) -> None:
    if refused:
        with pytest.raises(Refused, match="超过") as exc:
            check_size(name, size)
        assert exc.value.code == "too_large" and "MB" in exc.value.message
    else:
        check_size(name, size)


def test_cells_are_counted_without_parsing() -> None:
    data = hostile.raw_xlsx(1000, 12, hostile.HEAVY_HEADER[:12])
    got = inspect(data, "t.xlsx")
    assert got.cells == 1000 * 12 + 12 and got.unzipped > 0 and got.kind == "tally"


def test_an_openpyxl_workbook_is_counted_too() -> None:
    name, data = GOOD["plain_with_year_period"]()
    assert inspect(data, name).cells == sum(1 for _ in _cells(data))


def _cells(data: bytes):
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def test_too_many_cells_refused_with_advice(small_limits) -> None:
    with pytest.raises(Refused) as exc:
        inspect(hostile.raw_xlsx(1000, 6), "大.xlsx")
    assert exc.value.code == "too_many_cells"
    assert "6,000 个单元格" in exc.value.message and "拆分" in exc.value.message


def test_declared_bomb_refused_before_decompressing() -> None:
    with pytest.raises(Refused) as exc:
        inspect(hostile.declared_bomb_xlsx(), "炸弹.xlsx")
    assert exc.value.code == "zip_bomb" and "解压后" in exc.value.message


def test_lying_sizes_are_caught_by_the_checksum() -> None:
    with pytest.raises(Refused) as exc:
        inspect(hostile.lying_bomb_xlsx(), "谎报.xlsx")
    assert exc.value.code == "corrupt_zip"


def test_real_decompressed_size_counts_not_just_the_directory(small_limits) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:t>" + b"a" * (3 << 20) + b"</w:t>")
    with pytest.raises(Refused, match="2 MB"):
        inspect(buf.getvalue(), "报告.docx")


def test_csv_cells_estimated_from_bytes(small_limits) -> None:
    rows = "\n".join(",".join(["1"] * 10) for _ in range(1000)).encode()
    with pytest.raises(Refused, match="单元格"):
        inspect(rows, "大.csv")
    assert inspect(rows[:2000], "小.csv").cells < 5000


def test_what_is_not_about_size_is_left_to_the_readers() -> None:
    """An encrypted or broken workbook passes the look: it is archived, then its reader explains."""
    assert inspect(hostile.encrypted_xlsx(), "加密.xlsx").size > 0
    assert inspect(b"PK\x03\x04garbage", "坏.xlsx").cells is None


@pytest.mark.parametrize(("name", "size", "cells", "isolate"), [
    ("a.xlsx", 100_000, 1000, False), ("a.xlsx", 3 << 20, 1000, True), ("a.xlsx", 100_000, 300_000, True),
    ("a.pdf", 10_000, None, True), ("a.xls", 10_000, None, True), ("a.txt", 100_000, None, False)],
    ids=["small", "big-file", "many-cells", "pdf", "xls", "text"])
def test_where_a_file_is_parsed(name: str, size: int, cells: int | None, isolate: bool) -> None:
    assert lim.Inspection(name, lim.kind_of(name), size, cells).isolate is isolate
