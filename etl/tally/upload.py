"""The upload flow behind app_pages/upload.py: prepare (archive, read, check) then commit (one batch).

Kept out of the page so it is tested without a browser and the page stays a
thin script. Nothing here holds a database connection between calls.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from etl import db
from etl.catalog import load_catalog
from etl.errors import UnionError
from etl.limits import Inspection, Refused, inspect
from etl.model import Fact, Problem
from etl.tally import Analysis
from etl.tally.layout import Table
from etl.tally.rules import by_position
from etl.tally.validate import Conflict, check_db
from etl.vocab import PERIOD_ZH, SEVERITY_ZH

ROLE_ZH = {"region": "地区", "year": "年份", "period": "期间", "metric": "指标名称（长表）", "value": "数值（长表）",
           "unit": "计量单位（长表）", "ignore": "不导入", "unknown": "不导入"}
LAYOUT_ZH = {"wide": "宽表（每个指标一列）", "long": "长表（地区、年份、指标、数值各一列）"}
_ROW = re.compile(r"^(?P<sheet>.+)![A-Z]{1,3}(?P<row>[0-9]+)$")


def choice_labels() -> dict[str, str]:
    """Every mapping choice (role or metric code) → the label shown in the page's dropdown."""
    labels = {k: v for k, v in ROLE_ZH.items() if k != "unknown"}
    labels.update({code: f"{m.name_zh}（{m.unit}）" for code, m in load_catalog().items()})
    return labels


def column_choice(role: str, metric: str | None) -> str:
    return metric if role == "figure" and metric else ("ignore" if role == "unknown" else role)


def row_of(where: str) -> tuple[str, int] | None:
    m = _ROW.match(where or "")
    return (m["sheet"], int(m["row"])) if m else None


@dataclass
class Plan:
    """One uploaded file, read and checked, waiting for the user's confirmation."""

    analysis: Analysis
    already: str | None = None  # Chinese: the same bytes are already loaded
    db_problems: list[Problem] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    same: list[Fact] = field(default_factory=list)  # already stored with the same value: not loaded again
    inspection: Inspection | None = None  # size and cells, from the look before parsing (None: refused there)

    @property
    def name(self) -> str:
        return self.analysis.extracted.name

    @property
    def tables(self) -> list[Table]:
        return self.analysis.tables

    @property
    def problems(self) -> list[Problem]:
        """The file's problems and the database's, in sheet, row, column order."""
        sheets = [g.name for g in self.analysis.book.grids] if self.analysis.book else []
        return by_position(self.analysis.problems + self.db_problems, sheets)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def readable(self) -> bool:
        """False when no table could be read at all (nothing to import, not even partly)."""
        return bool(self.analysis.tables) and bool(self.analysis.facts)

    def bad_rows(self) -> set[tuple[str, int]]:
        return {r for p in self.errors if (r := row_of(p.where)) is not None}

    def file_level_errors(self) -> list[Problem]:
        """Errors not tied to a row (a whole table unreadable): partial import still skips those tables."""
        return [p for p in self.errors if row_of(p.where) is None]

    def valid_facts(self) -> list[Fact]:
        bad = self.bad_rows()
        return [f for f in self.analysis.facts if row_of(f.source or "") not in bad]


def already_loaded(con, sha256: str) -> str | None:  # con: duckdb connection
    row = con.execute(
        "SELECT b.id, b.created_at FROM files f JOIN batches b ON b.id = f.batch_id "
        "WHERE f.sha256 = ? AND b.status = 'loaded' ORDER BY b.id LIMIT 1", [sha256]).fetchone()
    if row is None:
        return None
    return f"这个文件已于 {row[1]:%Y-%m-%d %H:%M} 导入（批次 {row[0]}），内容完全相同，无需重复导入。"


