"""Loading ExtractedFile values into DuckDB: one batch per load, idempotent, undoable, all-or-nothing.

The files here are real ExtractedFile/Document/Fact values built by hand (the
shape the extractors produce), loaded into a real on-disk DuckDB.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from etl.batches import LoadError, database_status, undo_batch
from etl.db import connect
from etl.dedup import fingerprint as minhash
from etl.load import load_files
from etl.model import Document, ExtractedFile, Fact, Problem


def fingerprint(text: str) -> tuple[int, ...]:
    """The near-duplicate fingerprint the extractor gives a document."""
    from etl.normalize import normalize

    return tuple(minhash(normalize(text).text))


def report(name: str, text: str, figures: list[tuple[str, float | None, str, str]], *, region: str = "城关街道",
           year: int = 2015, period: str = "H1", as_of: str | None = None, is_template: bool = False,
           problems: list[Problem] | None = None) -> ExtractedFile:
    """A one-document report file; figures are (metric, value, unit, evidence) and evidence must occur in text."""
    data = text.encode()
    sha = hashlib.sha256(data).hexdigest()
    doc_id = f"{sha[:16]}:0"
    facts = []
    for metric, value, unit, evidence in figures:
        start = text.index(evidence)
        facts.append(Fact(doc=name, metric=metric, value=value, unit=unit, evidence=evidence, doc_id=doc_id,
                          year=year, period=period, as_of=as_of, region=region, start=start,
                          end=start + len(evidence)))
    doc = Document(doc_id, sha, name, 0, 0, len(text), text.splitlines()[0], region, year, period,
                   is_template=is_template, fingerprint=fingerprint(text))
    return ExtractedFile(path=name, name=name, sha256=sha, data=data, kind="report", encoding="utf-8", text=text,
                         documents=[doc], facts=facts, problems=problems or [])


def tally(name: str, rows: list[tuple[str, str, float]], year: int = 2015) -> ExtractedFile:
    """A tally file: rows are (region, metric, value); cells on Sheet1 from row 2."""
    data = repr((name, rows)).encode()
    sha = hashlib.sha256(data).hexdigest()
    facts = [Fact(doc=name, metric=m, value=v, unit="家", evidence=f"{r} {v}", year=year, period="FY", region=r,
                  source=f"Sheet1!C{i + 2}") for i, (r, m, v) in enumerate(rows)]
    return ExtractedFile(path=name, name=name, sha256=sha, data=data, kind="tally", facts=facts)


CHENGGUAN = ("城关街道总工会2015年上半年工作总结\n截至6月底，全街道共有基层工会组织120家，会员总数8650人。\n"
             "新建工会组织12家。\n")
BAISHA = "白沙镇总工会2015年上半年工作总结\n全镇共有基层工会组织86家，会员5120人。\n"


def chengguan() -> ExtractedFile:
    return report("城关街道.txt", CHENGGUAN, [
        ("union_orgs_total", 120, "家", "基层工会组织120家"),
        ("members_total", 8650, "人", "会员总数8650人"),
        ("union_orgs_new", 12, "家", "新建工会组织12家"),
    ], as_of="2015-06-30")


def baisha(**kw) -> ExtractedFile:
    return report("白沙镇.txt", BAISHA, [
        ("union_orgs_total", 86, "家", "基层工会组织86家"),
        ("members_total", 5120, "人", "会员5120人"),
    ], region="白沙镇总工会", **kw)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean equal database content."""
    with connect(db, read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def counts(db: Path) -> tuple[int, int]:
    s = database_status(db)
    return s["documents"], s["facts"]


def test_load_writes_batch_files_documents_facts(tmp_db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    s = load_files(tmp_db, [chengguan(), baisha()], archive_dir=archive, user="张三", note="上半年")
    assert (s.batch_id, s.kind, s.loaded, s.documents, s.facts, s.errors) == (1, "report", 2, 2, 5, 0)
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT kind, status, user_name, note FROM batches").fetchall() == [
            ("report", "loaded", "张三", "上半年")]
        path, text = con.execute("SELECT archive_path, text FROM files WHERE name = '城关街道.txt'").fetchone()
        assert Path(path).read_bytes() == CHENGGUAN.encode() and text == CHENGGUAN
        rows = con.execute(
            "SELECT r.name, f.region_raw, f.metric, f.value, f.as_of::VARCHAR, f.evidence, f.start_offset, "
            "f.end_offset FROM facts f JOIN regions r ON r.id = f.region_id ORDER BY f.id").fetchall()
    assert rows[0] == ("城关街道", "城关街道", "union_orgs_total", 120.0, "2015-06-30", "基层工会组织120家",
                       CHENGGUAN.index("基层"), CHENGGUAN.index("基层") + 10)
    for _, _, _, _, _, evidence, start, end in rows:
        source = CHENGGUAN if evidence in CHENGGUAN else BAISHA
        assert source[start:end] == evidence
    assert {r[0] for r in rows} == {"城关街道", "白沙镇"}  # 白沙镇总工会 resolved to the seeded region
    assert rows[-1][1] == "白沙镇总工会"  # the raw name is kept


def test_same_files_again_change_nothing(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [chengguan(), baisha()], archive_dir=tmp_path)
    before = snapshot(tmp_db)
    s = load_files(tmp_db, [baisha(), chengguan()], archive_dir=tmp_path)
    assert s.batch_id is None and s.skipped == 2 and s.facts == 0
    assert all("批次 1" in f.reason for f in s.files)
    assert snapshot(tmp_db) == before


def test_same_bytes_twice_in_one_load_are_loaded_once(tmp_db: Path, tmp_path: Path) -> None:
    s = load_files(tmp_db, [chengguan(), chengguan()], archive_dir=tmp_path)
    assert (s.loaded, s.skipped, s.facts) == (1, 1, 3)
    assert "只导入一次" in s.files[1].reason


def test_new_file_beside_loaded_one_creates_batch_with_only_the_new(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [chengguan()], archive_dir=tmp_path)
    s = load_files(tmp_db, [chengguan(), baisha()], archive_dir=tmp_path)
    assert (s.batch_id, s.loaded, s.skipped, s.facts) == (2, 1, 1, 2)
    assert database_status(tmp_db)["batches"][0]["files"] == ["白沙镇.txt"]


def test_file_with_errors_fails_alone_and_its_bytes_are_archived(tmp_db: Path, tmp_path: Path) -> None:
    bad = baisha(problems=[Problem("error", "第3行“会员”不是数字。", "白沙镇.txt:3", "五千", "not_a_number")])
    s = load_files(tmp_db, [chengguan(), bad], archive_dir=tmp_path)
    assert (s.loaded, s.errors, s.facts) == (1, 1, 3)
    assert "原文件已存档" in s.files[1].reason
    assert Path(s.files[1].archive_path).read_bytes() == BAISHA.encode()
    assert "第3行“会员”不是数字" in s.to_text()


def test_partial_load_on_explicit_choice(tmp_db: Path, tmp_path: Path) -> None:
    bad = baisha(problems=[Problem("error", "第3行有错", "Sheet1!C3")])
    s = load_files(tmp_db, [bad], archive_dir=tmp_path, accept_partial=True)
    assert (s.loaded, s.errors, s.facts) == (1, 0, 2)


def test_unknown_metric_code_fails_the_file(tmp_db: Path, tmp_path: Path) -> None:
    f = report("x.txt", "某文\n会员100人\n", [("members_totl", 100, "人", "会员100人")])
    s = load_files(tmp_db, [f], archive_dir=tmp_path)
    assert s.errors == 1 and s.batch_id is None
    assert "未知的指标代码“members_totl”" in s.to_text()


def test_all_failed_creates_no_batch(tmp_db: Path, tmp_path: Path) -> None:
    bad = baisha(problems=[Problem("error", "无法读取")])
    s = load_files(tmp_db, [bad], archive_dir=tmp_path)
    assert s.batch_id is None
    assert database_status(tmp_db)["batches"] == []


def test_mid_transaction_failure_leaves_database_unchanged(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [tally("先前.xlsx", [("青石镇", "union_orgs_total", 40)])], archive_dir=tmp_path)
    before = snapshot(tmp_db)
    # The second file's fact has an impossible date: the INSERT fails after the first file's rows were written.
    broken = baisha(as_of="2015-02-30")
    with pytest.raises(LoadError, match=r"白沙镇\.txt.*整批已回滚"):
        load_files(tmp_db, [chengguan(), broken], archive_dir=tmp_path)
    assert snapshot(tmp_db) == before
    # The archive still holds both files' bytes: nothing the user sent is lost.
    assert (tmp_path / hashlib.sha256(BAISHA.encode()).hexdigest()[:2]).is_dir()


def test_duplicate_documents_are_stored_and_flagged(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [chengguan()], archive_dir=tmp_path)
    # The same report resent under another name with a trailing blank line: other bytes, same text.
    copy = report("城关街道（重发）.txt", CHENGGUAN + "\n", [("union_orgs_total", 120, "家", "基层工会组织120家")],
                  as_of="2015-06-30")
    s = load_files(tmp_db, [copy], archive_dir=tmp_path)
    assert (s.loaded, s.duplicates, s.facts, s.flagged) == (1, 1, 1, 1)
    with connect(tmp_db, read_only=True) as con:
        dup_of = con.execute("SELECT duplicate_of FROM documents WHERE batch_id = 2").fetchone()[0]
        flags = con.execute("SELECT flags FROM facts WHERE batch_id = 2").fetchone()[0]
    assert dup_of == chengguan().documents[0].doc_id
    assert "duplicate_document" in flags


def test_duplicate_within_one_batch(tmp_db: Path, tmp_path: Path) -> None:
    copy = report("副本.txt", CHENGGUAN + " ", [("members_total", 8650, "人", "会员总数8650人")])
    s = load_files(tmp_db, [chengguan(), copy, baisha()], archive_dir=tmp_path)
    assert [f.duplicates for f in s.files] == [0, 1, 0]


def test_undo_of_original_clears_duplicate_flag_of_later_copy(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [chengguan()], archive_dir=tmp_path)
    copy = report("重发.txt", CHENGGUAN + "\n", [("members_total", 8650, "人", "会员总数8650人")])
    load_files(tmp_db, [copy], archive_dir=tmp_path)
    undo_batch(tmp_db, 1)
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT duplicate_of FROM documents").fetchall() == [(None,)]
        assert con.execute("SELECT flags FROM facts").fetchall() == [([],)]


@pytest.mark.parametrize(
    ("region", "flag", "resolved"),
    [("xx镇", "placeholder_region", False), ("**街道", "placeholder_region", False), ("城关", None, True),
     ("339901101000", None, True)],
    ids=["xx", "stars", "alias", "official-code"],
)
def test_region_flags(tmp_db: Path, tmp_path: Path, region: str, flag: str | None, resolved: bool) -> None:
    f = report(f"{region}.txt", "XX年工作总结\n全镇共有工会组织30家\n",
               [("union_orgs_total", 30, "家", "工会组织30家")], region=region)
    load_files(tmp_db, [f], archive_dir=tmp_path)
    with connect(tmp_db, read_only=True) as con:
        region_id, raw, flags = con.execute("SELECT region_id, region_raw, flags FROM facts").fetchone()
    assert (region_id is not None) is resolved
    assert raw == region
    assert (flag in flags) if flag else flags == []


def test_template_document_flags_its_facts(tmp_db: Path, tmp_path: Path) -> None:
    f = report("模板.txt", "X街道工会工作总结\n全街道共有工会组织30家\n",
               [("union_orgs_total", 30, "家", "工会组织30家")], region="X街道", is_template=True)
    load_files(tmp_db, [f], archive_dir=tmp_path)
    with connect(tmp_db, read_only=True) as con:
        flags = con.execute("SELECT flags FROM facts").fetchone()[0]
    assert set(flags) == {"template", "placeholder_region"}


def test_tally_facts_keep_source_cell_and_batch_kind(tmp_db: Path, tmp_path: Path) -> None:
    rows = [("白沙镇", "union_orgs_total", 86), ("柳塘", "union_orgs_total", 54)]
    s = load_files(tmp_db, [tally("2015年统计表.xlsx", rows)], archive_dir=tmp_path)
    assert s.kind == "tally"
    with connect(tmp_db, read_only=True) as con:
        rows = con.execute("SELECT r.name, f.source_cell, f.start_offset FROM facts f JOIN regions r "
                           "ON r.id = f.region_id ORDER BY f.id").fetchall()
        text = con.execute("SELECT text FROM files").fetchone()[0]
    assert rows == [("白沙镇", "Sheet1!C2", None), ("柳塘镇", "Sheet1!C3", None)]
    assert text is None
    other = tally("另一表.xlsx", [("新港镇", "union_orgs_total", 5)])
    s2 = load_files(tmp_db, [chengguan(), other], archive_dir=tmp_path)
    assert s2.kind == "mixed"


def fact_ids(db: Path, batch: int) -> list[int]:
    with connect(db, read_only=True) as con:
        return [r[0] for r in con.execute("SELECT id FROM facts WHERE batch_id = ? ORDER BY id", [batch]).fetchall()]


def statuses(db: Path) -> dict[int, str]:
    with connect(db, read_only=True) as con:
        return dict(con.execute("SELECT id, status FROM facts").fetchall())


def test_replace_supersedes_and_undo_restores(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [tally("旧表.xlsx", [("白沙镇", "union_orgs_total", 80), ("青石镇", "union_orgs_total", 40)])],
               archive_dir=tmp_path)
    old = fact_ids(tmp_db, 1)
    before = counts(tmp_db)
    s = load_files(tmp_db, [tally("新表.xlsx", [("白沙镇", "union_orgs_total", 86)])], archive_dir=tmp_path,
                   replace_fact_ids=[old[0]])
    assert s.superseded == 1
    st = statuses(tmp_db)
    assert st[old[0]] == "superseded" and st[old[1]] == "active"
    assert counts(tmp_db) == (before[0], before[1])  # one replaced by one
    u = undo_batch(tmp_db, s.batch_id)
    assert u.restored == 1 and u.facts == 1
    assert statuses(tmp_db) == {old[0]: "active", old[1]: "active"}
    assert counts(tmp_db) == before


def test_replace_of_fact_no_longer_active_rolls_back(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [tally("旧表.xlsx", [("白沙镇", "union_orgs_total", 80)])], archive_dir=tmp_path)
    old = fact_ids(tmp_db, 1)
    load_files(tmp_db, [tally("新表.xlsx", [("白沙镇", "union_orgs_total", 86)])], archive_dir=tmp_path,
               replace_fact_ids=old)
    before = snapshot(tmp_db)
    with pytest.raises(LoadError, match="已不是有效数据"):
        load_files(tmp_db, [tally("第三版.xlsx", [("白沙镇", "union_orgs_total", 87)])], archive_dir=tmp_path,
                   replace_fact_ids=old)
    assert snapshot(tmp_db) == before


def test_undo_removes_batch_and_keeps_it_listed(tmp_db: Path, tmp_path: Path) -> None:
    empty = counts(tmp_db)
    load_files(tmp_db, [chengguan()], archive_dir=tmp_path)
    s = load_files(tmp_db, [baisha()], archive_dir=tmp_path)
    u = undo_batch(tmp_db, s.batch_id)
    assert (u.facts, u.documents, u.files) == (2, 1, 1)
    assert counts(tmp_db) == (1, 3)
    batches = database_status(tmp_db)["batches"]
    assert [(b["id"], b["status"]) for b in batches] == [(2, "undone"), (1, "loaded")]
    assert batches[0]["undone_at"] is not None
    assert batches[0]["files"] == ["白沙镇.txt"]  # still named in the history
    undo_batch(tmp_db, 1)
    assert counts(tmp_db) == empty
    # Undone bytes can be loaded again, as a new batch; the archive still has them.
    again = load_files(tmp_db, [baisha()], archive_dir=tmp_path)
    assert (again.batch_id, again.facts) == (3, 2)


@pytest.mark.parametrize(("batch", "message"), [(1, "已在 .* 撤销过"), (99, "没有编号为 99 的导入批次")],
                         ids=["twice", "unknown"])
def test_undo_refusals(tmp_db: Path, tmp_path: Path, batch: int, message: str) -> None:
    load_files(tmp_db, [chengguan()], archive_dir=tmp_path)
    undo_batch(tmp_db, 1)
    before = snapshot(tmp_db)
    with pytest.raises(LoadError, match=message):
        undo_batch(tmp_db, batch)
    assert snapshot(tmp_db) == before


def test_status_shape(tmp_db: Path, tmp_path: Path) -> None:
    load_files(tmp_db, [chengguan(), baisha()], archive_dir=tmp_path)
    load_files(tmp_db, [tally("表.xlsx", [("白沙镇", "members_total", 5200)])], archive_dir=tmp_path)
    s = database_status(tmp_db)
    assert (s["documents"], s["facts"]) == (2, 6)
    assert [b["id"] for b in s["batches"]] == [2, 1]
    b = s["batches"][1]
    assert b["kind"] == "report" and b["status"] == "loaded" and b["facts"] == 5
    assert b["files"] == ["城关街道.txt", "白沙镇.txt"]  # sorted by name
    from datetime import datetime

    datetime.fromisoformat(b["created_at"])


# ---- names the directory does not know: refused, or a person's choice; undo takes the choice back ----------------

def typo_tally(year: int = 2026) -> ExtractedFile:
    return tally("错字统计表.xlsx", [("白杉镇", "union_orgs_total", 50), ("东城街道", "union_orgs_total", 60),
                                   ("城关街道", "union_orgs_total", 70)], year=year)


def regions_of(db: Path) -> dict[str, tuple]:
    with connect(db, read_only=True) as con:
        return {n: (lv, p, b, fy) for n, lv, p, b, fy in con.execute(
            "SELECT r.name, r.level, p.name, r.created_batch, r.first_year FROM regions r "
            "LEFT JOIN regions p ON p.id = r.parent_id").fetchall()}


def test_unknown_names_fail_the_file_with_suggestions_and_change_nothing(tmp_db: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_db)
    s = load_files(tmp_db, [typo_tally()], archive_dir=tmp_path)
    assert s.batch_id is None and s.errors == 1
    msgs = {p.value: p.message for p in s.files[0].problems if p.code == "unknown_region"}
    assert set(msgs) == {"白杉镇", "东城街道"}
    assert "是否为：白沙镇" in msgs["白杉镇"] and "--map 白杉镇=" in msgs["白杉镇"]
    assert "北京市东城区" not in msgs["东城街道"] and "不在本会辖区内" in msgs["东城街道"]
    assert snapshot(tmp_db) == before  # no batch, no region, no fact


def test_choices_map_add_and_leave_out_and_undo_takes_them_back(tmp_db: Path, tmp_path: Path) -> None:
    from etl.regions import ADD, MAP, SKIP, Choice

    before = regions_of(tmp_db)
    s = load_files(tmp_db, [typo_tally(), tally("另一表.xlsx", [("红旗机械厂", "union_orgs_total", 1)])],
                   archive_dir=tmp_path, user="张三",
                   region_choices={"白杉镇": Choice(MAP, "白沙镇"), "东城街道": Choice(ADD, "青禾区"),
                                   "红旗机械厂": Choice(SKIP)})
    assert s.errors == 0 and s.facts == 3 and s.regions_added == ["东城街道"]
    assert s.files[1].left_out == {"红旗机械厂": 1}
    assert "新增地区：东城街道" in s.to_text() and "未导入（按您的选择）：红旗机械厂的 1 条数据" in s.to_text()
    after = regions_of(tmp_db)
    assert after["东城街道"] == ("乡镇街道", "青禾区", s.batch_id, 2026)  # under the area, from the year it reports
    assert "红旗机械厂" not in after
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT r.name, a.batch_id FROM region_aliases a JOIN regions r ON r.id = a.region_id "
                           "WHERE a.alias = '白杉镇'").fetchone() == ("白沙镇", s.batch_id)
        got = dict(con.execute("SELECT f.region_raw, r.name FROM facts f JOIN regions r ON r.id = f.region_id"
                               ).fetchall())
    assert got == {"白杉镇": "白沙镇", "东城街道": "东城街道", "城关街道": "城关街道"}
    u = undo_batch(tmp_db, s.batch_id)
    assert u.regions == 1 and "它新增的地区 1 个" in u.to_text()
    assert regions_of(tmp_db) == before
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM region_aliases WHERE alias = '白杉镇'").fetchone()[0] == 0


