"""etl/read.py: line ends, bytes without a file, and each kind of file we refuse (named, with advice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.read import MAX_BYTES, REPORT_EXTS, TALLY_EXTS, ReadError, ReportText, is_tally, read_report

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def test_crlf_line_ends_become_lf_and_offsets_index_text(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("第一行。\r\n第二行3021家。\r\n".encode("gbk"))
    r = read_report(path)
    assert r.text == "第一行。\n第二行3021家。\n"
    start = r.text.index("3021家")
    assert r.text[start : start + 5] == "3021家"


def test_bytes_can_be_passed_without_a_file(tmp_path: Path) -> None:
    """Uploads hand over bytes; the path only names the file."""
    text = "柳林镇总工会2021年工作总结\n全镇会员总数7350人。\n"
    r = read_report(tmp_path / "上传.txt", data=text.encode("gbk"))
    assert r.text == text
    assert r.name == "上传.txt"


def _refusal(path: Path, data: bytes | None = None) -> str:
    with pytest.raises(ReadError) as exc:
        read_report(path, data=data) if data is not None else read_report(path)
    assert exc.value.path == str(path)
    assert path.name in exc.value.message
    assert str(exc.value) == exc.value.message
    return exc.value.message


def test_scanned_pdf_without_text_is_refused(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(img).rectangle((50, 50, 550, 120), fill="black")  # a "scanned" page: pixels only
    path = tmp_path / "扫描件.pdf"
    img.save(path, "PDF")
    msg = _refusal(path)
    assert "扫描件" in msg and "OCR" in msg


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        pytest.param("年报.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ("旧版 Word", ".docx"), id="doc"),
        pytest.param("年报.wps", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, ("WPS", ".docx"), id="wps"),
        pytest.param("年报.rtf", b"{\\rtf1\\ansi hello}", ("RTF", ".txt"), id="rtf"),
        pytest.param("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, ("图片", "OCR"), id="image"),
        pytest.param("空.txt", b"", ("空文件",), id="empty-0-bytes"),
        pytest.param("空白.txt", b" \r\n\t \n", ("空文件",), id="only-whitespace"),
        pytest.param("全角空白.txt", "\u3000\u3000\n".encode(), ("只有空白",), id="only-ideographic-space"),
        pytest.param("乱码.txt", bytes(range(256)) * 8, ("不是文本文件",), id="binary-junk"),
        pytest.param("改名.txt", b"\xd0\xcf\x11\xe0" + "报告".encode("gbk") * 9, ("不是文本文件",), id="word-as-txt"),
        pytest.param("坏的.docx", "不是压缩包".encode(), ("不是有效的 .docx",), id="broken-docx"),
        pytest.param("旧格式.docx", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, ("旧版 Word",), id="doc-renamed-docx"),
        pytest.param("坏的.pdf", b"%PDF-1.4 garbage", ("不是有效的 PDF",), id="broken-pdf"),
        pytest.param("说明.md", "# 工会".encode(), ("不受支持", ".docx"), id="unknown-extension"),
        pytest.param("无扩展名", "工会".encode(), ("无扩展名",), id="no-extension"),
        pytest.param("统计表.xlsx", b"PK\x03\x04", ("统计表",), id="tally-is-not-a-report"),
    ],
)
def test_refused_files_name_the_file_and_say_what_to_do(tmp_path: Path, name: str, data: bytes, words) -> None:
    msg = _refusal(_write(tmp_path, name, data))
    for w in words:
        assert w in msg, msg


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "巨大.txt"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no memory or disk spent
    msg = _refusal(path)
    assert "MB" in msg and "上限" in msg


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    msg = _refusal(tmp_path / "不存在.txt")
    assert "无法打开" in msg


def test_every_seed_and_dev_page_reads_as_utf8(shared_dir: Path) -> None:
    paths = sorted((shared_dir / "seeds").glob("*.txt")) + sorted((shared_dir / "eval" / "dev" / "docs").glob("*.txt"))
    assert len(paths) >= 30
    for p in paths:
        r = read_report(p)
        assert isinstance(r, ReportText)
        assert r.encoding == "utf-8"
        assert r.text == p.read_bytes().decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("name", "tally"),
    [("统计表.xlsx", True), ("统计表.XLS", True), ("a.xlsm", True), ("a.csv", True), ("报告.txt", False),
     ("报告.docx", False), ("报告.pdf", False)],
    ids=["xlsx", "XLS-upper", "xlsm", "csv", "txt", "docx", "pdf"],
)  # fmt: skip
def test_is_tally(name: str, tally: bool) -> None:
    assert is_tally(name) is tally
    assert (Path(name).suffix.lower() in REPORT_EXTS) is not tally
    assert set(TALLY_EXTS).isdisjoint(REPORT_EXTS)
