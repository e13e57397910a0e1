"""The one tally path: rule objects and their messages, facts kept as columns, big files checked whole."""

from __future__ import annotations

import re
from pathlib import Path

from tally_books import medium_book

from etl.db import connect
from etl.load import load_files
from etl.model import ColumnarFile
from etl.tally import analyze
from etl.tally.rules import RULES, messages

ROOT = Path(__file__).resolve().parent.parent


def test_every_rule_and_message_belong_together() -> None:
    """Each rule names a message of lexicon/tally_checks.toml, and every message is raised somewhere."""
    msgs = messages()
    assert {r.key for r in RULES} <= set(msgs)
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "etl" / "tally").glob("*.py"))
    raised = set(re.findall(r'(?:add|problem|add_file)\("(\w+)"', code)) | {r.key for r in RULES}
    assert set(msgs) == raised
    assert {m.severity for m in msgs.values()} == {"error", "warning"}


def test_messages_name_their_fields() -> None:
    """A template's {fields} are the ones its raiser passes (checked on a file that raises most of them)."""
    name, data = medium_book()
    a = analyze(data, name)
    assert all("{" not in p.message for p in a.problems)
    assert {p.code for p in a.problems} >= {"not_a_number", "negative_value", "rate_out_of_range", "fractional_count",
                                           "pair_order", "bad_year", "bad_period", "missing_region", "year_range",
                                           "duplicate_row", "duplicate_conflict", "total_mismatch", "jump"}


def test_facts_stay_columns_until_asked_for() -> None:
    name, data = medium_book()
    ef = analyze(data, name, engine="calamine").extracted
    assert isinstance(ef, ColumnarFile) and ef.fact_count == ef.fact_table.num_rows > 11_000
    first = ef.facts[0]
    ef.facts = ef.facts[1:]  # the list handed out is the truth from now on
    assert ef.fact_count == len(ef.facts) and ef.facts[0] != first and ef.fact_table.num_rows == ef.fact_count


def test_a_bad_big_file_is_refused_whole(tmp_path: Path) -> None:
    """Errors found anywhere in a file block its load; nothing is written."""
    name, data = medium_book()
    db = tmp_path / "u.duckdb"
    with connect(db):
        pass
    s = load_files(db, [analyze(data, name, engine="calamine").extracted], archive_dir=tmp_path / "a")
    assert s.batch_id is None and s.errors == 1 and "处错误" in s.files[0].reason
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == 0


def test_both_readers_load_the_same_rows(tmp_path: Path) -> None:
    from scripts.sample_db import set_up

    name, data = medium_book()
    got = []
    for engine in ("openpyxl", "calamine"):
        db = tmp_path / f"{engine}.duckdb"
        set_up(db)  # the sample federation; the book's made-up towns go under its area
        s = load_files(db, [analyze(data, name, engine=engine).extracted], archive_dir=tmp_path / engine,
                       accept_partial=True, new_regions_under="青禾区")
        assert s.loaded == 1
        with connect(db, read_only=True) as con:
            got.append((con.execute("SELECT * EXCLUDE (id, created_at) FROM facts ORDER BY id").fetchall(),
                        con.execute("SELECT * FROM regions ORDER BY id").fetchall()))
    assert got[0][0] and got[0] == got[1]


def test_two_columns_of_one_metric_are_said_once_at_the_header(tmp_path: Path) -> None:
    """慰问金 and 慰问品折合 both read as 帮扶慰问金额: one error at the second header, no 重复行 on every row;
    a partial load takes the first column."""
    from tally_books import xlsx

    from etl.tally.upload import commit, prepare

    rows = [["地区", "年份", "慰问金(万元)", "慰问品折合(万元)"],
            ["白沙镇", 2024, 2.5, 1.0], ["青石镇", 2024, 1.5, 1.5]]
    data = xlsx({"Sheet1": {"rows": rows}})
    a = analyze(data, "两列.xlsx")
    assert [(p.code, p.where) for p in a.problems] == [("same_metric_columns", "Sheet1!D1")]
    assert "第 D 列“慰问品折合(万元)”和第 C 列“慰问金(万元)”都对应指标“帮扶慰问金额”" in a.problems[0].message
    from scripts.sample_db import set_up

    db = tmp_path / "u.duckdb"
    set_up(db)  # the sample federation: its towns are in the directory
    commit(prepare(data, "两列.xlsx", db_path=db, archive_dir=tmp_path / "a"), db_path=db,
           archive_dir=tmp_path / "a", partial=True)
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT source_cell, value FROM facts ORDER BY source_cell").fetchall() == [
            ("Sheet1!C2", 25000.0), ("Sheet1!C3", 15000.0)]
