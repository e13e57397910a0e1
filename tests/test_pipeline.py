"""The ingest pipeline on real files: folders, dispatch, archive-before-parse, idempotence, undo."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from etl.archive import find_archived, sha256_of
from etl.batches import database_status, undo_batch
from etl.db import connect
from etl.pipeline import expand_paths, extract_path, ingest_paths

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "reports"


def sample(name_part: str) -> Path:
    return next(p for p in sorted(SAMPLES.glob("*.txt")) if name_part in p.name)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder as staff send it: two reports, one in a subfolder, plus files that are not inputs."""
    box = tmp_path / "inbox"
    (box / "二季度").mkdir(parents=True)
    shutil.copy(sample("白沙镇总工会2019年上半年"), box)
    shutil.copy(sample("城关街道总工会2019年工作总结"), box / "二季度")
    (box / "README.md").write_text("说明", encoding="utf-8")
    (box / "generate.py").write_text("print(1)\n")
    (box / "expected.jsonl").write_text("{}\n")
    (box / ".hidden.txt").write_text("隐藏", encoding="utf-8")
    (box / "~$统计表.xlsx").write_bytes(b"lock")
    return box


def snapshot(db: Path) -> dict[str, list[str]]:
    with connect(db, read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def federation_db(tmp_path: Path) -> Path:
    """A database set up as the sample federation (its directory), as `make sample-db` starts."""
    from scripts.sample_db import set_up

    db = tmp_path / "u.duckdb"
    set_up(db)
    return db


def test_ingest_into_a_database_without_a_federation_asks_for_the_set_up(tmp_path: Path, inbox: Path) -> None:
    s = ingest_paths([inbox], db_path=tmp_path / "u.duckdb", archive_dir=tmp_path / "archive")
    assert s.batch_id is None and s.errors == 2
    assert all("还没有设置本会" in f.problems[-1].message for f in s.files)


def test_expand_paths_skips_non_inputs_and_sorts(inbox: Path) -> None:
    got = [p.relative_to(inbox).as_posix() for p in expand_paths([inbox])]
    assert got == sorted(got)
    assert len(got) == 2 and all(g.endswith(".txt") and "总工会" in g for g in got)


def test_expand_paths_keeps_files_named_directly_and_missing_ones(tmp_path: Path, inbox: Path) -> None:
    readme = inbox / "README.md"
    assert list(expand_paths([readme, tmp_path / "没有.txt"])) == [readme, tmp_path / "没有.txt"]


@pytest.mark.parametrize(
    ("name", "data", "kind", "message"),
    [
        ("坏表.xlsx", b"PK\x03\x04 this is not a real zip", "tally", "无法|不是|损坏"),
        ("二进制.txt", bytes(range(256)) * 40, "report", "无法|不是|乱码|二进制"),
        ("空文件.txt", b"", "report", "空"),
    ],
    ids=["broken-xlsx", "binary-txt", "empty-txt"],
)
def test_extract_path_turns_reader_failures_into_chinese_errors(tmp_path: Path, name: str, data: bytes, kind: str,
                                                                message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    f = extract_path(path)
    errors = [p for p in f.problems if p.severity == "error"]
    assert errors, f"expected an error for {name}"
    assert f.kind == kind and f.name == name and f.sha256 == sha256_of(data)
    assert re.search(message, errors[0].message), errors[0].message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0].message)


def test_extract_path_dispatches_report(tmp_path: Path) -> None:
    f = extract_path(sample("白沙镇总工会2019年上半年"))
    assert f.kind == "report" and f.ok and f.facts and f.documents
    assert all(f.text[x.start:x.end] == x.evidence for x in f.facts)


def test_ingest_folder_archives_first_and_failed_file_does_not_stop_batch(tmp_path: Path, inbox: Path) -> None:
    bad = inbox / "乱码.txt"
    bad.write_bytes(bytes(range(256)) * 40)
    db, archive = federation_db(tmp_path), tmp_path / "archive"
    s = ingest_paths([inbox], db_path=db, archive_dir=archive, user="测试")
    assert (s.loaded, s.errors) == (2, 1)
    assert s.facts > 5 and s.documents == 2
    failed = next(f for f in s.files if f.status == "failed")
    assert failed.name == "乱码.txt" and failed.problems[0].message
    # The file that could not be parsed is still kept, byte for byte.
    kept = find_archived(sha256_of(bad.read_bytes()), archive)
    assert kept is not None and kept.read_bytes() == bad.read_bytes()
    status = database_status(db)
    assert status["batches"][0]["files"] == sorted(p.name for p in expand_paths([inbox]) if p.name != "乱码.txt")


