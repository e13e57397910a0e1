"""Writing one file's rows: its files row, its documents (near copies marked), its facts as facts-table rows.

etl/load.py decides what goes in (which files, which region names, which
facts are replaced) and holds the transaction; this module turns an
extracted file into rows and INSERTs them, fast enough for a tally of a
million cells: regions are resolved and flags merged once per distinct value,
and the facts go in as one Arrow INSERT … SELECT (bench/bench_load.py
measures it against executemany).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.batches import FileOutcome
from etl.model import FACT_FIELDS, ROW_SCHEMA, Document, ExtractedFile, bulk
from etl.regions import BatchResolver
from etl.vocab import FLAG_DUPLICATE_DOC, FLAG_PLACEHOLDER_REGION, FLAG_TEMPLATE


def _merge_flags(*groups: Iterable[str]) -> list[str]:
    out: list[str] = []
    for group in groups:
        for flag in group:
            if flag and flag not in out:
                out.append(flag)
    return out


def active_fingerprints(con: duckdb.DuckDBPyConnection) -> list[tuple[str, tuple[int, ...]]]:
    """Fingerprints of active, non-duplicate documents, oldest first (so the original wins)."""
    rows = con.execute(
        "SELECT d.doc_id, d.fingerprint FROM documents d JOIN batches b ON b.id = d.batch_id "
        "WHERE b.status = 'loaded' AND d.duplicate_of IS NULL AND len(d.fingerprint) > 0 "
        "ORDER BY d.batch_id, d.doc_id"
    ).fetchall()
    return [(doc_id, tuple(int(v) for v in fp)) for doc_id, fp in rows]


def raw_regions(cols: pa.Table, documents: Sequence[Document]) -> pa.Array:
    """Each fact's region as written: its own, else its document's (a report's reporting body)."""
    raw = cols["region"]
    missing = pc.or_kleene(pc.is_null(raw), pc.equal(raw, ""))
    if pc.any(missing).as_py():  # fact.region or (doc.region if doc else None)
        docs = {d.doc_id: d for d in documents}
        from_doc = [docs[d].region if d in docs else None for d in cols["doc_id"].to_pylist()]
        raw = pc.if_else(missing, pa.array(from_doc, pa.string()), raw)
    return raw.combine_chunks() if isinstance(raw, pa.ChunkedArray) else raw


def fact_table(batch_id: int, f: ExtractedFile, cols: pa.Table, docs: dict[str, Document], duplicate_docs: set[str],
                resolver: BatchResolver) -> pa.Table:
    """All facts of a file as rows of the facts table (etl.model.ROW_SCHEMA).

    Regions are resolved and flags merged once per distinct value, not per fact: a big tally
    has a million facts but a few thousand towns. A region that no longer exists in a fact's year
    (renamed or merged: last_year, successor_id) gives way to the region it became.
    """
    n = cols.num_rows
    raw = raw_regions(cols, list(docs.values()))
    raw_enc = _encode(raw)
    names = raw_enc.dictionary.to_pylist()
    ids = resolver.resolve_all(names)
    region_id = pc.take(pa.array([ids[name] for name in names], pa.int32()), raw_enc.indices)
    region_id = resolver.successors_by_year(region_id, cols["year"])
    stored = {"region": raw, "flags": _merged_flags(cols, raw_enc, docs, duplicate_docs, resolver),
              "doc_id": pc.if_else(pc.equal(cols["doc_id"], ""), pa.scalar(None, pa.string()), cols["doc_id"])}
    load = {"batch_id": pa.array(np.full(n, batch_id, dtype=np.int32)), "region_id": region_id,
            "source_file": pa.repeat(pa.scalar(f.sha256, pa.string()), n)}
    return pa.table({**load, **{fl.stored_as: stored.get(fl.name, cols[fl.name]) for fl in FACT_FIELDS if fl.sql}},
                    schema=ROW_SCHEMA)


def _merged_flags(cols: pa.Table, raw_enc: pa.DictionaryArray, docs: dict[str, Document], duplicate_docs: set[str],
                  resolver: BatchResolver) -> pa.Array:
    """Each fact's flags, then placeholder region, template document, duplicate document (each once)."""
    names = raw_enc.dictionary.to_pylist()
    if pc.max(pc.list_value_length(cols["flags"])).as_py():
        fl_enc = _encode(pc.binary_join(cols["flags"], "\x1f"))
        fl_codes, fl_names = _codes(fl_enc), fl_enc.dictionary.to_pylist()
    else:  # no fact has a flag of its own (a tally): one code for all, as an empty list would get
        fl_codes, fl_names = np.zeros(len(cols), dtype=np.int64), []
    doc_enc = _encode(cols["doc_id"])
    codes = (fl_codes * (len(names) + 1) + _codes(raw_enc)) * (len(doc_enc.dictionary) + 1) + _codes(doc_enc)
    distinct = pa.array(codes).dictionary_encode()  # hashing, not sorting: a million codes, a few thousand distinct
    doc_names = doc_enc.dictionary.to_pylist()
    merged = []
    for code in distinct.dictionary.to_pylist():
        rest, d = divmod(code, len(doc_names) + 1)
        fcode, r = divmod(rest, len(names) + 1)
        own = fl_names[fcode - 1].split("\x1f") if fcode and fl_names[fcode - 1] else []
        region = names[r - 1] if r else None
        doc = docs.get(doc_names[d - 1]) if d else None
        extra = []
        if region and region in resolver.placeholders:  # resolve_all saw every region (is_placeholder)
            extra.append(FLAG_PLACEHOLDER_REGION)
        if doc is not None and doc.is_template:
            extra.append(FLAG_TEMPLATE)
        if d and doc_names[d - 1] in duplicate_docs:
            extra.append(FLAG_DUPLICATE_DOC)
        merged.append(_merge_flags(own, extra))
    return pc.take(pa.array(merged, pa.list_(pa.string())), distinct.indices)


def _encode(arr: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.dictionary_encode()


def _codes(enc: pa.DictionaryArray) -> np.ndarray:
    """Dictionary indices + 1, with 0 for null (so null is one more distinct value)."""
    return pc.fill_null(pc.add(enc.indices.cast(pa.int64()), 1), 0).to_numpy()


def insert_facts(con: duckdb.DuckDBPyConnection, table: pa.Table) -> None:
    """One INSERT … SELECT from an Arrow table of facts-table rows (see bench/bench_load.py for executemany vs this).

    Columns whose every value is the column's default (a tally has no offsets, no dates, no approximations)
    are left to the database: DuckDB then writes nothing for them, which is measurably faster for big files.
    """
    if not table.num_rows:
        return
    default = {fl.stored_as: fl.default for fl in FACT_FIELDS if fl.sql}
    cols = [c for c in table.column_names if not _all_default(table[c], default.get(c, ...))]
    dates = {fl.stored_as for fl in FACT_FIELDS if fl.sql == "DATE"}
    con.register("_new_facts", table)
    try:
        select = ", ".join(f"CAST({c} AS DATE)" if c in dates else c for c in cols)
        con.execute(f"INSERT INTO facts ({', '.join(cols)}) SELECT {select} FROM _new_facts")
    finally:
        con.unregister("_new_facts")


def _all_default(col: pa.ChunkedArray, default: Any) -> bool:
    if default is None:
        return col.null_count == len(col)
    if default is False:
        return col.null_count == 0 and not pc.any(col).as_py()
    return False


def write_file(con: duckdb.DuckDBPyConnection, batch_id: int, f: ExtractedFile, cols: pa.Table,
                outcome: FileOutcome, dedup: Any, resolver: BatchResolver,
                checked: Mapping[int, str] | None = None, confirmed: bool = False) -> None:
    """Rows of one file (`cols`: its facts, less rows left out by a person's choice): files, documents
    (duplicates marked), facts (regions resolved, flags set).

    `checked` names who checked a fact before loading, by its row in `cols` (its reviewed_by).
    """
    con.execute(
        "INSERT INTO files (sha256, batch_id, name, size, kind, encoding, archive_path, text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [f.sha256, batch_id, f.name, len(f.data), f.kind, f.encoding, outcome.archive_path,
         f.text if f.kind == "report" else None],
    )
    docs: dict[str, Document] = {}
    duplicate_docs: set[str] = set()
    for doc in f.documents:
        dup_of = dedup.find(tuple(doc.fingerprint)) if doc.fingerprint else None
        if dup_of is None:
            dedup.add(doc.doc_id, tuple(doc.fingerprint))  # later copies in this batch point here
        else:
            duplicate_docs.add(doc.doc_id)
        docs[doc.doc_id] = doc
        con.execute(
            "INSERT INTO documents (doc_id, batch_id, file_sha, segment, start_offset, end_offset, title, region, "
            "year, period, is_template, duplicate_of, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [doc.doc_id, batch_id, doc.file_sha or f.sha256, doc.segment, doc.start, doc.end, doc.title,
             doc.region, doc.year, doc.period, doc.is_template, dup_of, list(doc.fingerprint)],
        )
    with bulk():
        table = fact_table(batch_id, f, cols, docs, duplicate_docs, resolver)
        if checked:
            table = table.append_column("reviewed_by", pa.array([checked.get(i) for i in range(table.num_rows)],
                                                                 pa.string()))
        insert_facts(con, table)
    outcome.documents = len(f.documents)
    outcome.duplicates = len(duplicate_docs)
    outcome.facts = table.num_rows
    marked = pc.greater(pc.list_value_length(table["flags"]), 0)
    if not confirmed:  # held for a person's confirmation too, unless the loader confirms every figure
        marked = pc.or_(marked, table["needs_review"])
    outcome.flagged = int(pc.sum(marked).as_py() or 0)
