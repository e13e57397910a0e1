"""Who may do what: roles × actions × regions, read from etl/lexicon/roles.toml.

Pure functions, no database and no Streamlit, so the whole rule is one table
in tests/test_permissions.py. A scoped role (填报, 审核) may do a scoped action
(upload, review) only for the regions of its account and every region below
them in the directory (regions.parent_id); an unscoped role (管理) anywhere.
A region the directory does not know is outside every scope.

The callers: dashboard/auth.py (navigation, a page's URL), dashboard/actions.py
(each review action), etl/scope.py (the rows of an upload), the history page
(undo: one's own batches, or anyone's for 管理).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from etl.catalog import read_lexicon
from etl.errors import UnionError

VISITOR_ROLE = "view"  # what a person who has not signed in may do, where viewing without sign-in is allowed


class Refused(UnionError):
    """The signed-in person may not do this; the message says why in Chinese (from roles.toml)."""


@dataclass(frozen=True)
class Action:
    key: str
    zh: str
    scoped: bool


@dataclass(frozen=True)
class Role:
    key: str
    zh: str
    may: frozenset[str]
    scoped: bool
    about: str


@dataclass(frozen=True)
class Rules:
    actions: dict[str, Action]
    roles: dict[str, Role]
    messages: dict[str, str]


@functools.cache
def rules() -> Rules:
    """The roles, actions and messages of lexicon/roles.toml, checked once."""
    raw = read_lexicon("roles.toml")
    actions = {k: Action(k, v["zh"], bool(v.get("scoped", False))) for k, v in raw["actions"].items()}
    roles = {k: Role(k, v["zh"], frozenset(v["may"]), bool(v["scoped"]), v.get("about", ""))
             for k, v in raw["roles"].items()}
    unknown = {a for r in roles.values() for a in r.may} - set(actions)
    if unknown:
        raise ValueError(f"roles.toml: roles name actions that are not defined: {sorted(unknown)}")
    return Rules(actions, roles, dict(raw["messages"]))


def role_key(text: str) -> str:
    """A role's key from its key or its Chinese name (填报 → fill); a Chinese error names the choices."""
    r = rules()
    for role in r.roles.values():
        if text.strip() in (role.key, role.zh):
            return role.key
    choices = "、".join(f"{x.zh}（{x.key}）" for x in r.roles.values())
    raise Refused(f"没有“{text}”这个角色。可选：{choices}。", item=text, code="unknown_role")


def role_zh(key: str | None) -> str:
    role = rules().roles.get(key or "")
    return role.zh if role else str(key)


@dataclass(frozen=True)
class Scope:
    """The regions an account may write for: its chosen regions (`roots`, names for messages) and all below."""

    roots: tuple[str, ...] = ()
    ids: frozenset[int] = frozenset()

    def covers(self, region_id: int | None) -> bool:
        return region_id is not None and int(region_id) in self.ids

    def text(self) -> str:
        return "、".join(self.roots) if self.roots else "未分配"


def may(role: str | None, action: str) -> bool:
    """May `role` (None: not signed in) do `action` at all? Scoped actions need a region check as well."""
    r = rules()
    if action not in r.actions:
        raise KeyError(f"unknown action {action!r} (etl/lexicon/roles.toml)")
    found = r.roles.get(role or VISITOR_ROLE)
    return found is not None and action in found.may


def _scoped(role: str | None, action: str) -> bool:
    """Does it depend on the region whether `role` may do `action` (a scoped role, a scoped action)?"""
    return rules().actions[action].scoped and rules().roles[role or VISITOR_ROLE].scoped


def may_for(role: str | None, action: str, scope: Scope, region_id: int | None) -> bool:
    """May `role` with `scope` do `action` for the region `region_id` (None: not in the directory)?"""
    return may(role, action) and (not _scoped(role, action) or scope.covers(region_id))


def may_open(role: str | None, action: str, scope: Scope) -> bool:
    """May the page for `action` open? A scoped role needs at least one region for a scoped action."""
    return may(role, action) and not (_scoped(role, action) and not scope.ids)


def may_undo(role: str | None, user: str | None, owner: str | None) -> bool:
    """Anyone's batch with undo_any (管理); one's own with undo_own; nobody's without a name."""
    if may(role, "undo_any"):
        return True
    return may(role, "undo_own") and bool(user) and user == owner


def refusal(role: str | None, action: str, scope: Scope | None = None, region: str | None = None,
            known: bool = True) -> str:
    """The Chinese sentence for a refused `action` (for `region`, when the refusal is about one)."""
    r = rules()
    what = r.actions[action].zh
    if role is None and not may(None, action):
        return r.messages["sign_in"]
    if not may(role, action):
        return r.messages["role"].format(role=role_zh(role), action=what)
    scope = scope or Scope()
    if not scope.ids:
        return r.messages["no_scope"].format(action=what)
    key = "out_of_scope" if known else "not_in_directory"
    return r.messages[key].format(region=region or "该地区", scope=scope.text(), action=what)


def undo_refusal(batch_id: int, owner: str | None) -> str:
    return rules().messages["own_batch"].format(batch=batch_id, owner=owner or "命令行或示例数据")
