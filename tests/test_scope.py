"""A scoped account's upload: rows for other towns refused by name and row, the rest loadable (etl/scope.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tally_books import GOOD, xlsx

from etl import accounts, db
from etl.accounts import Account
from etl.audit import Actor
from etl.batches import LoadError
from etl.report_upload import commit_report, prepare_report
from etl.tally.upload import UploadRefused, commit, prepare

PW = "测试密码-2024"
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples" / "reports"


@pytest.fixture
def book(tmp_db: Path) -> Path:
    with db.transaction(tmp_db) as con:
        accounts.first_admin(con, "王主任", PW)
        accounts.add_user(con, Actor("王主任"), "城关填报", "填报", PW, ["城关街道"])
        accounts.add_user(con, Actor("王主任"), "白沙填报", "填报", PW, ["白沙镇"])
    return tmp_db


def who(path: Path, name: str) -> Account:
    with db.connect(path, read_only=True) as con:
        return accounts.account(con, name)


def active(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT r.name, f.source_cell FROM facts f JOIN regions r ON r.id = f.region_id "
                           "WHERE f.status = 'active' ORDER BY f.source_cell").fetchall()


def test_a_row_for_another_town_is_refused_by_row_and_name(book, tmp_path):
    name, data = GOOD["plain_with_year_period"]()  # rows 2–3 城关街道, row 4 东湖街道
    plan = prepare(data, name, db_path=book, archive_dir=tmp_path / "a", account=who(book, "城关填报"))
    refused = [p for p in plan.errors if p.code == "out_of_scope"]
    assert [(p.where, p.value) for p in refused] == [("Sheet1!B4", "东湖街道")]
    assert refused[0].message.startswith(
        "第 4 行是“东湖街道”的数据，不在您的填报范围（城关街道）内，这一行不能由您导入。")
    with pytest.raises(UploadRefused, match="1 处错误"):
        commit(plan, db_path=book, archive_dir=tmp_path / "a", account=who(book, "城关填报"))
    summary = commit(plan, db_path=book, archive_dir=tmp_path / "a", partial=True, account=who(book, "城关填报"))
    assert summary.facts == 6 and {r for r, _ in active(book)} == {"城关街道"}


def test_an_unknown_town_is_outside_every_scope(book, tmp_path):
    rows = [["地区", "年度", "会员人数(人)"], ["城关街道", 2024, 100], ["东城街道", 2024, 50]]
    data = xlsx({"Sheet1": {"rows": rows}})
    plan = prepare(data, "t.xlsx", db_path=book, archive_dir=tmp_path / "a", account=who(book, "城关填报"))
    (p,) = [p for p in plan.errors if p.code == "out_of_scope"]
    assert p.where == "Sheet1!A3" and "不在地区目录中，也就不在您的填报范围（城关街道）内" in p.message


def test_an_administrator_loads_every_row(book, tmp_path):
    name, data = GOOD["plain_with_year_period"]()
    plan = prepare(data, name, db_path=book, archive_dir=tmp_path / "a", account=who(book, "王主任"))
    assert not [p for p in plan.errors if p.code == "out_of_scope"]
    commit(plan, db_path=book, archive_dir=tmp_path / "a", account=who(book, "王主任"))
    assert {r for r, _ in active(book)} == {"城关街道", "东湖街道"}


def test_the_loader_refuses_what_the_page_let_through(book, tmp_path):
    """A plan prepared for one account and committed by another is checked again, inside the load."""
    name, data = GOOD["plain_with_year_period"]()
    plan = prepare(data, name, db_path=book, archive_dir=tmp_path / "a", account=who(book, "王主任"))
    with pytest.raises(LoadError, match="“城关街道”不在您的范围（白沙镇）内"):
        commit(plan, db_path=book, archive_dir=tmp_path / "a", account=who(book, "白沙填报"))
    assert active(book) == []


def test_a_report_of_another_town_is_refused_and_one_of_ones_own_loads(book, tmp_path):
    report = SAMPLES / "城关街道总工会2023年工作总结.txt"
    plan = prepare_report(report.read_bytes(), report.name, db_path=book, archive_dir=tmp_path / "a",
                          account=who(book, "白沙填报"))
    assert plan.refused and not plan.loadable and {r.region for r in plan.refused} == {"城关街道"}
    assert plan.refused[0].message(who(book, "白沙填报")).startswith("“城关街道”不在您的范围（白沙镇）内")
    with pytest.raises(LoadError, match="都不在您的范围内"):
        commit_report(plan, db_path=book, archive_dir=tmp_path / "a", account=who(book, "白沙填报"))
    plan = prepare_report(report.read_bytes(), report.name, db_path=book, archive_dir=tmp_path / "a",
                          account=who(book, "城关填报"))
    assert not plan.refused
    summary = commit_report(plan, db_path=book, archive_dir=tmp_path / "a", account=who(book, "城关填报"))
    assert summary.facts == len(plan.file.facts) > 0 and {r for r, _ in active(book)} == {"城关街道"}
