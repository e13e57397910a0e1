"""The upload flow behind app_pages/upload.py: prepare (archive, read, check) then commit (one batch).

Kept out of the page so it is tested without a browser and the page stays a
thin script. Nothing here holds a database connection between calls.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from etl import db, scope
from etl.accounts import Account
from etl.audit import Actor
from etl.catalog import load_catalog
from etl.errors import UnionError
from etl.limits import Inspection, Refused, inspect
from etl.model import Fact, Problem
from etl.regions import Choice
from etl.tally import Analysis
from etl.tally.layout import Table
from etl.tally.rules import by_position, messages, problem
from etl.tally.validate import Conflict, UnknownRegion, check_db, unknown_regions
from etl.unknown_regions import Unknown, find_unknown
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
    unknown: list[UnknownRegion] = field(default_factory=list)  # names the directory does not know
    renamed: dict[str, str] = field(default_factory=dict)  # names the person corrected (白莎镇 → 白沙镇)
    kept: frozenset[str] = frozenset()  # unknown names the person said are no typo
    # Unknown names that are no (pending) typo, with suggestions and places of other counties: each needs a
    # person's choice (etl.regions.Choice) before the load; none becomes a region by itself.
    outside: list[Unknown] = field(default_factory=list)

    @property
    def typos(self) -> list[UnknownRegion]:
        """Unknown names close to a known region, not yet corrected or kept: they block the load."""
        return [u for u in self.unknown if u.near and u.name not in self.kept]

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
        """The facts a partial load takes: none of a row with an error, none of a town taken for a typo."""
        bad = self.bad_rows()
        typos = {u.name for u in self.typos}
        return [f for f in self.analysis.facts if row_of(f.source or "") not in bad and f.region not in typos]


def already_loaded(con, sha256: str) -> str | None:  # con: duckdb connection
    row = con.execute(
        "SELECT b.id, b.created_at FROM files f JOIN batches b ON b.id = f.batch_id "
        "WHERE f.sha256 = ? AND b.status = 'loaded' ORDER BY b.id LIMIT 1", [sha256]).fetchone()
    if row is None:
        return None
    return f"这个文件已于 {row[1]:%Y-%m-%d %H:%M} 导入（批次 {row[0]}），内容完全相同，无需重复导入。"


def prepare(data: bytes, name: str, *, db_path: Path | str, archive_dir: Path | str,
            mapping: dict[str, dict[str, str]] | None = None, engine: str | None = None,
            max_mb: float | None = None, regions: dict[str, str] | None = None,
            keep_regions: Collection[str] = (), account: Account | None = None) -> Plan:
    """Look at the size, archive the original bytes as a preview, read and check the file, compare with the database.

    A file over a limit (etl/limits.py) is refused before it is archived or parsed; big files are
    read in a child process (etl/bounded.py).
    `mapping`: column choices (table key → letter → choice), over the remembered ones letter by letter.
    `regions`: region names the person corrected; `keep_regions`: unknown names they said are no typo.
    With `account`, rows for regions outside its scope are errors naming the row (etl/scope.py).
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
    remembered = merge_mappings(load_mappings(db_path), mapping or {})
    plan = Plan(analyze_tally(data, name, mapping=remembered, inspection=insp, engine=engine, max_mb=max_mb,
                              regions=regions),
                renamed=dict(regions or {}), kept=frozenset(keep_regions), inspection=insp)
    if not Path(db_path).exists():
        return plan
    with db.connect(db_path, read_only=True) as con:
        plan.already = already_loaded(con, plan.analysis.extracted.sha256)
        if plan.analysis.facts:
            plan.unknown = unknown_regions(con, plan.analysis.facts, plan.analysis.region_cells)
            plan.db_problems, plan.conflicts, plan.same = check_db(con, plan.analysis.facts,
                                                                   plan.analysis.region_cells, plan.kept)
            typos = {u.name for u in plan.typos}
            plan.outside = find_unknown(con, Counter(f.region for f in plan.analysis.facts
                                                     if f.region in {u.name for u in plan.unknown} - typos),
                                        plan.analysis.region_cells)
            if account is not None:
                plan.db_problems += scope_problems(con, account, plan)
    return plan