def test_new_regions_under_a_parent_never_at_the_top(tmp_db: Path, tmp_path: Path) -> None:
    s = load_files(tmp_db, [typo_tally()], archive_dir=tmp_path, new_regions_under="青禾区")
    assert sorted(s.regions_added) == ["东城街道", "白杉镇"]
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT name FROM regions WHERE parent_id IS NULL").fetchall() == [("青禾区",)]


def test_a_parent_that_is_not_in_the_directory_refuses_the_load(tmp_db: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_db)
    with pytest.raises(LoadError, match="地区名录中没有“青河区”"):
        load_files(tmp_db, [typo_tally()], archive_dir=tmp_path, new_regions_under="青河区")
    assert snapshot(tmp_db) == before


def test_undo_refuses_while_a_later_batch_uses_a_region_it_added(tmp_db: Path, tmp_path: Path) -> None:
    from etl.regions import ADD, SKIP, Choice

    first = load_files(tmp_db, [typo_tally()], archive_dir=tmp_path,
                       region_choices={"东城街道": Choice(ADD, "青禾区"), "白杉镇": Choice(SKIP)})
    later = load_files(tmp_db, [tally("东城.xlsx", [("东城街道", "members_total", 9)], year=2027)],
                       archive_dir=tmp_path)
    assert later.batch_id == first.batch_id + 1 and later.errors == 0  # the region is known now
    with pytest.raises(LoadError, match=f"“东城街道”（批次 {later.batch_id}）"):
        undo_batch(tmp_db, first.batch_id)
    undo_batch(tmp_db, later.batch_id)
    assert undo_batch(tmp_db, first.batch_id).regions == 1


def test_a_renamed_towns_old_name_lands_on_its_successor_after_the_change(renamed_db: Path, tmp_path: Path) -> None:
    load_files(renamed_db, [tally("旧名.xlsx", [("云溪乡", "union_orgs_total", 5)], year=2024),
                        tally("旧年.xlsx", [("云溪乡", "members_total", 7)], year=2021)], archive_dir=tmp_path)
    with connect(renamed_db, read_only=True) as con:
        got = dict(con.execute("SELECT f.year, r.name FROM facts f JOIN regions r ON r.id = f.region_id").fetchall())
    assert got == {2024: "云溪镇", 2021: "云溪乡"}


def test_received_on_is_recorded(tmp_db: Path, tmp_path: Path) -> None:
    import datetime as dt

    s = load_files(tmp_db, [chengguan()], archive_dir=tmp_path, received_on=dt.date(2025, 7, 20))
    t = load_files(tmp_db, [baisha()], archive_dir=tmp_path)
    with connect(tmp_db, read_only=True) as con:
        got = dict(con.execute("SELECT id, received_on FROM batches").fetchall())
    assert got == {s.batch_id: dt.date(2025, 7, 20), t.batch_id: dt.date.today()}
