"""Uploading a work report from the page: archive, extract, show, then load.

The same stages as `python -m etl ingest`, split so a person can look at the
extracted figures (with the sentence each came from) before anything is
written. The bytes are archived before they are parsed, so nothing sent is
lost even when the file cannot be read.
"""

from __future__ import annotations

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
    """Archive the bytes, then read and extract the report (nothing is written to the database)."""
    from etl.archive import archive_bytes
    from etl.extract import extract_report_file
    from etl.tally.upload import already_loaded

    archive_bytes(data, name, archive_dir)  # before parsing: nothing a staff member sends is lost
    plan = ReportPlan(extract_report_file(Path(name), data=data))
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
