"""Uploading a work report from the page: archive, extract, show, then load.

The same stages as `python -m etl ingest`, split so a person can look at the
extracted figures (with the sentence each came from) before anything is
written: say which body sent each document (the reader's guess is the
default), then per figure load it, load it as checked, correct it, or leave
it out. The bytes are archived before they are parsed, so nothing sent is
lost even when the file cannot be read.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from etl import db
from etl.catalog import load_catalog
from etl.model import ExtractedFile, Fact
from etl.vocab import APPROX_ZH, FLAG_UNKNOWN_YEAR, FLAG_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH

REPORT_TYPES = ["txt", "docx", "pdf"]
RULES = Path(__file__).resolve().parent / "lexicon" / "report_rows.toml"



@functools.cache
def rules() -> dict[str, Any]:
    """The choices and messages of lexicon/report_rows.toml."""
    return tomllib.loads(RULES.read_text(encoding="utf-8"))


def action_labels() -> dict[str, str]:
    """Choice code → what the page's 处理 column shows (load, confirm, drop)."""
    return dict(rules()["actions"])


@dataclass
class ReportPlan:
    """What one uploaded report would add, before the user confirms."""

    file: ExtractedFile  # with the chosen reporting bodies
    already: str | None = None  # set when the same bytes are already loaded
    read: ExtractedFile | None = None  # as read, before any body was chosen (None: `file` is it)
    bodies: dict[str, str] | None = None  # doc_id → the body chosen instead of the reader's guess

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


def body_options(db_path: Path | str) -> list[str]:
    """Names a reporting body can be chosen from: the shipped directory, then regions the database added."""
    from etl.regions import seed_registry

    names = [r.name for r in seed_registry()]
    if Path(db_path).exists():
        with db.connect(db_path, read_only=True) as con:
            names += [n for (n,) in con.execute("SELECT name FROM regions ORDER BY id").fetchall()]
    return list(dict.fromkeys(names))


def with_bodies(plan: ReportPlan, bodies: Mapping[str, str]) -> ReportPlan:
    """The plan with each document in `bodies` (doc_id → name) read again as sent by that body.

    The name goes to the reader as `region` (what the sender says it is), so the document's own figures take
    it while sub-units its sentences name keep theirs; other documents keep what was read.
    """
    from etl.extract import extract_report_text

    read = plan.read or plan.file
    bodies = {d: b for d, b in bodies.items() if b}
    if not bodies:
        return replace(plan, file=read, read=None, bodies=None)
    docs = {d.doc_id: d for d in read.documents}
    facts = {d: [f for f in read.facts if f.doc_id == d] for d in docs}
    for name in set(bodies.values()):
        new_docs, new_facts = extract_report_text(read.text or "", read.name, read.sha256, region=name)
        for d in new_docs:
            if bodies.get(d.doc_id) == name and d.doc_id in docs:
                docs[d.doc_id] = d
                facts[d.doc_id] = [f for f in new_facts if f.doc_id == d.doc_id]
    file = replace(read, documents=list(docs.values()), facts=[f for d in docs for f in facts[d]])
    return replace(plan, file=file, read=read, bodies=dict(bodies))


def fact_rows(plan: ReportPlan) -> list[dict[str, object]]:
    """One row per extracted figure, in Chinese, for the page's table (处理 first: what to do with it)."""
    catalog = load_catalog()
    load = action_labels()["load"]
    missing = rules()["problems"]["cell"]
    rows = []
    for f in plan.file.facts:
        m = catalog[f.metric]
        rows.append({
            "处理": load,
            "指标": m.name_zh,
            "数值": None if f.value is None else f.value,
            "单位": m.unit,
            "约数": APPROX_ZH.get(f.approx or "", ""),
            "地区": f.region or "",
            "年份": missing if f.year is None else str(f.year),  # text, so an empty cell says 待填, never "None"
            "期间": PERIOD_ZH.get(f.period or "", missing),
            "原文": f.evidence,
            "标记": "、".join([FLAG_ZH.get(x, x) for x in f.flags] + [NEEDS_REVIEW_ZH] * f.needs_review),
            "问题": "；".join(row_problems({"年份": f.year, "数值": f.value, "指标": m.name_zh,
                                         "期间": PERIOD_ZH.get(f.period or "")})),
        })
    return rows


def year_options(years: Sequence[int] = ()) -> list[str]:
    """Years a row can be given (2000 to next year, and any the report names), as the table shows them."""
    import datetime

    span = set(range(2000, datetime.date.today().year + 2)) | set(years)
    return [rules()["problems"]["cell"], *(str(y) for y in sorted(span, reverse=True))]


