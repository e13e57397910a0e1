"""Backups: a consistent copy of the database and the archive, taken while the app runs; and restore.

    python -m etl backup [--out DIR]          # data/backups/union-20261207-101500/ by default
    python -m etl restore DIR --yes           # the current database is kept beside it, never deleted

A backup folder holds `union.duckdb` (one checkpointed file), `archive/` (the
originals, same layout; upload previews are left out) and `manifest.json`
(when, counts, the database's sha256, every archived file). The database is
copied while a read-only connection holds it, so no other process can write
meanwhile and, inside the app, this process's gate (etl/gate.py) holds its own
writers back: the copy is one consistent state. Archive files are written
before the rows that name them and never change, so copying them after the
database gives every file the copy refers to.

Restore checks the backup first (the database's hash, every archived file's
name against its content), builds the restored file beside the live one, then
swaps it in with os.replace while holding the write lock; the replaced
database stays as `<name>.before-restore-<time>`. Archived files are only ever
added, never deleted or overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import db
from etl.archive import PREVIEWS, sha256_of
from etl.errors import UnionError

MANIFEST = "manifest.json"
DB_NAME = "union.duckdb"


class BackupError(UnionError):
    """A backup or restore that cannot go ahead; the message says why, in Chinese."""


@dataclass
class BackupInfo:
    """One backup folder, as its manifest describes it."""

    path: Path
    created_at: str
    batches: int
    facts: int
    archive_files: int
    archive_bytes: int
    db_sha256: str
    missing: list[str] = field(default_factory=list)  # files the database names that were not in the archive

    def to_text(self) -> str:
        lost = f"；数据库登记的 {len(self.missing)} 个原文件在归档中找不到" if self.missing else ""
        return (f"备份 {self.path}：{self.created_at}，批次 {self.batches} 个，数据 {self.facts} 条，"
                f"原文件 {self.archive_files} 个（{self.archive_bytes / 1048576:.1f} MB）{lost}。")


def _sha_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of the main tables (every release has them: etl/schema.py's first migration)."""
    return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # fixed table names
            for t in ("batches", "facts", "files", "documents")}


def _archive_files(archive_dir: Path) -> list[Path]:
    """Archived originals (<sha[:2]>/<sha><ext>), previews and temp files left out."""
    if not archive_dir.is_dir():
        return []
    return sorted(p for p in archive_dir.glob("*/*") if p.is_file() and p.parent.name != PREVIEWS
                  and not p.name.startswith(".") and len(p.parent.name) == 2)


def backup(db_path: Path | str, archive_dir: Path | str, out: Path | str | None = None,
           wait: float | None = None, backups: Path | str | None = None) -> BackupInfo:
    """Copy the database (one consistent state) and the archive into a new folder; returns what was written.

    The folder: `out`, else a new union-<time>/ in `backups` (settings.backups_dir), else in backups/ beside
    the database.
    """
    db_path, archive_dir = Path(db_path), Path(archive_dir)
    if not db_path.exists():
        raise BackupError(f"数据库文件不存在：{db_path}，没有可备份的内容。")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(out) if out else Path(backups or db_path.parent / "backups") / f"union-{stamp}"
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"备份目录 {folder} 已存在且不是空的，请换一个目录。")
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / (DB_NAME + ".part")
    with db.connect(db_path, read_only=True, wait=wait) as con:  # no process can write while this is open
        counts = _counts(con)
        named = [r[0] for r in con.execute("SELECT DISTINCT sha256 FROM files").fetchall()]
        shutil.copyfile(db_path, part)
        wal = Path(str(db_path) + ".wal")
        if wal.exists():
            shutil.copyfile(wal, Path(str(part) + ".wal"))
    # Fold a copied WAL into the file, so the backup is one file that opens anywhere.
    with contextlib.closing(duckdb.connect(str(part))) as copy:
        copy.execute("CHECKPOINT")
        if _counts(copy) != counts:
            raise BackupError(f"备份的数据库与原库行数不一致（{_counts(copy)} ≠ {counts}），备份未完成，请重试。")
    os.replace(part, folder / DB_NAME)
    with contextlib.suppress(FileNotFoundError):
        Path(str(part) + ".wal").unlink()
    _, files, size = _copy_archive(archive_dir, folder / "archive")
    have = {p.name.split(".", 1)[0] for p in _archive_files(folder / "archive")}
    missing = sorted(s for s in named if s not in have)
    info = BackupInfo(folder, dt.datetime.now().isoformat(timespec="seconds"), counts.get("batches", 0),
                      counts.get("facts", 0), files, size, _sha_file(folder / DB_NAME), missing)
    manifest = {"created_at": info.created_at, "source_db": str(db_path), "source_archive": str(archive_dir),
                "counts": counts, "db_sha256": info.db_sha256, "archive_files": files, "archive_bytes": size,
                "missing": missing}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return info


