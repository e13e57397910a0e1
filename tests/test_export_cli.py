"""`python -m export`: the deck, PNGs and workbook from the command line, real subprocesses."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "export", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="/usr/bin/chromium missing (make system-deps)")
def test_trimmed_deck_with_pictures_and_workbook(sample_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇报.pptx"
    r = run("--db", str(sample_db), "--out", str(out), "--slides", "coverage,formation", "--years", "2020-2024",
            "--png-dir", str(tmp_path / "png"), "--xlsx", str(tmp_path / "t.xlsx"))
    assert r.returncode == 0, r.stderr
    assert "已生成" in r.stdout
    prs = Presentation(str(out))
    titles = [s.shapes.title.text_frame.text for s in prs.slides]
    assert titles[1:] == ["覆盖率：各镇（街道）建会率", "工会组建：工会组织总数"]
    assert "2020–2024年" in prs.slides[2].notes_slide.notes_text_frame.text
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == ["01_coverage.png", "02_formation.png"]
    wb = openpyxl.load_workbook(io.BytesIO((tmp_path / "t.xlsx").read_bytes()))
    assert wb.sheetnames == ["说明", "覆盖率：各镇（街道）建会率", "工会组建：工会组织总数"]


@pytest.mark.parametrize(("args", "message"), [
    (["--slides", "formation,nope"], "未知的幻灯片：nope"),
    (["--db", "/nonexistent/union.duckdb"], "数据库文件不存在"),
], ids=["未知幻灯片", "数据库不存在"])
def test_bad_arguments_exit_2_with_chinese_message(sample_db: Path, tmp_path: Path, args: list[str],
                                                   message: str) -> None:
    base = ["--db", str(sample_db), "--out", str(tmp_path / "x.pptx")]
    r = run(*base, *args)
    assert r.returncode == 2 and message in r.stderr
    assert not (tmp_path / "x.pptx").exists()
