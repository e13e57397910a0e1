"""账号管理, 操作记录 and 账号 through the real app (AppTest), on a copy of the sample database."""

from __future__ import annotations

from pathlib import Path

import duckdb
import people
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import db
from etl import sessions
from etl.accounts import AccountError

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def office_db(sample_db_copy, monkeypatch):
    monkeypatch.setenv("UNION_DB", str(sample_db_copy))
    db.forget()
    for name in people.STAFF:
        people.ensure(sample_db_copy, name)
    return sample_db_copy


def q(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def open_as(path, page: str, name: str = people.FIRST_ADMIN) -> AppTest:
    at = people.sign_in(AppTest.from_file(APP, default_timeout=60), path, name).run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_administrator_adds_a_scoped_clerk(office_db):
    at = open_as(office_db, "users")
    at.text_input(key="new_user_name").input("李红")
    at.selectbox(key="new_user_role").set_value("fill")
    at.multiselect(key="new_user_regions").set_value(["白沙镇"])
    at.text_input(key="new_user_password").input("李红的初始密码-1")
    button(at, "建立账号").click().run()
    assert not at.exception
    assert at.success[0].value == "已建立账号“李红”。"
    table = at.dataframe[0].value
    row = table[table["用户名"] == "李红"].iloc[0]
    assert (row["角色"], row["地区范围"], row["状态"]) == ("填报", "白沙镇", "正常")
    assert q(office_db, "SELECT user_name, via, summary FROM audit_log WHERE action = 'account' AND target = '李红'") \
        == [(people.FIRST_ADMIN, "web", "新建账号“李红”：角色 填报，范围 白沙镇")]
    sessions.sign_in(office_db, "李红", "李红的初始密码-1")  # the password works


def test_a_clerk_without_regions_is_refused_with_the_reason(office_db):
    at = open_as(office_db, "users")
    at.text_input(key="new_user_name").input("王五")
    at.selectbox(key="new_user_role").set_value("fill")
    at.text_input(key="new_user_password").input("王五的初始密码-1")
    button(at, "建立账号").click().run()
    assert at.error and "地区" in at.error[0].value
    assert q(office_db, "SELECT count(*) FROM users WHERE name = '王五'") == [(0,)]


def test_a_role_change_ends_the_accounts_sessions(office_db):
    token = people.token(office_db, "城关填报")
    at = open_as(office_db, "users")
    at.selectbox(key="edit_user").set_value("城关填报").run()
    uid = q(office_db, "SELECT id FROM users WHERE name = '城关填报'")[0][0]
    at.selectbox(key=f"edit_role_{uid}").set_value("view")
    button(at, "保存").click().run()
    assert at.success[0].value == "已保存账号“城关填报”。"
    assert q(office_db, "SELECT role FROM users WHERE id = ?", [uid]) == [("view",)]
    with duckdb.connect(str(office_db), read_only=True) as con:
        assert sessions.check_session(con, token).account is None  # their open session ended


def test_the_audit_page_lists_the_trail_without_none(office_db):
    at = open_as(office_db, "audit")
    table = at.dataframe[0].value
    assert {"导入", "账号变更", "登录"} <= set(table["操作"])
    assert "None" not in set(table["批次"]) and "—" in set(table["批次"])  # sign-ins belong to no batch
    at.selectbox(key="audit_user").set_value("示例数据").run()
    assert set(at.dataframe[0].value["操作"]) == {"导入"}


def test_staff_are_refused_on_the_administrators_pages(office_db):
    for page in ("users", "audit"):
        at = open_as(office_db, page, "城关审核")
        assert [t.value for t in at.title] == ["无权访问"]
        assert "不能管理账号" in at.error[0].value
        assert not at.dataframe


def test_a_person_changes_their_own_password(office_db):
    at = open_as(office_db, "account", "领导")
    at.text_input(key="own_pw_current").input(people.PASSWORD)
    at.text_input(key="own_pw_new").input("领导的新密码-2")
    at.text_input(key="own_pw_again").input("领导的新密码-2")
    button(at, "修改密码").click().run()
    assert at.success[0].value.startswith("密码已修改")
    sessions.sign_in(office_db, "领导", "领导的新密码-2")
    with pytest.raises(AccountError):
        sessions.sign_in(office_db, "领导", people.PASSWORD)


@pytest.fixture
def listening_on(monkeypatch):
    """Set Streamlit's server.address for the app run in this process (and put it back)."""
    from streamlit import config

    before = config.get_option("server.address")
    monkeypatch.delenv("UNION_VIEW_WITHOUT_SIGN_IN", raising=False)  # the default follows the address
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


def test_a_server_on_this_machine_alone_lets_visitors_view(sample_db_copy, monkeypatch, listening_on):
    monkeypatch.setenv("UNION_DB", str(sample_db_copy))
    db.forget()
    listening_on("127.0.0.1")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and at.get("plotly_chart")  # the overview's charts, nobody signed in
    assert [b.label for b in at.button if b.label == "登录"] == []


def test_a_server_on_the_network_asks_everyone_to_sign_in(office_db, listening_on):
    listening_on("0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.get("plotly_chart")
    assert at.caption[0].value == "本看板在网络上提供服务，请先登录。"
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_the_first_administrator_is_not_set_up_from_another_machine(tmp_db, monkeypatch, listening_on):
    """No account yet, served on the network: the page sends the first administrator to the server's shell."""
    monkeypatch.setenv("UNION_DB", str(tmp_db))
    db.forget()
    listening_on("0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "python -m etl user add 姓名 --role 管理" in at.warning[0].value
    assert not at.text_input  # no form to claim the server with
    assert q(tmp_db, "SELECT count(*) FROM users") == [(0,)]
