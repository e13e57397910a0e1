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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import db, regions
from etl.archive import DEFAULT_ARCHIVE, archive_bytes
from etl.limits import REFUSED_CODES
from etl.model import (
    FLAG_DUPLICATE_DOC,
    FLAG_PLACEHOLDER_REGION,
    FLAG_TEMPLATE,
    Document,
    ExtractedFile,
    Fact,
    Problem,
)
from etl.tally.columns import FactColumns, bulk

KIND_ZH = {"report": "报告", "tally": "统计表", "mixed": "报告和统计表", "correction": "更正"}
STATUS_ZH = {"loaded": "已导入", "undone": "已撤销"}
SKIPPED_SHOWN = 5  # longer lists of skipped files are grouped by reason (all shown with --verbose)

# Which batch superseded which facts, so undo can restore them. Kept beside the
# lead's schema (etl/db.py) rather than as a facts column: one batch may
# replace many facts, and a fact may be superseded, restored, superseded again.
SUPERSEDED_SCHEMA = """
CREATE TABLE IF NOT EXISTS batch_superseded (
    batch_id INTEGER NOT NULL,
    fact_id BIGINT NOT NULL,
    PRIMARY KEY (batch_id, fact_id)
);
-- Files of undone batches (their files rows are deleted): history still names them,
-- and the archive path lets someone load them again.
CREATE TABLE IF NOT EXISTS undone_files (
    batch_id INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    archive_path VARCHAR,
    PRIMARY KEY (sha256, batch_id)
);
"""


class LoadError(RuntimeError):
    """A load or undo that cannot go ahead; the message says why, in Chinese."""


@dataclass
class FileOutcome:
    """What happened to one input file."""

    name: str
    sha256: str
    kind: str
    status: str  # 'loaded' | 'skipped' | 'failed'
    reason: str = ""  # Chinese: why skipped / failed
    documents: int = 0
    facts: int = 0
    flagged: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    archive_path: str | None = None


@dataclass
class LoadSummary:
    """Counts for the person who loaded: what went in, what was skipped, what failed and why."""

    batch_id: int | None = None
    kind: str | None = None
    files: list[FileOutcome] = field(default_factory=list)
    superseded: int = 0

    def _count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def loaded(self) -> int:
        return self._count("loaded")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def errors(self) -> int:
        return self._count("failed")

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.files)

    @property
    def facts(self) -> int:
        return sum(f.facts for f in self.files)

    @property
    def flagged(self) -> int:
        return sum(f.flagged for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.files for p in f.problems if p.severity == "warning")

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "kind": self.kind,
            "documents": self.documents,
            "facts": self.facts,
            "flagged": self.flagged,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "skipped": self.skipped,
            "superseded": self.superseded,
            "files": [
                {
                    "name": f.name, "sha256": f.sha256, "kind": f.kind, "status": f.status, "reason": f.reason,
                    "documents": f.documents, "facts": f.facts, "flagged": f.flagged, "duplicates": f.duplicates,
                    "problems": [{"severity": p.severity, "message": p.message, "where": p.where, "code": p.code}
                                 for p in f.problems],
                }
                for f in self.files
            ],
        }

    def to_text(self, warnings: bool = False) -> str:
        """The Chinese summary the CLI prints (and the upload page can show)."""
        out: list[str] = []
        if self.batch_id is None:
            out.append("没有新数据写入数据库（未创建批次）。")
        else:
            out.append(f"已导入批次 {self.batch_id}（{KIND_ZH.get(self.kind or '', self.kind)}）。")
        out.append(f"  文件：共 {len(self.files)} 个，导入 {self.loaded} 个，"
                   f"跳过 {self.skipped} 个，失败 {self.errors} 个")
        out.append(f"  文档：{self.documents} 篇（其中重复文档 {self.duplicates} 篇）")
        out.append(f"  数据：{self.facts} 条（其中带标记待核 {self.flagged} 条）")
        if self.superseded:
            out.append(f"  替换：{self.superseded} 条原有数据已标为“被替换”，撤销本批次即可恢复")
        skipped = [f for f in self.files if f.status == "skipped"]
        if skipped:
            out.append("跳过的文件：")
        if len(skipped) > SKIPPED_SHOWN and not warnings:
            by_reason: dict[str, list[str]] = {}
            for f in skipped:
                by_reason.setdefault(f.reason, []).append(f.name)
            for reason, names in by_reason.items():
                out.append(f"  {'、'.join(names[:2])} 等 {len(names)} 个文件：{reason}")
        else:
            out.extend(f"  {f.name}：{f.reason}" for f in skipped)
        failed = [f for f in self.files if f.status == "failed"]
        if failed:
            out.append("失败的文件：")
        for f in failed:
            out.append(f"  {f.name}：{f.reason}")
            for p in f.problems:
                if p.severity == "error":
                    out.append(f"    - {p.where + '：' if p.where else ''}{p.message}")
        if self.warnings:
            if warnings:
                out.append("提醒：")
                for f in self.files:
                    for p in f.problems:
                        if p.severity == "warning":
                            out.append(f"  {f.name}{' ' + p.where if p.where else ''}：{p.message}")
            else:
                out.append(f"另有 {self.warnings} 条提醒（加 --verbose 查看）。")
        return "\n".join(out)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """This module's own table (batch_superseded); idempotent."""
    con.execute(SUPERSEDED_SCHEMA)


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
    cols = getattr(f, "fact_columns", None)
    used = set(pc.unique(cols["metric"]).to_pylist()) if cols is not None else {fact.metric for fact in f.facts}
    unknown = sorted(code for code in used if code not in catalog)
    return [Problem("error", f"未知的指标代码“{code}”，不在指标目录 etl/lexicon/metrics.csv 中。", f.name,
                    code, "unknown_metric") for code in unknown]


