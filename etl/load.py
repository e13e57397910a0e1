"""Write extracted files into DuckDB as one batch, undo a batch, report status.

A load is one transaction: either every row of the batch is written or none
is, so a crash or a bad value halfway leaves the database as it was. Files are
keyed by sha256: bytes already held by an active batch are skipped, which
makes loading the same folder twice a no-op. Nothing is ever deleted except by
`undo_batch`, and even then the archive keeps the original bytes.

Extraction happens before (see etl/pipeline.py): the write lock is held only
while rows are written. This module decides what goes in (files, region
names, replaced facts) and records the batch; turning a file into rows and
writing them is etl/load_rows.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl import db, federation, scope, unknown_regions
from etl.accounts import Account
from etl.archive import archive_bytes
from etl.audit import Actor, actor_of, record
from etl.batches import FileOutcome, LoadError, LoadSummary
from etl.dedup import DuplicateIndex
from etl.limits import REFUSED_CODES
from etl.load_rows import active_fingerprints, raw_regions, write_file
from etl.model import ExtractedFile, Problem
from etl.regions import ADD, SKIP, BatchResolver, Choice
from etl.vocab import KIND_ZH

# Problem codes meaning the bytes could not be read, or were refused before archiving (over a limit).
UNREAD_CODES = ("not_found", "unreadable", *REFUSED_CODES)


def _failure_reason(problems: list[Problem], archived: bool) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    kept = "原文件已存档，" if archived else ""
    return f"无法导入（{errors} 处错误），{kept}改正后可重新导入。"


def _check_metrics(f: ExtractedFile) -> list[Problem]:
    """Facts must use catalog codes; an unknown code is an extractor bug, reported per file."""
    from etl.catalog import load_catalog

    catalog = load_catalog()
    used = set(pc.unique(f.fact_table["metric"]).to_pylist())
    unknown = sorted(code for code in used if code not in catalog)
    return [Problem("error", f"未知的指标代码“{code}”，不在指标目录 etl/lexicon/metrics.csv 中。", f.name,
                    code, "unknown_metric") for code in unknown]


def _unknown_regions(cols: pa.Table, f: ExtractedFile, resolver: BatchResolver) -> dict[str, tuple[int, int | None]]:
    """Names of this file the directory does not know: raw name → (facts naming it, their first year)."""
    per_name = pa.table({"raw": raw_regions(cols, f.documents), "year": cols["year"]}).group_by("raw").aggregate(
        [("year", "min"), ("raw", "count")])
    names = per_name["raw"].to_pylist()
    resolver.resolve_all(names)
    return {name: (n, year) for name, n, year in zip(names, per_name["raw_count"].to_pylist(),
                                                     per_name["year_min"].to_pylist(), strict=True)
            if name in resolver.unknown}


def _refuse_unknown(con: duckdb.DuckDBPyConnection, outcome: FileOutcome, unknown: dict[str, tuple[int, int | None]],
                    where: str) -> None:
    """The file fails: each name the directory lacks is an error with its suggestions and the way out
    (before the set-up, one error saying to set the federation up first)."""
    fed = federation.current(con)
    msgs = federation.directory_rules()["messages"]
    if fed is None:
        outcome.problems.append(Problem("error", f"{msgs['no_federation']}（本文件中的地区：{'、'.join(unknown)}）",
                                        where, None, "no_federation"))
    else:
        found = unknown_regions.describe_unknown(con, {raw: (n, where) for raw, (n, _) in unknown.items()}, fed.code)
        outcome.problems.extend(Problem("error", u.message + msgs["cli"].format(raw=u.raw), where, u.raw,
                                        "unknown_region") for u in found)
    outcome.status = "failed"
    outcome.reason = f"有 {len(unknown)} 个地区名称不在地区名录中，本文件未导入（原文件已存档）。"


def _supersede(con: duckdb.DuckDBPyConnection, batch_id: int, fact_ids: Sequence[int]) -> int:
    ids = sorted({int(i) for i in fact_ids})
    if not ids:
        return 0
    active = {r[0] for r in con.execute(
        "SELECT id FROM facts WHERE id IN (SELECT unnest(?::BIGINT[])) AND status = 'active'", [ids]).fetchall()}
    missing = [i for i in ids if i not in active]
    if missing:
        shown = "、".join(str(i) for i in missing[:10])
        raise LoadError(f"要替换的数据（编号 {shown}{'等' if len(missing) > 10 else ''}）已不是有效数据，"
                        "可能刚被其他导入替换或撤销。本次导入未写入任何内容，请刷新后重新比对再导入。",
                        item=f"facts {shown}")
    con.execute("UPDATE facts SET status = 'superseded' WHERE id IN (SELECT unnest(?::BIGINT[]))", [ids])
    con.executemany("INSERT INTO batch_superseded VALUES (?, ?)", [(batch_id, i) for i in ids])
    return len(ids)


def _batch_kind(files: list[ExtractedFile]) -> str:
    kinds = {f.kind for f in files}
    if not kinds:
        return "correction"
    return kinds.pop() if len(kinds) == 1 else "mixed"


def load_files(db_path: Path | str, files: list[ExtractedFile], *, archive_dir: Path | str,
               user: str | Actor | None = None, note: str | None = None, replace_fact_ids: Sequence[int] = (),
               accept_partial: bool = False, wait: float | None = None, confirmed_by: str | None = None,
               account: Account | None = None, checked: Mapping[str, Mapping[int, str]] | None = None,
               region_choices: Mapping[str, Choice] | None = None, new_regions_under: str | None = None,
               received_on: dt.date | None = None) -> LoadSummary:
    """Load extracted files as ONE batch, in one transaction; returns what happened per file.

    Files whose extraction reported errors are not loaded (listed as failed,
    with their Chinese problems) unless `accept_partial` (the upload page's
    explicit "import only the valid rows" choice). Files whose sha256 is held
    by an active batch are skipped. When nothing is left to write, no batch is
    created. `replace_fact_ids` are set to 'superseded' by this batch; undo
    restores them. `confirmed_by` names the person who has checked every figure
    (the demo data, a reviewed upload): unflagged facts the extractor asked to
    confirm load as confirmed by them. `checked` (file sha256 → fact index → name) marks single facts a
    person checked before loading (上传报告). Any exception rolls everything back and propagates.

    Region names the directory does not know are never made regions silently: a person's
    `region_choices` (raw name → regions.Choice: map to a region, add under a parent, leave out)
    decide, or `new_regions_under` adds every such name under that region; a file with a name
    nobody decided on fails, its message giving suggestions. Regions and aliases added here carry
    the batch, so undoing it removes them. `received_on`: when the material arrived (default today;
    报送情况 judges lateness by it).

    The batch is recorded in the audit trail (etl/audit.py) in the same transaction: who (`user`: a name
    or an Actor; `account` on the web), the files, the counts, the regions the load created. With
    `account`, a figure for a region outside its scope refuses the load (etl/scope.py).
    """
    actor = account.actor() if account is not None else actor_of(user)
    summary = LoadSummary()
    outcomes: dict[int, FileOutcome] = {}
    for i, f in enumerate(files):
        # Archive first: bytes are kept even when the file fails or is skipped.
        unread = any(p.code in UNREAD_CODES for p in f.problems)
        path = None if unread else str(archive_bytes(f.data, f.name, archive_dir, sha256=f.sha256))
        problems = list(f.problems) + _check_metrics(f)
        outcome = FileOutcome(f.name, f.sha256, f.kind, "pending", problems=problems, archive_path=path)
        if any(p.severity == "error" for p in problems) and not accept_partial:
            outcome.status, outcome.reason = "failed", _failure_reason(problems, archived=path is not None)
        outcomes[i] = outcome
        summary.files.append(outcome)

    choices = dict(region_choices or {})
    with db.transaction(db_path, wait=wait, what="导入") as con:
        held = dict(con.execute(
            "SELECT f.sha256, min(f.batch_id) FROM files f JOIN batches b ON b.id = f.batch_id "
            "WHERE b.status = 'loaded' GROUP BY f.sha256").fetchall())
        resolver = BatchResolver(con)
        todo: list[tuple[ExtractedFile, pa.Table, FileOutcome, dict[int, str]]] = []
        seen: dict[str, str] = {}
        first_years: dict[str, int | None] = {}
        for i, f in enumerate(files):
            outcome = outcomes[i]
            if outcome.status == "failed":
                continue
            if f.sha256 in held:
                outcome.status = "skipped"
                outcome.reason = f"内容与批次 {held[f.sha256]} 中已导入的文件相同，未重复导入。"
                continue
            if f.sha256 in seen:
                outcome.status = "skipped"
                outcome.reason = f"与本次的“{seen[f.sha256]}”内容完全相同，只导入一次。"
                continue
            cols = f.fact_table
            marks = dict((checked or {}).get(f.sha256, {}))  # fact index → who checked it (re-indexed below)
            unknown = _unknown_regions(cols, f, resolver)
            undecided = {raw: v for raw, v in unknown.items() if raw not in choices and not new_regions_under}
            if undecided:
                _refuse_unknown(con, outcome, undecided, f.name)
                continue
            for raw, (_, year) in unknown.items():
                if raw not in choices:
                    choices[raw] = Choice(ADD, new_regions_under)  # type: ignore[arg-type]
                years = [y for y in (first_years.get(raw), year) if y is not None]
                first_years[raw] = min(years) if years else None
            skip = [raw for raw in unknown if choices[raw].action == SKIP]
            if skip:
                keep = pc.invert(pc.is_in(raw_regions(cols, f.documents), pa.array(skip, pa.string())))
                kept = np.flatnonzero(pc.fill_null(keep, True).to_numpy(zero_copy_only=False))
                marks = {new: marks[int(old)] for new, old in enumerate(kept) if int(old) in marks}
                outcome.left_out = {raw: unknown[raw][0] for raw in skip}
                cols = cols.filter(pc.fill_null(keep, True))
            seen[f.sha256] = f.name
            todo.append((f, cols, outcome, marks))
        if not todo and not replace_fact_ids:
            return summary
        if account is not None:
            _check_scope(con, account, [f for f, _, _, _ in todo])
        summary.kind = _batch_kind([f for f, _, _, _ in todo])
        summary.batch_id = con.execute(
            "INSERT INTO batches (kind, user_name, note, received_on) VALUES (?, ?, ?, ?) RETURNING id",
            [summary.kind, actor.name, note, received_on or dt.date.today()]).fetchone()[0]
        regions_before = con.execute("SELECT coalesce(max(id), 0) FROM regions").fetchone()[0]
        try:  # the names of the files being loaded, as decided (first_years holds exactly those)
            resolver.apply({raw: choices[raw] for raw in sorted(first_years)}, summary.batch_id, first_years)
        except LookupError as exc:
            raise LoadError(f"{exc.args[0]}本次导入未写入任何内容。", item=str(exc.args[0])) from exc
        summary.regions_added = [name for (name,) in con.execute(
            "SELECT name FROM regions WHERE created_batch = ? ORDER BY id", [summary.batch_id]).fetchall()]
        dedup = DuplicateIndex(active_fingerprints(con))  # near copies among active documents
        for f, cols, outcome, marks in todo:
            try:
                write_file(con, summary.batch_id, f, cols, outcome, dedup, resolver, marks, bool(confirmed_by))
            except (duckdb.Error, pa.ArrowException) as exc:  # inside the transaction: all rolled back
                raise LoadError(f"写入“{f.name}”时数据库报错：{exc}。整批已回滚，数据库没有任何改动；"
                                "原文件已存档，请把它发给管理员检查。", item=f.name) from exc
            outcome.status = "loaded"
            if not f.ok:
                outcome.reason = "只导入了没有错误的部分（按您的选择），有错误的行未导入。"
        summary.superseded = _supersede(con, summary.batch_id, replace_fact_ids)
        if confirmed_by:
            # Figures the extractor doubted; a flagged figure (no year, a placeholder name) still needs its fix.
            con.execute("UPDATE facts SET reviewed_by = ? WHERE batch_id = ? AND needs_review AND reviewed_by IS NULL "
                        "AND len(coalesce(flags, []::VARCHAR[])) = 0", [confirmed_by, summary.batch_id])
        _record_load(con, actor, summary, regions_before, confirmed_by)
    return summary


def _check_scope(con: duckdb.DuckDBPyConnection, account: Account, files: list[ExtractedFile]) -> None:
    """Refuse the whole load when any figure is for a region outside the account's scope (names the rows)."""
    refused = [r for f in files for r in scope.split(con, account, f.facts, scope.region_of(f))[1]]
    if refused:
        shown = "；".join(f"{r.fact.source or r.fact.evidence[:20]}（{r.region}）" for r in refused[:5])
        more = f" 等 {len(refused)} 处" if len(refused) > 5 else ""
        raise LoadError(f"{refused[0].message(account)} 涉及：{shown}{more}。本次导入未写入任何内容。",
                        item=refused[0].region, code="out_of_scope")


def _record_load(con: duckdb.DuckDBPyConnection, actor: Actor, summary: LoadSummary, regions_before: int,
                 confirmed_by: str | None) -> None:
    """The batch's audit record: files, counts, regions it created, facts it replaced."""
    new_regions = [r[0] for r in con.execute("SELECT name FROM regions WHERE id > ? ORDER BY id",
                                             [regions_before]).fetchall()]
    loaded = [f for f in summary.files if f.status == "loaded"]
    after = {"files": [f.name for f in loaded], "facts": summary.facts, "documents": summary.documents,
             "superseded": summary.superseded, "new_regions": new_regions, "confirmed_by": confirmed_by}
    names = "、".join(f.name for f in loaded[:3]) + (f" 等 {len(loaded)} 个文件" if len(loaded) > 3 else "")
    text = f"导入批次 {summary.batch_id}（{KIND_ZH.get(summary.kind or '', summary.kind)}）：{names or '无文件'}，" \
           f"数据 {summary.facts:,} 条"
    if summary.superseded:
        text += f"，替换原有数据 {summary.superseded:,} 条"
    if new_regions:
        text += f"，新建地区 {'、'.join(new_regions)}"
    record(con, actor, "upload", text, batch_id=summary.batch_id, after=after)
