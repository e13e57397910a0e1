"""The permission rule as one table: role × action × region → allowed? (etl/permissions.py, lexicon/roles.toml)."""

from __future__ import annotations

import pytest

from etl import permissions
from etl.permissions import Scope

# A directory like the sample's: 青禾区 (1) › 城关街道 (2) › 城关社区 (20); 青禾区 › 白沙镇 (4).
DISTRICT, CHENGGUAN, COMMUNITY, BAISHA, UNKNOWN = 1, 2, 20, 4, None
CHENGGUAN_SCOPE = Scope(("城关街道",), frozenset({CHENGGUAN, COMMUNITY}))  # expanded: the street and below
WHOLE_SCOPE = Scope(("青禾区",), frozenset({DISTRICT, CHENGGUAN, COMMUNITY, BAISHA}))
NO_SCOPE = Scope()

# role (None: not signed in), action, scope, region → allowed
TABLE = [
    # viewing: everyone who may view at all, no region involved
    (None, "view", NO_SCOPE, None, True),
    ("view", "view", NO_SCOPE, None, True),
    ("fill", "view", CHENGGUAN_SCOPE, None, True),
    ("admin", "view", NO_SCOPE, None, True),
    # upload: 填报 within its scope (and below), never outside; 审核 and 查看 never; 管理 anywhere
    ("fill", "upload", CHENGGUAN_SCOPE, CHENGGUAN, True),
    ("fill", "upload", CHENGGUAN_SCOPE, COMMUNITY, True),
    ("fill", "upload", CHENGGUAN_SCOPE, BAISHA, False),
    ("fill", "upload", CHENGGUAN_SCOPE, DISTRICT, False),  # the district above is not below the street
    ("fill", "upload", CHENGGUAN_SCOPE, UNKNOWN, False),  # a town the directory does not know
    ("fill", "upload", NO_SCOPE, CHENGGUAN, False),
    ("fill", "upload", WHOLE_SCOPE, BAISHA, True),
    ("review", "upload", WHOLE_SCOPE, BAISHA, False),
    ("view", "upload", WHOLE_SCOPE, BAISHA, False),
    (None, "upload", WHOLE_SCOPE, BAISHA, False),
    ("admin", "upload", NO_SCOPE, BAISHA, True),
    ("admin", "upload", NO_SCOPE, UNKNOWN, True),
    # review: 审核 within scope, 管理 anywhere, 填报 never
    ("review", "review", CHENGGUAN_SCOPE, COMMUNITY, True),
    ("review", "review", CHENGGUAN_SCOPE, BAISHA, False),
    ("fill", "review", CHENGGUAN_SCOPE, CHENGGUAN, False),
    ("admin", "review", NO_SCOPE, BAISHA, True),
    # history, undo and administration: not about a region
    ("view", "history", NO_SCOPE, None, False),
    ("fill", "history", CHENGGUAN_SCOPE, None, True),
    ("review", "history", CHENGGUAN_SCOPE, None, True),
    ("fill", "undo_own", CHENGGUAN_SCOPE, None, True),
    ("fill", "undo_any", CHENGGUAN_SCOPE, None, False),
    ("review", "undo_own", CHENGGUAN_SCOPE, None, False),
    ("admin", "undo_any", NO_SCOPE, None, True),
    ("fill", "accounts", CHENGGUAN_SCOPE, None, False),
    ("review", "directory", WHOLE_SCOPE, None, False),
    ("admin", "accounts", NO_SCOPE, None, True),
    ("admin", "directory", NO_SCOPE, None, True),
    ("admin", "settings", NO_SCOPE, None, True),
    (None, "history", NO_SCOPE, None, False),
    (None, "accounts", NO_SCOPE, None, False),
]


@pytest.mark.parametrize(("role", "action", "scope", "region", "allowed"), TABLE,
                         ids=[f"{r or 'visitor'}-{a}-{'+'.join(s.roots) or 'none'}-{g}-{ok}"
                              for r, a, s, g, ok in TABLE])
def test_permission_table(role, action, scope, region, allowed):
    assert permissions.may_for(role, action, scope, region) is allowed


@pytest.mark.parametrize(("role", "scope", "action", "opens"), [
    ("fill", CHENGGUAN_SCOPE, "upload", True),
    ("fill", NO_SCOPE, "upload", False),  # no region assigned: the page says so instead of refusing every row
    ("review", NO_SCOPE, "review", False),
    ("admin", NO_SCOPE, "upload", True),
    ("view", NO_SCOPE, "upload", False),
    (None, NO_SCOPE, "view", True),
], ids=["fill-scoped", "fill-unscoped", "review-unscoped", "admin", "viewer", "visitor-view"])
def test_a_page_opens_only_with_the_action_and_a_scope(role, scope, action, opens):
    assert permissions.may_open(role, action, scope) is opens


@pytest.mark.parametrize(("role", "user", "owner", "allowed"), [
    ("fill", "李红", "李红", True),
    ("fill", "李红", "王五", False),
    ("fill", "李红", None, False),  # a command-line or demo batch: only 管理
    ("admin", "王主任", "李红", True),
    ("admin", "王主任", None, True),
    ("review", "张三", "张三", False),
    ("view", "领导", "领导", False),
    (None, "", "", False),
])
def test_undo_own_batches_unless_admin(role, user, owner, allowed):
    assert permissions.may_undo(role, user, owner) is allowed


def test_refusals_say_why_in_chinese():
    assert permissions.refusal("view", "upload") == \
        "您的角色“查看”不能上传统计表和报告。如确有需要，请联系管理员调整角色。"
    assert permissions.refusal(None, "upload") == "请先登录。"
    assert "白沙镇”不在您的范围（城关街道）内" in permissions.refusal("fill", "upload", CHENGGUAN_SCOPE, "白沙镇")
    assert "不在地区目录中" in permissions.refusal("fill", "upload", CHENGGUAN_SCOPE, "东城街道", known=False)
    assert "还没有分配地区范围" in permissions.refusal("fill", "upload", NO_SCOPE, "城关街道")
    assert "只能撤销自己导入的批次" in permissions.undo_refusal(3, "王五")


def test_roles_by_chinese_name_or_key():
    assert [permissions.role_key(x) for x in ("填报", "fill", "管理", " 审核 ")] == ["fill", "fill", "admin", "review"]
    with pytest.raises(permissions.Refused, match="没有“主任”这个角色。可选：查看"):
        permissions.role_key("主任")


def test_every_role_names_only_defined_actions_and_every_action_has_words():
    r = permissions.rules()
    assert set(r.roles) == {"view", "fill", "review", "admin"}
    assert all(a.zh for a in r.actions.values())
    assert r.roles["admin"].may == frozenset(r.actions)  # 管理 may do everything
    assert {a for a in r.actions if r.actions[a].scoped} == {"upload", "review"}