class _ExactIndex:
    """Stand-in for etl.dedup.DuplicateIndex (equal fingerprints only), used if that module is missing."""

    def __init__(self, items: Iterable[tuple[str, tuple[int, ...]]]) -> None:
        self._first: dict[tuple[int, ...], str] = {}
        for doc_id, fp in items:
            self.add(doc_id, fp)

    def add(self, doc_id: str, fp: tuple[int, ...]) -> None:
        if fp:
            self._first.setdefault(tuple(fp), doc_id)

    def find(self, fp: tuple[int, ...]) -> str | None:
        return self._first.get(tuple(fp)) if fp else None


def _duplicate_index(items: list[tuple[str, tuple[int, ...]]]) -> Any:
    """Near-duplicate index over active documents (etl.dedup), built once per load."""
    try:
        from etl.dedup import DuplicateIndex
    except ImportError:
        return _ExactIndex(items)
    return DuplicateIndex(items)


def _active_fingerprints(con: duckdb.DuckDBPyConnection) -> list[tuple[str, tuple[int, ...]]]:
    """Fingerprints of active, non-duplicate documents, oldest first (so the original wins)."""
    rows = con.execute(
        "SELECT d.doc_id, d.fingerprint FROM documents d JOIN batches b ON b.id = d.batch_id "
        "WHERE b.status = 'loaded' AND d.duplicate_of IS NULL AND len(d.fingerprint) > 0 "
        "ORDER BY d.batch_id, d.doc_id"
    ).fetchall()
    return [(doc_id, tuple(int(v) for v in fp)) for doc_id, fp in rows]


FACT_COLUMNS = (
    "batch_id", "doc_id", "region_id", "region_raw", "metric", "value", "unit", "approx", "year", "period",
    "as_of", "evidence", "start_offset", "end_offset", "source_file", "source_cell", "confidence", "flags",
)


