"""`python -m etl` as users run it: real subprocesses, real files, a real second process holding the lock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl.__main__ import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SAMPLES = ROOT / "data" / "samples" / "reports"


def etl(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for part in ("新港镇总工会2020年上半年", "云溪乡总工会2020年工作总结"):
        shutil.copy(next(p for p in sorted(SAMPLES.glob("*.txt")) if part in p.name), folder)
    return folder


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_every_subcommand_has_help_with_example(name: str) -> None:
    sub = build_parser()._subparsers._group_actions[0].choices[name]  # the real parser, as argparse built it
    text = sub.format_help()
    assert "Example:" in text and "python -m etl" in text
    assert "--db" in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)  # help in Chinese


def test_main_help_lists_subcommands() -> None:
    r = etl("--help")
    assert r.returncode == 0
    for c in COMMANDS:
        assert c.name in r.stdout


@pytest.mark.slow
def test_ingest_status_undo_roundtrip(tmp_path: Path, reports: Path) -> None:
    db = tmp_path / "u.duckdb"
    r = etl("--db", db, "ingest", reports)  # --db before the subcommand
    assert r.returncode == 0, r.stderr
    assert "已导入批次 1" in r.stdout and "文档：2 篇" in r.stdout
    assert (tmp_path / "archive").is_dir()  # default archive beside the database

    r = etl("status", "--json", "--db", db)  # --db after the subcommand
    status = json.loads(r.stdout)
    assert status["documents"] == 2 and status["facts"] > 0
    (batch,) = status["batches"]
    assert set(batch) >= {"id", "created_at", "kind", "status", "files", "facts"}
    assert (batch["id"], batch["kind"], batch["status"]) == (1, "report", "loaded")
    assert sorted(batch["files"]) == sorted(p.name for p in reports.iterdir())
    assert batch["facts"] == status["facts"]

    r = etl("ingest", reports, "--db", db)
    assert r.returncode == 0 and "没有新数据" in r.stdout and "跳过 2 个" in r.stdout
    assert len(json.loads(etl("status", "--json", "--db", db).stdout)["batches"]) == 1

    r = etl("status", "--db", db)
    assert r.returncode == 0 and "批次" in r.stdout and "已导入" in r.stdout

    r = etl("undo", "1", "--db", db)
    assert r.returncode == 0 and "已撤销批次 1" in r.stdout
    after = json.loads(etl("status", "--json", "--db", db).stdout)
    assert (after["documents"], after["facts"], after["batches"][0]["status"]) == (0, 0, "undone")

    r = etl("undo", "1", "--db", db)
    assert r.returncode == 2 and "撤销过" in r.stderr
    r = etl("undo", "42", "--db", db)
    assert r.returncode == 2 and "没有编号为 42" in r.stderr


def test_failed_file_gives_exit_1_and_names_the_file(tmp_path: Path, reports: Path) -> None:
    (reports / "乱码.txt").write_bytes(bytes(range(256)) * 40)
    r = etl("ingest", reports, "--db", tmp_path / "u.duckdb", "--json")
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert (out["errors"], out["documents"]) == (1, 2)
    bad = next(f for f in out["files"] if f["status"] == "failed")
    assert bad["name"] == "乱码.txt" and bad["problems"][0]["message"]


@pytest.mark.parametrize(
    "args",
    [("frobnicate",), ("undo", "abc"), ("ingest",), ()],
    ids=["unknown-command", "batch-not-a-number", "ingest-without-path", "no-command"],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    assert etl(*args).returncode == 2


def test_status_of_missing_database_exit_2(tmp_path: Path) -> None:
    r = etl("status", "--db", tmp_path / "没有.duckdb")
    assert r.returncode == 2 and "数据库文件不存在" in r.stderr


def test_file_that_is_not_a_database_exit_2(tmp_path: Path) -> None:
    fake = tmp_path / "u.duckdb"
    fake.write_text("这不是数据库" * 1000, encoding="utf-8")
    r = etl("status", "--db", fake)
    assert r.returncode == 2 and "无法使用数据库" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("command", [("ingest", "REPORTS"), ("status", "--json"), ("undo", "1")],
                         ids=["ingest", "status", "undo"])
def test_database_held_by_another_process_exit_2(tmp_path: Path, reports: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "u.duckdb"
    assert etl("ingest", reports, "--db", db).returncode == 0
    shutil.rmtree(tmp_path / "archive")
    holder = subprocess.Popen(
        [PY, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
                   "time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        args = [str(reports) if a == "REPORTS" else a for a in command]
        started = time.monotonic()
        r = etl(*args, "--db", db, env={"UNION_DB_LOCK_WAIT": "0.5"})
        assert r.returncode == 2, r.stdout + r.stderr
        assert f"进程 {holder.pid}" in r.stderr and "占用" in r.stderr
        assert time.monotonic() - started < 20
        if command[0] == "ingest":  # the bytes were archived before the database was touched
            assert len([p for p in (tmp_path / "archive").rglob("*") if p.is_file()]) == 2
    finally:
        holder.kill()
        holder.wait()
    # Once the holder is gone the same command works.
    assert etl("status", "--json", "--db", db).returncode == 0
