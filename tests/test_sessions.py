"""etl/sessions.py on a real database file: sign-in, lock-out, sessions that end on sign-out, idleness, age
and account changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from people import BOOK_PASSWORD as PW

from etl import accounts, db, sessions
from etl.accounts import AccountError
from etl.audit import Actor
from etl.sessions import Policy

T0 = dt.datetime(2026, 3, 1, 9, 0, 0)


def q(path: Path, sql: str, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def test_sign_in_gives_a_session_whose_token_only_the_browser_holds(book):
    token = sessions.sign_in(book, "李红", PW, now=T0)
    (stored,) = q(book, "SELECT token_hash FROM sessions")[0]
    assert stored != token and len(stored) == 64
    with db.connect(book, read_only=True) as con:
        check = sessions.check_session(con, token, now=T0 + dt.timedelta(minutes=5))
    assert check.account.name == "李红" and check.account.role == "fill"
    assert check.account.scope.roots == ("城关街道",)


@pytest.mark.parametrize(("name", "password"), [("李红", "错误的密码-000"), ("没有这个人", PW), ("", "")],
                         ids=["wrong-password", "unknown-name", "empty"])
def test_a_wrong_name_or_password_gets_the_same_answer(book, name, password):
    with pytest.raises(AccountError, match="用户名或密码不正确") as exc:
        sessions.sign_in(book, name, password, now=T0)
    assert exc.value.code == "wrong_password"


def test_five_wrong_passwords_lock_the_account_for_a_while(book):
    policy = Policy(lockout_failures=5, lockout_minutes=15)
    for i in range(4):
        with pytest.raises(AccountError, match="用户名或密码不正确"):
            sessions.sign_in(book, "李红", f"错的-{i}-xxxx", policy, now=T0)
    with pytest.raises(AccountError, match=r"连续输错 5 次.*已锁定 15 分钟（到 09:15）") as exc:
        sessions.sign_in(book, "李红", "错的-5-xxxx", policy, now=T0)
    assert exc.value.code == "locked"
    with pytest.raises(AccountError, match="已锁定，请在 09:15 之后再试") as exc:  # even the right password
        sessions.sign_in(book, "李红", PW, policy, now=T0 + dt.timedelta(minutes=14))
    assert sessions.sign_in(book, "李红", PW, policy, now=T0 + dt.timedelta(minutes=16))  # the lock has passed
    trail = [a for (a,) in q(book, "SELECT action FROM audit_log WHERE target = '李红' ORDER BY id")]
    assert trail[1:] == ["sign_in_failed"] * 4 + ["lock", "sign_in"]


def test_a_right_password_in_between_resets_the_count(book):
    for _ in range(2):
        for i in range(4):
            with pytest.raises(AccountError, match="用户名或密码不正确"):
                sessions.sign_in(book, "赵六", f"错的-{i}-xxxx", now=T0)
        sessions.sign_in(book, "赵六", PW, now=T0)


@pytest.mark.parametrize(("later", "why"), [
    (dt.timedelta(minutes=121), "超过 120 分钟没有操作"),
    (None, "登录已满 12 小时"),
], ids=["idle", "too-long"])
def test_sessions_end_when_idle_or_too_old(book, later, why):
    policy = Policy()
    token = sessions.sign_in(book, "赵六", PW, policy, now=T0)
    now = T0
    with db.transaction(book) as con:
        if later is None:  # used every hour for 13 hours
            for _ in range(13):
                now += dt.timedelta(hours=1)
                sessions.touch(con, token, now)
        else:
            now += later
        check = sessions.check_session(con, token, policy, now=now)
    assert check.account is None and why in check.why


def test_sign_out_and_account_changes_end_sessions(book):
    t1 = sessions.sign_in(book, "李红", PW, now=T0)
    t2 = sessions.sign_in(book, "李红", PW, now=T0)
    with db.transaction(book) as con:
        sessions.end_session(con, t1, "signed_out", Actor("李红"))
        assert sessions.check_session(con, t1, now=T0).account is None
        assert sessions.check_session(con, t2, now=T0).account.name == "李红"
        accounts.update_user(con, Actor("王主任"), "李红", regions=["白沙镇"])
        assert sessions.check_session(con, t2, now=T0).account is None  # new rights from the next sign-in
    t3 = sessions.sign_in(book, "李红", PW, now=T0)
    with db.connect(book, read_only=True) as con:
        assert sessions.check_session(con, t3, now=T0).account.scope.roots == ("白沙镇",)


def test_a_disabled_account_cannot_sign_in(book):
    with db.transaction(book) as con:
        accounts.update_user(con, Actor("王主任"), "赵六", active=False)
    with pytest.raises(AccountError, match="已停用"):
        sessions.sign_in(book, "赵六", PW)