def _fact_row(batch_id: int, f: ExtractedFile, fact: Fact, doc: Document | None, duplicate: bool,
              resolver: regions.RegionResolver) -> dict[str, Any]:
    """One fact as a row dict (the per-fact reference; `_fact_table` does the same for all facts at once)."""
    raw = fact.region or (doc.region if doc else None)
    region_id = resolver.resolve(raw)
    extra = []
    if raw and regions.is_placeholder(raw):
        extra.append(FLAG_PLACEHOLDER_REGION)
    if doc is not None and doc.is_template:
        extra.append(FLAG_TEMPLATE)
    if duplicate:
        extra.append(FLAG_DUPLICATE_DOC)
    return {
        "batch_id": batch_id, "doc_id": fact.doc_id or None, "region_id": region_id, "region_raw": raw,
        "metric": fact.metric, "value": fact.value, "unit": fact.unit, "approx": fact.approx, "year": fact.year,
        "period": fact.period, "as_of": fact.as_of, "evidence": fact.evidence, "start_offset": fact.start,
        "end_offset": fact.end, "source_file": f.sha256, "source_cell": fact.source,
        "confidence": fact.confidence, "flags": _merge_flags(fact.flags, extra),
    }


FACT_ARROW_SCHEMA = pa.schema([
    ("batch_id", pa.int32()), ("doc_id", pa.string()), ("region_id", pa.int32()), ("region_raw", pa.string()),
    ("metric", pa.string()), ("value", pa.float64()), ("unit", pa.string()), ("approx", pa.string()),
    ("year", pa.int32()), ("period", pa.string()), ("as_of", pa.string()), ("evidence", pa.string()),
    ("start_offset", pa.int32()), ("end_offset", pa.int32()), ("source_file", pa.string()),
    ("source_cell", pa.string()), ("confidence", pa.float64()), ("flags", pa.list_(pa.string())),
])


