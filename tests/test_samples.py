"""The shipped sample reports (data/samples): deterministic, consistent, and honest about what they state."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
REPORTS = SAMPLES / "reports"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load(SAMPLES / "generate.py", "samples_generate")


def expected() -> list[dict]:
    with open(SAMPLES / "expected.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gbk")


def file_name(region: str, year: int, period: str) -> str:
    return f"{region}总工会{year}年{'上半年' if period == 'H1' else ''}工作总结.txt"


# --------------------------------------------------------------------------- the generator


def test_generator_rewrites_identical_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        subprocess.run([sys.executable, str(SAMPLES / "generate.py"), "--out", str(out)], check=True,
                       capture_output=True)
    names = sorted(p.name for p in (a / "reports").iterdir())
    assert len(names) >= 100
    assert names == sorted(p.name for p in (b / "reports").iterdir())
    for n in names:
        assert (a / "reports" / n).read_bytes() == (b / "reports" / n).read_bytes(), n
    assert (a / "expected.jsonl").read_bytes() == (b / "expected.jsonl").read_bytes()


def test_committed_samples_match_the_generator(tmp_path: Path) -> None:
    """The files in data/samples are exactly what generate.py writes: nobody edited them by hand."""
    gen.write(tmp_path)
    fresh = {p.name: p.read_bytes() for p in (tmp_path / "reports").glob("*.txt")}
    shipped = {p.name: p.read_bytes() for p in REPORTS.glob("*.txt")}
    assert fresh.keys() == shipped.keys()
    assert [n for n in fresh if fresh[n] != shipped[n]] == []
    assert (tmp_path / "expected.jsonl").read_bytes() == (SAMPLES / "expected.jsonl").read_bytes()


def test_stale_reports_are_removed(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "旧文件.txt").write_text("old", encoding="utf-8")
    gen.write(tmp_path)
    assert not (tmp_path / "reports" / "旧文件.txt").exists()


def test_towns_years_and_periods_are_all_there() -> None:
    names = {p.name for p in REPORTS.glob("*.txt")}
    towns = [t["name"] for t in gen.load_phrases()["town"]]
    assert len(towns) == 8
    for town in towns:
        for year in range(2019, 2025):
            for period in ("H1", "FY"):
                assert file_name(town, year, period) in names
    for year in range(2019, 2024):
        assert f"青禾区总工会{year}年工作总结.txt" in names


@pytest.mark.parametrize(
    ("n", "text"),
    [(3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (51, "五十一"), (105, "一百零五"), (230, "二百三十"),
     (1010, "一千零一十"), (2300, "两千三百"), (9009, "九千零九")],
    ids=["3", "10", "12", "20", "51", "105", "230", "1010", "2300", "9009"],
)
def test_chinese_numerals(n: int, text: str) -> None:
    assert gen.cn_int(n) == text


def _parse_written(text: str) -> float:
    """Independent reading of a rendered figure (近/余/多, 万, Chinese numerals) for the round-trip test."""
    text = text.removeprefix("近").removesuffix("余").removesuffix("多")
    scale = 10000 if text.endswith("万") else 1
    text = text.removesuffix("万")
    if re.fullmatch(r"[\d.]+", text):
        return float(text) * scale
    digits = {c: i for i, c in enumerate(gen.CN_DIGITS)} | {"两": 2}
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        else:
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
    return float((total + current) * scale)


@pytest.mark.parametrize("metric", ["members_total", "union_orgs_new", "aid_amount", "membership_rate",
                                    "disputes_handled"])
def test_rendered_figures_say_their_value(metric: str) -> None:
    """Whatever form a figure is written in, its recorded value is what the text says."""
    rng = random.Random(metric)
    for _ in range(400):
        true = rng.uniform(80, 99.9) if gen.UNIT[metric] == "%" else rng.randint(1, 400000)
        fig = gen.render(metric, true, rng, "[[x{v}]]")
        assert _parse_written(fig.text) == pytest.approx(fig.value, abs=1e-9), fig
        slack = 500.0 if "万" in fig.text else 1.0  # 3.2万 stands for anything from 31500 to 32499
        assert abs(fig.value - true) <= max((0.1 if fig.approx else 0.01) * true, slack), fig
        assert (fig.approx is not None) == bool(re.search("[近余多]", fig.text)), fig


# --------------------------------------------------------------------------- what the files state


def test_every_evidence_occurs_in_its_file() -> None:
    rows = expected()
    assert len(rows) > 1000
    texts = {p.name: decode(p) for p in REPORTS.glob("*.txt")}
    for row in rows:
        assert row["evidence"] in texts[row["doc"]], row


def test_expected_rows_follow_the_gold_format() -> None:
    catalog = {line.split(",")[0] for line in (ROOT / "etl/lexicon/metrics.csv").read_text("utf-8").splitlines()[1:]}
    for row in expected():
        assert set(row) >= {"doc", "metric", "value", "evidence", "year", "period", "as_of", "region", "approx"}
        assert row["metric"] in catalog
        assert row["period"] in ("H1", "FY")
        assert row["approx"] in (None, "about", "at_least", "at_most")
        if row["as_of"]:
            assert row["as_of"] == f"{row['year']}-{'06-30' if row['period'] == 'H1' else '12-31'}"
        if gen.UNIT[row["metric"]] == "%":
            assert 70 <= row["value"] <= 100, row
        else:
            assert row["value"] >= 1 and row["value"] == int(row["value"]), row


@pytest.mark.parametrize(
    "phrase",
    ["同比增长", "完成全年任务的", "力争", "培训工会干部", "劳动竞赛", "比上年", "其中", "每户", "理赔"],
    ids=["growth", "target-share", "plan", "training", "competition", "baseline", "part", "standard", "claims"],
)
def test_distractors_are_written_but_never_expected(phrase: str) -> None:
    """Each kind of distractor appears in the reports; no expected evidence is the distractor itself."""
    corpus = "".join(decode(p) for p in REPORTS.glob("*.txt"))
    assert phrase in corpus
    if phrase != "理赔":  # 理赔金额 is a fact; the distractor is the claim count 理赔N人次
        assert not any(phrase in r["evidence"] for r in expected())
    assert not any(re.search(r"理赔\d+人次|同比增长[\d.]+%", r["evidence"]) for r in expected())


# --------------------------------------------------------------------------- encodings and special files


def test_gbk_files_are_gbk() -> None:
    for region, year, period in gen.GBK:
        data = (REPORTS / file_name(region, year, period)).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert data.decode("gbk").startswith(region)


def test_traditional_files_are_traditional() -> None:
    from opencc import OpenCC

    to_trad = OpenCC("s2t").convert
    for region, year, period in gen.TRADITIONAL:
        text = (REPORTS / file_name(region, year, period)).read_text(encoding="utf-8")
        assert "總工會" in text and "总工会" not in text
        assert text.startswith(to_trad(region))
        rows = [r for r in expected() if r["doc"] == file_name(region, year, period)]
        assert rows and all(r["region"] == to_trad(region) for r in rows)
        assert any("會員" in r["evidence"] or "萬" in r["evidence"] for r in rows)


def test_other_files_are_simplified_utf8() -> None:
    special = {file_name(*k) for k in gen.TRADITIONAL | gen.GBK}
    for p in REPORTS.glob("*.txt"):
        if p.name not in special:
            assert "總工會" not in p.read_text(encoding="utf-8"), p.name


def test_glued_district_file_holds_two_reports() -> None:
    name = "青禾区总工会2024年上半年及全年工作总结.txt"
    text = (REPORTS / name).read_text(encoding="utf-8")
    titles = [line for line in text.splitlines() if re.fullmatch(r"青禾区总工会2024年.*(总结|打算|思路)", line)]
    assert len(titles) == 2 and "上半年" in titles[0] and "上半年" not in titles[1]
    periods = [r["period"] for r in expected() if r["doc"] == name]
    assert periods.count("H1") > 10 and periods.count("FY") > 10
    assert periods == sorted(periods, key=("H1", "FY").index)  # H1 facts come first, as in the text


def test_template_file_has_placeholders_and_no_facts() -> None:
    name = "xx镇总工会20xx年上半年工作总结（模板）.txt"
    text = (REPORTS / name).read_text(encoding="utf-8")
    assert "xx镇" in text and "X家" in text and "20xx年" in text
    assert not re.search(r"\d+(家|人|户|万元|%)", text)
    assert not [r for r in expected() if r["doc"] == name]


# --------------------------------------------------------------------------- believable trends


def _series(metric: str, period: str = "FY") -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = defaultdict(dict)
    for r in expected():
        if r["metric"] == metric and r["period"] == period and r["as_of"] and r["doc"].startswith(r["region"]):
            out[r["region"]][r["year"]] = r["value"]
    return out


@pytest.mark.parametrize("metric", ["union_coverage_rate", "membership_rate"], ids=["建会率", "入会率"])
def test_rates_rise_from_mid_eighties_to_upper_nineties(metric: str) -> None:
    series = _series(metric)
    assert len(series) >= 8
    for region, by_year in series.items():
        years = sorted(by_year)
        assert by_year[years[0]] < by_year[years[-1]], region
        assert 80 <= by_year[years[0]] <= 92 and 93 <= by_year[years[-1]] <= 99.5, (region, by_year)


def test_town_sizes_are_believable() -> None:
    orgs = {r: max(v.values()) for r, v in _series("union_orgs_total").items()}
    assert min(orgs["城关街道"], orgs["东湖街道"]) >= 400 and max(orgs["城关街道"], orgs["东湖街道"]) <= 1000
    assert 80 <= orgs["云溪乡"] <= 200
    members = {r: max(v.values()) for r, v in _series("members_total").items()}
    assert all(1000 <= m <= 100000 for r, m in members.items() if r != "青禾区"), members


def test_h1_and_fy_are_consistent_in_the_simulated_history() -> None:
    """Flows of H1 are part of FY; stocks at year end follow from June's."""
    for t in gen.load_phrases()["town"]:
        h = gen.simulate(t["name"], t["enterprises"], t["workers"], t["growth"], t["lead"])
        for year in range(2019, 2025):
            s1, f1, _ = h.at(year, "H1")
            s2, f2, _ = h.at(year, "FY")
            for k in ("orgs_new", "members_new", "aid_households", "aid_recipients", "aid_amount", "payout"):
                assert 0 < getattr(f1, k) < getattr(f2, k), (t["name"], year, k)
            assert f1.aid_households > f2.aid_households - f1.aid_households  # Spring Festival falls in H1
            assert s1.coverage <= s2.coverage and s1.mrate <= s2.mrate
            assert s1.orgs <= s2.orgs and s1.members <= s2.members
            assert s2.cc_ent <= s2.orgs and s2.members <= s2.workers


