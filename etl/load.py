"""Write extracted files into DuckDB as one batch, undo a batch, report status.

A load is one transaction: either every row of the batch is written or none
is, so a crash or a bad value halfway leaves the database as it was. Files are
keyed by sha256: bytes already held by an active batch are skipped, which
makes loading the same folder twice a no-op. Nothing is ever deleted except by
`undo_batch`, and even then the archive keeps the original bytes.

Extraction happens before (see etl/pipeline.py): the write lock is held only
while rows are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import db, federation, scope, unknown_regions
from etl.accounts import Account
from etl.archive import archive_bytes
from etl.audit import Actor, actor_of, record
from etl.batches import FileOutcome, LoadError, LoadSummary
from etl.dedup import DuplicateIndex
from etl.limits import REFUSED_CODES
from etl.model import FACT_FIELDS, ROW_SCHEMA, Document, ExtractedFile, Problem, bulk
from etl.regions import ADD, SKIP, BatchResolver, Choice
from etl.vocab import FLAG_DUPLICATE_DOC, FLAG_PLACEHOLDER_REGION, FLAG_TEMPLATE, KIND_ZH

# Problem codes meaning the bytes could not be read, or were refused before archiving (over a limit).
UNREAD_CODES = ("not_found", "unreadable", *REFUSED_CODES)


def _failure_reason(problems: list[Problem], archived: bool) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    kept = "原文件已存档，" if archived else ""
    return f"无法导入（{errors} 处错误），{kept}改正后可重新导入。"


def _merge_flags(*groups: Iterable[str]) -> list[str]:
    out: list[str] = []
    for group in groups:
        for flag in group:
            if flag and flag not in out:
                out.append(flag)
    return out


def _check_metrics(f: ExtractedFile) -> list[Problem]:
    """Facts must use catalog codes; an unknown code is an extractor bug, reported per file."""
    from etl.catalog import load_catalog

    catalog = load_catalog()
    used = set(pc.unique(f.fact_table["metric"]).to_pylist())
    unknown = sorted(code for code in used if code not in catalog)
    return [Problem("error", f"未知的指标代码“{code}”，不在指标目录 etl/lexicon/metrics.csv 中。", f.name,
                    code, "unknown_metric") for code in unknown]


def _active_fingerprints(con: duckdb.DuckDBPyConnection) -> list[tuple[str, tuple[int, ...]]]:
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


def _fact_table(batch_id: int, f: ExtractedFile, cols: pa.Table, docs: dict[str, Document], duplicate_docs: set[str],
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
    fl_enc = _encode(pc.binary_join(cols["flags"], "\x1f"))
    doc_enc = _encode(cols["doc_id"])
    codes = (_codes(fl_enc) * (len(names) + 1) + _codes(raw_enc)) * (len(doc_enc.dictionary) + 1) + _codes(doc_enc)
    uniq, inverse = np.unique(codes, return_inverse=True)
    fl_names, doc_names = fl_enc.dictionary.to_pylist(), doc_enc.dictionary.to_pylist()
    merged = []
    for code in uniq.tolist():
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
    return pc.take(pa.array(merged, pa.list_(pa.string())), pa.array(inverse.reshape(-1)))


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


def _write_file(con: duckdb.DuckDBPyConnection, batch_id: int, f: ExtractedFile, cols: pa.Table,
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
        table = _fact_table(batch_id, f, cols, docs, duplicate_docs, resolver)
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


def _unknown_regions(cols: pa.Table, f: ExtractedFile, resolver: BatchResolver) -> dict[str, tuple[int, int | None]]:
    """Names of this file the directory does not know: raw name → (facts naming it, their first year)."""
    per_name = pa.table({"raw": raw_regions(cols, f.documents), "year": cols["year"]}).group_by("raw").aggregate(
        [("year", "min"), ("raw", "count")])
    names = per_name["raw"].to_pylist()
    resolver.resolve_all(names)
    return {name: (n, year) for name, n, year in zip(names, per_name["raw_count"].to_pylist(),
                                                     per_name["year_min"].to_pylist(), strict=True)
            if name in resolver.unknown}


def _refuse_unknown(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, unknown: dict[str, tuple[int, int | None]],
                    where: str) -> None:
    """The file fails: each name the directory lacks is an error with its suggestions and the way out
    (before the set-up, one error saying to set the federation up first)."""
    fed = federation.current(con)
    msgs = federation.directory_rules()["messages"]
    if fed is None:
        outcome.problems.append(Problem("error", f"{msgs['no_federation']}（本文件中的地区：{'、'.join(unknown)}）",
                                        where, None, "no_federation"))
    else:
        found = unknown_regions.describe_unknown(con, {raw: (n, where) for raw, (n, _) in unknown.items()}, fed.code)
        outcome.problems.extend(Problem("error", u.message + msgs["cli"].format(raw=u.raw), where, u.raw,
                                        "unknown_region") for u in found)
    outcome.status = "failed"
    outcome.reason = f"有 {len(unknown)} 个地区名称不在地区名录中，本文件未导入（原文件已存档）。"


def _supersede(con: duckdb.DuckDBPyConnection, batch_id: int, fact_ids: Sequence[int]) -> int:
    ids = sorted({int(i) for i in fact_ids})
    if not ids:
        return 0
    active = {r[0] for r in con.execute(
        "SELECT id FROM facts WHERE id IN (SELECT unnest(?::BIGINT[])) AND status = 'active'", [ids]).fetchall()}
    missing = [i for i in ids if i not in active]
    if missing:
        shown = "、".join(str(i) for i in missing[:10])
        raise LoadError(f"要替换的数据（编号 {shown}{'等' if len(missing) > 10 else ''}）已不是有效数据，"
                        "可能刚被其他导入替换或撤销。本次导入未写入任何内容，请刷新后重新比对再导入。",
                        item=f"facts {shown}")
    con.execute("UPDATE facts SET status = 'superseded' WHERE id IN (SELECT unnest(?::BIGINT[]))", [ids])
    con.executemany("INSERT INTO batch_superseded VALUES (?, ?)", [(batch_id, i) for i in ids])
    return len(ids)


def _batch_kind(files: list[ExtractedFile]) -> str:
    kinds = {f.kind for f in files}
    if not kinds:
        return "correction"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def load_files(db_path: Path | str, files: list[ExtractedFile], *, archive_dir: Path | str,
               user: str | Actor | None = None, note: str | None = None, replace_fact_ids: Sequence[int] = (),
               accept_partial: bool = False, wait: float | None = None, confirmed_by: str | None = None,
               account: Account | None = None, checked: Mapping[str, Mapping[int, str]] | None = None,
               region_choices: Mapping[str, Choice] | None = None, new_regions_under: str | None = None,
               received_on: dt.date | None = None) -> LoadSummary:
    """Load extracted files as ONE batch, in one transaction; returns what happened per file.

    Files whose extraction reported errors are not loaded (listed as failed,
    with their Chinese problems) unless `accept_partial` (the upload page's
    explicit "import only the valid rows" choice). Files whose sha256 is held
    by an active batch are skipped. When nothing is left to write, no batch is
    created. `replace_fact_ids` are set to 'superseded' by this batch; undo
    restores them. `confirmed_by` names the person who has checked every figure
    (the demo data, a reviewed upload): unflagged facts the extractor asked to
    confirm load as confirmed by them. `checked` (file sha256 → fact index → name) marks single facts a
    person checked before loading (上传报告). Any exception rolls everything back and propagates.

    Region names the directory does not know are never made regions silently: a person's
    `region_choices` (raw name → regions.Choice: map to a region, add under a parent, leave out)
    decide, or `new_regions_under` adds every such name under that region; a file with a name
    nobody decided on fails, its message giving suggestions. Regions and aliases added here carry
    the batch, so undoing it removes them. `received_on`: when the material arrived (default today;
    报送情况 judges lateness by it).

    The batch is recorded in the audit trail (etl/audit.py) in the same transaction: who (`user`: a name
    or an Actor; `account` on the web), the files, the counts, the regions the load created. With
    `account`, a figure for a region outside its scope refuses the load (etl/scope.py).
    """
    actor = account.actor() if account is not None else actor_of(user)
    summary = LoadSummary()
    outcomes: dict[int, FileOutcome] = {}
    for i, f in enumerate(files):
        # Archive first: bytes are kept even when the file fails or is skipped.
        unread = any(p.code in UNREAD_CODES for p in f.problems)
        path = None if unread else str(archive_bytes(f.data, f.name, archive_dir, sha256=f.sha256))
        problems = list(f.problems) + _check_metrics(f)
        outcome = FileOutcome(f.name, f.sha256, f.kind, "pending", problems=problems, archive_path=path)
        if any(p.severity == "error" for p in problems) and not accept_partial:
            outcome.status, outcome.reason = "failed", _failure_reason(problems, archived=path is not None)
        outcomes[i] = outcome
        summary.files.append(outcome)

    choices = dict(region_choices or {})
    with db.transaction(db_path, wait=wait, what="导入") as con:
        held = dict(con.execute(
            "SELECT f.sha256, min(f.batch_id) FROM files f JOIN batches b ON b.id = f.batch_id "
            "WHERE b.status = 'loaded' GROUP BY f.sha256").fetchall())
        resolver = BatchResolver(con)
        todo: list[tuple[ExtractedFile, pa.Table, FileOutcome, dict[int, str]]] = []
        seen: dict[str, str] = {}
        first_years: dict[str, int | None] = {}
        for i, f in enumerate(files):
            outcome = outcomes[i]
            if outcome.status == "failed":
                continue
            if f.sha256 in held:
                outcome.status = "skipped"
                outcome.reason = f"内容与批次 {held[f.sha256]} 中已导入的文件相同，未重复导入。"
                continue
            if f.sha256 in seen:
                outcome.status = "skipped"
                outcome.reason = f"与本次的“{seen[f.sha256]}”内容完全相同，只导入一次。"
                continue
            cols = f.fact_table
            marks = dict((checked or {}).get(f.sha256, {}))  # fact index → who checked it (re-indexed below)
            unknown = _unknown_regions(cols, f, resolver)
            undecided = {raw: v for raw, v in unknown.items() if raw not in choices and not new_regions_under}
            if undecided:
                _refuse_unknown(con, outcome, undecided, f.name)
                continue
            for raw, (_, year) in unknown.items():
                if raw not in choices:
                    choices[raw] = Choice(ADD, new_regions_under)  # type: ignore[arg-type]
                years = [y for y in (first_years.get(raw), year) if y is not None]
                first_years[raw] = min(years) if years else None
            skip = [raw for raw in unknown if choices[raw].action == SKIP]
            if skip:
                keep = pc.invert(pc.is_in(raw_regions(cols, f.documents), pa.array(skip, pa.string())))
                kept = np.flatnonzero(pc.fill_null(keep, True).to_numpy(zero_copy_only=False))
                marks = {new: marks[int(old)] for new, old in enumerate(kept) if int(old) in marks}
                outcome.left_out = {raw: unknown[raw][0] for raw in skip}
                cols = cols.filter(pc.fill_null(keep, True))
            seen[f.sha256] = f.name
            todo.append((f, cols, outcome, marks))
        if not todo and not replace_fact_ids:
            return summary
        if account is not None:
            _check_scope(con, account, [f for f, _, _, _ in todo])
        summary.kind = _batch_kind([f for f, _, _, _ in todo])
        summary.batch_id = con.execute(
            "INSERT INTO batches (kind, user_name, note, received_on) VALUES (?, ?, ?, ?) RETURNING id",
            [summary.kind, actor.name, note, received_on or dt.date.today()]).fetchone()[0]
        regions_before = con.execute("SELECT coalesce(max(id), 0) FROM regions").fetchone()[0]
        try:  # the names of the files being loaded, as decided (first_years holds exactly those)
            resolver.apply({raw: choices[raw] for raw in sorted(first_years)}, summary.batch_id, first_years)
        except LookupError as exc:
            raise LoadError(f"{exc.args[0]}本次导入未写入任何内容。", item=str(exc.args[0])) from exc
        summary.regions_added = [name for (name,) in con.execute(
            "SELECT name FROM regions WHERE created_batch = ? ORDER BY id", [summary.batch_id]).fetchall()]
        dedup = DuplicateIndex(_active_fingerprints(con))  # near copies among active documents
        for f, cols, outcome, marks in todo:
            try:
                _write_file(con, summary.batch_id, f, cols, outcome, dedup, resolver, marks, bool(confirmed_by))
            except (duckdb.Error, pa.ArrowException) as exc:  # inside the transaction: all rolled back
                raise LoadError(f"写入“{f.name}”时数据库报错：{exc}。整批已回滚，数据库没有任何改动；"
                                "原文件已存档，请把它发给管理员检查。", item=f.name) from exc
            outcome.status = "loaded"
            if not f.ok:
                outcome.reason = "只导入了没有错误的部分（按您的选择），有错误的行未导入。"
        summary.superseded = _supersede(con, summary.batch_id, replace_fact_ids)
        if confirmed_by:
            # Figures the extractor doubted; a flagged figure (no year, a placeholder name) still needs its fix.
            con.execute("UPDATE facts SET reviewed_by = ? WHERE batch_id = ? AND needs_review AND reviewed_by IS NULL "
                        "AND len(coalesce(flags, []::VARCHAR[])) = 0", [confirmed_by, summary.batch_id])
        _record_load(con, actor, summary, regions_before, confirmed_by)
    return summary


def _check_scope(con: duckdb.DuckDBPyConnection, account: Account, files: list[ExtractedFile]) -> None:
    """Refuse the whole load when any figure is for a region outside the account's scope (names the rows)."""
    refused = [r for f in files for r in scope.split(con, account, f.facts, scope.region_of(f))[1]]
    if refused:
        shown = "；".join(f"{r.fact.source or r.fact.evidence[:20]}（{r.region}）" for r in refused[:5])
        more = f" 等 {len(refused)} 处" if len(refused) > 5 else ""
        raise LoadError(f"{refused[0].message(account)} 涉及：{shown}{more}。本次导入未写入任何内容。",
                        item=refused[0].region, code="out_of_scope")


def _record_load(con: duckdb.DuckDBPyConnection, actor: Actor, summary: LoadSummary, regions_before: int,
                 confirmed_by: str | None) -> None:
    """The batch's audit record: files, counts, regions it created, facts it replaced."""
    new_regions = [r[0] for r in con.execute("SELECT name FROM regions WHERE id > ? ORDER BY id",
                                             [regions_before]).fetchall()]
    loaded = [f for f in summary.files if f.status == "loaded"]
    after = {"files": [f.name for f in loaded], "facts": summary.facts, "documents": summary.documents,
             "superseded": summary.superseded, "new_regions": new_regions, "confirmed_by": confirmed_by}
    names = "、".join(f.name for f in loaded[:3]) + (f" 等 {len(loaded)} 个文件" if len(loaded) > 3 else "")
    text = f"导入批次 {summary.batch_id}（{KIND_ZH.get(summary.kind or '', summary.kind)}）：{names or '无文件'}，" \
           f"数据 {summary.facts:,} 条"
    if summary.superseded:
        text += f"，替换原有数据 {summary.superseded:,} 条"
    if new_regions:
        text += f"，新建地区 {'、'.join(new_regions)}"
    record(con, actor, "upload", text, batch_id=summary.batch_id, after=after)
