"""审核 through app.py (AppTest): a figure chosen on 数据来源 (?fact=ID) that is in no review list is offered first
and takes a new metric and value as a new version."""

from __future__ import annotations

from pathlib import Path

import duckdb
import people
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_any_figure_from_sources_is_corrected_with_a_new_metric(sample_db_copy: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import db

    monkeypatch.setenv("UNION_DB", str(sample_db_copy))
    db.forget()
    with duckdb.connect(str(sample_db_copy), read_only=True) as con:
        fid, value = con.execute(
            "SELECT id, value FROM facts WHERE metric = 'aid_households' AND status = 'active' AND len(flags) = 0 "
            "AND NOT needs_review ORDER BY id LIMIT 1").fetchone()
    at = people.sign_in(AppTest.from_file(APP, default_timeout=60), sample_db_copy).run()
    at.switch_page("app_pages/review.py")
    at.query_params["fact"] = str(fid)
    at.run()
    assert not at.exception
    assert any(f"编号 {fid} 的数据来自“数据来源”页" in i.value for i in at.info)
    assert at.selectbox(key=f"review_pick{fid}").value == fid
    metric = next(s for s in at.selectbox if s.label == "更正后的指标")
    metric.set_value("aid_recipients")
    at.button[[b.label for b in at.button].index("保存更正")].click().run()
    assert not at.exception
    with duckdb.connect(str(sample_db_copy), read_only=True) as con:
        new = con.execute("SELECT metric, unit, value FROM facts WHERE supersedes = ? AND status = 'active'",
                          [fid]).fetchone()
    assert new == ("aid_recipients", "人", value)
    assert "fact" not in at.query_params  # handled: back to the review list


def test_a_figure_no_longer_active_is_said_so(sample_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import db

    monkeypatch.setenv("UNION_DB", str(sample_db_copy))
    db.forget()
    at = people.sign_in(AppTest.from_file(APP, default_timeout=60), sample_db_copy).run()
    at.switch_page("app_pages/review.py")
    at.query_params["fact"] = "99999999"
    at.run()
    assert not at.exception
    assert any("编号 99999999 的数据已不是有效数据" in w.value for w in at.warning)
