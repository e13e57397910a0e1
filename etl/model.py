"""The one fact shape, from extraction to the database.

Every stage (report extraction, tally reading, loading, corrections, the
dashboard's provenance view) passes facts around in this shape, so a figure
never loses where it came from. The shape is written once, as the field list
FACT_FIELDS; from it come the frozen `Fact` dataclass, the Arrow schema of
facts held as columns (`FactColumns`, how big tallies travel), and the facts
table's columns (etl/schema.py creates and migrates it, etl/load_rows.py and
dashboard/actions.py write it).

To add a field: append a `FactField` with the number of the migration that
adds its column (`since`), then add that migration to etl/schema.py (one line:
`add_fact_columns(N)`). README: "How to add a column".
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

# Flags, periods and approximation markers are defined in etl.vocab; the extractor imports them from here.
from etl.vocab import (  # noqa: F401
    APPROX_ABOUT,
    APPROX_AT_LEAST,
    APPROX_AT_MOST,
    FLAG_DUPLICATE_DOC,
    FLAG_PLACEHOLDER_REGION,
    FLAG_REDACTED,
    FLAG_TEMPLATE,
    FLAG_UNKNOWN_YEAR,
    PERIOD_FY,
    PERIOD_H1,
)

# Arrow's default pool (mimalloc) takes memory from the system in large pieces; on the shared 2-core VM first
# touching them cost 0.6 s of kernel time for the fact table of a 200,000-row tally, 0.1 s with the system
# allocator, which is no slower once warm (bench/excel.py). ARROW_DEFAULT_MEMORY_POOL still decides when set.
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())


class _Required:
    """Marks a FactField without a default (dataclasses.MISSING cannot be a dataclass default itself)."""


_REQUIRED = _Required()


@dataclass(frozen=True)
class FactField:
    """One field of a fact: its Python type, Arrow type, and the facts-table column that stores it."""

    name: str
    type: str  # the dataclass annotation
    arrow: pa.DataType
    sql: str | None  # DuckDB type (and constraint) of its column; None: not stored in the facts table
    column: str = ""  # the column's name when it is not `name`
    default: Any = _REQUIRED
    since: int = 1  # the schema migration that added the column (etl/schema.py)
    doc: str = ""

    @property
    def stored_as(self) -> str:
        return self.column or self.name


FACT_FIELDS: tuple[FactField, ...] = (
    #         name           type               arrow type               DuckDB column
    FactField("doc", "str", pa.string(), None, doc="base name of the source file (the files table has it)"),
    FactField("metric", "str", pa.string(), "VARCHAR NOT NULL", doc="code from etl/lexicon/metrics.csv"),
    FactField("value", "float | None", pa.float64(), "DOUBLE",
              doc="catalog unit: yuan for money, percent points for rates; None when redacted"),
    FactField("unit", "str", pa.string(), "VARCHAR", doc="catalog unit (家, 人, 户, 元, %, 起)"),
    FactField("evidence", "str", pa.string(), "VARCHAR", doc="the sentence, or 'region｜header：cell' for tallies"),
    FactField("doc_id", "str", pa.string(), "VARCHAR", default="", doc="'<file sha256[:16]>:<segment>'"),
    FactField("segment", "int", pa.int32(), None, default=0, doc="document (sheet) within the file; in doc_id"),
    FactField("approx", "str | None", pa.string(), "VARCHAR", default=None, doc="about | at_least | at_most"),
    FactField("year", "int | None", pa.int32(), "INTEGER", default=None),
    FactField("period", "str | None", pa.string(), "VARCHAR", default=None, doc="FY | H1"),
    FactField("as_of", "str | None", pa.string(), "DATE", default=None, doc="ISO date, e.g. 2015-06-30"),
    FactField("region", "str | None", pa.string(), "VARCHAR", "region_raw", default=None,
              doc="the region as the source wrote it (the loader adds region_id)"),
    FactField("start", "int | None", pa.int32(), "INTEGER", "start_offset", default=None,
              doc="offsets into the decoded original file text: original[start:end] == evidence"),
    FactField("end", "int | None", pa.int32(), "INTEGER", "end_offset", default=None),
    FactField("source", "str | None", pa.string(), "VARCHAR", "source_cell", default=None,
              doc="'Sheet1!D7' for tallies"),
    FactField("confidence", "float", pa.float64(), "DOUBLE", default=1.0),
    FactField("flags", "tuple[str, ...]", pa.list_(pa.string()), "VARCHAR[]", default=(),
              doc="etl.vocab FLAG_* codes"),
    FactField("needs_review", "bool", pa.bool_(), "BOOLEAN NOT NULL DEFAULT false", default=False, since=3,
              doc="the extractor asks a person to confirm: held for review, not charted until accepted"),
)

# Columns of the facts table that are not fact fields: set by the loader, then by review.
LOAD_COLUMNS: tuple[tuple[str, str, pa.DataType], ...] = (
    ("batch_id", "INTEGER NOT NULL", pa.int32()),
    ("region_id", "INTEGER", pa.int32()),  # the region registry's id for `region` (None: placeholder, unknown)
    ("source_file", "VARCHAR", pa.string()),  # sha256 of the file
)
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "VARCHAR NOT NULL DEFAULT 'active'"),  # 'active' | 'superseded' | 'rejected'
    ("supersedes", "BIGINT"),  # the fact a correction replaces
    ("reviewed_by", "VARCHAR"),
    ("created_at", "TIMESTAMP NOT NULL DEFAULT current_timestamp"),
)


def _fact_class() -> type:
    """The frozen dataclass with FACT_FIELDS as its fields."""

    def to_json(self: Any) -> dict[str, Any]:
        """Plain dict for `--format jsonl` (flags as a list, whole values as integers)."""
        d = asdict(self)
        d["flags"] = list(self.flags)
        if isinstance(d["value"], float) and d["value"].is_integer():
            d["value"] = int(d["value"])
        return d

    spec = [(f.name, f.type, field(default=f.default)) if f.default is not _REQUIRED else (f.name, f.type)
            for f in FACT_FIELDS]
    cls = dataclasses.make_dataclass("Fact", spec, frozen=True, namespace={"to_json": to_json})
    cls.__module__ = __name__
    cls.__doc__ = ("One figure for one metric, region and period, with its provenance (fields: etl.model.FACT_FIELDS)."
                   "\n\nReport facts carry `start`/`end` offsets into the decoded original file text; tally facts "
                   "carry `source` (Sheet1!D7) instead.")
    return cls


Fact = _fact_class()
FACT_NAMES = tuple(f.name for f in FACT_FIELDS)
FACT_SCHEMA = pa.schema([(f.name, f.arrow) for f in FACT_FIELDS])  # facts as columns, field by field


def facts_table_columns(version: int | None = None) -> list[tuple[str, str]]:
    """(column, DuckDB type) of the facts table, in table order, as of schema `version` (default: now)."""
    cols = [("id", "BIGINT PRIMARY KEY DEFAULT nextval('fact_seq')"), *((c, t) for c, t, _ in LOAD_COLUMNS)]
    cols += [(f.stored_as, f.sql) for f in FACT_FIELDS if f.sql and (version is None or f.since <= version)]
    return cols + list(REVIEW_COLUMNS)


def default_column(f: FactField, n: int) -> pa.Array:
    """n copies of a field's default, as an Arrow column (a field a producer does not set)."""
    default = list(f.default) if isinstance(f.default, tuple) else f.default
    return pa.nulls(n, f.arrow) if default is None else pa.repeat(pa.scalar(default, f.arrow), n)