class BatchResolver(regions.RegionResolver):
    """RegionResolver that resolves each distinct name once and creates all new regions in one INSERT.

    Same answers and the same new ids as calling `resolve` name by name in the
    given order (a name created earlier in the batch is found by later ones,
    aliases included): new regions get provisional negative ids during the
    pass, then ids drawn from region_seq in order.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.placeholders: set[str] = set()  # names seen by resolve_all that are template stand-ins (xx镇)

    def resolve_all(self, raws: Iterable[str | None]) -> dict[str | None, int | None]:
        out: dict[str | None, int | None] = {}
        new: list[tuple[str, str]] = []  # (name, level), in order of creation
        aliases: list[tuple[str, int]] = []  # (alias, provisional id)
        for raw in raws:
            if raw in out:
                continue
            if not raw or not raw.strip():
                out[raw] = None
                continue
            if regions.is_placeholder(raw):
                self.placeholders.add(raw)
                out[raw] = None
                continue
            if regions.is_relative(raw):
                out[raw] = None
                continue
            name = regions.canonical_name(raw)
            rid = self._lookup(raw, name)
            if rid is None and self.create:
                rid = -(len(new) + 1)
                new.append((name, regions.infer_level(name)))
                self.by_name[name] = rid
                alias = raw.strip()
                if alias != name:
                    aliases.append((alias, rid))
                    self.by_name[alias] = rid
            out[raw] = rid
        if not new:
            return out
        ids = sorted(r for (r,) in self.con.execute(
            "SELECT nextval('region_seq') FROM range(?)", [len(new)]).fetchall())
        real = {-(i + 1): rid for i, rid in enumerate(ids)}
        self.con.register("_new_regions", pa.table({
            "id": pa.array(ids, pa.int32()), "name": [n for n, _ in new], "level": [lv for _, lv in new]}))
        try:
            self.con.execute("INSERT INTO regions (id, name, level) SELECT id, name, level FROM _new_regions")
        finally:
            self.con.unregister("_new_regions")
        if aliases:
            self.con.register("_new_aliases", pa.table({
                "alias": [a for a, _ in aliases], "region_id": pa.array([real[r] for _, r in aliases], pa.int32())}))
            try:
                self.con.execute("INSERT INTO region_aliases SELECT alias, region_id FROM _new_aliases "
                                 "ON CONFLICT DO NOTHING")
            finally:
                self.con.unregister("_new_aliases")
        for key, rid in list(self.by_name.items()):
            if rid < 0:
                self.by_name[key] = real[rid]
        self.created.extend(ids)
        return {raw: (real[rid] if rid is not None and rid < 0 else rid) for raw, rid in out.items()}


def _fact_table(batch_id: int, f: ExtractedFile, docs: dict[str, Document], duplicate_docs: set[str],
                resolver: BatchResolver) -> pa.Table:
    """All facts of a file as rows of the facts table: regions resolved and flags merged once per distinct value.

    Takes the file's columnar facts when it has them (big tallies), else the Fact list.
    """
    cols = getattr(f, "fact_columns", None)
    if cols is None:
        cols = FactColumns.from_facts(f.facts).table
    n = cols.num_rows
    raw = cols["region"]
    missing = pc.or_kleene(pc.is_null(raw), pc.equal(raw, ""))
    if pc.any(missing).as_py():  # fact.region or (doc.region if doc else None)
        from_doc = [docs[d].region if d in docs else None for d in cols["doc_id"].to_pylist()]
        raw = pc.if_else(missing, pa.array(from_doc, pa.string()), raw)
    raw_enc = _encode(raw)
    names = raw_enc.dictionary.to_pylist()
    ids = resolver.resolve_all(names)
    region_id = pc.take(pa.array([ids[name] for name in names], pa.int32()), raw_enc.indices)
    # flags: the fact's own, then placeholder region, template document, duplicate document
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
    flags = pc.take(pa.array(merged, pa.list_(pa.string())), pa.array(inverse.reshape(-1)))
    doc_id = pc.if_else(pc.equal(cols["doc_id"], ""), pa.scalar(None, pa.string()), cols["doc_id"])
    return pa.table({
        "batch_id": pa.array(np.full(n, batch_id, dtype=np.int32)), "doc_id": doc_id, "region_id": region_id,
        "region_raw": raw, "metric": cols["metric"], "value": cols["value"], "unit": cols["unit"],
        "approx": cols["approx"], "year": cols["year"], "period": cols["period"], "as_of": cols["as_of"],
        "evidence": cols["evidence"], "start_offset": cols["start"], "end_offset": cols["end"],
        "source_file": pa.repeat(pa.scalar(f.sha256, pa.string()), n),
        "source_cell": cols["source"], "confidence": cols["confidence"], "flags": flags,
    }, schema=FACT_ARROW_SCHEMA)


def _encode(arr: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.dictionary_encode()


def _codes(enc: pa.DictionaryArray) -> np.ndarray:
    """Dictionary indices + 1, with 0 for null (so null is one more distinct value)."""
    return pc.fill_null(pc.add(enc.indices.cast(pa.int64()), 1), 0).to_numpy()


def insert_facts(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]] | pa.Table) -> None:
    """One INSERT … SELECT from an Arrow table (see bench/bench_load.py for executemany vs this)."""
    table = rows if isinstance(rows, pa.Table) else pa.Table.from_pylist(rows, schema=FACT_ARROW_SCHEMA)
    if not table.num_rows:
        return
    con.register("_new_facts", table)
    try:
        cols = ", ".join(FACT_COLUMNS)
        select = ", ".join("CAST(as_of AS DATE)" if c == "as_of" else c for c in FACT_COLUMNS)
        con.execute(f"INSERT INTO facts ({cols}) SELECT {select} FROM _new_facts")
    finally:
        con.unregister("_new_facts")


def _write_file(con: duckdb.DuckDBPyConnection, batch_id: int, f: ExtractedFile, outcome: FileOutcome,
                dedup: Any, resolver: BatchResolver) -> None:
    """Rows of one file: files, documents (duplicates marked), facts (regions resolved, flags set)."""
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
        table = _fact_table(batch_id, f, docs, duplicate_docs, resolver)
        insert_facts(con, table)
    outcome.documents = len(f.documents)
    outcome.duplicates = len(duplicate_docs)
    outcome.facts = table.num_rows
    outcome.flagged = table.num_rows - pc.sum(pc.equal(pc.list_value_length(table["flags"]), 0)).as_py() \
        if table.num_rows else 0


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
                        "可能刚被其他导入替换或撤销。本次导入未写入任何内容，请刷新后重新比对再导入。")
    con.execute("UPDATE facts SET status = 'superseded' WHERE id IN (SELECT unnest(?::BIGINT[]))", [ids])
    con.executemany("INSERT INTO batch_superseded VALUES (?, ?)", [(batch_id, i) for i in ids])
    return len(ids)


def _batch_kind(files: list[ExtractedFile]) -> str:
    kinds = {f.kind for f in files}
    if not kinds:
        return "correction"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def load_files(db_path: Path | str, files: list[ExtractedFile], *, archive_dir: Path | str = DEFAULT_ARCHIVE,
               user: str | None = None, note: str | None = None, replace_fact_ids: Sequence[int] = (),
               accept_partial: bool = False, wait: float | None = None) -> LoadSummary:
    """Load extracted files as ONE batch, in one transaction; returns what happened per file.

    Files whose extraction reported errors are not loaded (listed as failed,
    with their Chinese problems) unless `accept_partial` (the upload page's
    explicit "import only the valid rows" choice). Files whose sha256 is held
    by an active batch are skipped. When nothing is left to write, no batch is
    created. `replace_fact_ids` are set to 'superseded' by this batch; undo
    restores them. Any exception rolls everything back and propagates.
    """
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

    with db.transaction(db_path, wait=wait, what="导入") as con:
        ensure_tables(con)
        regions.seed_regions(con)
        held = dict(con.execute(
            "SELECT f.sha256, min(f.batch_id) FROM files f JOIN batches b ON b.id = f.batch_id "
            "WHERE b.status = 'loaded' GROUP BY f.sha256").fetchall())
        todo: list[tuple[ExtractedFile, FileOutcome]] = []
        seen: dict[str, str] = {}
        for i, f in enumerate(files):
            outcome = outcomes[i]
            if outcome.status == "failed":
                continue
            if f.sha256 in held:
                outcome.status = "skipped"
                outcome.reason = f"内容与批次 {held[f.sha256]} 中已导入的文件相同，未重复导入。"
            elif f.sha256 in seen:
                outcome.status = "skipped"
                outcome.reason = f"与本次的“{seen[f.sha256]}”内容完全相同，只导入一次。"
            else:
                seen[f.sha256] = f.name
                todo.append((f, outcome))
        if not todo and not replace_fact_ids:
            return summary
        summary.kind = _batch_kind([f for f, _ in todo])
        summary.batch_id = con.execute(
            "INSERT INTO batches (kind, user_name, note) VALUES (?, ?, ?) RETURNING id", [summary.kind, user, note]
        ).fetchone()[0]
        dedup = _duplicate_index(_active_fingerprints(con))
        resolver = BatchResolver(con)
        for f, outcome in todo:
            try:
                _write_file(con, summary.batch_id, f, outcome, dedup, resolver)
            except (duckdb.Error, pa.ArrowException) as exc:  # inside the transaction: all rolled back
                raise LoadError(f"写入“{f.name}”时数据库报错：{exc}。整批已回滚，数据库没有任何改动；"
                                "原文件已存档，请把它发给管理员检查。") from exc
            outcome.status = "loaded"
            if not f.ok:
                outcome.reason = "只导入了没有错误的部分（按您的选择），有错误的行未导入。"
        summary.superseded = _supersede(con, summary.batch_id, replace_fact_ids)
    return summary


@dataclass
class UndoSummary:
    batch_id: int
    facts: int
    documents: int
    files: int
    restored: int

    def to_text(self) -> str:
        return (f"已撤销批次 {self.batch_id}：删除数据 {self.facts} 条、文档 {self.documents} 篇、"
                f"文件记录 {self.files} 个，恢复被替换的数据 {self.restored} 条。原文件仍保存在归档中。")


def undo_batch(db_path: Path | str, batch_id: int, *, wait: float | None = None) -> UndoSummary:
    """Remove one batch completely and restore what it superseded; the batch stays listed as 'undone'."""
    with db.transaction(db_path, wait=wait, what=f"撤销批次 {batch_id}") as con:
        ensure_tables(con)
        row = con.execute("SELECT status, undone_at FROM batches WHERE id = ?", [batch_id]).fetchone()
        if row is None:
            raise LoadError(f"没有编号为 {batch_id} 的导入批次。可用 python -m etl status 查看所有批次。")
        if row[0] == "undone":
            raise LoadError(f"批次 {batch_id} 已在 {row[1]:%Y-%m-%d %H:%M:%S} 撤销过，无需再次撤销。")
        doc_ids = [r[0] for r in con.execute("SELECT doc_id FROM documents WHERE batch_id = ?", [batch_id]).fetchall()]
        # Later copies that were flagged as duplicates of this batch's documents become the original.
        if doc_ids:
            later = [r[0] for r in con.execute(
                "SELECT doc_id FROM documents WHERE batch_id <> ? AND duplicate_of IN (SELECT unnest(?::VARCHAR[]))",
                [batch_id, doc_ids]).fetchall()]
            if later:
                con.execute("UPDATE documents SET duplicate_of = NULL WHERE batch_id <> ? AND doc_id IN "
                            "(SELECT unnest(?::VARCHAR[]))", [batch_id, later])
                con.execute("UPDATE facts SET flags = list_filter(flags, lambda x: x <> ?) WHERE batch_id <> ? "
                            "AND doc_id IN (SELECT unnest(?::VARCHAR[]))", [FLAG_DUPLICATE_DOC, batch_id, later])
        restored = con.execute(
            "UPDATE facts SET status = 'active' WHERE status = 'superseded' "
            "AND id IN (SELECT fact_id FROM batch_superseded WHERE batch_id = ?)", [batch_id]).fetchone()[0]
        con.execute("INSERT INTO undone_files SELECT batch_id, sha256, name, archive_path FROM files "
                    "WHERE batch_id = ? ON CONFLICT DO NOTHING", [batch_id])
        facts = con.execute("DELETE FROM facts WHERE batch_id = ?", [batch_id]).fetchone()[0]
        documents = con.execute("DELETE FROM documents WHERE batch_id = ?", [batch_id]).fetchone()[0]
        files = con.execute("DELETE FROM files WHERE batch_id = ?", [batch_id]).fetchone()[0]
        con.execute("UPDATE batches SET status = 'undone', undone_at = current_timestamp WHERE id = ?", [batch_id])
    return UndoSummary(batch_id, int(facts), int(documents), int(files), int(restored))


def database_status(db_path: Path | str, *, limit: int | None = None, wait: float | None = None) -> dict[str, Any]:
    """Counts of active rows and the batches, newest first (the `status` command's JSON)."""
    with db.connect(db_path, read_only=True, wait=wait) as con:
        has_undone = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'undone_files'"
                                 ).fetchone()[0]
        names = ("SELECT name, batch_id FROM files UNION ALL SELECT name, batch_id FROM undone_files"
                 if has_undone else "SELECT name, batch_id FROM files")
        documents = con.execute(
            "SELECT count(*) FROM documents d JOIN batches b ON b.id = d.batch_id WHERE b.status = 'loaded'"
        ).fetchone()[0]
        facts = con.execute("SELECT count(*) FROM facts WHERE status = 'active'").fetchone()[0]
        rows = con.execute(
            "SELECT b.id, b.created_at, b.kind, b.status, b.undone_at, b.user_name, b.note, "
            f"  coalesce((SELECT list(f.name ORDER BY f.name) FROM ({names}) f WHERE f.batch_id = b.id), []), "
            "  (SELECT count(*) FROM facts x WHERE x.batch_id = b.id), "
            "  (SELECT count(*) FROM documents d WHERE d.batch_id = b.id) "
            "FROM batches b ORDER BY b.id DESC" + (f" LIMIT {int(limit)}" if limit else "")
        ).fetchall()
    return {
        "db": str(db_path),
        "documents": int(documents),
        "facts": int(facts),
        "batches": [
            {"id": r[0], "created_at": r[1].isoformat(timespec="seconds"), "kind": r[2], "status": r[3],
             "undone_at": r[4].isoformat(timespec="seconds") if r[4] else None, "user": r[5], "note": r[6],
             "files": list(r[7]), "facts": int(r[8]), "documents": int(r[9])}
            for r in rows
        ],
    }
