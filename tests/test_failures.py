"""A page's bug: the details go to the server's log; on screen one Chinese line, details only where safe."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cache, db, failures
from etl.accounts import Account
from etl.permissions import Scope

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SECRET = "SELECT * FROM users -- /srv/union/secret.duckdb"


@pytest.mark.parametrize(("role", "chosen", "local", "shown"), [
    ("view", None, True, True),  # the server's own machine (make run): a person at the server sees it all
    ("view", None, False, False),  # served to a network: a visitor or a viewer reads one line
    ("fill", None, False, False),
    ("review", None, False, False),
    ("admin", None, False, True),  # the administrator may see the details
    ("admin", False, True, False),  # the setting wins, either way
    ("view", True, False, True),
])
def test_who_sees_the_details(role, chosen, local, shown):
    account = Account(1, "某人", role, Scope())
    assert failures.details_shown(account, chosen, local) is shown


def test_a_visitor_is_not_shown_the_details_of_a_network_server(sample_db, monkeypatch):
    """The overview's query fails: a Chinese line with a reference, nothing of the error on screen, all of it
    in the log under that reference."""
    monkeypatch.setenv("UNION_DB", str(sample_db))
    monkeypatch.setenv("UNION_SHOW_ERROR_DETAILS", "0")  # as for a visitor of a server on the network
    db.forget()

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(cache, "get", broken)
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append
    failures.LOG.addHandler(handler)
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        failures.LOG.removeHandler(handler)
    assert not at.exception
    (line,) = [e.value for e in at.error]
    assert line.startswith("页面出错了，未能显示（错误编号 ")
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main) + " ".join(e.value for e in at.markdown)
    assert "SELECT" not in shown and "secret" not in shown
    (record,) = seen
    ref = line.split("错误编号 ")[1][:6]
    assert f"ref={ref}" in record.getMessage() and record.exc_info[1].args == (SECRET,)


def test_details_are_shown_where_the_setting_allows(sample_db, monkeypatch):
    monkeypatch.setenv("UNION_DB", str(sample_db))
    monkeypatch.setenv("UNION_SHOW_ERROR_DETAILS", "1")
    db.forget()

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(cache, "get", broken)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "错误编号" in at.error[0].value
    assert [e.message for e in at.exception] == [SECRET]
