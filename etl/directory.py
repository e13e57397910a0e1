"""The federation's directory: the tree of units that report to it, and every change to it.

The directory is the regions table as a tree: the federation's area (see
etl/federation.py), its towns and streets (乡镇街道) with their official
codes, their villages, enterprises and sector unions under a town or directly
under the area (直属), each with aliases and the years it exists; a rename or
a merge (A镇 + B镇 → C镇 in 2021) ends the old regions (last_year) and names
the successor, so trend charts follow it.

Three ways in, one path (`plan` then `apply`):
- the national table and a CSV the towns' own changes are kept in, both read
  into `Entry` lists by etl/directory_sources.py;
- the set-up, which also writes the federation row (`setup`).

A change to the directory is a batch of kind 'directory': regions it adds
carry the batch (created_batch), aliases too, and the rows it changes are
saved in region_history, so undoing the batch (etl/batches.py → `undo`)
puts the directory back as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import db
from etl.audit import Actor, actor_of, record
from etl.errors import UnionError
from etl.federation import Federation, current, federation_levels
from etl.region_names import LEVELS, canonical_name, infer_level

# CSV header → Entry field. Export writes these headers; import reads them (order free, extra columns ignored).
CSV_COLUMNS = {"名称": "name", "层级": "level", "上级": "parent", "行政区划代码": "code", "别名": "aliases",
               "起始年份": "first_year", "终止年份": "last_year", "更名或并入为": "successor"}


class DirectoryError(UnionError):
    """The directory cannot be changed as asked; the message lists every problem, in Chinese, with its row."""


# ---- entries: one row of the directory, as a person or the national table states it ---------------------------------

@dataclass(frozen=True)
class Entry:
    """One unit of the directory as a person or the national table states it (names, not ids)."""

    name: str
    level: str
    parent: str | None = None
    code: str | None = None
    aliases: tuple[str, ...] = ()
    first_year: int | None = None
    last_year: int | None = None
    successor: str | None = None
    row: int = 0  # the CSV row it came from (for messages); 0 when not from a file


def field_label(key: str) -> str:
    """The CSV header (and preview label) of an Entry field: parent → 上级."""
    return {v: k for k, v in CSV_COLUMNS.items()}[key]


def rows(con: duckdb.DuckDBPyConnection) -> list[Entry]:
    """The directory as entries, parents before children (for export and display)."""
    got = con.execute(
        """
        WITH RECURSIVE tree(id, depth, sort_key) AS (
            SELECT id, 0, [name] FROM regions WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM regions)
            UNION ALL  -- siblings by official code (the statistics bureau's order), units without one after them
            SELECT r.id, t.depth + 1, list_append(t.sort_key, coalesce(r.code, '~' || r.name))
            FROM regions r JOIN tree t ON r.parent_id = t.id
        )
        SELECT r.name, r.level, p.name, r.code,
               coalesce((SELECT list(a.alias ORDER BY a.alias) FROM region_aliases a WHERE a.region_id = r.id), []),
               r.first_year, r.last_year, s.name
        FROM tree t JOIN regions r ON r.id = t.id
        LEFT JOIN regions p ON p.id = r.parent_id LEFT JOIN regions s ON s.id = r.successor_id
        ORDER BY t.sort_key
        """).fetchall()
    return [Entry(n, lv or "其他", p, c, tuple(a), fy, ly, s) for n, lv, p, c, a, fy, ly, s in got]


# ---- plan and apply: every change to the directory goes this way ------------------------------------------------

@dataclass
class Change:
    """What applying one entry does: add a region, change one (field → (before, after)), or nothing."""

    entry: Entry
    kind: str  # 'add' | 'change' | 'same'
    fields: dict[str, tuple] = field(default_factory=dict)
    new_aliases: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """In Chinese, for the page's preview: 新增 / 修改：层级 其他 → 乡镇街道 / 不变."""
        if self.kind == "add":
            return "新增"
        parts = [f"{field_label(k)} {_shown(a)} → {_shown(b)}" for k, (a, b) in self.fields.items()]
        if self.new_aliases:
            parts.append(f"新增别名 {'、'.join(self.new_aliases)}")
        return "修改：" + "；".join(parts) if parts else "不变"


