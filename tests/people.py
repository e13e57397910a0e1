"""Accounts for tests: made in the test's own database, signed in without typing a password.

`make test` never waits for a person: `ensure` creates an account (the first one an
administrator, as the app requires), `sign_in` puts a real session's token into an
AppTest's session state, `browser_sign_in` types name and password into the real page (`sign_in_here`: the
form a refused URL shows, so the page stays where it is; a reload would start a new session).
"""

from __future__ import annotations

from pathlib import Path

from etl import accounts, db, sessions
from etl.audit import Actor

PASSWORD = "测试密码-2024"
BOOK_PASSWORD = "正确的密码-123"  # the accounts of the `book` fixture (tests/conftest.py)
FIRST_ADMIN = "管理员"
# name → (role, regions): the people the tests speak of
STAFF = {
    FIRST_ADMIN: ("admin", ()),
    "领导": ("view", ()),
    "城关填报": ("fill", ("城关街道",)),
    "城关审核": ("review", ("城关街道",)),
    "区审核": ("review", ("青禾区",)),
}


def ensure(path: Path | str, name: str, role: str | None = None, regions: tuple[str, ...] | None = None) -> None:
    """The account `name` exists in the database at `path` (STAFF gives role and regions unless told)."""
    role = role or STAFF.get(name, ("admin", ()))[0]
    regions = STAFF.get(name, (role, ()))[1] if regions is None else regions
    with db.transaction(path) as con:
        if con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone():
            return
        if role != "admin" and not accounts.count_users(con):
            accounts.add_user(con, Actor("测试", "cli"), FIRST_ADMIN, "admin", PASSWORD)
        accounts.add_user(con, Actor("测试", "cli"), name, role, PASSWORD, list(regions))


def token(path: Path | str, name: str, **kwargs) -> str:
    """A signed-in session's token for `name` (made first if missing)."""
    ensure(path, name, **kwargs)
    return sessions.sign_in(path, name, PASSWORD)


def sign_in(at, path: Path | str, name: str = FIRST_ADMIN, **kwargs):
    """The AppTest `at`, signed in as `name` (its next run is theirs)."""
    from dashboard.auth import TOKEN

    at.session_state[TOKEN] = token(path, name, **kwargs)
    return at


def browser_sign_in(page, base: str, name: str, password: str = PASSWORD) -> None:
    """Type name and password into the 账号 page of the running server and wait until signed in."""
    page.goto(f"{base}/account")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.get_by_text(f"已登录：{name}").wait_for(timeout=30_000)


def sign_in_here(page, name: str, password: str = PASSWORD) -> None:
    """Type name and password into the sign-in form the current URL shows (a page that needs an account)."""
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
