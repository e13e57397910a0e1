"""`python -m etl check-draft` and `python -m export paragraphs`, run as a person runs them (subprocesses)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ("青禾区总工会2024年工作报告（征求意见稿）\n"
         "截至2024年底，全区共有基层工会组织3,900家，较上年增加199家，增长5.4%；建会率达97.3%。\n"
         "2018年，全区新建基层工会290家。开展劳动竞赛6场。\n")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture
def draft(tmp_path: Path) -> Path:
    path = tmp_path / "征求意见稿.txt"
    path.write_text(DRAFT, encoding="utf-8")
    return path


def test_check_draft_json_has_one_object_per_figure(sample_db: Path, draft: Path) -> None:
    r = run("etl", "--db", str(sample_db), "check-draft", str(draft), "--json")
    assert r.returncode == 1, r.stderr  # a wrong figure: exit 1, so a script can stop on it
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["text"] for row in rows] == ["3,900家", "199家", "5.4%", "97.3%", "290家", "6场"]
    for row in rows:
        assert {"text", "metric", "value", "verdict", "stored_value"} <= set(row)
    first = rows[0]
    assert (first["metric"], first["value"], first["verdict"], first["stored_value"]) == (
        "union_orgs_total", 3900, "differs", 3887)
    assert first["suggestion"] == "3,887家" and first["sources"][0]["file"].startswith("青禾区总工会2024")
    assert [row["verdict"] for row in rows] == ["differs", "match", "match", "match", "missing", "not_checked"]


def test_check_draft_prints_the_same_verdicts(sample_db: Path, draft: Path, tmp_path: Path) -> None:
    out = tmp_path / "批注.docx"
    r = run("etl", "--db", str(sample_db), "check-draft", str(draft), "--region", "青禾区", "--year", "2024",
            "--docx", str(out))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert "共 6 个数字：一致 3，不一致 1，库中无此数据 1，未核对 1" in lines[0]
    assert lines[1].startswith("[不一致] 第2行 “3,900家” 工会组织总数（青禾区 2024年全年）：库中为3,887家")
    assert len(Document(io.BytesIO(out.read_bytes())).comments) == 1


def test_a_right_draft_exits_zero(sample_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "稿.txt"
    path.write_text("青禾区总工会2024年工作报告\n全区共有基层工会组织3,887家。", encoding="utf-8")
    assert run("etl", "--db", str(sample_db), "check-draft", str(path)).returncode == 0


def test_check_draft_errors_are_chinese(sample_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "稿件.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0old word")
    r = run("etl", "--db", str(sample_db), "check-draft", str(bad))
    assert r.returncode == 2 and "另存为 .docx" in r.stderr
    r = run("etl", "--db", str(tmp_path / "none.duckdb"), "check-draft", str(bad))
    assert r.returncode == 2 and "数据库文件不存在" in r.stderr


def test_export_paragraphs(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "段落.docx"
    r = run("export", "paragraphs", "--db", str(sample_db), "--region", "白沙镇", "--year", "2024", "--docx", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("一、工会组建\n截至2024年底，全镇共有基层工会组织385家")
    assert "四、困难帮扶" in r.stdout and out.exists()
    r = run("export", "paragraphs", "--db", str(sample_db), "--region", "白沙镇", "--year", "2017")
    assert r.returncode == 2 and "没有“白沙镇”2017年全年的数据" in r.stderr


def test_export_paragraphs_defaults_to_the_federation_and_the_latest_year(sample_db: Path) -> None:
    r = run("export", "paragraphs", "--db", str(sample_db))
    assert r.returncode == 0 and "截至2024年底，全区共有基层工会组织3,887家" in r.stdout


def test_both_commands_have_help_with_an_example() -> None:
    for args in (("etl", "check-draft", "--help"), ("export", "paragraphs", "--help")):
        r = run(*args)
        assert r.returncode == 0 and "Example:" in r.stdout, args
