"""A sheet's cells column by column: numpy object arrays of the values and of their Python types.

Built once per sheet (`SheetColumns.of(grid)`, kept on the grid). The layout
classifies a 200,000-row sheet's ordinary rows with these arrays instead of
row by row, and the melt (etl/tally/melt.py) reads whole figure columns from
them: which cells are numbers, which are text for the per-cell parser.
"""

from __future__ import annotations

import numpy as np

from etl.tally.read import Grid

NONE = type(None)
_TYPE = np.frompyfunc(type, 1, 1)


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
        self.values = list(cells.T)  # column c: a view, not a copy
        self.types = list(types.T)
        self.has_number = (np.equal(types, float) | np.equal(types, int)).any(axis=1)
        text = np.equal(types, str)
        self.first_text = np.where(text.any(axis=1), text.argmax(axis=1), -1)  # column of the first str cell

    def column(self, c: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, their Python types) of column c at the given rows."""
        if c >= len(self.values):
            return np.full(len(rows), None, dtype=object), np.full(len(rows), NONE, dtype=object)
        return self.values[c][rows], self.types[c][rows]
