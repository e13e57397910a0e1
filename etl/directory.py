"""The federation and its directory: whose database this is, and the tree of units that report to it.

A federation (区/县/市总工会) is configured once, by the first-run set-up on
the 地区名录 page or `python -m etl setup`: its name (titles of pages, the
deck's cover and file names use it, never whatever regions happen to exist),
the level of its area, and its directory. The directory is the regions table
as a tree: the area, its towns and streets (乡镇街道) with their official
codes, their villages, enterprises and sector unions under a town or directly
under the area (直属), each with aliases and the years it exists; a rename or
a merge (A镇 + B镇 → C镇 in 2021) ends the old regions (last_year) and names
the successor, so trend charts follow it.

Three ways in, one path (`plan` then `apply`):
- the national table (etl/divisions.py): a county and its townships with
  their 12-digit codes in one step (`from_divisions`);
- a CSV the towns' own changes are kept in (`read_csv` / `write_csv`, the
  columns in CSV_COLUMNS, Chinese headers);
- the set-up, which also writes the federation row (`setup`).

A change to the directory is a batch of kind 'directory': regions it adds
carry the batch (created_batch), aliases too, and the rows it changes are
saved in region_history, so undoing the batch (etl/batches.py → `undo`)
puts the directory back as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from etl import db
from etl.audit import Actor, actor_of, record
from etl.errors import UnionError
from etl.regions import LEVELS, canonical_name, code_key, directory_rules, infer_level

# CSV header → Entry field. Export writes these headers; import reads them (order free, extra columns ignored).
CSV_COLUMNS = {"名称": "name", "层级": "level", "上级": "parent", "行政区划代码": "code", "别名": "aliases",
               "起始年份": "first_year", "终止年份": "last_year", "更名或并入为": "successor"}
DIVISION_LEVEL = {"province": "省", "city": "地市", "county": "区县", "township": "乡镇街道"}


class DirectoryError(UnionError):
    """The directory cannot be changed as asked; the message lists every problem, in Chinese, with its row."""


@dataclass(frozen=True)
class Federation:
    """The federation this database belongs to."""

    name: str  # 青禾区总工会
    level: str  # the level of its area: 地市 | 区县 | 乡镇街道
    region_id: int  # its area, the root of the directory
    region: str  # 青禾区
    code: str | None  # the area's official code (12 digits)
    since: dt.date  # deadlines from this day on are tracked

    @property
    def count_word(self) -> str:
        """What its reporting units are called: 8/8镇街."""
        return count_word(self.level)


def count_word(level: str | None) -> str:
    words = directory_rules()["count_word"]
    return words.get(level or "", words["default"])


def federation_levels() -> dict[str, str]:
    """Level → the name of such a federation (区县 → 区（县）总工会), for the set-up form."""
    return dict(directory_rules()["federation_levels"])


def current(con: duckdb.DuckDBPyConnection) -> Federation | None:
    """The configured federation of an open database, or None before the set-up."""
    row = con.execute("SELECT f.name, f.level, f.region_id, r.name, r.code, f.since FROM federation f "
                      "JOIN regions r ON r.id = f.region_id").fetchone()
    return None if row is None else Federation(row[0], row[1], int(row[2]), row[3], row[4], row[5])


def federation(path: Path | str, name: str | None = None, wait: float | None = None) -> Federation | None:
    """The configured federation of the database at `path` (None when there is no database or no set-up).

    `name`: the settings' `federation` (UNION_FEDERATION), which, when given, is the name titles use.
    """
    if not Path(path).exists():
        return None
    with db.connect(path, read_only=True, wait=wait) as con:
        return named(current(con), name)


def named(fed: Federation | None, name: str | None) -> Federation | None:
    """The federation under the name the settings give it, if they give one."""
    return replace(fed, name=name) if fed is not None and name else fed


# ---- entries: one row of the directory, from the national table or a CSV -------------------------------------

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


def find_areas(text: str, limit: int = 20) -> list:
    """Counties and cities of the national table whose name or code matches `text` (the set-up's search).

    '远安' → 远安县; '420525' → 远安县; '东城区' → 北京市东城区. Returns etl.divisions.Division rows.
    """
    from etl.divisions import by_code, divisions, stem

    text = text.strip()
    if not text:
        return []
    if text.isdigit():
        d = by_code().get(text[:6]) or by_code().get(text[:4])
        return [d] if d and d.level in ("county", "city") else []
    hits = [d for d in divisions() if d.level in ("county", "city")
            and (d.name == text or stem(d.name) == text or text in d.name)]
    hits.sort(key=lambda d: (d.name != text and stem(d.name) != text, d.level != "county", d.code))
    return hits[:limit]


def area_label(d) -> str:
    """'湖北省宜昌市远安县（420525）': a national-table unit with the units above it."""
    from etl.divisions import by_code

    chain, code = [d.name], d.parent
    while code:
        up = by_code().get(code)
        if up is None:
            break
        if up.name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            chain.insert(0, up.name)
        code = up.parent
    return f"{''.join(chain)}（{d.code}）"


def from_divisions(area: str) -> list[Entry]:
    """The area (a county or city: name, short name or code) and its units one level down, with their codes.

    A county gets its townships (乡镇街道), a city its counties: a federation picks its area and has its
    towns in one step. Raises DirectoryError when the name fits no area or several (the message lists them).
    """
    from etl.divisions import children

    hits = find_areas(area)
    exact = [d for d in hits if d.name == area or d.code == area]
    if len(exact) == 1:
        hits = exact
    if not hits:
        raise DirectoryError(f"全国区划表（2023年）中找不到“{area}”。请输入区县或地级市的名称或 6 位代码，"
                             "例如“远安县”或“420525”。", item=area)
    if len(hits) > 1:
        shown = "；".join(area_label(d) for d in hits[:8])
        raise DirectoryError(f"“{area}”对应多个地区：{shown}{'等' if len(hits) > 8 else ''}。请输入完整名称或代码。",
                             item=area)
    (d,) = hits
    root = Entry(d.name, DIVISION_LEVEL[d.level], None, d.stat_code)
    return [root, *(Entry(c.name, DIVISION_LEVEL[c.level], d.name, c.stat_code) for c in children(d.code))]


def read_csv(data: bytes) -> list[Entry]:
    """Entries of a directory CSV (UTF-8, with or without BOM, or GBK as Excel saves it).

    Raises DirectoryError listing every malformed row (the rest of the checks are `plan`'s).
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DirectoryError("名录文件无法读取：请另存为 CSV（UTF-8 或 GBK 编码）。")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if "名称" not in header:
        raise DirectoryError(f"名录文件第一行应为表头，至少包含“名称”列（可用列：{'、'.join(CSV_COLUMNS)}）。")
    col = {CSV_COLUMNS[h]: i for i, h in enumerate(header) if h in CSV_COLUMNS}
    entries, problems = [], []
    for n, cells in enumerate(reader, start=2):
        def get(key: str, cells: list[str] = cells) -> str:
            i = col.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        if not any(c.strip() for c in cells):
            continue
        name = canonical_name(get("name"))
        if not name:
            problems.append(f"第{n}行：缺少名称。")
            continue
        years = {}
        for key in ("first_year", "last_year"):
            raw = get(key).removesuffix("年")
            if raw and not (raw.isdigit() and len(raw) == 4):
                problems.append(f"第{n}行：{_zh(key)}“{get(key)}”应为四位年份，如 2021。")
            years[key] = int(raw) if raw.isdigit() and len(raw) == 4 else None
        code = get("code")
        if code and code_key(code) is None:
            problems.append(f"第{n}行：行政区划代码“{code}”应为 6、9 或 12 位数字。")
        entries.append(Entry(
            name=name, level=get("level") or infer_level(name), parent=canonical_name(get("parent")) or None,
            code=code_key(code), aliases=tuple(a.strip() for a in get("aliases").replace("｜", "|").split("|")
                                               if a.strip()),
            first_year=years["first_year"], last_year=years["last_year"],
            successor=canonical_name(get("successor")) or None, row=n))
    if problems:
        raise DirectoryError("名录文件有问题，未做任何修改：\n" + "\n".join(problems))
    return entries


def _zh(key: str) -> str:
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


def write_csv(entries: Iterable[Entry]) -> bytes:
    """The directory as a CSV with Chinese headers, UTF-8 with BOM (Excel opens it with the right characters)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        w.writerow([e.name, e.level, e.parent or "", e.code or "", "|".join(e.aliases),
                    e.first_year or "", e.last_year or "", e.successor or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


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
        parts = [f"{_zh(k)} {_shown(a)} → {_shown(b)}" for k, (a, b) in self.fields.items()]
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
    done = ApplySummary(batch if batch is not None else 0, sum(c.kind == "add" for c in todo),
                        sum(c.kind == "change" for c in todo))
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


def setup_entries(area: str | None = None, csv_data: bytes | None = None) -> list[Entry]:
    """The entries a set-up starts from: the national table's area and its towns, then a CSV's rows on top
    (a CSV row with the same name as a national one replaces it: local aliases, years, renames)."""
    entries: dict[str, Entry] = {}
    if area:
        entries.update((e.name, e) for e in from_divisions(area))
    if csv_data:
        for e in read_csv(csv_data):
            old = entries.get(e.name)
            entries[e.name] = replace(e, code=e.code or (old.code if old else None))
    return list(entries.values())


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