def test_second_ingest_changes_nothing(tmp_path: Path, inbox: Path) -> None:
    db, archive = federation_db(tmp_path), tmp_path / "archive"
    first = ingest_paths([inbox], db_path=db, archive_dir=archive)
    before = snapshot(db)
    again = ingest_paths([inbox], db_path=db, archive_dir=archive)
    assert first.batch_id == 1 and again.batch_id is None
    assert again.skipped == 2 and again.facts == 0
    assert "没有新数据" in again.to_text()
    assert snapshot(db) == before


def test_undo_restores_previous_counts(tmp_path: Path, inbox: Path) -> None:
    db, archive = federation_db(tmp_path), tmp_path / "archive"
    ingest_paths([inbox / "二季度"], db_path=db, archive_dir=archive)
    before = database_status(db)
    s = ingest_paths([inbox], db_path=db, archive_dir=archive)
    assert s.loaded == 1 and s.skipped == 1
    undo_batch(db, s.batch_id)
    after = database_status(db)
    assert (after["documents"], after["facts"]) == (before["documents"], before["facts"])


def test_sample_database(sample_db: Path) -> None:
    """data/samples loads completely: every town resolves to the sample federation's directory."""
    status = database_status(sample_db)
    assert len(status["batches"]) == 1 and status["documents"] >= 90 and status["facts"] > 1000
    with connect(sample_db, read_only=True) as con:
        names = {r[0] for r in con.execute(
            "SELECT DISTINCT r.name FROM facts f JOIN regions r ON r.id = f.region_id").fetchall()}
        unresolved = con.execute("SELECT DISTINCT region_raw FROM facts WHERE region_id IS NULL").fetchall()
    assert names == {"青禾区", "城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"}
    assert all(raw is None or "x" in raw.lower() for raw, in unresolved)  # only the template's xx镇


def test_mixed_folder_dispatches_tally_and_report(tmp_path: Path, inbox: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["地区", "年份", "期间", "工会组织总数（家）", "会员总数（人）"])
    ws.append(["白沙镇", 2021, "全年", 86, 5120])
    ws.append(["城关街道总工会", 2021, "全年", 120, 8650])
    wb.save(inbox / "2021年统计表.xlsx")
    db = federation_db(tmp_path)
    s = ingest_paths([inbox], db_path=db, archive_dir=tmp_path / "archive")
    assert (s.kind, s.loaded, s.errors) == ("mixed", 3, 0)
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT r.name, f.metric, f.value, f.source_cell FROM facts f JOIN regions r ON r.id = f.region_id "
            "JOIN files x ON x.sha256 = f.source_file WHERE x.kind = 'tally' ORDER BY f.source_cell").fetchall()
    assert rows == [
        ("白沙镇", "union_orgs_total", 86.0, "Sheet1!D2"), ("城关街道", "union_orgs_total", 120.0, "Sheet1!D3"),
        ("白沙镇", "members_total", 5120.0, "Sheet1!E2"), ("城关街道", "members_total", 8650.0, "Sheet1!E3"),
    ]


def test_big_tally_stays_columnar_and_loads_once_and_undoes(tmp_path: Path) -> None:
    """A 6,000-row tally reaches the database as Arrow columns: one batch, idempotent, undoable."""
    import openpyxl

    rows = 6000
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("汇总")
    ws.append(["地区", "年份", "期间", "工会组织总数(家)", "会员总数(人)", "帮扶金额(万元)"])
    for i in range(rows):
        town, k = divmod(i, 10)
        ws.append([f"大表{town:04d}镇", 2015 + k // 2, ("上半年", "全年")[k % 2], 100 + k, 4000 + k, 1.25])
    path = tmp_path / "inbox" / "大表.xlsx"
    path.parent.mkdir()
    wb.save(path)
    ef = extract_path(path)
    assert ef.ok and ef._fact_list is None and ef.fact_count == rows * 3
    db, archive = federation_db(tmp_path), tmp_path / "archive"
    refused = ingest_paths([path.parent], db_path=db, archive_dir=archive)
    assert refused.batch_id is None and "大表0000镇" in refused.to_text()  # 600 towns the directory lacks
    first = ingest_paths([path.parent], db_path=db, archive_dir=archive, new_regions_under="青禾区")
    assert (first.loaded, first.facts, len(first.regions_added)) == (1, rows * 3, rows // 10)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT value, source_cell, evidence FROM facts WHERE source_cell = '汇总!F2'").fetchone() \
            == (12500.0, "汇总!F2", "大表0000镇｜帮扶金额(万元)：1.25")
        assert con.execute("SELECT count(DISTINCT region_id) FROM facts").fetchone()[0] == rows // 10
    again = ingest_paths([path.parent], db_path=db, archive_dir=archive)
    assert again.batch_id is None and database_status(db)["facts"] == rows * 3
    assert undo_batch(db, first.batch_id).regions == rows // 10
    assert database_status(db)["facts"] == 0
