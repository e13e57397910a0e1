"""Local accounts: passwords (argon2id), sign-in with lock-out, sessions that expire, roles and scopes.

No default password exists: the first administrator is made on the first run,
in the app (账号 page) or with `python -m etl user add NAME --role 管理`.
Every change to an account, every sign-in, failure and lock is written to the
audit trail (etl/audit.py) in the same transaction as the change.

A session is a random token held by the browser's Streamlit session; the
database keeps only its sha256, so a copy of the database signs nobody in.
A session ends on sign-out, after `session_idle_minutes` unused, after
`session_max_hours` in all, or when an administrator changes the account.

Functions take a connection (the caller's transaction) or a database path
(they open one unit of work themselves). Times are the machine's local time,
as everywhere in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from etl import db, permissions
from etl.audit import Actor, record
from etl.errors import UnionError
from etl.permissions import Scope
from etl.settings import Settings

PASSWORD_MIN = 8
NAME_MAX = 40
TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen is written at most this often (a page switch reads only)
# OWASP's argon2id minimum (19 MiB, 2 passes): ~40 ms a hash here, so tests and sign-ins stay quick.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY = _hasher.hash("不是任何人的密码")  # verified for unknown names, so both answers take as long


class AccountError(UnionError):
    """A sign-in or account change that cannot go ahead; the message is Chinese and names the account."""


@dataclass(frozen=True)
class Policy:
    """Lock-out and session limits (etl/settings.py, [accounts])."""

    lockout_failures: int = 5
    lockout_minutes: float = 15.0
    idle: dt.timedelta = dt.timedelta(minutes=120)
    longest: dt.timedelta = dt.timedelta(hours=12)

    @staticmethod
    def of(s: Settings) -> Policy:
        return Policy(s.lockout_failures, s.lockout_minutes, dt.timedelta(minutes=s.session_idle_minutes),
                      dt.timedelta(hours=s.session_max_hours))


@dataclass(frozen=True)
class Account:
    """Who is using the app: a signed-in account, or VISITOR (not signed in)."""

    id: int
    name: str
    role: str
    scope: Scope = field(default_factory=Scope)
    signed_in: bool = True

    @property
    def role_zh(self) -> str:
        return permissions.role_zh(self.role)

    def may(self, action: str) -> bool:
        return permissions.may(self.role if self.signed_in else None, action)

    def may_open(self, action: str) -> bool:
        return permissions.may_open(self.role if self.signed_in else None, action, self.scope)

    def may_for(self, action: str, region_id: int | None) -> bool:
        return permissions.may_for(self.role if self.signed_in else None, action, self.scope, region_id)

    def may_undo(self, owner: str | None) -> bool:
        """Its own batches with undo_own (填报), anyone's with undo_any (管理)."""
        return permissions.may_undo(self.role if self.signed_in else None, self.name, owner)

    def refusal(self, action: str, region: str | None = None, known: bool = True) -> str:
        return permissions.refusal(self.role if self.signed_in else None, action, self.scope, region, known)

    def actor(self) -> Actor:
        return Actor(self.name, "web")

    def label(self) -> str:
        """张三（填报 · 城关街道）"""
        scoped = permissions.rules().roles[self.role].scoped
        return f"{self.name}（{self.role_zh}" + (f" · {self.scope.text()}" if scoped else "") + "）"


VISITOR = Account(0, "", permissions.VISITOR_ROLE, signed_in=False)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


# ---- reading ------------------------------------------------------------------------------------------------------