def period_options() -> list[str]:
    """Periods a row can be given, as the table shows them."""
    return [rules()["problems"]["cell"], *PERIOD_ZH.values()]


def _blank(v: object) -> bool:
    return (v is None or v == "" or v == rules()["problems"]["cell"] or (isinstance(v, float) and math.isnan(v))
            or str(v) in ("<NA>", "nan"))


def row_problems(row: Mapping[str, object]) -> list[str]:
    """What is still wrong with one table row, in Chinese (a missing year is a problem, never "None").

    The 问题 column holds them as read; the page lists those that still stand after edits.
    """
    msg = rules()["problems"]
    out = []
    if _blank(row.get("指标")):
        out.append(msg["no_metric"])
    if _blank(row.get("数值")):
        out.append(msg["no_value"])
    year = row.get("年份")
    if _blank(year):
        out.append(msg["no_year"])
    elif not 1990 <= int(float(year)) <= 2100:  # type: ignore[arg-type]
        out.append(msg["bad_year"].format(year=int(float(year))))  # type: ignore[arg-type]
    if _blank(row.get("期间")):
        out.append(msg["no_period"])
    return out


@dataclass(frozen=True)
class RowsApplied:
    """The file to load after the person's choices, and what they did."""

    file: ExtractedFile
    checked: tuple[int, ...]  # indices into file.facts a person checked or corrected
    dropped: int
    edited: int


def apply_rows(plan: ReportPlan, rows: Sequence[Mapping[str, object]]) -> RowsApplied:
    """Each figure as the person left it in the table (rows in plan.file.facts order).

    A dropped row is left out; a corrected or confirmed one loads as checked (needs no further review,
    confidence 1, a filled-in year clears 年份不明). Untouched rows load as read.
    """
    if len(rows) != len(plan.file.facts):
        raise ValueError(f"{len(rows)} rows for {len(plan.file.facts)} figures")
    labels = {v: k for k, v in action_labels().items()}
    by_name = {m.name_zh: m for m in load_catalog().values()}
    period_code = {v: k for k, v in PERIOD_ZH.items()}
    facts: list[Fact] = []
    checked: list[int] = []
    dropped = edited = 0
    for f, row in zip(plan.file.facts, rows, strict=True):
        action = labels.get(str(row.get("处理")), "load")
        if action == "drop":
            dropped += 1
            continue
        m = by_name.get(str(row.get("指标")))
        value = None if _blank(row.get("数值")) else float(row["数值"])  # type: ignore[arg-type]
        year = None if _blank(row.get("年份")) else int(float(row["年份"]))  # type: ignore[arg-type]
        period = period_code.get(str(row.get("期间")), f.period)
        new = replace(f, metric=m.code if m else f.metric, unit=m.unit if m else f.unit, value=value, year=year,
                      period=period)
        changed = (new.metric, new.value, new.year, new.period) != (f.metric, f.value, f.year, f.period)
        edited += changed
        if changed or action == "confirm":
            flags = tuple(x for x in new.flags if not (x == FLAG_UNKNOWN_YEAR and new.year is not None))
            new = replace(new, needs_review=False, confidence=1.0, flags=flags)
            checked.append(len(facts))
        facts.append(new)
    return RowsApplied(replace(plan.file, facts=facts), tuple(checked), dropped, edited)


def commit_report(plan: ReportPlan, *, db_path: Path | str, archive_dir: Path | str, user: str | None = None,
                  rows: Sequence[Mapping[str, object]] | None = None):
    """Load the report as one undoable batch (returns etl.load.LoadSummary).

    With `rows` (the page's table), the person's choices apply first; the batch note records the bodies
    chosen and how many figures were corrected or left out.
    """
    from etl.load import load_files

    applied = apply_rows(plan, rows) if rows is not None else RowsApplied(plan.file, (), 0, 0)
    note = [f"报告上传：{plan.file.name}"]
    if plan.bodies:
        note.append("报送单位：" + "、".join(sorted(set(plan.bodies.values()))))
    if applied.edited or applied.dropped:
        note.append(f"上传时更正 {applied.edited} 条、不导入 {applied.dropped} 条")
    who = {i: user or "" for i in applied.checked} if user else None
    return load_files(db_path, [applied.file], archive_dir=archive_dir, user=user, note="；".join(note),
                      checked={applied.file.sha256: who} if who else None)
