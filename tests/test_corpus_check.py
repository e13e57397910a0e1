"""data/corpus/check.py: the corpus stays well-formed, and copies of the evaluation sets are caught."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "data" / "corpus" / "check.py"


def _module():
    spec = importlib.util.spec_from_file_location("corpus_check", CHECK)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_distinctive_figures_leave_out_years_and_round_numbers() -> None:
    figs = _module().figures("2019年全市新建工会1,185家，会员３９９５２人，慰问金300万元，占比26.7%，共100人。")
    assert figs == {"1185", "39952", "26.7"}


def test_a_copy_of_a_development_document_is_reported(shared_dir: Path, tmp_path: Path) -> None:
    """The same figures as a development document under another address: the check names it."""
    mod = _module()
    dev_doc = max(sorted((shared_dir / "eval" / "dev" / "docs").glob("*.txt")),
                  key=lambda p: len(mod.figures(p.read_text(encoding="utf-8"))))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "z001.txt").write_text("转载：" + dev_doc.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "z002.txt").write_text("今年全镇新建工会17家，发展会员1234人。", encoding="utf-8")
    mod.HERE, mod.SHARED = tmp_path, shared_dir / "eval"
    found = mod.copies(["z"])
    assert len(found) == 1 and "z001.txt" in found[0] and dev_doc.name in found[0]


def test_the_corpus_passes_its_own_check(shared_dir: Path) -> None:
    run = subprocess.run([sys.executable, str(CHECK), "--no-heldout"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "0 problems" in run.stdout
