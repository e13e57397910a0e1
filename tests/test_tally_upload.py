"""Real loads of tallies into an on-disk DuckDB through the upload flow (etl.tally.upload → etl.load)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tally_books import GOOD, formula_without_cache, xlsx
from test_tally_read import encrypted, zip_bomb

from etl.batches import undo_batch
from etl.db import connect
from etl.tally.store import load_mappings, save_mapping
from etl.tally.upload import UploadRefused, commit, prepare

TABLES = ("batches", "files", "documents", "facts", "regions")


def snapshot(db: Path) -> dict[str, list]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def active(db: Path) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT r.name, f.year, f.period, f.metric, f.value, f.source_cell FROM facts f "
            "JOIN batches b ON b.id = f.batch_id AND b.status = 'loaded' LEFT JOIN regions r ON r.id = f.region_id "
            "WHERE f.status = 'active' ORDER BY f.source_cell, f.metric").fetchall()


def upload(db: Path, tmp_path: Path, name: str, data: bytes, **kw):
    plan = prepare(data, name, db_path=db, archive_dir=tmp_path / "archive")
    return plan, commit(plan, db_path=db, archive_dir=tmp_path / "archive", **kw)


@pytest.mark.parametrize("case", sorted(GOOD), ids=sorted(GOOD))
def test_every_layout_loads_with_its_cells(case: str, tmp_db: Path, tmp_path: Path) -> None:
    name, data = GOOD[case]()
    plan, summary = upload(tmp_db, tmp_path, name, data)
    assert summary.batch_id is not None and summary.facts == len(plan.analysis.facts)
    want = sorted((f.region, f.year, f.period, f.metric, f.value, f.source) for f in plan.analysis.facts)
    assert sorted(active(tmp_db)) == want
    with connect(tmp_db, read_only=True) as con:
        kinds = con.execute("SELECT DISTINCT kind FROM batches").fetchall()
        doc_ids = {r[0] for r in con.execute("SELECT DISTINCT doc_id FROM facts").fetchall()}
    assert kinds == [("tally",)]
    assert doc_ids <= {f"{plan.analysis.extracted.sha256[:16]}:{i}" for i in range(5)}


BAD = {
    "zip_bomb": ("炸弹.xlsx", zip_bomb),
    "encrypted": ("加密.xlsx", encrypted),
    "formula_without_cache": ("公式.xlsx", lambda: formula_without_cache()[1]),
    "negative": ("负数.xlsx",
                 lambda: xlsx({"Sheet1": {"rows": [["地区", "年份", "会员总数(人)"], ["白沙镇", 2024, -3]]}})),
    "empty": ("空.xlsx", lambda: b""),
}


@pytest.mark.parametrize("case", sorted(BAD), ids=sorted(BAD))
def test_bad_file_changes_nothing(case: str, tmp_db: Path, tmp_path: Path) -> None:
    upload(tmp_db, tmp_path, *GOOD["csv_utf8"]())
    before = snapshot(tmp_db)
    name, make = BAD[case]
    plan = prepare(make(), name, db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert plan.errors and all(p.message for p in plan.errors)
    with pytest.raises(UploadRefused, match=r"错误|没有需要导入"):
        commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert snapshot(tmp_db) == before


def test_original_bytes_archived_before_parsing(tmp_db: Path, tmp_path: Path) -> None:
    """A preview is kept under archive/previews/ until it is loaded (then in the archive proper) or expires."""
    from etl.archive import find_archived, preview_dir

    plan = prepare(encrypted(), "加密.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert find_archived(plan.analysis.extracted.sha256, preview_dir(tmp_path / "archive")) is not None


def test_same_file_twice_is_a_no_op(tmp_db: Path, tmp_path: Path) -> None:
    name, data = GOOD["title_two_row_header"]()
    upload(tmp_db, tmp_path, name, data)
    before = snapshot(tmp_db)
    plan = prepare(data, "改了名字.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert plan.already and "无需重复导入" in plan.already and "批次 1" in plan.already
    with pytest.raises(UploadRefused, match="无需重复导入"):
        commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert snapshot(tmp_db) == before


def test_partial_import_only_on_explicit_choice(tmp_db: Path, tmp_path: Path) -> None:
    rows = [["地区", "年份", "会员总数(人)", "职工总数(人)"],
            ["白沙镇", 2024, 5000, 6000], ["青石镇", 2024, "三千", 3500], ["柳塘镇", 2024, 4000, 4400]]
    plan = prepare(xlsx({"Sheet1": {"rows": rows}}), "部分.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert [p.where for p in plan.errors] == ["Sheet1!C3"]
    with pytest.raises(UploadRefused):
        commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive")
    summary = commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive", partial=True)
    assert summary.facts == 4
    assert {r[0] for r in active(tmp_db)} == {"白沙镇", "柳塘镇"}  # the whole bad row stays out


def test_replace_then_undo_restores(tmp_db: Path, tmp_path: Path) -> None:
    name, data = GOOD["sheet_per_year"]()
    upload(tmp_db, tmp_path, name, data)
    before = active(tmp_db)
    new = xlsx({"Sheet1": {"rows": [["地区", "年份", "工会组织总数(家)"], ["白沙镇", 2023, 125]]}})
    plan = prepare(new, "更正.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    (c,) = plan.conflicts
    summary = commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive", replace=[c.fact_id])
    assert summary.superseded == 1
    now = {(r[0], r[1], r[3]): r[4] for r in active(tmp_db)}
    assert now[("白沙镇", 2023, "union_orgs_total")] == 125
    undo_batch(tmp_db, summary.batch_id)
    assert active(tmp_db) == before


def test_keep_drops_the_new_conflicting_figure(tmp_db: Path, tmp_path: Path) -> None:
    name, data = GOOD["sheet_per_year"]()
    upload(tmp_db, tmp_path, name, data)
    new = xlsx({"Sheet1": {"rows": [["地区", "年份", "工会组织总数(家)", "会员总数(人)"],
                                    ["白沙镇", 2023, 125, 4900]]}})
    before = snapshot(tmp_db)
    plan = prepare(new, "更正.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert len(plan.conflicts) == 2
    with pytest.raises(UploadRefused, match="保留原值"):  # no replace chosen: both stored values kept
        commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert snapshot(tmp_db) == before
    summary = commit(plan, db_path=tmp_db, archive_dir=tmp_path / "archive", replace=[plan.conflicts[1].fact_id])
    assert (summary.facts, summary.superseded) == (1, 1)


def test_mapping_is_remembered_for_the_next_file(tmp_db: Path, tmp_path: Path) -> None:
    rows = [["地区", "年份", "会员总数(人)", "困难职工建档数(户)"], ["白沙镇", 2024, 6000, 35]]
    data = xlsx({"Sheet1": {"rows": rows}})
    plan = prepare(data, "a.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    t = plan.tables[0]
    save_mapping(tmp_db, t.key, [c.header for c in t.columns], {"D": "aid_households"})
    assert load_mappings(tmp_db) == {t.key: {"D": "aid_households"}}
    rows[1][2] = 6100  # another file, same headers
    plan2 = prepare(xlsx({"Sheet1": {"rows": rows}}), "b.xlsx", db_path=tmp_db, archive_dir=tmp_path / "archive")
    assert [(f.metric, f.value) for f in plan2.analysis.facts] == [("members_total", 6100), ("aid_households", 35)]


def test_problem_text_is_set_without_spaces_the_table_would_wrap_at(tmp_db: Path, tmp_path: Path) -> None:
    """The problems table wraps at spaces: 问题说明 reads 第D列…, never "第 D" alone on a line."""
    from etl.tally.upload import problem_rows, tight

    book = xlsx({"Sheet1": {"rows": [["地区", "年份", "会员总数(人)", "节日补助(万元)"], ["白沙镇", 2024, 5000, 2.5]]}})
    plan = prepare(book, "t.xlsx", db_path=tmp_db, archive_dir=tmp_path / "a")
    (row,) = [r for r in problem_rows(plan) if r["位置"] == "Sheet1!D1"]
    assert row["问题说明"].startswith("第D列“节日补助(万元)”不是已知指标")
    assert tight("白沙镇 2024年与第 3 行 A B") == "白沙镇2024年与第3行A B"  # Latin between Latin keeps its space
