"""Uploading a work report from the page: archive, extract, show, then load.

The same stages as `python -m etl ingest`, split so a person can look at the
extracted figures (with the sentence each came from) before anything is
written: say which body sent each document (the reader's guess is the
default), then per figure load it, load it as checked, correct it, or leave
it out. The bytes are archived before they are parsed, so nothing sent is
lost even when the file cannot be read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from etl import db, scope
from etl.accounts import Account
from etl.catalog import load_catalog, read_lexicon
from etl.load_rows import raw_regions
from etl.model import ExtractedFile, Fact
from etl.regions import Choice
from etl.unknown_regions import Unknown, find_unknown
from etl.vocab import APPROX_ZH, FLAG_UNKNOWN_YEAR, FLAG_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH

REPORT_TYPES = ["txt", "docx", "pdf"]


def rules() -> dict[str, Any]:
    """The choices and messages of lexicon/report_rows.toml."""
    return read_lexicon("report_rows.toml")


def action_labels(may_review: bool = True) -> dict[str, str]:
    """Choice code → what the page's 处理 column shows (load, confirm, drop); confirming is reviewing, so
    only for an account that may review."""
    return {k: v for k, v in rules()["actions"].items() if may_review or k != "confirm"}


@dataclass
class ReportPlan:
    """What one uploaded report would add, before the user confirms."""

    file: ExtractedFile  # with the chosen reporting bodies
    already: str | None = None  # set when the same bytes are already loaded
    read: ExtractedFile | None = None  # as read, before any body was chosen (None: `file` is it)
    bodies: dict[str, str] | None = None  # doc_id → the body chosen instead of the reader's guess
    unknown: list[Unknown] = field(default_factory=list)  # region names not in the directory: a person decides
    refused: list[scope.Refusal] = field(default_factory=list)  # figures outside the account's scope

    @property
    def loadable(self) -> list:  # the figures a commit loads: all but the refused ones (the table's rows)
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
    from etl.bounded import extract, failed
    from etl.limits import Refused, inspect
    from etl.tally.upload import already_loaded

    try:
        insp = inspect(data, name)
    except Refused as exc:
        return ReportPlan(failed(Path(name), exc.message, data, exc.code))
    archive_preview(data, name, archive_dir)  # before parsing: nothing a staff member sends is lost
    expire_previews(archive_dir)
    plan = ReportPlan(extract(Path(name), data, insp))
    if plan.readable and Path(db_path).exists():
        with db.connect(db_path, read_only=True) as con:
            plan.already = already_loaded(con, plan.file.sha256)
            plan.refused = _refused(con, account, plan.file)
            plan.unknown = _unknown(con, plan.file)
    return plan


def _refused(con, account: Account | None, file: ExtractedFile) -> list[scope.Refusal]:
    return [] if account is None else scope.split(con, account, file.facts, scope.region_of(file))[1]


def _unknown(con, file: ExtractedFile) -> list[Unknown]:
    """The file's region names the directory lacks, with suggestions: each waits for a person's choice."""
    if not file.facts:
        return []
    raw = raw_regions(file.fact_table, file.documents)
    counts = {c["values"]: c["counts"] for c in pc.value_counts(raw).to_pylist()}
    return find_unknown(con, counts, {name: file.name for name in counts if name})


def body_options(db_path: Path | str) -> list[str]:
    """Names a reporting body can be chosen from: the federation's directory (etl/directory.py)."""
    if not Path(db_path).exists():
        return []
    with db.connect(db_path, read_only=True) as con:  # region names are unique (regions.name UNIQUE)
        return [n for (n,) in con.execute("SELECT name FROM regions ORDER BY id").fetchall()]


def with_bodies(plan: ReportPlan, bodies: Mapping[str, str], *, db_path: Path | str | None = None,
                account: Account | None = None) -> ReportPlan:
    """The plan with each document in `bodies` (doc_id → name) read again as sent by that body.

    The name goes to the reader as `region` (what the sender says it is), so the document's own figures take
    it while sub-units its sentences name keep theirs; other documents keep what was read. With `account`,
    the figures outside its scope are found again (a body chosen outside it sets its figures aside).
    """
    from etl.bounded import bound_text
    from etl.extract import extract_report_text

    read = plan.read or plan.file
    bodies = {d: b for d, b in bodies.items() if b}
    if not bodies:
        return _scoped(replace(plan, file=read, read=None, bodies=None), db_path, account)
    docs = {d.doc_id: d for d in read.documents}
    facts = {d: [f for f in read.facts if f.doc_id == d] for d in docs}
    text = bound_text(read.text or "", read.name)[0]  # the same bounded work as the first reading
    for name in set(bodies.values()):
        new_docs, new_facts = extract_report_text(text, read.name, read.sha256, region=name)
        for d in new_docs:
            if bodies.get(d.doc_id) == name and d.doc_id in docs:
                docs[d.doc_id] = d
                facts[d.doc_id] = [f for f in new_facts if f.doc_id == d.doc_id]
    file = replace(read, documents=list(docs.values()), facts=[f for d in docs for f in facts[d]])
    return _scoped(replace(plan, file=file, read=read, bodies=dict(bodies)), db_path, account)