def prepare(data: bytes, name: str, *, db_path: Path | str, archive_dir: Path | str,
            mapping: dict[str, dict[str, str]] | None = None, engine: str | None = None,
            max_mb: float | None = None) -> Plan:
    """Look at the size, archive the original bytes as a preview, read and check the file, compare with the database.

    A file over a limit (etl/limits.py) is refused before it is archived or parsed; big files are
    read in a child process (etl/bounded.py).
    """
    from etl.archive import archive_preview, expire_previews
    from etl.bounded import analyze_tally
    from etl.model import ColumnarFile
    from etl.tally.store import load_mappings

    try:
        insp = inspect(data, name)
    except Refused as exc:
        ef = ColumnarFile(path=name, name=name, sha256=hashlib.sha256(data).hexdigest(), data=data, kind="tally")
        ef.problems.append(Problem("error", exc.message, name, code=exc.code))
        return Plan(Analysis(ef))
    archive_preview(data, name, archive_dir)  # before parsing: nothing a staff member sends is lost
    expire_previews(archive_dir)
    remembered = load_mappings(db_path)
    if mapping:
        remembered.update(mapping)
    plan = Plan(analyze_tally(data, name, mapping=remembered, inspection=insp, engine=engine, max_mb=max_mb),
                inspection=insp)
    if not Path(db_path).exists():
        return plan
    with db.connect(db_path, read_only=True) as con:
        plan.already = already_loaded(con, plan.analysis.extracted.sha256)
        if plan.analysis.facts:
            plan.db_problems, plan.conflicts, plan.same = check_db(con, plan.analysis.facts,
                                                                   plan.analysis.region_cells)
    return plan


class UploadRefused(UnionError):
    """The plan cannot be committed as asked; the message says why, in Chinese, and names the file."""


def commit(plan: Plan, *, db_path: Path | str, archive_dir: Path | str, replace: Iterable[int] = (),
           partial: bool = False, user: str | None = None):  # -> etl.load.LoadSummary
    """Load the plan as one batch. Conflicts not listed in `replace` keep the stored value (new figure dropped)."""
    from etl.load import load_files

    if plan.already:
        raise UploadRefused(plan.already, item=plan.name)
    if plan.errors and not partial:
        raise UploadRefused(f"“{plan.name}”有 {len(plan.errors)} 处错误，不能导入。"
                            "请修改后重新上传，或选择“只导入没有错误的行”。", item=plan.name)
    replace = {int(i) for i in replace}
    facts = plan.valid_facts() if partial else list(plan.analysis.facts)
    drop = {id(c.new) for c in plan.conflicts if c.fact_id not in replace} | {id(f) for f in plan.same}
    facts = [f for f in facts if id(f) not in drop]
    chosen = {id(f) for f in facts}
    replace_ids = sorted({c.fact_id for c in plan.conflicts if c.fact_id in replace and id(c.new) in chosen})
    if not facts:
        why = ("每一行都有错误。" if partial and plan.errors
               else "表中的数据与数据库中已有的完全相同，或都选择了保留原值。")
        raise UploadRefused(f"“{plan.name}”没有需要导入的新数据：{why}", item=plan.name)
    ef = dataclasses.replace(plan.analysis.extracted, facts=facts)
    note = f"统计表上传：{plan.name}" + ("（部分导入）" if partial and plan.errors else "")
    return load_files(db_path, [ef], archive_dir=archive_dir, user=user, note=note,
                      replace_fact_ids=replace_ids, accept_partial=partial)


# Rows for the page's tables (plain dicts: the page turns them into DataFrames).

def mapping_rows(table: Table) -> list[dict[str, str]]:
    """One row per column: letter, header, what it was read as, whether the guess needs a look."""
    labels = choice_labels()
    return [{"列": c.letter, "表头": c.header, "识别为": labels[column_choice(c.role, c.metric)],
             "需确认": "" if c.exact or c.role == "unknown" else "请确认"} for c in table.columns]


def changed_choices(table: Table, chosen_labels: list[str]) -> dict[str, str]:
    """Column letter → new choice code, for the columns whose dropdown the user changed."""
    by_label = {v: k for k, v in choice_labels().items()}
    return {row["列"]: by_label[new] for row, new in zip(mapping_rows(table), chosen_labels, strict=True)
            if new != row["识别为"]}


def problem_rows(plan: Plan, limit: int | None = None) -> list[dict[str, str | None]]:
    return [{"级别": SEVERITY_ZH[p.severity], "位置": p.where, "单元格内容": p.value, "问题说明": p.message}
            for p in plan.problems[:limit]]


def conflict_rows(plan: Plan) -> list[dict[str, object]]:
    cat = load_catalog()
    return [{"地区": c.new.region, "年份": c.new.year, "期间": PERIOD_ZH.get(c.new.period or "", ""),
             "指标": cat[c.new.metric].name_zh, "数据库中": c.old_value, "来源": c.old_source,
             "本表": c.new.value, "本表单元格": c.new.source, "用本表替换": False} for c in plan.conflicts]
