"""Extraction with a bound on the work any file can cause: the call site around the extractors.

The report extractor (etl/extract.py) compares figures with each other within
a document and scans the sentence around each one, so a text of a million
numbers, or one "sentence" of a megabyte, took minutes. Rather than reach
into it, its input is bounded here:

- a run of text longer than `limits().sentence_chars` with no 。！？；or line
  break is blanked (replaced by spaces of the same length, so every offset
  and every evidence slice of the original still holds) and reported;
- after `limits().numbers` numbers the rest of the file is not read, and a
  warning says how many numbers from which line on were skipped and what to do.

Both are linear scans, so extraction as a whole is linear in the length of
the text. Big files (etl.limits.Inspection.isolate) are read in a child
process with a memory cap and a time limit (etl/sandbox.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from etl import sandbox
from etl.limits import Inspection, Refused, inspect, kind_of, limits
from etl.model import ExtractedFile, Problem

# What counts as a number for the cap: digit runs (ASCII or full-width) and runs of Chinese numerals.
NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?|[零〇一二两三四五六七八九十百千万亿]{2,}")
BREAK = re.compile(r"[。！？!?；;\n]")
log = logging.getLogger(__name__)


def bound_text(text: str, name: str) -> tuple[str, list[Problem]]:
    """The text the extractor may read (a prefix of `text`, overlong runs blanked) and warnings saying what was left."""
    lim = limits()
    problems: list[Problem] = []
    out: list[str] = []
    pos = 0
    for m in (*BREAK.finditer(text), None):
        end = m.start() if m else len(text)
        run = text[pos:end]
        if len(run) > lim.sentence_chars:
            line = text.count("\n", 0, pos) + 1
            numbers = sum(1 for _ in NUMBER.finditer(run))
            problems.append(Problem(
                "warning",
                f"第 {line} 行起有一段 {len(run)} 字的文字中间没有句号、分号或换行，"
                f"超过 {lim.sentence_chars} 字的上限，"
                f"这一段没有读取（其中约 {numbers} 个数字）。请检查文件是否缺少换行或句号"
                "（常见于从网页或 PDF 复制的文字），改好后重新上传。",
                f"{name} 第 {line} 行", code="sentence_too_long"))
            run = " " * len(run)
        out.append(run)
        if m:
            out.append(m.group())
            pos = m.end()
    if problems:
        text = "".join(out)
    cut, total = _numbers_cut(text, lim.numbers)
    if cut is not None:
        line = text.count("\n", 0, cut) + 1
        kept = sum(1 for _ in NUMBER.finditer(text, 0, cut))
        where = text[cut:cut + 12].strip()
        problems.append(Problem(
            "warning",
            f"文件中的数字太多：约 {total} 个，超过每份报告 {lim.numbers} 个的上限。只读取了前面约 {kept} 个数字，"
            f"从第 {line} 行“{where}…”起的约 {total - kept} 个数字没有读取。"
            f"如需全部导入，请把文件拆分成每份不超过 {lim.numbers} 个数字的几个文件后分别上传。",
            f"{name} 第 {line} 行", code="too_many_numbers"))
        text = text[:cut]
    return text, problems


def _numbers_cut(text: str, cap: int) -> tuple[int | None, int]:
    """(offset where reading stops, numbers in the text): the start of the sentence holding number cap + 1."""
    total, cut = 0, None
    for m in NUMBER.finditer(text):
        total += 1
        if total == cap + 1:
            found = BREAK.search(text[max(0, m.start() - limits().sentence_chars - 1):m.start()][::-1])
            cut = m.start() - found.start() if found else m.start()
    return cut, total


def failed(path: Path, message: str, data: bytes = b"", code: str = "read_error", kind: str = "report"
           ) -> ExtractedFile:
    """A file that could not be read or extracted: no facts, one error problem saying why (in Chinese)."""
    return ExtractedFile(path=str(path), name=path.name, sha256=hashlib.sha256(data).hexdigest(), data=data,
                         kind=kind, problems=[Problem("error", message, path.name, code=code)])


def extract_report(path: str | Path, data: bytes, region: str | None = None) -> ExtractedFile:
    """Read a report from its bytes and extract it with bounded work; read errors become a Chinese problem."""
    from etl.extract import extract_report_text
    from etl.read import ReadError, read_report

    path = Path(path)
    try:
        rt = read_report(path, data=data)
    except ReadError as exc:
        return failed(path, str(exc), data, "unreadable")
    text, problems = bound_text(rt.text, rt.name)
    docs, facts = extract_report_text(text, rt.name, rt.sha256, region=region)
    return ExtractedFile(str(path), rt.name, rt.sha256, rt.data, "report", rt.encoding, rt.text, docs, facts,
                         problems)


def analyze_tally(data: bytes, name: str, mapping: dict[str, dict[str, str]] | None = None, *,
                  inspection: Inspection | None = None, engine: str | None = None,
                  max_mb: float | None = None,
                  regions: dict[str, str] | None = None):  # -> etl.tally.Analysis
    """etl.tally.analyze with bounded work: a file over a limit becomes an Analysis holding one error problem."""
    from etl.model import ColumnarFile
    from etl.tally import Analysis, analyze

    try:
        insp = inspection or inspect(data, name)
        if not insp.isolate:
            return analyze(data, name, mapping=mapping, engine=engine, max_mb=max_mb, regions=regions)
        result = sandbox.run(_analyze_light, data, name, mapping, engine, max_mb, regions, what=name)
    except Exception as exc:  # a file over a limit, or a reader that failed on it: a problem, never a traceback
        if not isinstance(exc, Refused):
            log.warning("reading %s failed", name, exc_info=True)
            exc = Refused(f"读取文件“{name}”时出错（{type(exc).__name__}），原文件已存档。请把它发给管理员检查。",
                          "extract_crash")
        ef = ColumnarFile(path=name, name=name, sha256=hashlib.sha256(data).hexdigest(), data=data, kind="tally")
        ef.problems.append(Problem("error", exc.message, name, code=exc.code))
        return Analysis(ef)
    result.extracted.data = data
    return result


def _analyze_light(data: bytes, name: str, mapping, engine, max_mb, regions):
    """In the child: analyze, then drop what the parent already has or never needs (bytes, cell grids)."""
    from etl.tally import analyze
    from etl.tally.rows import Rows

    result = analyze(data, name, mapping=mapping, engine=engine, max_mb=max_mb, regions=regions)
    result.extracted.data = b""
    for g in result.book.grids if result.book else []:
        g.rows, g.cells, g.formulas = [], None, None  # formulas: a closure over the bytes (not picklable)
    for t in result.tables:
        t.rows = Rows()
    return result


def extract(path: str | Path, data: bytes, inspection: Inspection | None = None, *, max_mb: float | None = None,
            region: str | None = None) -> ExtractedFile:
    """One file's bytes → ExtractedFile, with bounded work; a file over a limit becomes an error problem.

    Never raises for bad input. Big files are read in a child process. `max_mb`: the tally size limit
    (settings.tally_max_mb); `region`: a report's reporting body as its sender names it.
    """
    path = Path(path)
    kind = kind_of(path.name)
    try:
        insp = inspection or inspect(data, path.name)
        if not insp.isolate:
            return _extract_here(str(path), data, kind, max_mb, region)
        ef = sandbox.run(_extract_light, str(path), data, kind, max_mb, region, what=path.name)
        ef.data = data
        return ef
    except Refused as exc:
        return failed(path, exc.message, data, exc.code, "tally" if kind == "tally" else "report")


def _extract_here(path: str, data: bytes, kind: str, max_mb: float | None, region: str | None) -> ExtractedFile:
    if kind == "tally":
        from etl.tally import analyze

        return analyze(data, Path(path).name, path=path, max_mb=max_mb).extracted
    return extract_report(path, data, region)


def _extract_light(path: str, data: bytes, kind: str, max_mb: float | None, region: str | None) -> ExtractedFile:
    """In the child: extract, and send back everything but the bytes the parent already holds."""
    ef = _extract_here(path, data, kind, max_mb, region)
    ef.data = b""
    return ef
