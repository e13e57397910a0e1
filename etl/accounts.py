"""Local accounts: who may use the app, with which role and over which regions, and every change to them.

No default password exists: the first administrator is made on the first run,
in the app (账号 page) or with `python -m etl user add NAME --role 管理`.
Every change to an account is written to the audit trail (etl/audit.py) in
the same transaction as the change, and ends the account's open sessions.

Signing in and sessions are etl/sessions.py; how passwords and tokens are
hashed is etl/passwords.py. Functions take a connection (the caller's
transaction). Times are the machine's local time, as everywhere in the
database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from etl import passwords, permissions
from etl.audit import Actor, record
from etl.errors import UnionError
from etl.permissions import Scope

PASSWORD_MIN = 8
NAME_MAX = 40


class AccountError(UnionError):
    """A sign-in or account change that cannot go ahead; the message is Chinese and names the account."""


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


def local_now() -> dt.datetime:
    """The machine's local time to the second, as every account and session time is stored."""
    return dt.datetime.now().replace(microsecond=0)


# ---- reading ------------------------------------------------------------------------------------------------------

def count_users(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM users").fetchone()[0])


def _regions_of(con: duckdb.DuckDBPyConnection, user_id: int) -> list[tuple[int, str]]:
    """The regions chosen for the account (id, name), in directory order."""
    return [(int(i), n) for i, n in con.execute(
        "SELECT r.id, r.name FROM user_regions u JOIN regions r ON r.id = u.region_id WHERE u.user_id = ? "
        "ORDER BY r.id", [user_id]).fetchall()]


def scope_of(con: duckdb.DuckDBPyConnection, user_id: int) -> Scope:
    """The account's regions and every region below them (regions.parent_id, cycles stop)."""
    ids = con.execute(
        """
        WITH RECURSIVE below(id) AS (
            SELECT region_id FROM user_regions WHERE user_id = ?
            UNION
            SELECT r.id FROM regions r JOIN below b ON r.parent_id = b.id
        )
        SELECT id FROM below
        """, [user_id]).fetchall()
    return Scope(tuple(n for _, n in _regions_of(con, user_id)), frozenset(int(i) for (i,) in ids))


def account(con: duckdb.DuckDBPyConnection, name: str) -> Account:
    uid = _uid(con, name)
    role = con.execute("SELECT role FROM users WHERE id = ?", [uid]).fetchone()[0]
    return Account(uid, name, role, scope_of(con, uid))


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
    now = local_now()
    uid = con.execute("INSERT INTO users (name, role, password_hash, created_at, password_changed_at) "
                      "VALUES (?, ?, ?, ?, ?) RETURNING id", [name, role, passwords.hash_password(password), now, now]
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
    return {"role": permissions.role_zh(role), "regions": [n for _, n in _regions_of(con, uid)], "active": bool(active)}


def _uid(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute("SELECT id FROM users WHERE name = ?", [name]).fetchone()
    if row is None:
        raise AccountError(f"没有名为“{name}”的账号。", item=name, code="no_such_user")
    return int(row[0])


def end_sessions(con: duckdb.DuckDBPyConnection, uid: int, why: str, keep: str | None = None) -> int:
    """End the account's open sessions (but `keep`'s): after a change to it, its holders sign in anew."""
    kept = passwords.token_hash(keep) if keep else ""
    return int(con.execute("UPDATE sessions SET ended_at = ?, ended_why = ? WHERE user_id = ? AND ended_at IS NULL "
                           "AND token_hash <> ?", [local_now(), why, uid, kept]).fetchone()[0])


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
        found = _regions_of(con, uid)
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
    end_sessions(con, uid, "account_changed")
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
                "WHERE id = ?", [passwords.hash_password(password), local_now(), uid])
    end_sessions(con, uid, "account_changed", keep=keep_session)
    who = "本人" if actor.name == name else actor.name
    record(con, actor, "account", f"{who}为账号“{name}”设置了新密码", target=name)


def change_own_password(con: duckdb.DuckDBPyConnection, account: Account, current: str, new: str,
                        token: str | None = None) -> None:
    """The owner's change: the current password first; the session in use stays, the others end."""
    row = con.execute("SELECT password_hash FROM users WHERE id = ?", [account.id]).fetchone()
    if row is None or not passwords.verify(row[0], current):
        raise AccountError("当前密码不正确，密码未修改。", item=account.name, code="wrong_password")
    if current == new:
        raise AccountError("新密码与当前密码相同。", item=account.name, code="same_password")
    set_password(con, account.actor(), account.name, new, keep_session=token)


def unlock(con: duckdb.DuckDBPyConnection, actor: Actor, name: str) -> None:
    uid = _uid(con, name)
    con.execute("UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = ?", [uid])
    record(con, actor, "account", f"解锁账号“{name}”", target=name)