def _shown(v: object) -> str:
    return "（空）" if v in (None, "") else str(v)


@dataclass
class Plan:
    changes: list[Change]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def added(self) -> int:
        return sum(c.kind == "add" for c in self.changes)

    @property
    def changed(self) -> int:
        return sum(c.kind == "change" for c in self.changes)


_FIELDS = ("level", "parent", "code", "first_year", "last_year", "successor")


def plan(con: duckdb.DuckDBPyConnection, entries: Sequence[Entry], root: str | None = None) -> Plan:
    """Check entries against the directory and each other; say what applying them would do.

    `root`: the area a set-up makes the federation's (the one entry allowed to have no parent); otherwise
    the configured federation's area. A unit without a parent would be a new top-level region, and the
    directory has one top: the federation's area.
    """
    fed = current(con)
    root = root or (fed.region if fed else None)
    held = {r.name: r for r in rows(con)}
    names = {e.name for e in entries}
    owner = {a: r.name for r in held.values() for a in r.aliases}
    problems: list[str] = []
    seen: dict[str, int] = {}
    for e in entries:
        where = f"第{e.row}行" if e.row else f"“{e.name}”"
        if e.name in seen:
            problems.append(f"{where}：名称“{e.name}”在表中重复（另见第{seen[e.name]}行）。")
        seen[e.name] = e.row
        if e.level not in LEVELS:
            problems.append(f"{where}：层级“{e.level}”不认识（可用：{'、'.join(LEVELS)}）。")
        if e.parent is None and e.name != root:
            problems.append(f"{where}：“{e.name}”没有上级。名录只有一个顶层，即本会辖区"
                            f"{'“' + root + '”' if root else ''}；请填写它的上级。")
        if e.parent is not None and e.parent not in held and e.parent not in names:
            problems.append(f"{where}：上级“{e.parent}”不在名录中，也不在本表中。")
        if e.successor is not None and e.successor not in held and e.successor not in names:
            problems.append(f"{where}：更名或并入为“{e.successor}”，但它不在名录中，也不在本表中。")
        if e.successor is not None and e.last_year is None:
            problems.append(f"{where}：填写了“更名或并入为”，也须填写终止年份（最后一年以旧名称报送的年份）。")
        if e.first_year and e.last_year and e.last_year < e.first_year:
            problems.append(f"{where}：终止年份 {e.last_year} 早于起始年份 {e.first_year}。")
        for a in e.aliases:
            other = owner.get(a) or (a if a in held or a in names else None)
            if other is not None and other != e.name:
                problems.append(f"{where}：别名“{a}”已是“{other}”的名称或别名。")
    parent_of = {**{n: r.parent for n, r in held.items()}, **{e.name: e.parent for e in entries}}
    for e in entries:
        chain, p = [e.name], e.parent
        while p is not None:
            if p in chain:
                problems.append(f"“{e.name}”的上级关系形成循环：{' → '.join([*chain, p])}。")
                break
            chain.append(p)
            p = parent_of.get(p)
    changes = []
    for e in entries:
        old = held.get(e.name)
        if old is None:
            changes.append(Change(e, "add", new_aliases=e.aliases))
            continue
        diff = {k: (getattr(old, k), getattr(e, k)) for k in _FIELDS if getattr(old, k) != getattr(e, k)}
        new_aliases = tuple(a for a in e.aliases if a not in old.aliases)
        changes.append(Change(e, "change" if diff or new_aliases else "same", diff, new_aliases))
    return Plan(changes, problems)


