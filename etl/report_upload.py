"""Uploading a work report from the page: archive, extract, show, then load.

The same stages as `python -m etl ingest`, split so a person can look at the
extracted figures (with the sentence each came from) before anything is
written. The bytes are archived before they are parsed, so nothing sent is
lost even when the file cannot be read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from etl import db
from etl.catalog import load_catalog
from etl.model import ExtractedFile
from etl.vocab import APPROX_ZH, FLAG_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH

REPORT_TYPES = ["txt", "docx", "pdf"]



@dataclass
class ReportPlan:
    """What one uploaded report would add, before the user confirms."""

    file: ExtractedFile
    already: str | None = None  # set when the same bytes are already loaded

    @property
    def readable(self) -> bool:
        return self.file.ok


def prepare_report(data: bytes, name: str, *, db_path: Path | str, archive_dir: Path | str) -> ReportPlan:
    """Look at the size, archive the bytes as a preview, then read and extract the report (nothing is written).

    A file over a limit is refused before it is archived; extraction does bounded work (etl/bounded.py).
    """
    from etl.archive import archive_preview, expire_previews
    from etl.bounded import extract
    from etl.limits import Refused, inspect
    from etl.model import Problem
    from etl.tally.upload import already_loaded

    try:
        insp = inspect(data, name)
    except Refused as exc:
        return ReportPlan(ExtractedFile(name, name, hashlib.sha256(data).hexdigest(), data, "report",
                                        problems=[Problem("error", exc.message, name, code=exc.code)]))
    archive_preview(data, name, archive_dir)  # before parsing: nothing a staff member sends is lost
    expire_previews(archive_dir)
    plan = ReportPlan(extract(Path(name), data, insp))
    if plan.readable and Path(db_path).exists():
        with db.connect(db_path, read_only=True) as con:
            plan.already = already_loaded(con, plan.file.sha256)
    return plan


def commit_report(plan: ReportPlan, *, db_path: Path | str, archive_dir: Path | str, user: str | None = None):
    """Load the report as one undoable batch (returns etl.load.LoadSummary)."""
    from etl.load import load_files

    return load_files(db_path, [plan.file], archive_dir=archive_dir, user=user, note=f"报告上传：{plan.file.name}")


def fact_rows(plan: ReportPlan) -> list[dict[str, object]]:
    """One row per extracted figure, in Chinese, for the page's table."""
    catalog = load_catalog()
    rows = []
    for f in plan.file.facts:
        m = catalog[f.metric]
        rows.append({
            "指标": m.name_zh,
            "数值": None if f.value is None else f.value,
            "单位": m.unit,
            "约数": APPROX_ZH.get(f.approx or "", ""),
            "地区": f.region or "",
            "年份": f.year,
            "期间": PERIOD_ZH.get(f.period or "", ""),
            "原文": f.evidence,
            "标记": "、".join([FLAG_ZH.get(x, x) for x in f.flags] + [NEEDS_REVIEW_ZH] * f.needs_review),
        })
    return rows
