"""etl/encodings.py, through read_report: real .txt files in every encoding senders use decode to the same text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from etl.read import read_report

SIMPLIFIED = "柳林镇总工会2021年工作总结\n截至12月底，全镇共建立基层工会组织102家，会员总数7350人，职工入会率92.5%。\n"
TRADITIONAL = "柳林鎮總工會2021年工作總結\n截至12月底，全鎮共建立基層工會組織102家，會員總數7350人，職工入會率92.5%。\n"


@pytest.mark.parametrize(
    ("text", "codec", "expected_encoding"),
    [
        pytest.param(SIMPLIFIED, "utf-8", "utf-8", id="utf8"),
        pytest.param(SIMPLIFIED, "utf-8-sig", "utf-8", id="utf8-bom"),
        pytest.param(SIMPLIFIED, "utf-16", "utf-16", id="utf16-bom"),
        pytest.param(SIMPLIFIED, "utf-16-le", "utf-16-le", id="utf16le-no-bom"),
        pytest.param(SIMPLIFIED, "gb18030", "gb18030", id="gb18030"),
        pytest.param(SIMPLIFIED, "gbk", "gb18030", id="gbk"),
        pytest.param(TRADITIONAL, "big5", "big5", id="big5-traditional"),
        pytest.param(TRADITIONAL, "gbk", "gb18030", id="gbk-traditional"),
        pytest.param(TRADITIONAL, "utf-8", "utf-8", id="utf8-traditional"),
        pytest.param("工会\n", "gbk", "gb18030", id="gbk-two-characters"),
    ],
)
def test_text_encodings_decode_to_the_same_text(tmp_path: Path, text: str, codec: str, expected_encoding: str) -> None:
    path = tmp_path / "报告.txt"
    data = text.encode(codec)
    path.write_bytes(data)
    r = read_report(path)
    assert r.text == text
    assert r.encoding == expected_encoding
    assert r.fmt == "txt"
    assert r.name == "报告.txt"
    assert r.data == data
    assert r.sha256 == hashlib.sha256(data).hexdigest()


def test_valid_utf8_with_mojibake_run_stays_utf8(tmp_path: Path) -> None:
    """A UTF-8 file containing GBK-read-as-Latin-1 garbage must not be re-guessed as another codec."""
    garbled = "工会组织".encode("gbk").decode("latin-1")  # '¹¤»á×é Ö¯' style mojibake
    text = f"全镇共有工会组织3021家。\n{garbled}\n会员总数79801人。\n"
    path = tmp_path / "mixed.txt"
    path.write_bytes(text.encode("utf-8"))
    r = read_report(path)
    assert r.encoding == "utf-8"
    assert r.text == text