# The rows the loader writes: its own columns, then every stored fact field under its column name.
ROW_SCHEMA = pa.schema([(c, a) for c, _, a in LOAD_COLUMNS]
                       + [(f.stored_as, f.arrow) for f in FACT_FIELDS if f.sql])


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """No cyclic garbage collection while a big file's millions of cells and strings are made.

    Every collection walks all live objects (a big grid alone holds over a million), so during bulk
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
    """Facts in file order as one Arrow table with FACT_SCHEMA: a big tally's facts without an object each."""

    table: pa.Table

    def __len__(self) -> int:
        return self.table.num_rows

    @classmethod
    def from_facts(cls, facts: list[Any]) -> FactColumns:
        cols: dict[str, Any] = {name: [getattr(f, name) for f in facts] for name in FACT_NAMES}
        cols["flags"] = [list(f) for f in cols["flags"]]
        return cls(pa.Table.from_pydict(cols, schema=FACT_SCHEMA))

    @classmethod
    def concat(cls, parts: list[FactColumns]) -> FactColumns:
        if not parts:
            return cls(FACT_SCHEMA.empty_table())
        return cls(pa.concat_tables([p.table for p in parts]).combine_chunks())

    def to_facts(self) -> list[Any]:
        """Fact objects (values as float, flags as tuples)."""
        data = self.table.to_pydict()
        data["flags"] = [tuple(f) if f else () for f in data["flags"]]
        return [Fact(**dict(zip(FACT_NAMES, row, strict=True)))
                for row in zip(*(data[n] for n in FACT_NAMES), strict=True)]


