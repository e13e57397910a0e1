"""Which codec a plain-text report is in, and refusing bytes that are not text at all.

Senders save .txt reports from Notepad, WPS and old systems: UTF-8 with or
without a BOM, GBK/GB18030, Big5 from Hong Kong or Taiwan templates, UTF-16
without a BOM. Getting this wrong garbles every line silently, so the order
is deliberate: a BOM, then strict UTF-8 (valid UTF-8 always wins), then the
legacy CJK codecs chosen by how common their characters are, with
charset-normalizer for close calls. Apart from etl/read.py because this is
the one tricky part of reading a report, with its own tests.
"""

from __future__ import annotations

from pathlib import Path

from etl.read import ReadError

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CJK_ENCODINGS = ("gb18030", "big5")  # first one wins when the bytes cannot tell
_MIN_DETECT_BYTES = 40
_BINARY_MAGIC = (b"\xd0\xcf\x11\xe0", b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf")


def decode_txt(p: Path, name: str, data: bytes) -> tuple[str, str]:
    """Decode a text file: BOM, then strict UTF-8, then GB18030 or Big5."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.removesuffix("-sig")
            except UnicodeDecodeError as e:
                raise ReadError(p, _undecodable(name)) from e
    if b"\x00" in data:
        text16 = _utf16_without_bom(data)
        if text16 is not None:
            return text16
        raise ReadError(p, _binary(name))
    try:
        # Valid UTF-8 always wins, even with a run of mojibake inside: a
        # legacy codec would "succeed" too and garble every other line.
        text = data.decode("utf-8")
        _refuse_binary(p, name, data, text)
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith(_BINARY_MAGIC):
        raise ReadError(p, _binary(name))
    decoded = {}
    for codec in _CJK_ENCODINGS:
        try:
            decoded[codec] = data.decode(codec)
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise ReadError(p, _undecodable(name))
    codec = _pick_codec(data, decoded)
    text = decoded[codec]
    _refuse_binary(p, name, data, text)
    return text, codec


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 saved without a BOM: NUL high bytes of ASCII give it away."""
    if len(data) % 2:
        return None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        plain = sum(1 for ch in sample if _is_plain(ch))
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in sample)
        if plain >= 0.95 * len(sample) and (not has_cjk or _commonness(sample) >= 0.6):
            return text, codec
    return None


def _is_plain(ch: str) -> bool:
    """Printable ASCII, line breaks, CJK punctuation/ideographs or full-width forms."""
    return ch in "\t\n\r" or " " <= ch <= "~" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _pick_codec(data: bytes, decoded: dict[str, str]) -> str:
    """Choose between legacy codecs that all decode: detector first, then plausibility.

    charset-normalizer is reliable from a sentence on; for a few characters it
    can pick Big5 for GBK bytes, so a plausibility score (share of common
    characters after Traditional→Simplified) breaks close calls.
    """
    if len(decoded) == 1:
        return next(iter(decoded))
    scores = {codec: _commonness(text) for codec, text in decoded.items()}
    best = max(scores, key=lambda c: scores[c])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] - ranked[1] >= 0.15:
        return best
    if len(data) < _MIN_DETECT_BYTES:
        return _CJK_ENCODINGS[0]  # too short to tell: mainland senders mostly use GBK
    from charset_normalizer import from_bytes

    guess = from_bytes(data, cp_isolation=list(decoded)).best()
    if guess is not None:
        enc = guess.encoding.replace("_", "")
        for codec in decoded:
            if codec.replace("_", "") == enc:
                return codec
    return best


def _commonness(text: str) -> float:
    """Share of CJK characters that are among the 3,755 most common (GB2312 level 1)."""
    from etl.normalize import t2s

    sample = t2s().convert(text[:4000])
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    common = 0
    for ch in cjk:
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if 0xB0 <= b[0] <= 0xD7:
            common += 1
    return common / len(cjk)


def _refuse_binary(p: Path, name: str, data: bytes, text: str) -> None:
    """NUL bytes or many control characters mean this is not a text file."""
    if "\x00" in text or data.startswith(_BINARY_MAGIC):
        raise ReadError(p, _binary(name))
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if controls > max(3, len(sample) // 100):
        raise ReadError(p, _binary(name))


def _binary(name: str) -> str:
    return (
        f"文件 {name} 不是文本文件（内容是二进制数据），可能是扩展名改错了的 Word、Excel 或图片文件。"
        "请用原来的程序打开，另存为 .txt（UTF-8）或 .docx 后重新上传。"
    )


def _undecodable(name: str) -> str:
    return (
        f"文件 {name} 的文字编码无法识别（既不是 UTF-8，也不是 GBK/GB18030 或 Big5）。"
        "请用记事本或 WPS 打开，另存为 UTF-8 编码的 .txt 后重新上传。"
    )
