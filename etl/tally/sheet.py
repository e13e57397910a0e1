"""A sheet's cells column by column: numpy object arrays of the values and their Python types, and a code
per cell for what it holds (empty, number, text, other).

Built once per sheet (`SheetColumns.of(grid)`, kept on the grid). The layout
classifies a 200,000-row sheet's ordinary rows with these arrays instead of
row by row, and the melt (etl/tally/melt.py) reads whole figure columns from
them: which cells are numbers, which are text for the per-cell parser.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.tally.read import Grid

NONE = type(None)
_TYPE = np.frompyfunc(type, 1, 1)
# What a cell holds, as one small integer per cell (`kinds`): compared a million times, where comparing
# Python type objects costs a call each.
EMPTY, NUMBER, TEXT, OTHER = 0, 1, 2, 3  # NUMBER: a float or an int (not a bool); OTHER: dates, bools, errors


def _kind(t: type) -> int:
    return EMPTY if t is NONE else NUMBER if t in (float, int) else TEXT if t is str else OTHER


class SheetColumns:
    """Column c's values (`values[c]`) and their types (`types[c]`); per row, whether it holds a number and
    which column holds its first text."""

    @classmethod
    def of(cls, grid: Grid) -> SheetColumns:
        """The grid's SheetColumns, built on first use."""
        if grid.cells is None:
            grid.cells = cls(grid)
        return grid.cells

    def __init__(self, grid: Grid) -> None:
        self.rows = grid.rows
        n = len(grid.rows)
        lengths = np.fromiter(map(len, grid.rows), dtype=np.int64, count=n)
        width = int(lengths.max(initial=0))
        cells = np.empty((n, width), dtype=object)
        ragged = bool((lengths != width).any())
        cells[:] = [r + [None] * (width - len(r)) for r in grid.rows] if ragged else grid.rows
        types = _TYPE(cells) if n and width else np.empty((n, width), dtype=object)
        code, distinct = pd.factorize(types.reshape(-1))  # a sheet has a handful of types: classify each once
        kinds = np.array([_kind(t) for t in distinct.tolist()] + [EMPTY], dtype=np.int8)[code].reshape(n, width)
        self.values = list(cells.T)  # column c: a view, not a copy
        self.types = list(types.T)
        self.kinds = list(kinds.T)
        self.has_number = (kinds == NUMBER).any(axis=1)
        text = kinds == TEXT
        self.first_text = np.where(text.any(axis=1), text.argmax(axis=1), -1)  # column of the first str cell

    def column(self, c: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, their Python types) of column c at the given rows."""
        if c >= len(self.values):
            return np.full(len(rows), None, dtype=object), np.full(len(rows), NONE, dtype=object)
        return self.values[c][rows], self.types[c][rows]

    def kind(self, c: int, rows: np.ndarray) -> np.ndarray:
        """What the cells of column c at the given rows hold (EMPTY, NUMBER, TEXT, OTHER)."""
        if c >= len(self.kinds):
            return np.full(len(rows), EMPTY, dtype=np.int8)
        return self.kinds[c][rows]
