"""Review actions write new versions; originals are kept; errors are Chinese."""

from __future__ import annotations

import duckdb
import pytest

from dashboard import actions, db, queries
from dashboard.synth import build_demo
from etl.accounts import Account


def who(name: str) -> Account:
    """An administrator named `name` (unscoped): these tests are about the actions, not about rights."""
    return Account(1, name, "admin")


@pytest.fixture
def demo(tmp_path):
    return build_demo(tmp_path / "union.duckdb")


def row(path, fact_id):
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute("SELECT * FROM facts WHERE id = ?", [fact_id])
        return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def flagged_id(path, flag):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT id FROM facts WHERE list_contains(flags, ?)", [flag]).fetchone()[0]


def test_correcting_a_year_creates_a_new_version_and_keeps_the_original(demo):
    old = flagged_id(demo.path, "unknown_year")
    new = actions.correct(old, who("张三"), year=2023, period="FY", path=demo.path)
    n, o = row(demo.path, new), row(demo.path, old)
    assert o["status"] == "superseded" and o["year"] is None
    assert (n["status"], n["supersedes"], n["year"], n["reviewed_by"]) == ("active", old, 2023, "张三")
    assert "unknown_year" not in n["flags"]
    with duckdb.connect(str(demo.path), read_only=True) as con:
        kind = con.execute("SELECT kind FROM batches WHERE id = ?", [n["batch_id"]]).fetchone()[0]
    assert kind == "correction"
    db.forget()
    t = queries.trend(["members_new"], [n["region_id"]], 2023, 2023, ["FY"], path=demo.path)
    assert t["value"].iloc[0] == n["value"]  # the corrected fact now counts (it wins on confidence)


def test_reject_takes_a_fact_out_and_keeps_the_row(demo):
    region = "柳塘镇"
    with duckdb.connect(str(demo.path), read_only=True) as con:
        fid = con.execute("SELECT id FROM facts WHERE region_raw = ? AND confidence < 0.5", [region]).fetchone()[0]
    actions.reject(fid, who("李四"), path=demo.path)
    assert row(demo.path, fid)["status"] == "rejected"
    db.forget()
    assert fid not in set(queries.review_queue(path=demo.path)["id"])


def test_accept_leaves_the_value_and_leaves_the_queue(demo):
    fid = flagged_id(demo.path, "duplicate_document")
    actions.accept(fid, who("王五"), path=demo.path)
    r = row(demo.path, fid)
    assert (r["status"], r["reviewed_by"], r["value"]) == ("active", "王五", 8100.0)
    db.forget()
    assert fid not in set(queries.review_queue(path=demo.path)["id"])


def test_any_counted_figure_can_take_another_metric(demo):
    """Not only flagged facts: a figure that counts, already reviewed or never doubted, gets a new metric (and
    its unit) as a new version; the old metric's figure loses it, the new one gains it."""
    with duckdb.connect(str(demo.path), read_only=True) as con:
        fid, region_id, year, value = con.execute(
            "SELECT id, region_id, year, value FROM facts WHERE metric = 'aid_households' AND status = 'active' "
            "AND period = 'FY' AND len(flags) = 0 AND NOT needs_review AND confidence >= 0.9 ORDER BY id LIMIT 1"
        ).fetchone()
    assert fid not in set(queries.review_queue(path=demo.path)["id"])
    assert not queries.review_fact(fid, path=demo.path).empty
    new = actions.correct(fid, who("张三"), metric="aid_recipients", path=demo.path)
    n = row(demo.path, new)
    assert (n["metric"], n["unit"], n["value"], n["supersedes"]) == ("aid_recipients", "人", value, fid)
    assert row(demo.path, fid)["status"] == "superseded"
    assert queries.review_fact(fid, path=demo.path).empty  # no longer active
    db.forget()
    t = queries.trend(["aid_recipients"], [region_id], year, year, ["FY"], path=demo.path)
    assert value in set(t["value"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "没有要更正的内容"),
    ({"metric": "no_such"}, "没有代码为“no_such”的指标"),
    ({"period": "Q3"}, "期别只能是"),
    ({"region_id": 99999}, "地区编号 99999 不存在"),
], ids=["nothing", "bad-metric", "bad-period", "unknown-region"])
def test_bad_corrections_are_refused_in_chinese_and_change_nothing(demo, kwargs, message):
    fid = flagged_id(demo.path, "unknown_year")
    with duckdb.connect(str(demo.path), read_only=True) as con:
        before = con.execute("SELECT count(*), count(*) FILTER (WHERE status = 'active') FROM facts").fetchone()
    with pytest.raises(actions.ReviewError, match=message):
        actions.correct(fid, who("张三"), path=demo.path, **kwargs)
    with duckdb.connect(str(demo.path), read_only=True) as con:
        assert con.execute("SELECT count(*), count(*) FILTER (WHERE status = 'active') FROM facts").fetchone() \
            == before


def test_a_fact_cannot_be_handled_twice(demo):
    fid = flagged_id(demo.path, "unknown_year")
    actions.reject(fid, who("张三"), path=demo.path)
    with pytest.raises(actions.ReviewError, match="不能再处理"):
        actions.correct(fid, who("李四"), year=2020, path=demo.path)


def test_a_fact_its_extractor_wants_confirmed_waits_for_a_person(tmp_db, tmp_path):
    """needs_review: listed for review and left out of every figure until someone accepts it
    (vocab.HOLD_UNCONFIRMED; tests/test_vocab.py checks the rule both ways)."""
    from etl.load import load_files
    from etl.model import ExtractedFile, Fact

    fact = Fact(doc="r.txt", metric="members_total", value=5000.0, unit="人", evidence="会员5000人", year=2024,
                period="FY", region="白沙镇", confidence=0.9, needs_review=True)
    load_files(tmp_db, [ExtractedFile("r.txt", "r.txt", "a" * 64, b"x", "report", facts=[fact])],
               archive_dir=tmp_path / "archive")
    fid = row(tmp_db, 1)["id"]
    assert row(tmp_db, fid)["needs_review"] is True
    regions = queries.regions(path=tmp_db)
    rid = int(regions.loc[regions["name"] == "白沙镇", "id"].iloc[0])
    db.forget()
    queue = queries.review_queue(path=tmp_db)
    assert list(queue["id"]) == [fid] and bool(queue["needs_review"].iloc[0])
    assert queries.trend(["members_total"], [rid], 2024, 2024, ["FY"], path=tmp_db)["value"].isna().all()
    actions.accept(fid, who("王五"), path=tmp_db)
    db.forget()
    assert queries.trend(["members_total"], [rid], 2024, 2024, ["FY"], path=tmp_db)["value"].iloc[0] == 5000
    assert queries.review_queue(path=tmp_db).empty
