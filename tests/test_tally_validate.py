"""Validation: every problem names sheet and cell, the value and why, in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from tally_books import GOOD, TYPO_SHAPES, xlsx

from etl.tally import analyze
from etl.tally.upload import commit, prepare

HEAD = ["地区", "年份", "工会组织总数(家)", "新建工会(家)", "建会率(%)", "会员总数(人)", "职工总数(人)"]

# (id, data row for 白沙镇 2024, code, severity, cell, words in the message)
ROW_CASES = [
    ("negative_count", ["白沙镇", 2024, -5, 2, 90, 5000, 6000], "negative_value", "error", "Sheet1!C2", "负数"),
    ("rate_over_100", ["白沙镇", 2024, 150, 2, 123, 5000, 6000], "rate_out_of_range", "error", "Sheet1!E2", "0–100%"),
    ("new_more_than_total", ["白沙镇", 2024, 10, 12, 90, 5000, 6000], "pair_order", "error", "Sheet1!D2",
     "新建工会组织数不应大于工会组织总数"),
    ("members_more_than_workers", ["白沙镇", 2024, 150, 2, 90, 7000, 6000], "pair_order", "error", "Sheet1!F2",
     "会员总数不应大于职工总数"),
    ("text_in_number_cell", ["白沙镇", 2024, "约150家", 2, 90, 5000, 6000], "not_a_number", "error", "Sheet1!C2",
     "应填写数字"),
    ("year_out_of_range", ["白沙镇", 1024, 150, 2, 90, 5000, 6000], "year_range", "error", "Sheet1!B2",
     "不在 2000–2035 之间"),
    ("fractional_count", ["白沙镇", 2024, 150.5, 2, 90, 5000, 6000], "fractional_count", "warning", "Sheet1!C2",
     "通常应为整数"),
]


@pytest.mark.parametrize(("row", "code", "severity", "cell", "words"), [c[1:] for c in ROW_CASES],
                         ids=[c[0] for c in ROW_CASES])
def test_row_checks(row: list, code: str, severity: str, cell: str, words: str) -> None:
    a = analyze(xlsx({"Sheet1": {"rows": [HEAD, row]}}), "t.xlsx")
    found = [p for p in a.problems if p.code == code]
    assert len(found) == 1, a.problems
    p = found[0]
    assert (p.severity, p.where) == (severity, cell)
    assert words in p.message
    assert p.value is not None


def test_duplicate_rows() -> None:
    rows = [HEAD, ["白沙镇", 2024, 150, 2, 90, 5000, 6000], ["白沙镇", 2024, 150, 2, 90, 5000, 6000],
            ["青石镇", 2024, 80, 1, 88, 3000, 3500], ["青石镇", 2024, 81, 1, 88, 3000, 3500]]
    a = analyze(xlsx({"Sheet1": {"rows": rows}}), "t.xlsx")
    dup = [p for p in a.problems if p.code == "duplicate_row"]
    conflict = [p for p in a.problems if p.code == "duplicate_conflict"]
    assert [(p.severity, p.where) for p in dup] == [("warning", "Sheet1!C3"), ("warning", "Sheet1!D5")]
    assert "与第 2 行重复" in dup[0].message
    assert [(p.severity, p.where) for p in conflict] == [("error", "Sheet1!C5")]
    assert "Sheet1!C4 为 80" in conflict[0].message
    assert sum(1 for f in a.facts if f.region == "白沙镇") == 5  # the identical copy is loaded once


def test_total_mismatch_is_a_warning_naming_both_sums() -> None:
    rows = [HEAD[:3], ["白沙镇", 2024, 150], ["青石镇", 2024, 80], ["合计", None, 231]]
    a = analyze(xlsx({"Sheet1": {"rows": rows}}), "t.xlsx")
    (p,) = a.problems
    assert (p.code, p.severity, p.where) == ("total_mismatch", "warning", "Sheet1!C4")
    assert "231" in p.message and "230" in p.message and "相差 1" in p.message
    assert {f.region for f in a.facts} == {"白沙镇", "青石镇"}  # 合计 is not a region


def test_jump_inside_the_file() -> None:
    rows = [HEAD[:3], ["白沙镇", 2023, 150], ["白沙镇", 2024, 1500]]
    (p,) = analyze(xlsx({"Sheet1": {"rows": rows}}), "t.xlsx").problems
    assert (p.code, p.severity, p.where) == ("jump", "warning", "Sheet1!C3")
    assert "2023年的 150" in p.message


def test_database_checks(tmp_db: Path, tmp_path: Path) -> None:
    """Unknown region with a suggestion, a conflict shown side by side, a jump against the stored year."""
    name, data = GOOD["sheet_per_year"]()
    commit(prepare(data, name, db_path=tmp_db, archive_dir=tmp_path / "a"), db_path=tmp_db, archive_dir=tmp_path / "a")
    rows = [["地区", "年份", "工会组织总数(家)", "会员总数(人)"],
            ["白沙镇", 2023, 125, 4800],      # 120 stored → conflict; 4800 stored → same, not loaded again
            ["青石镇", 2024, 900, 3700],      # 90 stored for 2023 → jump
            ["白纱镇", 2024, 100, 3000]]      # typo of 白沙镇
    plan = prepare(xlsx({"Sheet1": {"rows": rows}}), "new.xlsx", db_path=tmp_db, archive_dir=tmp_path / "a")
    codes = {p.code: p for p in plan.db_problems}
    assert set(codes) == {"conflict", "jump", "unknown_region"}
    assert "像是“白沙镇”的笔误" in codes["unknown_region"].message and codes["unknown_region"].severity == "error"
    assert codes["unknown_region"].where == "Sheet1!A4"  # the region cell, not the row's first figure
    assert codes["jump"].where == "Sheet1!C3" and "2023年的 90" in codes["jump"].message
    (c,) = plan.conflicts
    assert (c.new.source, c.old_value, c.new.value) == ("Sheet1!C2", 120, 125)
    assert c.old_source == "分年.xlsx 2023年!B2"
    assert [(f.metric, f.source) for f in plan.same] == [("members_total", "Sheet1!D2")]
    assert [(p.code, p.where) for p in plan.errors] == [("unknown_region", "Sheet1!A4")]  # a typo blocks the load
    assert [u.near for u in plan.typos] == [("白沙镇",)]


def test_a_typo_corrected_or_kept(tmp_db: Path, tmp_path: Path) -> None:
    """The one-click correction renames the town before every check; "no typo" keeps it as a warning; a partial
    load leaves an uncorrected typo's rows out rather than making a region of it."""
    rows = [["地区", "年份", "会员总数(人)"], ["白沙镇", 2023, 4800], ["白纱镇", 2024, 5000]]
    data, a = xlsx({"Sheet1": {"rows": rows}}), tmp_path / "a"
    fixed = prepare(data, "t.xlsx", db_path=tmp_db, archive_dir=a, regions={"白纱镇": "白沙镇"})
    assert not fixed.problems and not fixed.unknown
    assert {(f.region, f.year) for f in fixed.analysis.facts} == {("白沙镇", 2023), ("白沙镇", 2024)}
    kept = prepare(data, "t.xlsx", db_path=tmp_db, archive_dir=a, keep_regions={"白纱镇"})
    assert [(p.severity, p.code) for p in kept.problems] == [("warning", "unknown_region")] and not kept.typos
    partial = prepare(data, "t.xlsx", db_path=tmp_db, archive_dir=a)
    assert [f.region for f in partial.valid_facts()] == ["白沙镇"]
    summary = commit(fixed, db_path=tmp_db, archive_dir=a)
    from etl.db import connect

    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT note FROM batches WHERE id = ?", [summary.batch_id]).fetchone()[0].endswith(
            "地区更正：白纱镇→白沙镇")
        assert con.execute("SELECT count(*) FROM regions WHERE name = '白纱镇'").fetchone()[0] == 0


@pytest.mark.parametrize("shape", list(TYPO_SHAPES))
def test_a_typo_town_is_named_at_its_own_cell(shape: str, tmp_db: Path, tmp_path: Path) -> None:
    """Wherever the town is written (a region column anywhere, merged cells, a title, a 填报单位 line, a sheet's
    name, a table not at A1, a CSV), the message names that place, suggests the right town, and the annotated
    workbook comments exactly that cell (or colours that sheet's tab), never a figure."""
    import io

    import openpyxl
    from tally_books import TYPO

    from etl.tally.report import error_workbook

    build, cell = TYPO_SHAPES[shape]
    name, data = build()
    plan = prepare(data, name, db_path=tmp_db, archive_dir=tmp_path / "a")
    typo = [p for p in plan.problems if p.code == "unknown_region"]
    assert [(p.where, p.value) for p in typo] == [(cell, TYPO)]
    assert "白沙镇" in typo[0].message
    wb = openpyxl.load_workbook(io.BytesIO(error_workbook(data, name, plan.problems)))
    commented = [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row
                 if c.comment and typo[0].message in c.comment.text]
    if "!" in cell:
        assert commented == [cell]
    else:
        assert commented == [] and wb[TYPO].sheet_properties.tabColor is not None
