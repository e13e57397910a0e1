"""The rows of a found table: which sheet row, what kind of row, which region.

A 200,000-row sheet gives a table of 200,000 rows; an object per row cost
more to make (and for the garbage collector to walk) than classifying them,
so a table keeps its rows as three parallel lists. Iterating or indexing
still gives `Row` objects, made on demand; the melt and the totals check read
the lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class Row:
    index: int
    kind: str  # 'data' | 'total' | 'subtotal' | 'note' | 'blank'
    region: str | None = None


class Rows:
    """A table's rows in sheet order: `index` (0-based sheet row), `kind` and `region`, one entry each."""

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self.index: list[int] = []
        self.kind: list[str] = []
        self.region: list[str | None] = []
        for row in rows:
            self.append(row)

    def append(self, row: Row) -> None:
        self.index.append(row.index)
        self.kind.append(row.kind)
        self.region.append(row.region)

    def extend_run(self, start: int, end: int, kinds: list[str], regions: list[str | None]) -> None:
        """Sheet rows start … end-1, their kinds and regions read from lists over the whole sheet."""
        self.index.extend(range(start, end))
        self.kind.extend(kinds[start:end])
        self.region.extend(regions[start:end])

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Sheet rows (int64) and regions (object) of the data rows, in order."""
        is_data = np.equal(np.array(self.kind, dtype=object), "data")
        region = np.empty(len(self.region), dtype=object)
        region[:] = self.region
        return np.array(self.index, dtype=np.int64)[is_data], region[is_data]

    def __len__(self) -> int:
        return len(self.index)

    def __iter__(self) -> Iterator[Row]:
        return map(Row, self.index, self.kind, self.region)

    def __getitem__(self, i: int) -> Row:
        return Row(self.index[i], self.kind[i], self.region[i])

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Rows | list) else NotImplemented

    def __repr__(self) -> str:
        return f"Rows({len(self)} rows)"
