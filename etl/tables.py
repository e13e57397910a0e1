"""Tables pasted into reports: a label column and one column per year.

Yearbook pages and .docx tables reach us as ``label | value | value`` lines
(etl/read.py writes .docx tables that way; scraped pages often break every
cell onto its own line).  A table counts when a run of year cells forms its
header; each later label is followed by one cell per year column.  The unit
comes from the label (``职工人数(万人)``), the metric from the same cue rules
as prose (see etl/extract.py), so tables need no rules of their own.
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
    for m in _BOUNDARY.finditer(text, start, end):
        piece = text[pos:m.start()]
        stripped = piece.strip()
        lead = len(piece) - len(piece.lstrip())
        out.append((stripped, pos + lead, pos + lead + len(stripped)))
        pos = m.end()
    piece = text[pos:end]
    stripped = piece.strip()
    lead = len(piece) - len(piece.lstrip())
    out.append((stripped, pos + lead, pos + lead + len(stripped)))
    return out


def year_column_cells(text: str, start: int, end: int) -> list[TableCell]:
    """Every (label, year, value) of year-column tables in text[start:end]."""
    if text.count("|", start, end) < 6:
        return []
    cells = _cells(text, start, end)
    out: list[TableCell] = []
    i = 0
    years: list[int] = []
    while i < len(cells):
        c, _, _ = cells[i]
        # A header: two or more year cells in a row (empty cells between them allowed).
        if _YEAR_CELL.fullmatch(c):
            run, j = [], i
            while j < len(cells) and (_YEAR_CELL.fullmatch(cells[j][0]) or not cells[j][0]):
                if cells[j][0]:
                    run.append(int(cells[j][0][:4]))
                j += 1
            if len(run) >= 2:
                years, i = run, j
                continue
        if years and c and not _NUM_CELL.fullmatch(c.replace(" ", "")):
            label, label_start = c, cells[i][1]
            m = _UNIT_IN_LABEL.search(label)
            unit = LABEL_UNITS.get(m.group(1)) if m else None
            vals = cells[i + 1: i + 1 + len(years)]
            if unit is not None:
                for year, (v, s, e) in zip(years, vals, strict=False):
                    v = v.replace(" ", "")
                    if _NUM_CELL.fullmatch(v):
                        value = round(float(v.replace(",", "")) * unit[1], 6)
                        out.append(TableCell(label, year, value, unit[0], s, e, label_start))
            i += 1 + len(vals)
            continue
        i += 1
    return out