def _scoped(plan: ReportPlan, db_path: Path | str | None, account: Account | None) -> ReportPlan:
    if db_path is None or not Path(db_path).exists():
        return replace(plan, refused=[])
    with db.connect(db_path, read_only=True) as con:  # the bodies change the names: checked again
        return replace(plan, refused=_refused(con, account, plan.file), unknown=_unknown(con, plan.file))


def fact_rows(plan: ReportPlan, facts: list | None = None) -> list[dict[str, object]]:
    """One row per loadable figure (or per one of `facts`), in Chinese, for the page's tables (处理 first)."""
    catalog = load_catalog()
    load = action_labels()["load"]
    missing = rules()["problems"]["cell"]
    rows = []
    for f in plan.loadable if facts is None else facts:
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
    span = set(range(2000, dt.date.today().year + 2)) | set(years)
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


def apply_rows(plan: ReportPlan, rows: Sequence[Mapping[str, object]], may_review: bool = True) -> RowsApplied:
    """Each figure as the person left it in the table (rows in plan.loadable order).

    A dropped row is left out; a filled-in year clears 年份不明. A corrected or confirmed one loads as
    checked (needs no further review, confidence 1) when the person may review; from one who may only
    upload, a correction loads as written and waits for review as the figure read would. Untouched rows
    load as read.
    """
    loadable = plan.loadable
    if len(rows) != len(loadable):
        raise ValueError(f"{len(rows)} rows for {len(loadable)} figures")
    labels = {v: k for k, v in action_labels(may_review).items()}
    by_name = {m.name_zh: m for m in load_catalog().values()}
    period_code = {v: k for k, v in PERIOD_ZH.items()}
    facts: list[Fact] = []
    checked: list[int] = []
    dropped = edited = 0
    for f, row in zip(loadable, rows, strict=True):
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
        if new.year is not None:
            new = replace(new, flags=tuple(x for x in new.flags if x != FLAG_UNKNOWN_YEAR))
        if may_review and (changed or action == "confirm"):
            new = replace(new, needs_review=False, confidence=1.0)
            checked.append(len(facts))
        facts.append(new)
    return RowsApplied(replace(plan.file, facts=facts), tuple(checked), dropped, edited)


def commit_report(plan: ReportPlan, *, db_path: Path | str, archive_dir: Path | str, user: str | None = None,
                  account: Account | None = None, rows: Sequence[Mapping[str, object]] | None = None,
                  region_choices: Mapping[str, Choice] | None = None, received_on: dt.date | None = None):
    """Load the report as one undoable batch, without its refused figures (returns etl.load.LoadSummary).

    With `rows` (the page's table), the person's choices apply first; the batch note records the bodies
    chosen and how many figures were corrected or left out. Checked figures name their checker: the
    account, else `user`. `region_choices` decide the names of `plan.unknown` (see etl.tally.upload.commit);
    a name left undecided fails the file, with its suggestions.
    """
    from etl.batches import LoadError
    from etl.load import load_files

    if plan.refused and not plan.loadable:
        raise LoadError(f"“{plan.file.name}”中的数据都不在您的范围内，没有可以导入的数据。", item=plan.file.name,
                        code="out_of_scope")
    may_review = account is None or account.may("review")
    applied = (apply_rows(plan, rows, may_review) if rows is not None
               else RowsApplied(replace(plan.file, facts=plan.loadable), (), 0, 0))
    note = [f"报告上传：{plan.file.name}"]
    if plan.bodies:
        note.append("报送单位：" + "、".join(sorted(set(plan.bodies.values()))))
    if applied.edited or applied.dropped:
        note.append(f"上传时更正 {applied.edited} 条、不导入 {applied.dropped} 条")
    checker = account.name if account is not None and account.signed_in else user
    who = {i: checker for i in applied.checked} if checker else None
    return load_files(db_path, [applied.file], archive_dir=archive_dir, user=user, note="；".join(note),
                      account=account, checked={applied.file.sha256: who} if who else None,
                      region_choices=region_choices, received_on=received_on)
