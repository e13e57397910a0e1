"""Backup while the database is in use, restore, and the checks in between (etl/backup.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from etl import backup as bk
from etl.archive import archive_preview, find_archived

ROOT = Path(__file__).resolve().parent.parent


def facts(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM facts").fetchone()[0]


@pytest.fixture
def live(sample_db: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample database and its archive, plus one upload preview."""
    db = tmp_path / "live" / "union.duckdb"
    db.parent.mkdir()
    shutil.copy(sample_db, db)
    shutil.copytree(sample_db.parent / "archive", db.parent / "archive")
    archive_preview(b"never loaded", "preview.xlsx", db.parent / "archive")
    return db, db.parent / "archive"


def test_backup_holds_the_database_and_every_original(live, tmp_path: Path) -> None:
    db, archive = live
    info = bk.backup(db, archive, tmp_path / "b1")
    assert info.facts == facts(db) > 0 and info.missing == []
    assert facts(tmp_path / "b1" / "union.duckdb") == info.facts
    assert not Path(str(tmp_path / "b1" / "union.duckdb") + ".wal").exists()  # one file
    with duckdb.connect(str(db), read_only=True) as con:
        shas = [r[0] for r in con.execute("SELECT sha256 FROM files").fetchall()]
    assert all(find_archived(s, tmp_path / "b1" / "archive") for s in shas)
    assert not (tmp_path / "b1" / "archive" / "previews").exists()  # previews are not originals
    manifest = json.loads((tmp_path / "b1" / "manifest.json").read_text())
    assert manifest["counts"]["facts"] == info.facts and manifest["db_sha256"] == info.db_sha256


def test_backup_while_a_writer_waits_is_one_state(live, tmp_path: Path) -> None:
    """A command-line ingest that starts during the backup waits for it; the backup is the state before."""
    db, archive = live
    before = facts(db)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "新报告.txt").write_text("白沙镇总工会2025年工作总结\n全镇新建工会组织9家。\n", encoding="utf-8")
    results = {}

    def ingest() -> None:
        results["cli"] = subprocess.run([sys.executable, "-m", "etl", "--db", str(db), "ingest", str(extra)],
                                        cwd=ROOT, capture_output=True, text=True, timeout=120)

    t = threading.Thread(target=ingest)
    t.start()
    info = bk.backup(db, archive, tmp_path / "b2")
    t.join(120)
    assert results["cli"].returncode == 0, results["cli"].stderr
    assert info.facts in (before, facts(db))  # all of the ingest or none of it
    assert facts(tmp_path / "b2" / "union.duckdb") == info.facts


def test_restore_puts_the_backup_back_and_keeps_the_replaced_database(live, tmp_path: Path) -> None:
    db, archive = live
    info = bk.backup(db, archive, tmp_path / "b3")
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM facts WHERE id % 2 = 0")  # someone's mistake after the backup
    damaged = facts(db)
    lost = next(p for p in archive.glob("*/*") if p.parent.name != "previews")
    lost.unlink()  # and an original gone from the archive
    summary = bk.restore(tmp_path / "b3", db, archive)
    assert facts(db) == info.facts and summary.archive_added == 1 and lost.exists()
    assert summary.kept is not None and facts(summary.kept) == damaged  # nothing deleted
    assert (archive / "previews").is_dir()  # the archive was only added to


def test_a_tampered_backup_is_refused_before_anything_changes(live, tmp_path: Path) -> None:
    db, archive = live
    bk.backup(db, archive, tmp_path / "b4")
    original = next((tmp_path / "b4" / "archive").glob("*/*"))
    original.write_bytes(original.read_bytes() + b"!")
    before = db.read_bytes()
    with pytest.raises(bk.BackupError, match="校验值不符"):
        bk.restore(tmp_path / "b4", db, archive)
    assert db.read_bytes() == before


def test_restore_refuses_while_another_process_holds_the_database(live, tmp_path: Path) -> None:
    db, archive = live
    bk.backup(db, archive, tmp_path / "b5")
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(db)!r}); "
                               "print('ok', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(bk.BackupError, match="正被其他程序使用"):
            bk.restore(tmp_path / "b5", db, archive, wait=0.5)
    finally:
        holder.kill()
        holder.wait()


def test_cli_backup_and_restore(live, tmp_path: Path) -> None:
    db, _ = live
    run = [sys.executable, "-m", "etl", "--db", str(db)]
    made = subprocess.run([*run, "backup", "--out", str(tmp_path / "b6")], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert made.returncode == 0 and "备份" in made.stdout, made.stderr
    dry = subprocess.run([*run, "restore", str(tmp_path / "b6")], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert dry.returncode == 2 and "--yes" in dry.stdout
    done = subprocess.run([*run, "restore", str(tmp_path / "b6"), "--yes"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "已从备份恢复" in done.stdout, done.stderr