def scope_problems(con, account: Account, plan: Plan) -> list[Problem]:  # con: duckdb connection
    """One error per row whose region the account may not load (the row's region cell when known)."""
    _, refused = scope.split(con, account, plan.analysis.facts)
    out: dict[tuple[str, int] | str, Problem] = {}
    msg = messages()["out_of_scope"]
    for r in refused:
        at = row_of(r.fact.source or "")
        key = at or (r.fact.source or r.region)
        if key in out:
            continue
        cell = plan.analysis.region_cells.get(r.fact.region or "", "")
        where = cell if cell and row_of(cell) == at else (r.fact.source or "")
        out[key] = problem("out_of_scope", where, r.region, row=at[1] if at else "?", region=r.region,
                           scope=account.scope.text(), why=msg.extra["known" if r.known else "unknown"])
    return list(out.values())


def merge_mappings(base: dict[str, dict[str, str]], edits: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Column choices of `edits` over `base`, table by table and column by column (an edit of one column never
    drops the remembered choice of another)."""
    out = {key: dict(cols) for key, cols in base.items()}
    for key, cols in edits.items():
        out[key] = {**out.get(key, {}), **cols}
    return out


class UploadRefused(UnionError):
    """The plan cannot be committed as asked; the message says why, in Chinese, and names the file."""


@dataclass
class Selection:
    """What a load of the plan writes and what it leaves out, and why (the summary says each number)."""

    facts: list[Fact]  # to load
    replace_ids: list[int]  # stored facts the new figures replace
    same: int = 0  # equal to a stored figure: not loaded again
    kept_stored: int = 0  # differ from a stored figure, whose value the person kept
    left_out: int = 0  # on a row with an error, or of a town taken for a typo (a partial load)


def select(plan: Plan, replace: Iterable[int] = (), partial: bool = False) -> Selection:
    """The facts a load of the plan writes. Conflicts not listed in `replace` keep the stored value."""
    replace = {int(i) for i in replace}
    facts = plan.valid_facts() if partial else list(plan.analysis.facts)
    left_out = len(plan.analysis.facts) - len(facts)
    same = {id(f) for f in plan.same}
    kept = {id(c.new) for c in plan.conflicts if c.fact_id not in replace} - same
    chosen = [f for f in facts if id(f) not in same and id(f) not in kept]
    ids = {id(f) for f in chosen}
    replace_ids = sorted({c.fact_id for c in plan.conflicts if c.fact_id in replace and id(c.new) in ids})
    return Selection(chosen, replace_ids, sum(1 for f in facts if id(f) in same),
                     sum(1 for f in facts if id(f) in kept), left_out)


def commit(plan: Plan, *, db_path: Path | str, archive_dir: Path | str, replace: Iterable[int] = (),
           partial: bool = False, user: str | Actor | None = None, account: Account | None = None,
           region_choices: Mapping[str, Choice] | None = None,
           received_on: dt.date | None = None):  # -> etl.load.LoadSummary
    """Load the plan as one batch. Conflicts not listed in `replace` keep the stored value (new figure dropped).

    With `account` (the web), the batch is recorded as theirs, and a figure outside their scope
    still in the chosen rows refuses the whole load (the page drops those rows as errors first).
    `region_choices`: for every name of `plan.outside`, what the person chose (etl.regions.Choice: map to
    an existing region, add as a new child of one, leave its rows out); without a choice for each, the
    upload is refused: a name the directory lacks never becomes a region by itself.
    """
    from etl.load import load_files

    if account is not None:
        user = account.actor()
    if plan.already:
        raise UploadRefused(plan.already, item=plan.name)
    choices = dict(region_choices or {})
    undecided = [u.raw for u in plan.outside if u.raw not in choices]
    if undecided:
        raise UploadRefused(f"“{plan.name}”中的地区 {'、'.join(undecided)} 不在地区名录中。请先为每个名称选择："
                            "改为名录中的地区、作为新地区加入某个上级之下，或不导入这些行。", item=plan.name)
    if plan.errors and not partial:
        raise UploadRefused(f"“{plan.name}”有 {len(plan.errors)} 处错误，不能导入。"
                            "请修改后重新上传，或选择“只导入没有错误的行”。", item=plan.name)
    chosen = select(plan, replace, partial)
    if not chosen.facts:
        why = ("每一行都有错误。" if partial and plan.errors
               else "表中的数据与数据库中已有的完全相同，或都选择了保留原值。")
        raise UploadRefused(f"“{plan.name}”没有需要导入的新数据：{why}", item=plan.name)
    ef = dataclasses.replace(plan.analysis.extracted, facts=chosen.facts)
    note = f"统计表上传：{plan.name}" + ("（部分导入）" if partial and plan.errors else "")
    if plan.renamed:
        note += "；地区更正：" + "、".join(f"{a}→{b}" for a, b in plan.renamed.items())
    return load_files(db_path, [ef], archive_dir=archive_dir, user=user, note=note,
                      replace_fact_ids=chosen.replace_ids, accept_partial=partial, account=account,
                      region_choices=choices, received_on=received_on)


def done_text(plan: Plan, chosen: Selection, summary) -> str:  # summary: etl.load.LoadSummary
    """What the load did, for the page: every figure the file held is accounted for, in words, without the
    command line's vocabulary."""
    found = len(plan.analysis.facts)
    out = [f"已导入批次 {summary.batch_id}：写入 {summary.facts} 条数据。"]
    parts = []
    if chosen.same:
        parts.append(f"{chosen.same} 条与数据库中已有的数值相同，未重复导入")
    if chosen.kept_stored:
        parts.append(f"{chosen.kept_stored} 条与数据库中不同，按您的选择保留了原值")
    if chosen.left_out:
        parts.append(f"{chosen.left_out} 条所在的行有错误，未导入")
    if summary.superseded:
        parts.append(f"替换了数据库中 {summary.superseded} 条原值（撤销本批次即可恢复）")
    if parts:
        out.append(f"表中识别出 {found} 条：" + "；".join(parts) + "。")
    if plan.renamed:
        out.append("地区更正：" + "、".join(f"“{a}”改为“{b}”" for a, b in plan.renamed.items()) + "。")
    if summary.regions_added:
        out.append(f"新增地区：{'、'.join(summary.regions_added)}（已加入地区名录，撤销本批次即删除）。")
    left = {name: n for f in summary.files for name, n in f.left_out.items()}
    if left:
        out.append("按您的选择未导入：" + "、".join(f"“{name}”的 {n} 条" for name, n in left.items()) + "。")
    if plan.warnings:
        out.append(f"另有 {len(plan.warnings)} 条提醒（不阻止导入）。")
    return "".join(out)


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


_CJK = r"[\u3000-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})[ ]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])[ ]+(?={_CJK})")


def tight(text: str) -> str:
    """Chinese set without the spaces around Latin letters and digits (第 D 列 → 第D列): the table wraps at
    spaces, so one early space left "第 D" alone on the first line of every column message."""
    return _CJK_SPACE.sub("", text)


def problem_rows(plan: Plan, limit: int | None = None) -> list[dict[str, str | None]]:
    """Every problem (or the first `limit`) in sheet, row, column order (Plan.problems), its message in full."""
    return [{"级别": SEVERITY_ZH[p.severity], "位置": p.where, "单元格内容": p.value, "问题说明": tight(p.message)}
            for p in plan.problems[:limit]]


def conflict_rows(plan: Plan) -> list[dict[str, object]]:
    cat = load_catalog()
    return [{"地区": c.new.region, "年份": c.new.year, "期间": PERIOD_ZH.get(c.new.period or "", ""),
             "指标": cat[c.new.metric].name_zh, "数据库中": c.old_value, "来源": c.old_source,
             "本表": c.new.value, "本表单元格": c.new.source, "用本表替换": False} for c in plan.conflicts]