def test_district_is_at_least_the_sum_of_its_towns() -> None:
    fy = [r for r in expected() if r["metric"] == "union_orgs_total" and r["period"] == "FY" and r["as_of"]]
    for year in range(2019, 2025):
        towns = sum(r["value"] for r in fy if r["year"] == year and r["region"] != "青禾区")
        district = [r["value"] for r in fy if r["year"] == year and r["region"] == "青禾区"]
        assert district and district[0] > towns * 0.99


# --------------------------------------------------------------------------- the benchmark's baseline


def test_naive_baseline_reads_a_sentence() -> None:
    pytest.importorskip("cn2an")
    naive = _load(ROOT / "bench" / "naive_extract.py", "naive_extract")
    facts = naive.naive_extract("春节期间，走访慰问困难职工128户，发放慰问金36.8万元，新建工会三十二家。", "x.txt")
    got = {(f["metric"], f["value"]) for f in facts}
    assert got == {("aid_households", 128), ("aid_amount", 368000), ("union_orgs_new", 32)}


# --------------------------------------------------------------------------- what the dashboard gets


def test_sample_database_has_a_trend_for_every_town(sample_db: Path) -> None:
    """`make run` ingests data/samples: every town needs a 建会率 and 会员 line over the years."""
    from etl.db import connect

    with connect(sample_db, read_only=True) as con:
        rows = con.execute(
            """SELECT r.name, f.metric, count(DISTINCT f.year) FROM facts f JOIN regions r ON r.id = f.region_id
               WHERE f.metric IN ('union_coverage_rate', 'members_total') AND f.period = 'FY'
               GROUP BY ALL"""
        ).fetchall()
    years = {(name, metric): n for name, metric, n in rows}
    for town in [t["name"] for t in gen.load_phrases()["town"]] + ["青禾区"]:
        for metric in ("union_coverage_rate", "members_total"):
            # every annual report states both (see expected.jsonl); 3 of 6 years is the floor for a line
            assert years.get((town, metric), 0) >= 3, (town, metric, years)