def count_users(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM users").fetchone()[0])


def scope_of(con: duckdb.DuckDBPyConnection, user_id: int) -> Scope:
    """The account's regions and every region below them (regions.parent_id, cycles stop)."""
    roots = [r[0] for r in con.execute(
        "SELECT r.name FROM user_regions u JOIN regions r ON r.id = u.region_id WHERE u.user_id = ? ORDER BY r.id",
        [user_id]).fetchall()]
    ids = con.execute(
        """
        WITH RECURSIVE below(id) AS (
            SELECT region_id FROM user_regions WHERE user_id = ?
            UNION
            SELECT r.id FROM regions r JOIN below b ON r.parent_id = b.id
        )
        SELECT id FROM below
        """, [user_id]).fetchall()
    return Scope(tuple(roots), frozenset(int(i) for (i,) in ids))


def account(con: duckdb.DuckDBPyConnection, name: str) -> Account:
    row = con.execute("SELECT id, name, role FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise AccountError(f"没有名为“{name}”的账号。", item=name, code="no_such_user")
    return Account(int(row[0]), row[1], row[2], scope_of(con, int(row[0])))


def users(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every account for the 账号管理 page and `user list` (never a hash)."""
    cur = con.execute(
        """
        SELECT u.id, u.name, u.role, u.active, u.locked_until, u.failed_count, u.created_at, u.last_sign_in,
               coalesce(list(r.name ORDER BY r.id) FILTER (WHERE r.name IS NOT NULL), []) AS regions
        FROM users u LEFT JOIN user_regions ur ON ur.user_id = u.id LEFT JOIN regions r ON r.id = ur.region_id
        GROUP BY ALL ORDER BY u.id
        """)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


# ---- changing accounts --------------------------------------------------------------------------------------------

def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise AccountError("请填写用户名。", code="no_name")
    if len(name) > NAME_MAX or any(c.isspace() for c in name) or not name.isprintable():
        raise AccountError(f"用户名“{name[:NAME_MAX]}”不可用：不超过 {NAME_MAX} 个字，不含空格。", item=name,
                           code="bad_name")
    return name


def check_password(password: str, name: str = "") -> None:
    """A password a person can be trusted with: long enough, not the name itself."""
    if len(password or "") < PASSWORD_MIN:
        raise AccountError(f"密码至少 {PASSWORD_MIN} 个字符。", item=name, code="short_password")
    if name and password.strip() == name:
        raise AccountError("密码不能与用户名相同。", item=name, code="password_is_name")


def _region_ids(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[tuple[int, str]]:
    """Directory regions by exact name or alias; a Chinese error lists the names it does not know."""
    out, unknown = [], []
    for raw in names:
        row = con.execute(
            "SELECT id, name FROM regions WHERE name = $n UNION ALL "
            "SELECT r.id, r.name FROM region_aliases a JOIN regions r ON r.id = a.region_id WHERE a.alias = $n "
            "LIMIT 1", {"n": raw.strip()}).fetchone()
        if row is None:
            unknown.append(raw)
        elif row[0] not in [i for i, _ in out]:
            out.append((int(row[0]), row[1]))
    if unknown:
        raise AccountError(f"地区目录中没有：{'、'.join(unknown)}。请用目录中的地区名（如 城关街道）。",
                           item="、".join(unknown), code="unknown_region")
    return out


def _scope_rule(role: str, regions: list[tuple[int, str]], name: str) -> None:
    scoped = permissions.rules().roles[role].scoped
    if scoped and not regions:
        raise AccountError(f"“{permissions.role_zh(role)}”角色须指定地区范围（至少一个地区）。", item=name,
                           code="scope_needed")
    if not scoped and regions:
        raise AccountError(f"“{permissions.role_zh(role)}”角色不受地区范围限制，不必指定地区。", item=name,
                           code="scope_not_used")


def add_user(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, role: str, password: str,
             regions: list[str] = ()) -> int:
    """Create an account (in the caller's transaction); `role` by key or Chinese name, `regions` by name."""
    name = _check_name(name)
    role = permissions.role_key(role)
    check_password(password, name)
    if con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
        raise AccountError(f"账号“{name}”已存在。", item=name, code="user_exists")
    if role != "admin" and not count_users(con):
        raise AccountError("第一个账号必须是管理员（--role 管理），以便由它管理其他账号。", item=name,
                           code="first_is_admin")
    found = _region_ids(con, list(regions))
    _scope_rule(role, found, name)
    now = _now()
    uid = con.execute("INSERT INTO users (name, role, password_hash, created_at, password_changed_at) "
                      "VALUES (?, ?, ?, ?, ?) RETURNING id", [name, role, _hasher.hash(password), now, now]
                      ).fetchone()[0]
    _set_regions(con, uid, found)
    after = {"role": permissions.role_zh(role), "regions": [n for _, n in found]}
    record(con, actor, "account", f"新建账号“{name}”：{_describe(after)}", target=name, after=after)
    return int(uid)


def first_admin(con: duckdb.DuckDBPyConnection, name: str, password: str, via: str = "web") -> int:
    """The first account, an administrator; refused once any account exists (someone was quicker)."""
    if count_users(con):
        raise AccountError("管理员账号已经设置过了，请直接登录。", code="admin_exists")
    return add_user(con, Actor(_check_name(name), via), name, "admin", password)


def _set_regions(con: duckdb.DuckDBPyConnection, uid: int, found: list[tuple[int, str]]) -> None:
    con.execute("DELETE FROM user_regions WHERE user_id = ?", [uid])
    if found:
        con.executemany("INSERT INTO user_regions VALUES (?, ?)", [(uid, rid) for rid, _ in found])


def _describe(state: dict) -> str:
    text = f"角色 {state['role']}"
    if state.get("regions"):
        text += f"，范围 {'、'.join(state['regions'])}"
    if state.get("active") is False:
        text += "，已停用"
    return text


def _state(con: duckdb.DuckDBPyConnection, uid: int) -> dict:
    role, active = con.execute("SELECT role, active FROM users WHERE id = ?", [uid]).fetchone()
    regions = [r[0] for r in con.execute("SELECT r.name FROM user_regions u JOIN regions r ON r.id = u.region_id "
                                         "WHERE u.user_id = ? ORDER BY r.id", [uid]).fetchall()]
    return {"role": permissions.role_zh(role), "regions": regions, "active": bool(active)}


def _uid(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise AccountError(f"没有名为“{name}”的账号。", item=name, code="no_such_user")
    return int(row[0])


def _end_sessions(con: duckdb.DuckDBPyConnection, uid: int, why: str, keep: str | None = None) -> int:
    return int(con.execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE user_id = ? AND ended_at IS NULL "
                           "AND token_hash <> ?", [_now(), why, uid, _token_hash(keep) if keep else ""]
                           ).fetchone()[0])


def update_user(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, *, role: str | None = None,
                regions: list[str] | None = None, active: bool | None = None) -> None:
    """Change an account's role, regions or whether it may sign in; its open sessions end (they sign in anew)."""
    uid = _uid(con, name)
    before = _state(con, uid)
    new_role = permissions.role_key(role) if role else con.execute(
        "SELECT role FROM users WHERE id = ?", [uid]).fetchone()[0]
    if regions is not None:
        found = _region_ids(con, list(regions))
    elif permissions.rules().roles[new_role].scoped:
        found = [(int(i), n) for i, n in con.execute(
            "SELECT r.id, r.name FROM user_regions u JOIN regions r ON r.id = u.region_id WHERE u.user_id = ?",
            [uid]).fetchall()]
    else:
        found = []
    _scope_rule(new_role, found, name)
    if active is False or new_role != "admin":
        _keep_an_admin(con, uid)
    con.execute("UPDATE users SET role = ?, active = coalesce(?, active) WHERE id = ?", [new_role, active, uid])
    _set_regions(con, uid, found)
    after = _state(con, uid)
    if after == before:
        return
    _end_sessions(con, uid, "account_changed")
    record(con, actor, "account", f"修改账号“{name}”：{_describe(before)} → {_describe(after)}", target=name,
           before=before, after=after)


def _keep_an_admin(con: duckdb.DuckDBPyConnection, uid: int) -> None:
    """Refuse a change that would leave no active administrator (nobody could manage accounts then)."""
    others = con.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active AND id <> ?", [uid]).fetchone()[0]
    is_admin = con.execute("SELECT role = 'admin' AND active FROM users WHERE id = ?", [uid]).fetchone()[0]
    if is_admin and not others:
        raise AccountError("这是唯一一个有效的管理员账号：请先给另一个账号“管理”角色，再修改或停用它。",
                           code="last_admin")


def set_password(con: duckdb.DuckDBPyConnection, actor: Actor, name: str, password: str,
                 keep_session: str | None = None) -> None:
    """A new password (by its owner or an administrator); the account's other sessions end, a lock lifts."""
    uid = _uid(con, name)
    check_password(password, name)
    con.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, failed_count = 0, locked_until = NULL "
                "WHERE id = ?", [_hasher.hash(password), _now(), uid])
    _end_sessions(con, uid, "account_changed", keep=keep_session)
    who = "本人" if actor.name == name else actor.name
    record(con, actor, "account", f"{who}为账号“{name}”设置了新密码", target=name)


def change_own_password(con: duckdb.DuckDBPyConnection, account: Account, current: str, new: str,
                        token: str | None = None) -> None:
    """The owner's change: the current password first; the session in use stays, the others end."""
    row = con.execute("SELECT password_hash FROM users WHERE id = ?", [account.id]).fetchone()
    if row is None or not _verify(row[0], current):
        raise AccountError("当前密码不正确，密码未修改。", item=account.name, code="wrong_password")
    if current == new:
        raise AccountError("新密码与当前密码相同。", item=account.name, code="same_password")
    set_password(con, account.actor(), account.name, new, keep_session=token)


def unlock(con: duckdb.DuckDBPyConnection, actor: Actor, name: str) -> None:
    uid = _uid(con, name)
    con.execute("UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = ?", [uid])
    record(con, actor, "account", f"解锁账号“{name}”", target=name)


# ---- signing in ---------------------------------------------------------------------------------------------------

def sign_in(path: Path | str, name: str, password: str, policy: Policy = Policy(), *, via: str = "web",
            wait: float | None = None, now: dt.datetime | None = None) -> str:
    """A new session's token for a right name and password; AccountError (Chinese) otherwise.

    Wrong passwords count; at `policy.lockout_failures` in a row the account is locked for
    `policy.lockout_minutes` (even the right password is refused meanwhile). Unknown names get
    the same answer as wrong passwords, after the same work.
    """
    now = now or _now()
    name = (name or "").strip()
    refusal: AccountError | None = None
    token = secrets.token_urlsafe(32)
    with db.transaction(path, wait=wait) as con:
        row = con.execute("SELECT id, password_hash, active, failed_count, locked_until FROM users WHERE name = ?",
                          [name]).fetchone()
        wrong = AccountError(f"用户名或密码不正确。连续输错 {policy.lockout_failures} 次，账号将锁定 "
                             f"{policy.lockout_minutes:g} 分钟。", item=name, code="wrong_password")
        if row is None:
            _verify(_DUMMY, password)
            raise wrong
        uid, hashed, active, failed, locked_until = row
        actor = Actor(name, via)
        if locked_until is not None and locked_until > now:
            raise AccountError(f"账号“{name}”因连续输错密码已锁定，请在 {locked_until:%H:%M} 之后再试，"
                               "或请管理员解锁。", item=name, code="locked")
        if not _verify(hashed, password):
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
            if _hasher.check_needs_rehash(hashed):
                con.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), uid])
            con.execute("UPDATE users SET failed_count = 0, locked_until = NULL, last_sign_in = ? WHERE id = ?",
                        [now, uid])
            con.execute("INSERT INTO sessions (token_hash, user_id, created_at, last_seen) VALUES (?, ?, ?, ?)",
                        [_token_hash(token), uid, now, now])
            record(con, actor, "sign_in", f"“{name}”登录", target=name)
    if refusal is not None:  # raised after the commit: the count and the lock are kept
        raise refusal
    return token


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


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
    now = now or _now()
    row = con.execute(
        "SELECT s.user_id, s.created_at, s.last_seen, s.ended_at, u.name, u.role, u.active "
        "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?", [_token_hash(token)]).fetchone()
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
                [now or _now(), _token_hash(token)])


def end_session(con: duckdb.DuckDBPyConnection, token: str, why: str, actor: Actor | None = None) -> None:
    """Sign out (or expire) one session; a sign-out is recorded in the trail."""
    n = con.execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE token_hash = ? AND ended_at IS NULL",
                    [_now(), why, _token_hash(token)]).fetchone()[0]
    if n and actor is not None and why == "signed_out":
        record(con, actor, "sign_out", f"“{actor.name}”退出登录", target=actor.name)
