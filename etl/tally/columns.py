"""Facts as columns: the same fields as etl.model.Fact, one Arrow column each.

A 200,000-row tally yields a million facts; building a frozen Fact object for
each costs seconds, while the loader only needs columns. So big tallies keep
their facts in this form (`FactColumns`) from the fast path to the database,
and `TallyFile` turns them into Fact objects only when someone asks for the
list (the upload page, the CLI's jsonl output, tests).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from etl.model import ExtractedFile, Fact

FACT_FIELDS = tuple(f.name for f in dataclasses.fields(Fact))

FACT_SCHEMA = pa.schema([
    ("doc", pa.string()), ("metric", pa.string()), ("value", pa.float64()), ("unit", pa.string()),
    ("evidence", pa.string()), ("doc_id", pa.string()), ("segment", pa.int32()), ("approx", pa.string()),
    ("year", pa.int32()), ("period", pa.string()), ("as_of", pa.string()), ("region", pa.string()),
    ("start", pa.int32()), ("end", pa.int32()), ("source", pa.string()), ("confidence", pa.float64()),
    ("flags", pa.list_(pa.string())), ("needs_review", pa.bool_()),
])
assert tuple(FACT_SCHEMA.names) == FACT_FIELDS, "FACT_SCHEMA must follow etl.model.Fact field by field"


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """No cyclic garbage collection while a big file's millions of cells and strings are made.

    Every collection walks all live objects (the grid alone holds over a million), so during bulk
    allocation CPython's collector costs about a third of the time; nothing made here forms cycles.
    Re-enabled afterwards only if it was on before.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class FactColumns:
    """Facts in file order as an Arrow table with FACT_SCHEMA."""

    table: pa.Table

    def __len__(self) -> int:
        return self.table.num_rows

    @classmethod
    def from_facts(cls, facts: list[Fact]) -> FactColumns:
        cols: dict[str, Any] = {name: [getattr(f, name) for f in facts] for name in FACT_FIELDS}
        cols["flags"] = [list(f) for f in cols["flags"]]
        return cls(pa.Table.from_pydict(cols, schema=FACT_SCHEMA))

    @classmethod
    def concat(cls, parts: list[FactColumns]) -> FactColumns:
        if not parts:
            return cls(FACT_SCHEMA.empty_table())
        return cls(pa.concat_tables([p.table for p in parts]).combine_chunks())

    def to_facts(self) -> list[Fact]:
        """Fact objects equal to those the row-by-row path builds (values as float, flags as tuples)."""
        data = self.table.to_pydict()
        data["flags"] = [tuple(f) if f else () for f in data["flags"]]
        names = FACT_FIELDS
        return [Fact(**dict(zip(names, row, strict=True))) for row in zip(*(data[n] for n in names), strict=True)]


class TallyFile(ExtractedFile):
    """An ExtractedFile whose facts may be held as columns; the list of Fact objects is built on first use.

    `fact_columns` is the Arrow table only while nobody has taken the list: a
    list handed out may be edited, and from then on the list is the truth.
    Assigning `facts` replaces both.
    """

    _columns: FactColumns | None = None
    _fact_list: list[Fact] | None = None

    @property  # type: ignore[override]
    def facts(self) -> list[Fact]:
        if self._fact_list is None:
            self._fact_list = self._columns.to_facts() if self._columns is not None else []
        return self._fact_list

    @facts.setter
    def facts(self, value: list[Fact]) -> None:
        self._fact_list = value
        self._columns = None

    def set_columns(self, columns: FactColumns) -> None:
        self._columns = columns
        self._fact_list = None

    @property
    def fact_columns(self) -> pa.Table | None:
        return self._columns.table if self._columns is not None and self._fact_list is None else None

    @property
    def fact_count(self) -> int:
        return len(self._columns) if self.fact_columns is not None else len(self.facts)
