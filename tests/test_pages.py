"""Every page under AppTest on the shipped sample database, with figures checked against DuckDB directly."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import people
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import db, fmt, links
from etl.settings import load as load_settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = ["overview", "formation", "membership", "contracts", "hardship", "coverage", "region", "sources", "review"]
CHARTS = {"overview": 1, "formation": 3, "membership": 3, "contracts": 3, "hardship": 3, "coverage": 2, "region": 1}


@pytest.fixture
def app_db(sample_db, monkeypatch):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        if not con.execute("SELECT count(*) FROM facts").fetchone()[0]:
            pytest.skip("sample database has no facts yet")
    monkeypatch.setenv("UNION_DB", str(sample_db))
    db.forget()
    return sample_db


def q(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def latest_fy(path, region, metric, upto=9999):
    """(year, value) of the region's latest FY figure up to `upto`, straight from DuckDB (most confident source)."""
    return q(path, """
        SELECT year, arg_max(value, confidence * 1e12 + f.id) FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE r.name = ? AND metric = ? AND period = 'FY' AND status = 'active' AND len(flags) = 0 AND year <= ?
        GROUP BY year ORDER BY year DESC LIMIT 1""", [region, metric, upto])[0]


def run(page: str | None = None, user: str | None = None, **params) -> AppTest:
    """The app on `page`, signed in as `user` (the review page: the first administrator unless told)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    user = user or (people.FIRST_ADMIN if page == "review" else None)
    if user:
        people.sign_in(at, load_settings().db, user)  # the UNION_DB of this test
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def metric_value(at: AppTest, name: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(name))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_and_draws(app_db, page):
    at = run(page)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) >= CHARTS.get(page, 0)
    assert at.title[0].value


@pytest.mark.parametrize(("metric", "label"), [
    ("members_total", "会员总数"),
    ("union_orgs_total", "工会组织总数"),
    ("aid_amount", "帮扶慰问金额"),
    ("union_coverage_rate", "建会率"),
], ids=["members", "unions", "aid-money", "coverage-rate"])
def test_overview_kpi_equals_duckdb(app_db, metric, label):
    year, value = latest_fy(app_db, "青禾区", metric)
    at = run()
    shown = metric_value(at, label)
    assert shown.endswith(fmt.number(value, {"aid_amount": "元", "union_coverage_rate": "%"}.get(
        metric, "人" if metric == "members_total" else "家")))
    assert f"{year}年" in next(m.label for m in at.metric if m.label.startswith(label))


def test_filters_come_from_the_url(app_db):
    _, value = latest_fy(app_db, "白沙镇", "members_total")
    at = run(region="白沙镇")
    assert at.multiselect(key="flt_regions").value == ["白沙镇"]
    assert metric_value(at, "会员总数").endswith(fmt.number(value, "人"))


def test_half_year_from_the_url(app_db):
    """period=H1 shows 上半年 figures (AppTest drops entrypoint widgets after an interaction under
    st.navigation, so widget → URL is checked in the real browser, tests/test_browser.py)."""
    at = run(region="青石镇", period="H1")
    assert at.radio(key="flt_period").value == "上半年"
    year, value = q(app_db, """
        SELECT year, arg_max(value, confidence * 1e12 + f.id) FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE r.name = '青石镇' AND metric = 'members_total' AND period = 'H1' AND status = 'active'
          AND len(flags) = 0 GROUP BY year ORDER BY year DESC LIMIT 1""")[0]
    label = next(m.label for m in at.metric if m.label.startswith("会员总数"))
    assert label == f"会员总数（{year}年上半年）"
    assert metric_value(at, "会员总数").endswith(fmt.number(value, "人"))


def test_coverage_ranking_matches_duckdb(app_db):
    at = run("coverage")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    dots = next(t for t in spec["data"] if "customdata" in t)  # a rate ranking: one dot per town (+ gap lines)
    year = max(r[0] for r in q(app_db, "SELECT DISTINCT year FROM facts WHERE metric = 'union_coverage_rate' "
                                       "AND period = 'FY' AND region_id IS NOT NULL"))
    direct = {name: (v, a) for name, v, a in q(app_db, """
        SELECT r.name, arg_max(value, confidence * 1e12 + f.id), arg_max(approx, confidence * 1e12 + f.id)
        FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE metric = 'union_coverage_rate' AND period = 'FY' AND year = ? AND r.parent_id IS NOT NULL
          AND status = 'active' AND len(flags) = 0 GROUP BY r.name""", [year])}
    shown = dict(zip(dots["y"], dots["text"], strict=True))
    assert set(shown) == set(direct)
    for town, (value, approx) in direct.items():  # the value, then its gap to the target if there is one
        assert shown[town].split("（")[0] == fmt.number(value, "%", approx)


def test_sources_page_highlights_the_sentence(app_db):
    region, metric = "白沙镇", "members_total"
    (year,), = q(app_db, """SELECT max(year) FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE r.name = ? AND metric = ? AND period = 'FY' AND source_cell IS NULL""", [region, metric])  # a report
    at = run("sources", src_region=region, src_metric=metric, src_year=str(year), src_period="FY")
    html = [h.proto.body for h in at.get("html") if "<mark>" in h.proto.body]  # st.html: no markdown pass
    evidence = q(app_db, """SELECT evidence FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE r.name = ? AND metric = ? AND year = ? AND period = 'FY'""", [region, metric, year])[0][0]
    assert html and any(evidence.replace("\n", "<br>") in h for h in html)


def test_review_page_lists_what_needs_a_person(app_db):
    at = run("review")
    n = q(app_db, "SELECT count(*) FROM facts WHERE status = 'active' AND reviewed_by IS NULL "
                  "AND (confidence < 0.7 OR len(flags) > 0)")[0][0]
    shown = at.dataframe[0].value
    assert len(shown) >= n > 0


def test_excluded_facts_are_counted_with_a_link(app_db):
    at = run("formation")
    notes = [c.value for c in at.caption if "未计入图表" in c.value]
    n = q(app_db, "SELECT count(*) FROM facts WHERE status = 'active' AND len(flags) > 0 "
                  "AND metric IN ('union_orgs_total', 'union_orgs_new', 'union_coverage_rate')")[0][0]
    if n:
        assert notes and f"{n} 条" in notes[0]


def test_missing_database_says_so_in_chinese(tmp_path, monkeypatch):
    monkeypatch.setenv("UNION_DB", str(tmp_path / "none.duckdb"))
    db.forget()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert at.error and "数据库文件不存在" in at.error[0].value


@pytest.fixture
def writable_db(sample_db_copy, monkeypatch):
    with duckdb.connect(str(sample_db_copy), read_only=True) as con:
        if not con.execute("SELECT count(*) FROM facts WHERE len(flags) > 0").fetchone()[0]:
            pytest.skip("sample database has no flagged facts yet")
    monkeypatch.setenv("UNION_DB", str(sample_db_copy))
    db.forget()
    return sample_db_copy


def review_at(fact_id: int, user: str = "张三") -> AppTest:
    people.ensure(load_settings().db, user, "review", ("青禾区",))
    at = run("review", user=user)
    at.selectbox(key="review_pick").set_value(fact_id).run()
    return at


def test_review_page_rejects_a_fact(writable_db):
    fid = q(writable_db, "SELECT min(id) FROM facts WHERE len(flags) > 0")[0][0]
    at = review_at(fid)
    next(b for b in at.button if b.label == "驳回").click().run()
    assert not at.exception
    assert q(writable_db, "SELECT status, reviewed_by FROM facts WHERE id = ?", [fid]) == [("rejected", "张三")]
    assert fid not in [int(i) for i in at.dataframe[0].value["编号"]]


def test_review_page_stores_a_correction_as_a_new_version(writable_db):
    fid = q(writable_db, "SELECT min(id) FROM facts WHERE list_contains(flags, 'unknown_year')")[0][0]
    at = review_at(fid, "李四")
    at.number_input[0].set_value(1234)  # form widgets: submitted together with the button
    at.number_input[1].set_value(2023)
    at.selectbox[-1].set_value("白沙镇")
    next(b for b in at.button if b.label == "保存更正").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (value, year, by), = q(writable_db, "SELECT value, year, reviewed_by FROM facts WHERE supersedes = ?",
                             [fid])
    assert (value, year, by) == (1234, 2023, "李四")
    assert q(writable_db, "SELECT status FROM facts WHERE id = ?", [fid]) == [("superseded",)]


def test_review_page_records_the_signed_in_reviewer(writable_db):
    """No name to type: the reviewer is the account, and the audit trail says so."""
    fid = q(writable_db, "SELECT min(id) FROM facts WHERE len(flags) > 0")[0][0]
    at = review_at(fid, "区审核")
    assert not [t for t in at.text_input if t.label == "审核人"]
    next(b for b in at.button if b.label == "确认无误").click().run()
    assert q(writable_db, "SELECT status, reviewed_by FROM facts WHERE id = ?", [fid]) == [("active", "区审核")]
    assert q(writable_db, "SELECT user_name, action FROM audit_log WHERE fact_id = ?", [fid]) == [("区审核", "accept")]


def test_a_viewer_is_refused_on_the_review_page(writable_db):
    at = run("review", user="领导")
    assert not at.exception
    assert [t.value for t in at.title] == ["无权访问"]
    assert "“查看”不能审核" in at.error[0].value
    assert [b.label for b in at.button] == ["退出登录"]  # no accept, correct or reject


def test_page_choices_come_from_the_link_and_go_back_into_it(app_db):
    rate = "membership_rate"
    for given in (links.metric_label(rate), rate):  # the label, as written now, or the code of older links
        at = run(None, cov_metric=given, cov_year="2022年")
        at.switch_page("app_pages/coverage.py").run()
        assert not at.exception, [e.message for e in at.exception]
        assert at.radio(key=links.COVERAGE_METRIC).value == rate
        assert at.query_params[links.COVERAGE_METRIC] == links.metric_label(rate)
        assert at.query_params[links.COVERAGE_YEAR] == "2022年"


def test_several_towns_rate_card_shows_each_town_and_the_trend_one_line_each(app_db):
    towns = ["白沙镇", "青石镇", "云溪乡"]
    at = run(None, region=",".join(towns), ov_metric=links.metric_label("membership_rate"))
    assert not at.exception, [e.message for e in at.exception]
    card = next(m for m in at.metric if m.label.startswith("入会率"))
    # the cards' year: the last one every chosen town reported (2025's tally is in from 4 of 8 towns only)
    (year,), = q(app_db, """SELECT max(year) FROM (SELECT year FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE r.name IN (SELECT unnest(?)) AND metric = 'membership_rate' AND period = 'FY' AND status = 'active'
        GROUP BY year HAVING count(DISTINCT r.name) = ?)""", [towns, len(towns)])
    values = [v for y, v in (latest_fy(app_db, t, "membership_rate", year) for t in towns)]
    assert card.label == f"入会率（{year}年，{len(values)}个地区）"  # a rate is not summed over towns
    assert card.value == f"{fmt.number(min(values), '%')}～{fmt.number(max(values), '%')}"
    assert all(t in card.proto.help for t in towns)  # its help lists every town's own value
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert {t["name"] for t in spec["data"] if t.get("name")} >= set(towns)  # one line per town


# Page choices (数据来源, 地区详情) go through views.url_widget; the sidebar's through filters.url_note.
BAD_URLS = {
    "superscript_year": ("sources", {"src_year": "²"}, "网址中的“²”不是可选的年份"),
    "unknown_region": ("sources", {"src_region": "![x](http://127.0.0.1:9/a.png)"}, "不是可选的地区"),
    "unknown_metric": ("sources", {"src_metric": "drop table"}, "网址中的“drop table”不是可选的指标"),
    "bad_period": ("sources", {"src_period": "Q3"}, "网址中的“Q3”不是可选的期别"),
    "unknown_town": ("region", {"town": "不存在镇"}, "网址中的“不存在镇”不是可选的地区"),
    "bad_years": ("overview", {"years": "²-2024"}, "网址中的参数 years="),
    "unknown_filter_region": ("overview", {"region": "不存在镇"}, "网址中的参数 region="),
    "bad_filter_period": ("overview", {"period": "Q3"}, "网址中的参数 period="),
}


@pytest.mark.parametrize("case", BAD_URLS, ids=BAD_URLS)
def test_a_bad_url_parameter_falls_back_with_a_note(app_db, case):
    """?src_year=² used to end in a ValueError traceback; now the default is used and the page says so."""
    page, params, words = BAD_URLS[case]
    at = run(page if page != "overview" else None, **params)
    assert not at.exception, [e.message for e in at.exception]
    notes = [c.value.replace("\\", "") for c in at.caption if "网址中的" in c.value]
    assert any(words in n and "已改用" in n for n in notes), notes
    raw = [c.value for c in at.caption if "网址中的" in c.value]
    assert all("http://" not in n and "](" not in n for n in raw)  # shown escaped, never as a link or image


def test_reporting_page_shows_who_reported_the_partial_year(app_db):
    at = run("reporting")
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="rep_year").value == 2025  # the newest year with figures (the next one is offered too)
    said = " ".join(m.value for m in at.markdown)
    assert "4/8镇街已报齐" in said and "未报：" in said
    assert all(t in said for t in ("青石镇", "柳塘镇", "桃源镇", "云溪乡"))  # the four that have not reported
    assert "逾期" not in said  # the sample's tally came in on 2026-01-20, before the due date
    assert at.caption and any("报送期限 2026年01月31日" in c.value for c in at.caption)


def test_directory_page_lists_the_tree_with_codes(app_db):
    at = run("directory")
    assert not at.exception, [e.message for e in at.exception]
    tree = at.dataframe[0].value
    assert tree["名称"].iloc[0] == "青禾区" and "339901101000" in set(tree["行政区划代码"])
    assert list(tree["名称"].str.strip()[1:4]) == ["城关街道", "东湖街道", "白沙镇"]  # siblings by code
    assert any("修改地区名录需要管理角色" in c.value for c in at.caption)  # viewing needs no account; changing does


def test_overview_with_nothing_to_compare_says_so_in_chinese(app_db):
    first = q(app_db, "SELECT min(year) FROM facts WHERE status = 'active'")[0][0]
    at = run("overview", years=f"{first}-{first}")
    assert not at.exception
    assert any("暂无可与上年同期比较的数据" in i.value for i in at.info)
    assert not at.table