@dataclass(frozen=True)
class Document:
    """One report inside a file (a file may glue several together)."""

    doc_id: str
    file_sha: str
    file_name: str
    segment: int
    start: int  # offsets of the segment in the decoded original
    end: int
    title: str
    region: str | None  # reporting body, e.g. 银江镇
    year: int | None
    period: str | None
    is_template: bool = False
    fingerprint: tuple[int, ...] = ()  # minhash signature for near-duplicate search
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, said in Chinese for the person who sent it.

    `where` names the place (``Sheet1!D7``, a file name, a line); errors block
    a load, warnings do not.
    """

    severity: str  # 'error' | 'warning'
    message: str  # Chinese, says what is wrong and what to do
    where: str = ""
    value: str | None = None
    code: str = ""  # stable machine code, e.g. 'negative_count'


@dataclass
class ExtractedFile:
    """Everything one input file yields: the ingest stage loads exactly this."""

    path: str
    name: str
    sha256: str
    data: bytes
    kind: str  # 'report' | 'tally'
    encoding: str | None = None
    text: str | None = None  # decoded original (reports); fact offsets index into it
    documents: list[Document] = field(default_factory=list)
    facts: list[Any] = field(default_factory=list)  # list[Fact]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing blocks loading this file."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def fact_table(self) -> pa.Table:
        """The facts as one Arrow table with FACT_SCHEMA (what the loader writes)."""
        return FactColumns.from_facts(self.facts).table


class ColumnarFile(ExtractedFile):
    """An ExtractedFile whose facts are held as columns; the list of Fact objects is built on first use.

    The Arrow table is the truth only while nobody has taken the list: a list
    handed out may be edited, and from then on the list is the truth.
    Assigning `facts` replaces both.
    """

    _columns: FactColumns | None = None
    _fact_list: list[Any] | None = None

    @property  # type: ignore[override]
    def facts(self) -> list[Any]:
        if self._fact_list is None:
            self._fact_list = self._columns.to_facts() if self._columns is not None else []
            self._columns = None  # handed out: from now on the list is the truth
        return self._fact_list

    @facts.setter
    def facts(self, value: list[Any]) -> None:
        self._fact_list = value
        self._columns = None

    def set_columns(self, columns: FactColumns) -> None:
        self._columns = columns
        self._fact_list = None

    @property
    def fact_table(self) -> pa.Table:
        return self._columns.table if self._columns is not None else FactColumns.from_facts(self.facts).table

    @property
    def fact_count(self) -> int:
        return len(self._columns) if self._columns is not None else len(self.facts)
