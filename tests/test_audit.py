"""The audit trail of each write: who, when, before → after, batch; written with the change or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dashboard import actions
from etl import accounts, audit, db
from etl.accounts import Account
from etl.audit import Actor
from etl.batches import LoadError, undo_batch, undo_preview
from etl.pipeline import ingest_paths
from etl.tally.store import save_mapping

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "data" / "samples" / "reports" / "白沙镇总工会2022年工作总结.txt"
ADMIN = Account(1, "王主任", "admin")
REVIEWER = Account(2, "张三", "admin")


def q(path: Path, sql: str, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def trail(path: Path) -> list[dict]:
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute("SELECT * FROM audit_log ORDER BY id")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture
def loaded(tmp_db: Path, tmp_path: Path) -> tuple[Path, int, int]:
    """One report loaded by 李红 on the web: (db, batch, a fact of it)."""
    s = ingest_paths([REPORT], db_path=tmp_db, archive_dir=tmp_path / "archive", user=Actor("李红", "web"))
    (fid,) = q(tmp_db, "SELECT min(id) FROM facts WHERE batch_id = ? AND value IS NOT NULL AND region_id IS NOT NULL",
               [s.batch_id])[0]
    return tmp_db, s.batch_id, fid


def test_an_upload_is_recorded_with_its_batch_files_and_counts(loaded):
    path, batch, _ = loaded
    (rec,) = trail(path)
    assert (rec["user_name"], rec["via"], rec["action"], rec["batch_id"]) == ("李红", "web", "upload", batch)
    after = json.loads(rec["after"])
    assert after["files"] == [REPORT.name] and after["facts"] == q(path, "SELECT count(*) FROM facts")[0][0]
    assert rec["summary"].startswith(f"导入批次 {batch}（报告）：{REPORT.name}，数据 ")
    assert q(path, "SELECT user_name FROM batches WHERE id = ?", [batch]) == [("李红",)]


def test_the_command_line_records_the_operating_system_user(tmp_db, tmp_path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    ingest_paths([REPORT], db_path=tmp_db, archive_dir=tmp_path / "a", user=Actor.cli())
    assert [(r["user_name"], r["via"]) for r in trail(tmp_db)] == [("ops", "cli")]


def test_a_correction_records_before_and_after_under_the_figure(loaded):
    path, batch, fid = loaded
    (old, rid, metric, year, period), = q(path, "SELECT value, region_id, metric, year, period FROM facts "
                                               "WHERE id = ?", [fid])
    new = actions.correct(fid, REVIEWER, value=old + 2, path=path)
    rec = trail(path)[-1]
    assert (rec["user_name"], rec["action"], rec["fact_id"]) == ("张三", "correct", new)
    assert (rec["region_id"], rec["metric"], rec["year"], rec["period"]) == (rid, metric, year, period)
    assert json.loads(rec["before"]) == {"fact_id": fid, "value": old}
    assert json.loads(rec["after"]) == {"fact_id": new, "value": old + 2}
    assert rec["batch_id"] == q(path, "SELECT batch_id FROM facts WHERE id = ?", [new])[0][0] != batch
    assert "→" in rec["summary"] and "白沙镇" in rec["summary"]


def test_accepting_keeps_the_previous_reviewer_in_the_trail(loaded):
    path, _, fid = loaded
    actions.accept(fid, REVIEWER, path=path)
    actions.accept(fid, ADMIN, path=path)
    recs = [r for r in trail(path) if r["action"] == "accept"]
    assert [(json.loads(r["before"]), json.loads(r["after"])) for r in recs] == [
        ({"reviewed_by": None}, {"reviewed_by": "张三"}), ({"reviewed_by": "张三"}, {"reviewed_by": "王主任"})]


def test_a_rejection_can_be_taken_back(loaded):
    path, _, fid = loaded
    actions.accept(fid, REVIEWER, path=path)
    actions.reject(fid, ADMIN, path=path)
    assert q(path, "SELECT status, reviewed_by FROM facts WHERE id = ?", [fid]) == [("rejected", "王主任")]
    actions.unreject(fid, ADMIN, path=path)
    assert q(path, "SELECT status, reviewed_by FROM facts WHERE id = ?", [fid]) == [("active", "张三")]
    assert [r["action"] for r in trail(path)][-2:] == ["reject", "unreject"]
    with pytest.raises(actions.ReviewError, match="不能再处理"):
        actions.unreject(fid, ADMIN, path=path)  # it is active again


def test_a_scoped_reviewer_cannot_touch_another_towns_figure(loaded):
    path, _, fid = loaded  # a 白沙镇 figure
    with db.connect(path, read_only=True) as con:
        chengguan = con.execute("SELECT id FROM regions WHERE name = '城关街道'").fetchone()[0]
        baisha = con.execute("SELECT id FROM regions WHERE name = '白沙镇'").fetchone()[0]
    from etl.permissions import Scope

    outsider = Account(9, "城关审核", "review", Scope(("城关街道",), frozenset({chengguan})))
    before = trail(path)
    for act in (actions.accept, actions.reject):
        with pytest.raises(actions.ReviewError, match="“白沙镇”不在您的范围（城关街道）内"):
            act(fid, outsider, path=path)
    insider = Account(9, "白沙审核", "review", Scope(("白沙镇",), frozenset({baisha})))
    with pytest.raises(actions.ReviewError, match="“城关街道”不在您的范围（白沙镇）内"):
        actions.correct(fid, insider, region_id=chengguan, path=path)  # cannot move it out of their scope
    assert trail(path) == before and q(path, "SELECT status FROM facts WHERE id = ?", [fid]) == [("active",)]


def test_a_failed_write_leaves_no_record(loaded):
    path, _, fid = loaded
    before = trail(path)
    with pytest.raises(actions.ReviewError):
        actions.correct(fid, REVIEWER, region_id=99999, path=path)
    with pytest.raises(LoadError):
        undo_batch(path, 12345, user="王主任")
    assert trail(path) == before


def test_undo_withdraws_corrections_and_acceptances_made_on_the_batch_and_says_so(loaded):
    path, batch, fid = loaded
    other = q(path, "SELECT id FROM facts WHERE batch_id = ? AND id <> ? AND value IS NOT NULL ORDER BY id LIMIT 1",
              [batch, fid])[0][0]
    first = actions.correct(fid, REVIEWER, value=34, path=path)
    second = actions.correct(first, ADMIN, value=36, path=path)  # a correction of the correction
    actions.accept(other, REVIEWER, path=path)
    n = q(path, "SELECT count(*) FROM facts WHERE batch_id = ?", [batch])[0][0]
    plan = undo_preview(path, batch)
    assert (plan.facts, len(plan.corrections), plan.reviews) == (n, 2, 1)
    assert plan.to_text().startswith(f"将撤销批次 {batch}（报告，李红导入）：{n:,} 条数据、1 篇文档、1 个文件；"
                                     "同时撤回在这些数据上做的2 条更正和1 条审核确认或驳回")
    summary = undo_batch(path, batch, user=Actor("王主任", "web"))
    assert "2 条更正和1 条审核确认或驳回已一并撤回" in summary.to_text()
    assert q(path, "SELECT count(*) FROM facts WHERE id IN (?, ?, ?)", [fid, first, second]) == [(0,)]
    assert q(path, "SELECT count(*) FROM facts WHERE status = 'active'") == [(0,)]
    assert q(path, "SELECT count(*) FROM batches WHERE status = 'loaded'") == [(0,)]  # the correction batches too
    recs = trail(path)
    withdrawn = [r for r in recs if r["action"] == "withdraw"]
    assert sorted(r["fact_id"] for r in withdrawn) == sorted([first, second, other])
    assert all(r["user_name"] == "王主任" and r["batch_id"] == batch for r in withdrawn)
    undo = recs[-1]
    assert (undo["action"], undo["batch_id"], undo["user_name"]) == ("undo", batch, "王主任")
    assert json.loads(undo["after"])["corrections_withdrawn"] == 2
    with db.connect(path, read_only=True) as con:
        assert audit.undone_by(con)[batch][0] == "王主任"


def test_undoing_a_correction_restores_the_original_and_is_in_the_figures_history(loaded):
    path, _, fid = loaded
    key = q(path, "SELECT region_id, metric, year, period, value FROM facts WHERE id = ?", [fid])[0]
    new = actions.correct(fid, REVIEWER, value=key[4] + 1, path=path)
    correction_batch = q(path, "SELECT batch_id FROM facts WHERE id = ?", [new])[0][0]
    undo_batch(path, correction_batch, user=Actor("王主任", "web"))
    assert q(path, "SELECT status FROM facts WHERE id = ?", [fid]) == [("active",)]
    with db.connect(path, read_only=True) as con:
        history = audit.figure_history(con, *key[:4])
    assert [(h["who"], h["action"]) for h in history] == [("李红", "upload"), ("张三", "correct"),
                                                          ("王主任", "undo")]
    assert history[0]["what"].startswith("导入 ")


def test_a_mapping_change_is_recorded_with_before_and_after(tmp_db):
    save_mapping(tmp_db, "k1", ["地区", "困难户"], {"B": "aid_households"}, user=Actor("李红", "web"))
    save_mapping(tmp_db, "k1", ["地区", "困难户"], {"B": "aid_households"}, user=Actor("李红", "web"))  # no change
    save_mapping(tmp_db, "k1", ["地区", "困难户"], {}, user=Actor("王主任", "web"))
    recs = trail(tmp_db)
    assert [(r["user_name"], r["action"], r["target"]) for r in recs] == [("李红", "mapping", "k1"),
                                                                          ("王主任", "mapping", "k1")]
    assert json.loads(recs[0]["after"]) == {"B": "aid_households"} and recs[0]["before"] is None
    assert json.loads(recs[1]["before"]) == {"B": "aid_households"} and recs[1]["after"] is None


def test_account_changes_are_recorded_without_any_password(tmp_db):
    with db.transaction(tmp_db) as con:
        accounts.first_admin(con, "王主任", "第一个管理员的密码-1")
        accounts.add_user(con, Actor("王主任"), "李红", "填报", "第二个账号的密码-2", ["城关街道"])
        accounts.update_user(con, Actor("王主任"), "李红", role="审核")
        accounts.set_password(con, Actor("王主任"), "李红", "重新设置的密码-3")
    recs = trail(tmp_db)
    assert [r["summary"] for r in recs] == [
        "新建账号“王主任”：角色 管理", "新建账号“李红”：角色 填报，范围 城关街道",
        "修改账号“李红”：角色 填报，范围 城关街道 → 角色 审核，范围 城关街道", "王主任为账号“李红”设置了新密码"]
    text = json.dumps(recs, default=str, ensure_ascii=False)
    assert "的密码-" not in text and "argon2" not in text
