"""Signing in and sessions: a right name and password give a token; the token is checked on every page.

Wrong passwords count; after `lockout_failures` in a row the account is
locked for a while. A session is a random token held by the browser's
Streamlit session; the database keeps only its sha256 (etl/passwords.py). A
session ends on sign-out, after `session_idle_minutes` unused, after
`session_max_hours` in all, or when an administrator changes the account
(etl/accounts.py). Every sign-in, failure and lock is written to the audit
trail in the same transaction. Apart from accounts.py because this is what
runs on every request, while account changes are an administrator's.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import db, passwords, permissions
from etl.accounts import Account, AccountError, local_now, scope_of
from etl.audit import Actor, record
from etl.settings import Settings

TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen is written at most this often (a page switch reads only)


@dataclass(frozen=True)
class Policy:
    """Lock-out and session limits (etl/settings.py, [accounts]; its defaults are these)."""

    lockout_failures: int = Settings.lockout_failures
    lockout_minutes: float = Settings.lockout_minutes
    idle: dt.timedelta = dt.timedelta(minutes=Settings.session_idle_minutes)
    longest: dt.timedelta = dt.timedelta(hours=Settings.session_max_hours)

    @staticmethod
    def of(s: Settings) -> Policy:
        return Policy(s.lockout_failures, s.lockout_minutes, dt.timedelta(minutes=s.session_idle_minutes),
                      dt.timedelta(hours=s.session_max_hours))


def sign_in(path: Path | str, name: str, password: str, policy: Policy = Policy(), *, via: str = "web",
            wait: float | None = None, now: dt.datetime | None = None) -> str:
    """A new session's token for a right name and password; AccountError (Chinese) otherwise.

    Wrong passwords count; at `policy.lockout_failures` in a row the account is locked for
    `policy.lockout_minutes` (even the right password is refused meanwhile). Unknown names get
    the same answer as wrong passwords, after the same work.
    """
    now = now or local_now()
    name = (name or "").strip()
    refusal: AccountError | None = None
    token = secrets.token_urlsafe(32)
    with db.transaction(path, wait=wait) as con:
        row = con.execute("SELECT id, password_hash, active, failed_count, locked_until FROM users WHERE name = ?",
                          [name]).fetchone()
        wrong = AccountError(f"用户名或密码不正确。连续输错 {policy.lockout_failures} 次，账号将锁定 "
                             f"{policy.lockout_minutes:g} 分钟。", item=name, code="wrong_password")
        if row is None:
            passwords.verify_nobody(password)
            raise wrong
        uid, hashed, active, failed, locked_until = row
        actor = Actor(name, via)
        if locked_until is not None and locked_until > now:
            raise AccountError(f"账号“{name}”因连续输错密码已锁定，请在 {locked_until:%H:%M} 之后再试，"
                               "或请管理员解锁。", item=name, code="locked")
        if not passwords.verify(hashed, password):
            failed = int(failed) + 1
            if failed >= policy.lockout_failures:
                until = now + dt.timedelta(minutes=policy.lockout_minutes)
                con.execute("UPDATE users SET failed_count = 0, locked_until = ? WHERE id = ?", [until, uid])
                record(con, actor, "lock", f"连续 {failed} 次密码错误，账号“{name}”锁定到 {until:%H:%M}", target=name)
                refusal = AccountError(f"密码连续输错 {failed} 次，账号“{name}”已锁定 {policy.lockout_minutes:g} 分钟"
                                       f"（到 {until:%H:%M}）。如忘记密码，请管理员重设。", item=name, code="locked")
            else:
                con.execute("UPDATE users SET failed_count = ? WHERE id = ?", [failed, uid])
                record(con, actor, "sign_in_failed", f"账号“{name}”密码错误（连续第 {failed} 次）", target=name)
                refusal = wrong
        elif not active:
            refusal = AccountError(permissions.rules().messages["inactive"].format(name=name), item=name,
                                   code="inactive")
        else:
            if passwords.needs_rehash(hashed):
                con.execute("UPDATE users SET password_hash = ? WHERE id = ?", [passwords.hash_password(password), uid])
            con.execute("UPDATE users SET failed_count = 0, locked_until = NULL, last_sign_in = ? WHERE id = ?",
                        [now, uid])
            con.execute("INSERT INTO sessions (token_hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)",
                        [passwords.token_hash(token), uid, now, now])
            record(con, actor, "sign_in", f"“{name}”登录", target=name)
    if refusal is not None:  # raised after the commit: the count and the lock are kept
        raise refusal
    return token


@dataclass(frozen=True)
class SessionCheck:
    """What a token is worth now: the account, or why not (a Chinese sentence, empty when it never was one)."""

    account: Account | None
    why: str = ""
    touch: bool = False  # last_seen is old enough to write again
    end: str = ""  # the session must be ended for this reason (idle, too_long, account_changed)


def check_session(con: duckdb.DuckDBPyConnection, token: str, policy: Policy = Policy(),
                  now: dt.datetime | None = None) -> SessionCheck:
    """Read-only: who holds `token`, if the session is still good."""
    now = now or local_now()
    row = con.execute(
        "SELECT s.user_id, s.created_at, s.last_seen, s.ended_at, u.name, u.role, u.active "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [passwords.token_hash(token)]).fetchone()
    if row is None or row[3] is not None:
        return SessionCheck(None)
    uid, created, last_seen, _, name, role, active = row
    if not active:
        return SessionCheck(None, permissions.rules().messages["inactive"].format(name=name), end="account_changed")
    if now - last_seen > policy.idle:
        return SessionCheck(None, f"超过 {policy.idle.total_seconds() / 60:g} 分钟没有操作，已自动退出，请重新登录。",
                            end="idle")
    if now - created > policy.longest:
        return SessionCheck(None, f"登录已满 {policy.longest.total_seconds() / 3600:g} 小时，请重新登录。",
                            end="too_long")
    return SessionCheck(Account(int(uid), name, role, scope_of(con, int(uid))), touch=now - last_seen > TOUCH_EVERY)


def touch(con: duckdb.DuckDBPyConnection, token: str, now: dt.datetime | None = None) -> None:
    con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ? AND ended_at IS NULL",
                [now or local_now(), passwords.token_hash(token)])


def end_session(con: duckdb.DuckDBPyConnection, token: str, why: str, actor: Actor | None = None) -> None:
    """Sign out (or expire) one session; a sign-out is recorded in the trail."""
    n = con.execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE token_hash = ? AND ended_at IS NULL",
                    [local_now(), why, passwords.token_hash(token)]).fetchone()[0]
    if n and actor is not None and why == "signed_out":
        record(con, actor, "sign_out", f"“{actor.name}”退出登录", target=actor.name)
