"""Hostile files, built from code (nothing big is committed), each with the outcome it must have.

    .venv/bin/python tests/hostile.py DIR     # write the folder, to try them by hand (upload page, CLI)

`CASES` is the folder: a file name, how to build it, and what must happen to it
in `python -m etl ingest` and on the upload pages:

- `refused`: turned away before it is read or archived (over a limit): the
  problem code, and words the Chinese message must contain;
- `failed`: archived, then refused by its reader with that code;
- `loaded`: loaded, possibly with warnings of that code.

The builders write what an attacker or an unlucky exporter would send: zip
bombs (declared and lying), a 30 MB workbook of 384 MB sheet XML, encrypted and
truncated workbooks, random bytes named .csv, text of a million numbers or one
endless line, every text encoding staff use, and formula and markdown
injection in cells, town names and file names.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EVIL_HOST = "127.0.0.1:9"  # nothing listens there: a request to it means something rendered a link or image
MD_TOWN = f"![x](http://{EVIL_HOST}/town.png)镇"
HTML_TOWN = f"<img src=http://{EVIL_HOST}/img.png onerror=alert(1)>街道"
FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/x","点我")', "=cmd|' /C calc'!A0", "+SUM(1,1)", "@SUM(A1)", "-2+3"]


# ---------------------------------------------------------------- workbooks written as raw XML (fast, any size)

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/styles.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="统计表" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'styles" Target="styles.xml"/></Relationships>')
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '</styleSheet>')
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = "</sheetData></worksheet>"


def _text_cell(ref: str, text: str) -> str:
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{esc}</t></is></c>'


def raw_xlsx(rows: int, cols: int, header: list[str] | None = None, seed: int = 7, level: int = 1,
             sheet_rows: Callable[[int], str] | None = None, values: int = 300) -> bytes:
    """An .xlsx whose one sheet has `rows` × `cols` numeric cells, streamed into the zip (memory stays small).

    Cells carry a style and no reference (both allowed, both usual in exported files), values below
    `values`; row bodies come from a pool of 997 random rows, so the compressor finds no short period.
    """
    rng = random.Random(seed)
    pool = ["".join(f'<c s="1" t="n"><v>{rng.randrange(values)}</v></c>' for _ in range(cols)) for _ in range(997)]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(_SHEET_HEAD.encode())
            start = 1
            if header:
                from etl.tally.read import col_letter

                f.write(('<row r="1">' + "".join(_text_cell(f"{col_letter(i)}1", h) for i, h in enumerate(header))
                         + "</row>").encode())
                start = 2
            chunk = []
            for r in range(start, rows + start):
                chunk.append(sheet_rows(r) if sheet_rows else f'<row r="{r}" spans="1:{cols}">{pool[r % 997]}</row>')
                if len(chunk) >= 2000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(_SHEET_TAIL.encode())
    return buf.getvalue()


HEAVY_HEADER = ["地区", "年度", "工会组织总数", "会员总数"] + [f"备用{i}" for i in range(28)]


def heavy_xlsx() -> bytes:
    """~30 MB holding ~384 MB of sheet XML (420,000 rows × 32 cells): within the size and zip limits."""
    return raw_xlsx(420_000, 32, HEAVY_HEADER)


# Counts only (rates would be checked against 0–100): headers the tally reader knows, with their units.
TALLY_HEADER = ["地区", "年度", "工会组织总数(家)", "新建工会组织数(家)", "会员总数(人)", "新发展会员数(人)",
                "职工总数(人)", "签订集体合同企业数(家)", "集体合同覆盖职工数(人)", "工资集体协商企业数(家)",
                "帮扶慰问人数(人)", "帮扶慰问户数(户)", "助学人数(人)", "参与调处劳动争议数(起)"]


def big_but_allowed_xlsx(rows: int = 60_000) -> bytes:
    """A real-looking tally under the cell limit but over the in-process one (read in the capped child):
    one row per enterprise union, 14 columns, every figure a fact."""
    rng = random.Random(11)
    n = len(TALLY_HEADER) - 2
    bodies = ["".join(f"<c><v>{rng.randrange(1, 900)}</v></c>" for _ in range(n)) for _ in range(997)]

    def row(r: int) -> str:
        return (f'<row r="{r}"><c t="inlineStr"><is><t>白沙镇第{r}工会</t></is></c><c><v>2024</v></c>'
                f"{bodies[r % 997]}</row>")
    return raw_xlsx(rows, len(TALLY_HEADER), TALLY_HEADER, sheet_rows=row)


def formatted_void_xlsx() -> bytes:
    """A tiny table, then styled empty cells down to row 1,000,000 (a sheet formatted far below its data)."""
    def row(r: int) -> str:
        if r <= 3:
            vals = [("白沙镇", 2024, 120), ("青石镇", 2024, 80), ("柳塘镇", 2024, 95)][r - 1]
            return (f'<row r="{r + 1}">' + _text_cell(f"A{r + 1}", vals[0])
                    + f'<c r="B{r + 1}"><v>{vals[1]}</v></c><c r="C{r + 1}"><v>{vals[2]}</v></c></row>')
        return f'<row r="{r + 1}"><c r="A{r + 1}" s="1"/><c r="B{r + 1}" s="1"/><c r="C{r + 1}" s="1"/></row>'
    return raw_xlsx(1_000_000, 3, ["地区", "年度", "工会组织总数"], sheet_rows=row, level=6)


def declared_bomb_xlsx() -> bytes:
    """A sheet of 600 MB of spaces: the zip directory says so (ratio ~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("xl/workbook.xml", _WB)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(600):
                f.write(block)
    return buf.getvalue()


def lying_bomb_xlsx() -> bytes:
    """The sheet's zip entries claim 1 KB; its compressed stream holds 300 MB."""
    buf = io.BytesIO()
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open(name.decode(), "w") as f:
            block = b" " * (1 << 20)
            for _ in range(300):
                f.write(block)
    raw = bytearray(buf.getvalue())
    lie = (1024).to_bytes(4, "little")
    pos = 0
    while (pos := raw.find(b"PK\x01\x02", pos)) >= 0:  # central directory: name at 46, size at 24
        if raw[pos + 46:pos + 46 + len(name)] == name:
            raw[pos + 24:pos + 28] = lie
        pos += 4
    pos = 0
    while (pos := raw.find(b"PK\x03\x04", pos)) >= 0:  # local header: name at 30, size at 22
        if raw[pos + 30:pos + 30 + len(name)] == name:
            raw[pos + 22:pos + 26] = lie
        pos += 4
    return bytes(raw)


def truncated_xlsx() -> bytes:
    from tally_books import title_two_row_header

    data = title_two_row_header()[1]
    return data[: len(data) // 2]


def encrypted_xlsx() -> bytes:
    """The start of an OLE compound file holding an EncryptedPackage stream (what Excel writes for a password)."""
    directory = "EncryptedInfo".encode("utf-16-le") + b"\0" * 40 + "EncryptedPackage".encode("utf-16-le")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + directory + b"\0" * 2048


def injection_xlsx() -> bytes:
    """A good tally whose town names and a notes column carry formulas and markdown, as text cells
    (what a cell typed with a leading apostrophe, or an export from another program, holds)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计表"
    rows = [["地区", "年份", "工会组织总数(家)", "建会率(%)", "备注"]]
    for i, town in enumerate([MD_TOWN, HTML_TOWN, *FORMULAS]):
        rows.append([town, 2024, 10 + i, 90 + i, FORMULAS[i % len(FORMULAS)]])
    rows.append(["白沙镇", 2024, -1, 95, "负数"])  # one error, so the annotated workbook has something to mark
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            cell = ws.cell(r, c)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # text, even when it starts with '='
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def injection_csv() -> bytes:
    lines = ["地区,年份,会员总数(人)"] + [f'"{f.replace(chr(34), chr(34) * 2)}",2024,{100 + i}'
                                         for i, f in enumerate(FORMULAS)] + ["青石镇,2024,-5"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def random_csv(mb: int = 45) -> bytes:
    return random.Random(45).randbytes(mb << 20)


def many_numbers_txt(mb: float = 5.8) -> bytes:
    """Report-like lines full of small numbers, 5.8 MB."""
    line = "城关街道2023年新建工会组织3家，发展会员12人，帮扶困难职工5户，发放慰问金1.2万元。\n"
    body = "青禾区总工会2023年工作总结\n" + line * int(mb * 1048576 / len(line.encode()))
    return body.encode()


def one_line_txt(mb: float = 1.0) -> bytes:
    """One megabyte without a full stop or a line break."""
    part = "全区各级工会组织认真贯彻落实上级工会的部署要求，扎实推进各项工作，新建工会组织3家，"
    return ("青禾区总工会2023年工作总结 " + part * int(mb * 1048576 / len(part.encode()))).encode()


REPORT = "青禾区总工会2023年工作总结\n全区新建工会组织12家，发展会员340人，帮扶困难职工56户。\n"


def injection_report() -> bytes:
    return (REPORT + f"{MD_TOWN}总工会新建工会组织3家。\n[点我](javascript:alert(1)) <script>alert(1)</script>\n"
            "=HYPERLINK(\"http://127.0.0.1:9\")新建工会组织4家。\n").encode()


def docx_bomb() -> bytes:
    """A .docx whose document part declares 600 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(600):
                f.write(block)
    return buf.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + b"\x00garbage" * 100


@dataclass(frozen=True)
class Case:
    name: str  # file name in the folder (names themselves may be hostile)
    build: Callable[[], bytes]
    outcome: str  # 'refused' (before archiving) | 'failed' (archived, then refused) | 'loaded'
    code: str | None  # the problem code expected (None: none)
    words: str = ""  # words the Chinese message contains
    big: bool = False  # takes seconds to build or read: the quick suite leaves it out


CASES: list[Case] = [
    Case("重表_30MB.xlsx", heavy_xlsx, "refused", "too_many_cells", "万 个单元格", big=True),
    Case("格式到百万行.xlsx", formatted_void_xlsx, "refused", "too_many_cells", "带格式的空白区域", big=True),
    Case("压缩炸弹.xlsx", declared_bomb_xlsx, "refused", "zip_bomb", "疑似压缩炸弹"),
    Case("谎报大小.xlsx", lying_bomb_xlsx, "refused", "corrupt_zip", "已损坏"),
    Case("加密.xlsx", encrypted_xlsx, "failed", "encrypted", "设置了打开密码"),
    Case("截断.xlsx", truncated_xlsx, "failed", "corrupt", "已损坏"),
    Case("随机字节.csv", random_csv, "failed", "not_spreadsheet", "不是表格文件", big=True),
    Case("巨大.xlsx", lambda: b"", "refused", "too_large", "超过统计表文件"),  # written sparse: see `write`
    Case("炸弹报告.docx", docx_bomb, "refused", "zip_bomb", "疑似压缩炸弹"),
    Case("损坏.pdf", broken_pdf, "failed", "unreadable", "PDF"),
    Case("数字很多.txt", many_numbers_txt, "loaded", "too_many_numbers", "数字太多", big=True),
    Case("一行到底.txt", one_line_txt, "loaded", "sentence_too_long", "没有句号"),
    Case("公式注入.xlsx", injection_xlsx, "failed", "negative_value", "负数"),
    Case("公式注入.csv", injection_csv, "failed", "negative_value", "负数"),
    Case("![x](http:⁄⁄127.0.0.1:9⁄f.png)报告.txt", injection_report, "loaded", None),
    Case("gbk报告.txt", lambda: REPORT.replace("青禾区", "白沙镇").encode("gb18030"), "loaded", None),
    Case("big5報告.txt", lambda: "柳塘鎮總工會2023年工作總結\n全鎮新建工會組織5家。\n".encode("big5"), "loaded", None),
    Case("utf16报告.txt", lambda: REPORT.replace("青禾区", "桃源镇").encode("utf-16"), "loaded", None),
    Case("乱码.txt", lambda: bytes(range(128, 256)) * 40, "failed", "unreadable", "编码无法识别"),
    Case("空文件.csv", lambda: b"", "failed", "empty", "是空的"),
    Case("改了扩展名.xlsx", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "failed", "not_spreadsheet", "不是表格"),
]

SPARSE_MB = 200  # 巨大.xlsx: a sparse 200 MB file (refused from its size before a byte is read)


def write(folder: Path, cases: list[Case] | None = None) -> dict[str, Case]:
    """Write the cases into `folder`; returns file name → case."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in cases or CASES:
        path = folder / case.name
        if case.name == "巨大.xlsx":
            with open(path, "wb") as f:
                f.truncate(SPARSE_MB << 20)
        else:
            path.write_bytes(case.build())
        out[case.name] = case
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for name in write(Path(sys.argv[1])):
        print(name)
