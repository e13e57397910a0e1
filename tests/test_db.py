"""etl/db.py: a damaged database file is told in Chinese, with the way back, wherever it is opened.

A file is damaged on purpose the way the one real case was (a kill -9 during a write left a block whose
checksum fails): every block after the file header has a few bytes overwritten. A file that is no DuckDB
database at all (a spreadsheet saved under the database's name) is the other case.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import db as dash_db
from etl import backup as bk
from etl import db

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
BLOCK = 262144  # DuckDB's block size; the first 12,288 bytes are the file's headers


def damage(path: Path) -> None:
    """Overwrite 40 bytes inside every data block: each one now fails its checksum."""
    data = bytearray(path.read_bytes())
    for off in range(12288, len(data), BLOCK):
        data[off + 20: off + 60] = b"\x01" * 40
    path.write_bytes(bytes(data))


@pytest.fixture
def damaged(sample_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "union.duckdb"
    shutil.copy(sample_db, path)
    damage(path)
    return path


def test_connect_says_the_file_is_damaged_and_how_to_restore(damaged: Path) -> None:
    with pytest.raises(db.DatabaseDamaged) as err, db.connect(damaged, read_only=True) as con:
        con.execute("SELECT count(*) FROM facts").fetchall()
    assert "已损坏" in str(err.value) and "python -m etl restore" in str(err.value) and err.value.item == str(damaged)


def test_a_file_that_is_no_database_is_told_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "union.duckdb"
    path.write_bytes(b"PK\x03\x04 a spreadsheet saved under the database's name" * 100)
    with pytest.raises(db.DatabaseDamaged, match="不是本程序的数据库文件（可能指错了文件"), db.connect(path) as con:
        con.execute("SELECT 1")
    assert path.read_bytes().startswith(b"PK\x03\x04")  # nothing written over it


def test_an_ordinary_query_error_is_not_called_damage(tmp_db: Path) -> None:
    with pytest.raises(Exception) as err, db.connect(tmp_db) as con:
        con.execute("SELECT no_such_column FROM facts")
    assert not isinstance(err.value, db.DatabaseDamaged)


def test_the_cli_says_it_in_chinese(damaged: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "etl", "--db", str(damaged), "status"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.startswith("错误：无法使用数据库") and "已损坏（有数据块校验不符）" in out.stderr
    assert "python -m etl restore" in out.stderr


def test_the_dashboard_says_it_in_chinese(damaged: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not the page's "something went wrong": the person is told the file is damaged and what to do."""
    monkeypatch.setenv("UNION_DB", str(damaged))
    dash_db.forget()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    (line,) = [e.value.replace("\\", "") for e in at.error]  # shown as text: markdown characters escaped
    assert "已损坏" in line and "python -m etl restore" in line and "错误编号" not in line


def test_restore_replaces_a_damaged_database_and_keeps_it(sample_db: Path, tmp_path: Path) -> None:
    """What restoring is for: the damaged file cannot be opened, so it is kept as it is, not checkpointed."""
    live = tmp_path / "live" / "union.duckdb"
    live.parent.mkdir()
    shutil.copy(sample_db, live)
    shutil.copytree(sample_db.parent / "archive", live.parent / "archive")
    info = bk.backup(live, live.parent / "archive", tmp_path / "b")
    damage(live)
    bad = live.read_bytes()
    summary = bk.restore(tmp_path / "b", live, live.parent / "archive")
    with db.connect(live, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == info.facts > 0
    assert summary.kept is not None and summary.kept.read_bytes() == bad
