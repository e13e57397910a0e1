"""Uploading a work report from the page: archive, extract, show, then load.

The same stages as `python -m etl ingest`, split so a person can look at the
extracted figures (with the sentence each came from) before anything is
written. The bytes are archived before they are parsed, so nothing sent is
lost even when the file cannot be read.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from etl import db, scope
from etl.accounts import Account
from etl.catalog import load_catalog
from etl.model import ExtractedFile
from etl.vocab import APPROX_ZH, FLAG_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH

REPORT_TYPES = ["txt", "docx", "pdf"]



@dataclass
class ReportPlan:
    """What one uploaded report would add, before the user confirms."""

    file: ExtractedFile
    already: str | None = None  # set when the same bytes are already loaded
    refused: list[scope.Refusal] = field(default_factory=list)  # figures outside the account's scope

    @property
    def loadable(self) -> list:  # the figures a commit loads: all but the refused ones
        out = {id(r.fact) for r in self.refused}
        return [f for f in self.file.facts if id(f) not in out]

    @property
    def readable(self) -> bool:
        return self.file.ok


def prepare_report(data: bytes, name: str, *, db_path: Path | str, archive_dir: Path | str,
                   account: Account | None = None) -> ReportPlan:
    """Look at the size, archive the bytes as a preview, then read and extract the report (nothing is written).

    A file over a limit is refused before it is archived; extraction does bounded work (etl/bounded.py).
    With `account`, figures for regions outside its scope are set aside in `refused` (etl/scope.py).
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
            if account is not None:
                plan.refused = scope.split(con, account, plan.file.facts, scope.region_of(plan.file))[1]
    return plan


def commit_report(plan: ReportPlan, *, db_path: Path | str, archive_dir: Path | str, user: str | None = None,
                  account: Account | None = None):
    """Load the report as one undoable batch, without its refused figures (returns etl.load.LoadSummary)."""
    from etl.batches import LoadError
    from etl.load import load_files

    if plan.refused and not plan.loadable:
        raise LoadError(f"“{plan.file.name}”中的数据都不在您的范围内，没有可以导入的数据。", item=plan.file.name,
                        code="out_of_scope")
    f = dataclasses.replace(plan.file, facts=plan.loadable) if plan.refused else plan.file
    return load_files(db_path, [f], archive_dir=archive_dir, user=user, note=f"报告上传：{plan.file.name}",
                      account=account)


def fact_rows(plan: ReportPlan, facts: list | None = None) -> list[dict[str, object]]:
    """One row per extracted figure (or per one of `facts`), in Chinese, for the page's tables."""
    catalog = load_catalog()
    rows = []
    for f in plan.file.facts if facts is None else facts:
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
