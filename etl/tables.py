"""Tables pasted into reports: a label column and one column per year.

Yearbook pages and .docx tables reach us as ``label | value | value`` lines
(etl/read.py writes .docx tables that way; scraped pages often break every
cell onto its own line), or as rows aligned with spaces (a yearbook page
copied as text).  A table counts when a run of year cells forms its header;
each later label is followed by one cell per year column (in aligned rows a
short row fills the latest years: older years are the ones left blank).  The
unit comes from the label (``职工人数(万人)``), else from the table's 单位 line,
else from what the label counts (…人数 → persons, …工会数 → organisations);
the metric from the same cue rules as prose, so tables need no rules of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR_CELL = re.compile(r"(?:19[5-9]\d|20[0-4]\d)(?:\s*年)?")
_NUM_CELL = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")
_UNIT_IN_LABEL = re.compile(r"[(（]\s*(万元|亿元|元|万人|万户|人次|人|名|户|家|个|所|件|起|%)\s*[)）]")

# Label unit → (measure-word class, scale to the catalog unit).
LABEL_UNITS: dict[str, tuple[str, float]] = {
    "元": ("money", 1), "万元": ("money", 1e4), "亿元": ("money", 1e8),
    "人": ("person", 1), "名": ("person", 1), "人次": ("person", 1), "万人": ("person", 1e4),
    "户": ("household", 1), "万户": ("household", 1e4),
    "家": ("org", 1), "个": ("org", 1), "所": ("org", 1),
    "件": ("case", 1), "起": ("case", 1), "%": ("percent", 1),
}


@dataclass(frozen=True)
class TableCell:
    label: str
    year: int
    value: float
    cls: str
    start: int  # offsets of the value cell in the cleaned text
    end: int
    label_start: int


# A cell ends at '|', at a line end, or at '|' followed by a line end (one boundary, not two):
# docx rows come as "a | b | c", scraped tables as "| a | b |" with cells broken over lines.
_BOUNDARY = re.compile(r"\|[ \t]*\n|\n|\|")


def _cells(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Cells, stripped, with cleaned-text offsets."""
    out = []
    pos = start
    for m in (*_BOUNDARY.finditer(text, start, end), None):
        piece = text[pos:m.start() if m else end]
        stripped = piece.strip()
        lead = len(piece) - len(piece.lstrip())
        out.append((stripped, pos + lead, pos + lead + len(stripped)))
        pos = m.end() if m else end
    return out


_TABLE_UNIT = re.compile(r"单位\s*[:：]\s*(万元|亿元|元|万人|万户|人次|人|名|户|家|个|所|件|起|%)")
_PERSON_LABEL = re.compile(r"人数|会员|职工|人员|代表")
_ORG_LABEL = re.compile(r"(?:工会|单位|企业|组织|委员会|协会)(?:数|总数)?$|[个家]数$|单位数$")
_TOKEN = re.compile(r"\S+")


def _unit_of(label: str, table_unit: str | None) -> tuple[str, float] | None:
    """(class, scale) of a row: its label's unit, the table's, or what the label counts."""
    m = _UNIT_IN_LABEL.search(label)
    if m:
        return LABEL_UNITS[m.group(1)]
    # A row that counts units (建立职工代表大会制度的单位, 女职工工作委员会) counts them whatever people it names.
    counts_units = _ORG_LABEL.search(label) is not None
    if table_unit and (counts_units or not _PERSON_LABEL.search(label)):
        return LABEL_UNITS[table_unit]
    if _PERSON_LABEL.search(label) and not counts_units:
        return LABEL_UNITS["人"]
    if _ORG_LABEL.search(label):
        return LABEL_UNITS["个"]
    return None


def year_column_cells(text: str, start: int, end: int) -> list[TableCell]:
    """Every (label, year, value) of year-column tables in text[start:end]."""
    m = _TABLE_UNIT.search(text, start, end)
    table_unit = m.group(1) if m else None
    if text.count("|", start, end) < 6:
        return _aligned_cells(text, start, end, table_unit)
    cells = _cells(text, start, end)
    out: list[TableCell] = []
    i = 0
    years: list[int] = []
    stride = 1  # scraped pages put a '|' line between cells: every other cell is an empty artefact
    while i < len(cells):
        c, _, _ = cells[i]
        # A header: two or more year cells in a row (empty cells between them allowed).
        if _YEAR_CELL.fullmatch(c):
            run, at, j = [], [], i
            while j < len(cells) and (_YEAR_CELL.fullmatch(cells[j][0]) or not cells[j][0]):
                if cells[j][0]:
                    run.append(int(cells[j][0][:4]))
                    at.append(j)
                j += 1
            if len(run) >= 2:
                years, i = run, j
                stride = at[1] - at[0]
                continue
        if years and c and not _NUM_CELL.fullmatch(c.replace(" ", "")):
            label, label_start = c, cells[i][1]
            unit = _unit_of(label, table_unit)
            vals = cells[i + stride: i + stride * len(years) + 1: stride]
            if unit is not None:
                for year, (v, s, e) in zip(years, vals, strict=False):
                    v = v.replace(" ", "")
                    if _NUM_CELL.fullmatch(v):
                        value = round(float(v.replace(",", "")) * unit[1], 6)
                        out.append(TableCell(label, year, value, unit[0], s, e, label_start))
            i += stride * (1 + len(vals)) if stride > 1 else 1 + len(vals)
            continue
        i += 1
    return out


def _aligned_cells(text: str, start: int, end: int, table_unit: str | None) -> list[TableCell]:
    """Cells of tables whose columns are aligned with spaces: a header line of years, then rows of
    a label and numbers (a short row fills the latest years)."""
    out: list[TableCell] = []
    years: list[int] = []
    pos = start
    for line in text[start:end].split("\n"):
        tokens = [(m.group(), pos + m.start(), pos + m.end()) for m in _TOKEN.finditer(line)]
        pos += len(line) + 1
        k = len(tokens)
        while k > 0 and (_NUM_CELL.fullmatch(tokens[k - 1][0]) or _YEAR_CELL.fullmatch(tokens[k - 1][0])):
            k -= 1
        tail = tokens[k:]
        if len(tail) >= 2 and all(_YEAR_CELL.fullmatch(t[0]) for t in tail) and len(tail) == len(tokens) - k:
            years = [int(t[0][:4]) for t in tail]
            continue
        if not years or not tail or k == 0 or len(tail) > len(years):
            continue  # a heading inside the table (工会基本情况), a note, or prose
        label = "".join(t[0] for t in tokens[:k]).lstrip("#")
        unit = _unit_of(label, table_unit)
        if unit is None:
            continue
        for year, (v, s, e) in zip(years[len(years) - len(tail):], tail, strict=True):
            value = round(float(v.replace(",", "")) * unit[1], 6)
            out.append(TableCell(label, year, value, unit[0], s, e, tokens[0][1]))
    return out
