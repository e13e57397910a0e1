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
DIRECTORY = ROOT / "data" / "directory" / "青禾区地区名录.csv"


def etl(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "etl", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def set_up(db: Path) -> None:
    r = etl("setup", "--name", "青禾区总工会", "--directory", DIRECTORY, "--db", db)
    assert r.returncode == 0, r.stderr
    assert "已设置本会：青禾区总工会（辖区 青禾区，层级 区县，代码 339901000000）" in r.stdout


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
    set_up(db)
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
    set_up(tmp_path / "u.duckdb")
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
    set_up(db)
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


# ---- the federation and its directory from the command line -----------------------------------------------------

@pytest.mark.slow
def test_setup_from_the_national_table_export_edit_import_undo(tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    r = etl("setup", "--name", "远安县总工会", "--county", "远安县", "--since", "2025-01-01", "--db", db)
    assert r.returncode == 0, r.stderr
    assert "远安县总工会（辖区 远安县，层级 区县，代码 420525000000）" in r.stdout and "2025-01-01" in r.stdout
    out = tmp_path / "名录.csv"
    assert etl("export-directory", "-o", out, "--db", db).returncode == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "名称,层级,上级,行政区划代码,别名,起始年份,终止年份,更名或并入为"
    assert "鸣凤镇,乡镇街道,远安县,420525101000" in text
    # The towns' own change: 鸣凤镇 gets an alias, and a new street is split off in 2026.
    edited = text.replace("鸣凤镇,乡镇街道,远安县,420525101000,", "鸣凤镇,乡镇街道,远安县,420525101000,鸣凤") + \
        "凤阳街道,乡镇街道,远安县,,,2026,,\r\n"
    out.write_text(edited, encoding="utf-8-sig")
    r = etl("import-directory", out, "--dry-run", "--db", db)
    assert r.returncode == 0 and "凤阳街道：新增" in r.stdout and "新增别名 鸣凤" in r.stdout and "未写入" in r.stdout
    r = etl("import-directory", out, "--user", "张三", "--db", db)
    assert r.returncode == 0 and "新增 1 个地区，修改 1 个" in r.stdout
    batch = json.loads(etl("status", "--json", "--db", db).stdout)["batches"][0]
    assert (batch["kind"], batch["user"]) == ("directory", "张三")
    assert etl("undo", str(batch["id"]), "--db", db).returncode == 0
    assert "凤阳街道" not in etl("export-directory", "--db", db).stdout


def test_setup_names_the_choices_when_the_area_is_ambiguous(tmp_path: Path) -> None:
    r = etl("setup", "--name", "某区总工会", "--county", "朝阳区", "--db", tmp_path / "u.duckdb")
    assert r.returncode == 2 and "对应多个地区" in r.stderr
    assert "北京市朝阳区（110105）" in r.stderr and "吉林省长春市朝阳区（220104）" in r.stderr
    r = etl("setup", "--name", "北京市朝阳区总工会", "--county", "110105", "--db", tmp_path / "u.duckdb")
    assert r.returncode == 0 and "辖区 朝阳区" in r.stdout


@pytest.mark.slow
def test_ingest_refuses_unknown_towns_until_told(tmp_path: Path) -> None:
    import openpyxl

    db = tmp_path / "u.duckdb"
    set_up(db)
    wb = openpyxl.Workbook()
    wb.active.append(["地区", "年份", "期间", "工会组织总数(家)"])
    for row in (["白杉镇", 2026, "全年", 50], ["东城街道", 2026, "全年", 60]):
        wb.active.append(row)
    wb.save(tmp_path / "表.xlsx")
    r = etl("ingest", tmp_path / "表.xlsx", "--db", db)
    assert r.returncode == 1 and "地区“白杉镇”（1 条数据）不在地区名录中。是否为：白沙镇？" in r.stdout
    assert "山西省晋城市高平市东城街道" in r.stdout and "不在本会辖区内" in r.stdout
    r = etl("ingest", tmp_path / "表.xlsx", "--map", "白杉镇=白沙镇", "--new-regions-under", "青禾区", "--db", db)
    assert r.returncode == 0 and "新增地区：东城街道" in r.stdout, r.stdout + r.stderr
    r = etl("ingest", tmp_path / "表.xlsx", "--map", "白杉镇", "--db", db)
    assert r.returncode == 2 and "--map 应写作" in r.stderr
