"""Batches: what a load did (LoadSummary, said in Chinese), undo one, list them all.

`python -m etl ingest` prints a LoadSummary, `undo` and `status` and the
导入记录 page use the rest. Undo removes a batch's rows completely and
restores what it superseded; the batch stays listed as 'undone', its files
named in undone_files, and the archive keeps the original bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from etl import audit, db, directory
from etl.audit import Actor, actor_of
from etl.errors import UnionError
from etl.model import Problem
from etl.vocab import FLAG_DUPLICATE_DOC, KIND_ZH

SKIPPED_SHOWN = 5  # longer lists of skipped files are grouped by reason (all shown with --verbose)

class LoadError(UnionError):
    """A load or undo that cannot go ahead; the message says why, in Chinese, and names the batch or file."""


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
    left_out: dict[str, int] = field(default_factory=dict)  # region names a person chose to leave out → facts


@dataclass
class LoadSummary:
    """Counts for the person who loaded: what went in, what was skipped, what failed and why."""

    batch_id: int | None = None
    kind: str | None = None
    files: list[FileOutcome] = field(default_factory=list)
    superseded: int = 0
    regions_added: list[str] = field(default_factory=list)  # added to the directory by a person's choice

    # Over all files: how many ended with a status, and the sums of their counts.
    loaded = property(lambda self: self._with_status("loaded"))
    skipped = property(lambda self: self._with_status("skipped"))
    errors = property(lambda self: self._with_status("failed"))
    documents = property(lambda self: sum(f.documents for f in self.files))
    facts = property(lambda self: sum(f.facts for f in self.files))
    flagged = property(lambda self: sum(f.flagged for f in self.files))
    duplicates = property(lambda self: sum(f.duplicates for f in self.files))

    def _with_status(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

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
            "regions_added": self.regions_added,
            "files": [
                {
                    "name": f.name, "sha256": f.sha256, "kind": f.kind, "status": f.status, "reason": f.reason,
                    "documents": f.documents, "facts": f.facts, "flagged": f.flagged, "duplicates": f.duplicates,
                    "left_out": f.left_out,
                    "problems": [{"severity": p.severity, "message": p.message, "where": p.where, "code": p.code}
                                 for p in f.problems],
                }
                for f in self.files
            ],
        }

    def to_text(self, warnings: bool = False) -> str:
        """The Chinese summary the CLI prints (its hints name CLI options; the pages say it their own way)."""
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
        if self.regions_added:
            out.append(f"  新增地区：{'、'.join(self.regions_added)}（已加入地区名录，撤销本批次即删除）")
        left = {name: n for f in self.files for name, n in f.left_out.items()}
        if left:
            out.append("  未导入（按您的选择）：" + "、".join(f"{name}的 {n} 条数据" for name, n in left.items()))
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


@dataclass
class UndoPlan:
    """What undoing a batch would do, worked out before anything is written (the confirmation says it)."""

    batch_id: int
    kind: str
    owner: str | None  # who loaded it (batches.user_name)
    facts: int
    documents: int
    files: int
    corrections: list[tuple[int, int]]  # (fact id, its batch): corrections made on its facts, withdrawn with it
    reviews: int  # acceptances and rejections made on its facts, withdrawn with them

    @property
    def correction_batches(self) -> list[int]:
        return sorted({b for _, b in self.corrections})

    def to_text(self) -> str:
        """将撤销批次 12（统计表，张三导入）：1,889 条数据、8 篇文档、1 个文件；同时撤回 ……"""
        who = f"，{self.owner}导入" if self.owner else ""
        text = (f"将撤销批次 {self.batch_id}（{KIND_ZH.get(self.kind, self.kind)}{who}）：{self.facts:,} 条数据、"
                f"{self.documents:,} 篇文档、{self.files:,} 个文件")
        withdrawn = _withdrawn(len(self.corrections), self.reviews)
        if withdrawn:
            text += f"；同时撤回在这些数据上做的{withdrawn}"
        return text + "。原文件仍保存在归档中，可以重新导入。"


@dataclass
class UndoSummary:
    batch_id: int
    facts: int
    documents: int
    files: int
    restored: int
    corrections: int = 0  # corrections withdrawn with the batch
    reviews: int = 0  # acceptances and rejections withdrawn with it
    regions: int = 0  # regions the batch had added to the directory

    def to_text(self) -> str:
        added = f"、它新增的地区 {self.regions} 个" if self.regions else ""
        text = (f"已撤销批次 {self.batch_id}：删除数据 {self.facts:,} 条、文档 {self.documents:,} 篇、"
                f"文件记录 {self.files:,} 个{added}，恢复被替换的数据 {self.restored:,} 条。")
        withdrawn = _withdrawn(self.corrections, self.reviews)
        if withdrawn:
            text += f"在这些数据上做的{withdrawn}已一并撤回。"
        return text + "原文件仍保存在归档中。"


def _withdrawn(corrections: int, reviews: int) -> str:
    """What an undo withdraws with the batch: 2 条更正和 1 条审核确认或驳回 ('' when nothing)."""
    parts = [f"{corrections:,} 条更正"] * bool(corrections) + [f"{reviews:,} 条审核确认或驳回"] * bool(reviews)
    return "和".join(parts)


def plan_undo(con: duckdb.DuckDBPyConnection, batch_id: int) -> UndoPlan:
    """What undoing `batch_id` would remove and withdraw; LoadError (Chinese) when it cannot be undone."""
    row = con.execute("SELECT status, undone_at, kind, user_name FROM batches WHERE id = ?", [batch_id]).fetchone()
    if row is None:
        raise LoadError(f"没有编号为 {batch_id} 的导入批次。可用 python -m etl status 查看所有批次。",
                        item=f"batch {batch_id}")
    if row[0] == "undone":
        raise LoadError(f"批次 {batch_id} 已在 {row[1]:%Y-%m-%d %H:%M:%S} 撤销过，无需再次撤销。",
                        item=f"batch {batch_id}")
    # Corrections made on this batch's facts, and on those corrections, in loaded correction batches.
    corrections = [(int(i), int(b)) for i, b in con.execute(
        """
        WITH RECURSIVE dep(id, batch_id) AS (
            SELECT id, batch_id FROM facts WHERE batch_id = $b
            UNION
            SELECT f.id, f.batch_id FROM facts f
            JOIN dep d ON f.supersedes = d.id
            JOIN batches x ON x.id = f.batch_id AND x.kind = 'correction' AND x.status = 'loaded'
        )
        SELECT id, batch_id FROM dep WHERE batch_id <> $b ORDER BY id
        """, {"b": batch_id}).fetchall()]
    gone = _facts_of(con, [batch_id, *{b for _, b in corrections}])
    reviews = con.execute(
        "SELECT count(*) FROM facts f WHERE f.id IN (SELECT unnest(?::BIGINT[])) AND (f.status = 'rejected' OR "
        "EXISTS (SELECT 1 FROM audit_log a WHERE a.fact_id = f.id AND a.action = 'accept'))", [gone]).fetchone()[0]
    counts = con.execute(
        "SELECT (SELECT count(*) FROM facts WHERE batch_id = $b), (SELECT count(*) FROM documents WHERE batch_id = $b),"
        " (SELECT count(*) FROM files WHERE batch_id = $b)", {"b": batch_id}).fetchone()
    return UndoPlan(batch_id, row[2], row[3], int(counts[0]), int(counts[1]), int(counts[2]), corrections, int(reviews))


def _facts_of(con: duckdb.DuckDBPyConnection, batch_ids: list[int]) -> list[int]:
    return [int(r[0]) for r in con.execute("SELECT id FROM facts WHERE batch_id IN (SELECT unnest(?::INTEGER[]))",
                                           [batch_ids]).fetchall()]


def undo_preview(db_path: Path | str, batch_id: int, *, wait: float | None = None) -> UndoPlan:
    """plan_undo on a read-only connection: for the confirmation before the undo."""
    with db.connect(db_path, read_only=True, wait=wait) as con:
        return plan_undo(con, batch_id)


def undo_batch(db_path: Path | str, batch_id: int, *, wait: float | None = None,
               user: str | Actor | None = None) -> UndoSummary:
    """Remove one batch completely and restore what it superseded; the batch stays listed as 'undone'.

    Corrections made on its facts (and on those corrections) are withdrawn with it: their
    batches are undone too. Acceptances and rejections of its facts go with the facts. The
    undo and every withdrawal are recorded in the audit trail, in the same transaction.
    """
    actor = actor_of(user)
    with db.transaction(db_path, wait=wait, what=f"撤销批次 {batch_id}") as con:
        plan = plan_undo(con, batch_id)
        batches = [batch_id, *plan.correction_batches]
        gone = _facts_of(con, batches)
        _record_withdrawals(con, actor, plan, gone)
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
            "AND id IN (SELECT fact_id FROM batch_superseded WHERE batch_id IN (SELECT unnest(?::INTEGER[]))) "
            "AND id NOT IN (SELECT unnest(?::BIGINT[]))", [batches, gone]).fetchone()[0]
        con.execute("INSERT INTO undone_files SELECT batch_id, sha256, name, archive_path FROM files "
                    "WHERE batch_id = ? ON CONFLICT DO NOTHING", [batch_id])
        key = audit.fact_key(con, gone[0]) if plan.kind == "correction" and len(gone) == 1 else None
        facts = con.execute("DELETE FROM facts WHERE batch_id IN (SELECT unnest(?::INTEGER[]))",
                            [batches]).fetchone()[0]
        documents = con.execute("DELETE FROM documents WHERE batch_id = ?", [batch_id]).fetchone()[0]
        files = con.execute("DELETE FROM files WHERE batch_id = ?", [batch_id]).fetchone()[0]
        try:  # the regions and aliases it added leave the directory; regions it changed are put back
            regions = directory.undo(con, batch_id)
        except directory.DirectoryError as exc:
            raise LoadError(str(exc), item=f"batch {batch_id}") from exc
        con.execute("UPDATE batches SET status = 'undone', undone_at = current_timestamp "
                    "WHERE id IN (SELECT unnest(?::INTEGER[]))", [batches])
        summary = UndoSummary(batch_id, plan.facts, int(documents), int(files), int(restored),
                              len(plan.corrections), plan.reviews, regions)
        audit.record(con, actor, "undo", summary.to_text(), batch_id=batch_id, fact=key,
                     before={"status": "loaded", "facts": plan.facts, "loaded_by": plan.owner},
                     after={"status": "undone", "facts_deleted": int(facts), "restored": int(restored),
                            "corrections_withdrawn": len(plan.corrections), "reviews_withdrawn": plan.reviews,
                            "batches_undone": batches, "regions_removed": regions})
    return summary


def _record_withdrawals(con: duckdb.DuckDBPyConnection, actor: Actor, plan: UndoPlan, gone: list[int]) -> None:
    """One record per correction, acceptance or rejection the undo withdraws, under its figure's key."""
    rows = con.execute(
        """
        SELECT f.id, f.region_id, f.metric, f.year, f.period, f.value, f.unit, f.status, f.reviewed_by,
               b.user_name, o.value AS old_value,
               EXISTS (SELECT 1 FROM audit_log a WHERE a.fact_id = f.id AND a.action = 'accept') AS accepted
        FROM facts f JOIN batches b ON b.id = f.batch_id LEFT JOIN facts o ON o.id = f.supersedes
        WHERE f.id IN (SELECT unnest(?::BIGINT[]))
        """, [gone]).fetchall()
    withdrawn = {i for i, _ in plan.corrections}
    for (fid, region_id, metric, year, period, value, unit, status, reviewed_by, owner, old, accepted) in rows:
        key = {"id": fid, "region_id": region_id, "metric": metric, "year": year, "period": period}
        what = None
        if fid in withdrawn:
            what = f"{owner or '某人'}的更正（{audit.value_text(old, unit)} → {audit.value_text(value, unit)}）"
        elif status == "rejected":
            what = f"{reviewed_by or '某人'}的驳回（{audit.value_text(value, unit)}）"
        elif accepted and reviewed_by:
            what = f"{reviewed_by}的确认（{audit.value_text(value, unit)}）"
        if what:
            audit.record(con, actor, "withdraw", f"撤销批次 {plan.batch_id} 时一并撤回{what}",
                         batch_id=plan.batch_id, fact=key)


def database_status(db_path: Path | str, *, limit: int | None = None, wait: float | None = None) -> dict[str, Any]:
    """Counts of active rows and the batches, newest first (the `status` command's JSON)."""
    with db.connect(db_path, read_only=True, wait=wait) as con:
        names = "SELECT name, batch_id FROM files UNION ALL SELECT name, batch_id FROM undone_files"
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
        undone = audit.undone_by(con)
    return {
        "db": str(db_path),
        "documents": int(documents),
        "facts": int(facts),
        "batches": [
            {"id": r[0], "created_at": r[1].isoformat(timespec="seconds"), "kind": r[2], "status": r[3],
             "undone_at": r[4].isoformat(timespec="seconds") if r[4] else None, "user": r[5], "note": r[6],
             "undone_by": undone[r[0]][0] if r[0] in undone else None,
             "files": list(r[7]), "facts": int(r[8]), "documents": int(r[9])}
            for r in rows
        ],
    }