@dataclass(frozen=True)
class ApplySummary:
    batch_id: int | None
    added: int
    changed: int

    @property
    def text(self) -> str:
        if self.batch_id is None:
            return "名录没有变化。"
        return (f"已更新地区名录（批次 {self.batch_id}）：新增 {self.added} 个地区，修改 {self.changed} 个。"
                "在“导入记录”页可撤销。")


def apply(path: Path | str, entries: Sequence[Entry], *, user: str | Actor | None = None, note: str | None = None,
          wait: float | None = None) -> ApplySummary:
    """Apply entries to the directory as one undoable batch; DirectoryError (nothing changed) when `plan` objects."""
    with db.transaction(path, wait=wait) as con:
        return _apply(con, entries, user=user, note=note)


def _apply(con: duckdb.DuckDBPyConnection, entries: Sequence[Entry], *, user: str | Actor | None, note: str | None,
           root: str | None = None, as_batch: bool = True) -> ApplySummary:
    p = plan(con, entries, root)
    if not p.ok:
        raise DirectoryError("名录有问题，未做任何修改：\n" + "\n".join(p.problems))
    todo = [c for c in p.changes if c.kind != "same"]
    if not todo:
        return ApplySummary(None, 0, 0)
    batch = None
    if as_batch:
        batch = con.execute("INSERT INTO batches (kind, user_name, note) VALUES ('directory', ?, ?) RETURNING id",
                            [actor_of(user).name, note or "地区名录"]).fetchone()[0]
    ids = dict(con.execute("SELECT name, id FROM regions").fetchall())
    for c in todo:
        e = c.entry
        if c.kind == "add":
            ids[e.name] = con.execute(
                "INSERT INTO regions (name, level, code, first_year, last_year, created_batch) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                [e.name, e.level, e.code, e.first_year, e.last_year, batch]).fetchone()[0]
        elif batch is not None:
            con.execute("INSERT INTO region_history SELECT ?, id, name, level, parent_id, code, first_year, last_year, "
                        "successor_id FROM regions WHERE id = ? ON CONFLICT DO NOTHING", [batch, ids[e.name]])
    for c in todo:
        e = c.entry
        con.execute("UPDATE regions SET level = ?, parent_id = ?, code = ?, first_year = ?, last_year = ?, "
                    "successor_id = ? WHERE id = ?",
                    [e.level, ids.get(e.parent) if e.parent else None, e.code, e.first_year, e.last_year,
                     ids.get(e.successor) if e.successor else None, ids[e.name]])
        for a in c.new_aliases:
            con.execute("INSERT INTO region_aliases (alias, region_id, batch_id) VALUES (?, ?, ?)",
                        [a, ids[e.name], batch])
    done = ApplySummary(batch if batch is not None else 0, p.added, p.changed)
    if batch is not None:  # the set-up records itself as a whole (see `setup`)
        record(con, actor_of(user), "directory", done.text, batch_id=batch,
               after={c.entry.name: c.text for c in todo})
    return done


def setup(path: Path | str, *, name: str, area: str, level: str | None = None, entries: Sequence[Entry] = (),
          since: dt.date | None = None, user: str | Actor | None = None, wait: float | None = None) -> Federation:
    """Configure the federation: its name, its area (a region of `entries` or of the directory) and the entries.

    One transaction. The directory rows of a set-up are not a batch (they are the ground everything else
    stands on; change them later by CSV, which is undoable); running the set-up again renames the federation,
    moves `since` and adds what `entries` add. `level` defaults to the area's.
    """
    name = name.strip()
    if not name:
        raise DirectoryError("请填写本会名称，例如“青禾区总工会”。")
    area = canonical_name(area)
    with db.transaction(path, wait=wait) as con:
        _apply(con, entries, user=user, note="设置本会", root=area, as_batch=False)
        row = con.execute("SELECT id, level, parent_id FROM regions WHERE name = ?", [area]).fetchone()
        if row is None:
            raise DirectoryError(f"地区名录中没有“{area}”：请从全国区划表选择辖区，或在名录文件中列出它。", item=area)
        if row[2] is not None:
            raise DirectoryError(f"“{area}”在名录中有上级，不能作为本会辖区（辖区是名录的顶层）。", item=area)
        level = level or row[1] or infer_level(area)
        if level not in federation_levels():
            raise DirectoryError(f"本会层级“{level}”不认识（可用：{'、'.join(federation_levels())}）。", item=level)
        con.execute("UPDATE regions SET level = ? WHERE id = ?", [level, row[0]])
        con.execute(
            "INSERT INTO federation (id, name, level, region_id, since, configured_by) VALUES (1, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, level = excluded.level, "
            "region_id = excluded.region_id, since = excluded.since, configured_at = now(), "
            "configured_by = excluded.configured_by",
            [name, level, row[0], since or dt.date.today(), actor_of(user).name])
        fed = current(con)  # who set it up and when: the federation row itself (configured_by, configured_at)
    assert fed is not None
    return fed


# ---- undo (etl/batches.undo_batch calls this inside its transaction) ---------------------------------------------

def undo(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """Remove the regions and aliases a batch added and put back the regions it changed; returns regions removed.

    Refuses (DirectoryError, nothing changed by the caller's rollback) when a region the batch added is used
    by facts of another batch or by regions added later: those must be undone first.
    """
    created = [r[0] for r in con.execute("SELECT id FROM regions WHERE created_batch = ?", [batch_id]).fetchall()]
    if created:
        used = con.execute(
            """
            SELECT r.name, min(f.batch_id) FROM facts f JOIN regions r ON r.id = f.region_id
            WHERE f.region_id IN (SELECT unnest(?::INTEGER[])) AND f.batch_id <> ?
              AND f.batch_id IN (SELECT id FROM batches WHERE status = 'loaded')
            GROUP BY r.name ORDER BY r.name
            """, [created, batch_id]).fetchall()
        used += con.execute(
            "SELECT p.name, c.created_batch FROM regions c JOIN regions p ON p.id = c.parent_id "
            "WHERE c.parent_id IN (SELECT unnest(?::INTEGER[])) AND coalesce(c.created_batch, -1) <> ?",
            [created, batch_id]).fetchall()
        if used:
            shown = "；".join(f"“{n}”（批次 {b}）" if b else f"“{n}”（名录）" for n, b in used)
            raise DirectoryError(f"批次 {batch_id} 新建的地区仍被使用：{shown}。请先撤销使用它们的批次，再撤销本批次。",
                                 item=f"batch {batch_id}")
    con.execute("DELETE FROM region_aliases WHERE batch_id = ?", [batch_id])
    if created:
        con.execute("DELETE FROM region_aliases WHERE region_id IN (SELECT unnest(?::INTEGER[]))", [created])
        con.execute("UPDATE regions SET successor_id = NULL WHERE successor_id IN (SELECT unnest(?::INTEGER[]))",
                    [created])
        con.execute("DELETE FROM reporting_exemptions WHERE region_id IN (SELECT unnest(?::INTEGER[]))", [created])
    for rid, level, parent, code, fy, ly, succ in con.execute(  # a batch never renames: the name is the key
            "SELECT region_id, level, parent_id, code, first_year, last_year, successor_id FROM region_history "
            "WHERE batch_id = ?", [batch_id]).fetchall():
        con.execute("UPDATE regions SET level = ?, parent_id = ?, code = ?, first_year = ?, last_year = ?, "
                    "successor_id = ? WHERE id = ?", [level, parent, code, fy, ly, succ, rid])
    con.execute("DELETE FROM region_history WHERE batch_id = ?", [batch_id])
    if created:
        con.execute("DELETE FROM regions WHERE id IN (SELECT unnest(?::INTEGER[]))", [created])
    return len(created)