def _copy_archive(src: Path, dst: Path) -> tuple[int, int, int]:
    """Copy archived originals not yet in `dst` (checked against their name; nothing there is overwritten).

    Returns (files added, files of `src` now in `dst`, their bytes).
    """
    added = files = size = 0
    for p in _archive_files(src):
        target = dst / p.parent.name / p.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(".tmp-" + target.name)
            shutil.copyfile(p, tmp)
            os.replace(tmp, target)
            added += 1
        files += 1
        size += target.stat().st_size
    return added, files, size


def read_manifest(folder: Path | str) -> BackupInfo:
    folder = Path(folder)
    try:
        m = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} 不是完整的备份（没有可读的 {MANIFEST}）。") from exc
    counts = m.get("counts", {})
    return BackupInfo(folder, m.get("created_at", ""), counts.get("batches", 0), counts.get("facts", 0),
                      m.get("archive_files", 0), m.get("archive_bytes", 0), m.get("db_sha256", ""),
                      m.get("missing", []))


def list_backups(folder: Path | str) -> list[BackupInfo]:
    """Backups in `folder`, newest first (folders without a manifest are left out)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        with contextlib.suppress(BackupError):
            out.append(read_manifest(p))
    return sorted(out, key=lambda b: b.created_at, reverse=True)


def verify(folder: Path | str) -> BackupInfo:
    """The backup's manifest after checking the database's hash and every archived file against its name."""
    info = read_manifest(folder)
    dbf = Path(folder) / DB_NAME
    if not dbf.exists() or _sha_file(dbf) != info.db_sha256:
        raise BackupError(f"备份 {folder} 中的数据库文件缺失或已被改动（校验值不符），不能用来恢复。")
    for p in _archive_files(Path(folder) / "archive"):
        if sha256_of(p.read_bytes()) != p.name.split(".", 1)[0]:
            raise BackupError(f"备份中的原文件 {p} 内容与其校验值不符，备份可能已损坏，不能用来恢复。")
    return info


@dataclass
class RestoreSummary:
    backup: BackupInfo
    kept: Path | None  # the database that was replaced, kept under this name
    archive_added: int

    def to_text(self) -> str:
        kept = f"原数据库已保留为 {self.kept}；" if self.kept else ""
        return (f"已从备份恢复：{self.backup.created_at}，批次 {self.backup.batches} 个，数据 {self.backup.facts} 条。"
                f"{kept}补回原文件 {self.archive_added} 个（归档中已有的文件不变，没有文件被删除）。")


def restore(folder: Path | str, db_path: Path | str, archive_dir: Path | str, wait: float | None = None
            ) -> RestoreSummary:
    """Put a verified backup in place of the database (the old one is kept) and add its originals to the archive."""
    folder, db_path, archive_dir = Path(folder), Path(db_path), Path(archive_dir)
    info = verify(folder)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    tmp = db_path.with_name(f".{db_path.name}.restoring-{stamp}")
    shutil.copyfile(folder / DB_NAME, tmp)
    with contextlib.closing(duckdb.connect(str(tmp), read_only=True)) as check:
        counts = _counts(check)
    if counts.get("facts", 0) != info.facts:
        tmp.unlink()
        raise BackupError("备份中的数据库与清单记录的条数不符，不能用来恢复。")
    added, _, _ = _copy_archive(folder / "archive", archive_dir)  # originals first: the database names them
    kept = None
    with db.gated(db_path, read_only=False, wait=wait, what="从备份恢复"):  # this process: nobody reads or writes
        con = _lock(db_path, wait)  # other processes: none holds the file while this connection is open
        try:
            if db_path.exists():
                if con is not None:
                    _checkpoint(con)
                kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
                os.link(db_path, kept)  # the current database keeps a name of its own
                wal = Path(str(db_path) + ".wal")
                if wal.exists():
                    os.replace(wal, Path(str(kept) + ".wal"))
            os.replace(tmp, db_path)
        finally:
            if con is not None:
                con.close()
    return RestoreSummary(info, kept, added)


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """The old file complete in itself, its WAL emptied; a damaged file is kept as it is, WAL and all."""
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        if not db.is_damage(exc):
            raise


def _lock(db_path: Path, wait: float | None) -> duckdb.DuckDBPyConnection | None:
    """A read-write connection to the live file (waiting out other processes), or None when there is no file
    or DuckDB cannot open it because it is damaged: that is what restoring is for, and the file is kept as is."""
    if not db_path.exists():
        return None
    wait = db.LOCK_WAIT if wait is None else wait
    try:
        con = db.retry_while_busy(lambda: duckdb.connect(str(db_path)), wait)
    except duckdb.Error as exc:
        if db.is_damage(exc):
            return None
        raise BackupError(f"数据库 {db_path} 正被其他程序使用，等待 {wait:.0f} 秒后仍未释放，未恢复。"
                          "请先停止导入等写入操作后重试。") from exc
    return con
