"""etl/accounts.py on a real database file: hashed passwords, scopes over the directory tree, account changes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from people import BOOK_PASSWORD as PW

from etl import accounts, db, sessions
from etl.accounts import AccountError
from etl.audit import Actor

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
CLI = Actor("测试", "cli")
T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


def q(path: Path, sql: str, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_passwords_are_stored_as_argon2id_never_as_text(book):
    hashes = [h for (h,) in q(book, "SELECT password_hash FROM users")]
    assert all(h.startswith("$argon2id$") for h in hashes) and len(set(hashes)) == 3  # salted
    raw = book.read_bytes()
    assert PW.encode() not in raw


def test_the_scope_reaches_every_region_below(book):
    with db.connect(book, read_only=True) as con:
        scope = accounts.account(con, "李红").scope
        ids = dict(con.execute("SELECT name, id FROM regions").fetchall())
    assert scope.covers(ids["城关街道"]) and scope.covers(ids["城关社区"])
    assert not scope.covers(ids["白沙镇"]) and not scope.covers(ids["青禾区"])


def test_an_administrator_can_unlock(book):
    for i in range(5):
        with pytest.raises(AccountError):
            sessions.sign_in(book, "李红", f"错的-{i}-xxxx", now=T0)
    with db.transaction(book) as con:
        accounts.unlock(con, Actor("王主任"), "李红")
    assert sessions.sign_in(book, "李红", PW, now=T0)


@pytest.mark.parametrize(("change", "message"), [
    (lambda con: accounts.add_user(con, CLI, "李红", "填报", PW, ["城关街道"]), "已存在"),
    (lambda con: accounts.add_user(con, CLI, "新人", "填报", PW), "须指定地区范围"),
    (lambda con: accounts.add_user(con, CLI, "新人", "填报", PW, ["东城街道"]), "地区目录中没有：东城街道"),
    (lambda con: accounts.add_user(con, CLI, "新人", "查看", "短密码"), "密码至少 8 个字符"),
    (lambda con: accounts.add_user(con, CLI, "新 人", "查看", PW), "不含空格"),
    (lambda con: accounts.add_user(con, CLI, "新人", "主任", PW), "没有“主任”这个角色"),
    (lambda con: accounts.update_user(con, CLI, "王主任", role="查看"), "唯一一个有效的管理员"),
    (lambda con: accounts.update_user(con, CLI, "王主任", active=False), "唯一一个有效的管理员"),
    (lambda con: accounts.first_admin(con, "抢先的人", PW), "已经设置过了"),
], ids=["exists", "no-scope", "unknown-region", "short-password", "space", "unknown-role", "last-admin-role",
        "last-admin-off", "second-first-admin"])
def test_account_changes_that_cannot_go_ahead_say_why_and_change_nothing(book, change, message):
    before = q(book, "SELECT * FROM users ORDER BY id"), q(book, "SELECT count(*) FROM audit_log")
    with pytest.raises((AccountError, accounts.permissions.Refused), match=message), db.transaction(book) as con:
        change(con)
    assert (q(book, "SELECT * FROM users ORDER BY id"), q(book, "SELECT count(*) FROM audit_log")) == before


def test_the_first_account_must_be_an_administrator(tmp_db):
    with pytest.raises(AccountError, match="第一个账号必须是管理员"), db.transaction(tmp_db) as con:
        accounts.add_user(con, CLI, "李红", "填报", PW, ["青禾区"])
    with db.transaction(tmp_db) as con:
        accounts.first_admin(con, "王主任", PW)
    assert q(tmp_db, "SELECT name, role FROM users") == [("王主任", "admin")]


def test_changing_ones_own_password_needs_the_current_one(book):
    token = sessions.sign_in(book, "李红", PW)
    other = sessions.sign_in(book, "李红", PW)
    with db.connect(book, read_only=True) as con:
        me = accounts.account(con, "李红")
    with pytest.raises(AccountError, match="当前密码不正确"), db.transaction(book) as con:
        accounts.change_own_password(con, me, "猜的密码-xxxx", "新的密码-456")
    with db.transaction(book) as con:
        accounts.change_own_password(con, me, PW, "新的密码-456", token)
        assert sessions.check_session(con, token).account is not None  # this browser stays signed in
        assert sessions.check_session(con, other).account is None  # the others sign in anew
    assert sessions.sign_in(book, "李红", "新的密码-456")


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "etl", *args], cwd=ROOT, input=stdin, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_command_line_adds_users_without_a_terminal(tmp_db):
    r = run_cli("--db", str(tmp_db), "user", "add", "王主任", "--role", "管理", "--password-stdin", stdin=PW + "\n")
    assert r.returncode == 0 and "已建立账号“王主任”（管理）" in r.stdout, r.stderr
    r = run_cli("--db", str(tmp_db), "user", "add", "李红", "--role", "填报", "--region", "城关", "--by", "王主任",
                "--password-stdin", stdin=PW + "\n")
    assert r.returncode == 0, r.stderr
    r = run_cli("--db", str(tmp_db), "user", "add", "赵六", "--role", "查看")  # no terminal, no --password-stdin
    assert r.returncode == 2 and "--password-stdin" in r.stderr
    r = run_cli("--db", str(tmp_db), "user", "list")
    assert "李红\t填报\t城关街道" in r.stdout
    assert sessions.sign_in(tmp_db, "李红", PW)
    r = run_cli("--db", str(tmp_db), "audit", "--action", "account")
    assert "王主任（命令行）" in r.stdout and "新建账号“李红”：角色 填报，范围 城关街道" in r.stdout
