"""Seeded synthetic databases: a small realistic district and a 10M-fact benchmark.

Both go through etl.db (same schema as a real ingest). The small one has the
awkward cases the pages must handle: approximate values, a missing year, a
conflict between a report and a tally, flagged facts (unknown year, placeholder
region, template, duplicate document) and report text whose offsets point at
the evidence, so every page and the provenance view can be tested without the
ETL. The large one is built with generate_series in SQL, never Python loops.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from etl.catalog import load_catalog
from etl.db import connect, transaction

DISTRICT = "青禾区"
TOWNS = ["城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"]
YEARS = range(2019, 2025)

# metric -> (base value per town in 2019, yearly growth, sentence template); {v} is the evidence number.
SERIES = {
    "union_orgs_total": (180, 0.05, "全镇共有基层工会组织{v}家"),
    "union_orgs_new": (12, 0.03, "新建工会组织{v}家"),
    "union_coverage_rate": (82.0, 0.02, "建会率达{v}%"),
    "members_total": (9000, 0.04, "会员总数达{v}人"),
    "members_new": (600, 0.02, "新发展会员{v}名"),
    "workers_total": (10500, 0.03, "职工总数{v}人"),
    "membership_rate": (80.0, 0.02, "职工入会率{v}%"),
    "cc_enterprises": (120, 0.05, "签订集体合同企业{v}家"),
    "cc_workers_covered": (7000, 0.05, "集体合同覆盖职工{v}人"),
    "cc_coverage_rate": (75.0, 0.025, "集体合同建制率达{v}%"),
    "aid_households": (60, 0.03, "走访慰问困难职工{v}户"),
    "aid_recipients": (150, 0.03, "慰问困难职工和农民工{v}人"),
    "aid_amount": (180000, 0.06, "发放慰问金{v}元"),
}


@dataclass(frozen=True)
class DemoFacts:
    """What build_demo wrote, so tests can compare pages against known facts."""

    path: Path
    n_facts: int
    conflict: tuple[str, str, int, str]  # (region, metric, year, period) with two differing sources
    missing: tuple[str, int]  # (region, year) with no FY report at all


def _ensure_regions(con, district: str, towns: list[str]) -> dict[str, int]:
    con.execute("INSERT INTO regions (name, level) VALUES (?, '区县') ON CONFLICT DO NOTHING", [district])
    did = con.execute("SELECT id FROM regions WHERE name = ?", [district]).fetchone()[0]
    for t in towns:
        con.execute(
            "INSERT INTO regions (name, level, parent_id) VALUES (?, '乡镇街道', ?) ON CONFLICT DO NOTHING", [t, did]
        )
    return dict(con.execute("SELECT name, id FROM regions").fetchall())


def _value(rng: random.Random, metric: str, town_i: int, year: int, period: str) -> float:
    base, growth, _ = SERIES[metric]
    kind = load_catalog()[metric].kind
    scale = 0.6 + 0.12 * town_i
    if metric.endswith("_rate"):
        v = min(99.5, base + town_i * 1.2 + (year - 2019) * growth * 50 + rng.uniform(-1, 1))
        v -= 1.5 if period == "H1" else 0
        return round(v, 1)
    v = base * scale * (1 + growth) ** (year - 2019) * rng.uniform(0.95, 1.05)
    if kind == "flow" and period == "H1":
        v *= 0.45
    elif period == "H1":
        v *= 0.98
    return float(round(v))


def build_demo(path: Path | str, seed: int = 7) -> DemoFacts:
    """Eight towns of 青禾区, 2019-2024, H1 and FY, from generated report text with offsets."""
    path = Path(path)
    rng = random.Random(seed)
    conflict = ("白沙镇", "members_total", 2023, "FY")
    missing = ("云溪乡", 2021)
    with transaction(path) as con:
        ids = _ensure_regions(con, DISTRICT, TOWNS)
        con.execute("INSERT INTO federation (id, name, level, region_id, since) "
                    "VALUES (1, ?, '区县', ?, DATE '2019-01-01') ON CONFLICT DO NOTHING",
                    [f"{DISTRICT}总工会", ids[DISTRICT]])
        bid = con.execute(
            "INSERT INTO batches (kind, note) VALUES ('report', '合成演示数据') RETURNING id").fetchone()[0]
        n = 0
        for ti, town in enumerate(TOWNS):
            for year in YEARS:
                for period in ("H1", "FY"):
                    if (town, year) == missing and period == "FY":
                        continue
                    n += _write_report(con, rng, bid, ids, town, ti, year, period)
        # District's own FY report for members_total (its own figure wins over the towns' sum).
        for year in YEARS:
            n += _write_sentences(con, bid, ids[DISTRICT], DISTRICT, year, "FY",
                                  [("members_total", float(70000 + 3000 * (year - 2019)), None)])
        # A tally that disagrees with the report for one cell: a conflict.
        reg, metric, year, period = conflict
        sha = hashlib.sha256(b"tally-baisha-2023").hexdigest()
        tb = con.execute("INSERT INTO batches (kind, note) VALUES ('tally', '白沙镇统计表') RETURNING id").fetchone()[0]
        con.execute("INSERT INTO files VALUES (?, ?, '白沙镇2023年统计表.xlsx', 1000, 'tally', NULL, ?, NULL)",
                    [sha, tb, f"data/archive/{sha}"])
        con.execute(
            "INSERT INTO facts (batch_id, region_id, region_raw, metric, value, unit, year, period, source_file, "
            "source_cell, confidence, flags) VALUES (?, ?, ?, ?, 99999, '人', ?, ?, ?, '统计表!D7', 1.0, [])",
            [tb, ids[reg], reg, metric, year, period, sha],
        )
        n += 1
        n += _write_flagged(con, bid, ids)
    return DemoFacts(path, n, conflict, missing)


def _write_report(con, rng, bid, ids, town, ti, year, period) -> int:
    rows = []
    for metric in SERIES:
        v = _value(rng, metric, ti, year, period)
        approx = "about" if (metric == "members_new" and year == 2022) else None
        rows.append((metric, v, approx))
    return _write_sentences(con, bid, ids[town], town, year, period, rows)


def _write_sentences(con, bid, region_id, town, year, period, rows) -> int:
    """One report file whose text states each value; offsets point at the evidence."""
    title = f"{town}总工会{year}年{'上半年' if period == 'H1' else ''}工作总结"
    text = title + "\n\n" + f"{year}年{'上半年' if period == 'H1' else ''}，{town}总工会围绕中心、服务大局。"
    facts = []
    for metric, v, approx in rows:
        num = f"{v:g}" if SERIES[metric][2].endswith("%") else str(int(v))
        sentence = SERIES[metric][2].format(v=("近" if approx else "") + num)
        start = len(text) + 1  # after the Chinese comma below
        text += "，" + sentence
        facts.append((metric, v, approx, sentence, start, start + len(sentence)))
    text += "。\n"
    sha = hashlib.sha256(text.encode()).hexdigest()
    doc_id = f"{sha[:16]}:0"
    con.execute("INSERT INTO files VALUES (?, ?, ?, ?, 'report', 'utf-8', ?, ?)",
                [sha, bid, title + ".txt", len(text.encode()), f"data/archive/{sha}", text])
    con.execute("INSERT INTO documents (doc_id, batch_id, file_sha, segment, start_offset, end_offset, title, region, "
                "year, period) VALUES (?, ?, ?, 0, 0, ?, ?, ?, ?, ?)",
                [doc_id, bid, sha, len(text), title, town, year, period])
    unit = {m.code: m.unit for m in load_catalog().values()}
    con.executemany(
        "INSERT INTO facts (batch_id, doc_id, region_id, region_raw, metric, value, unit, approx, year, period, "
        "evidence, start_offset, end_offset, source_file, confidence, flags) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0.95, [])",
        [(bid, doc_id, region_id, town, m, v, unit[m], a, year, period, ev, s, e, sha) for m, v, a, ev, s, e in facts],
    )
    return len(facts)


def _write_flagged(con, bid, ids) -> int:
    """Facts the charts must leave out (and count), and one low-confidence fact for review."""
    rows = [
        (ids["青石镇"], "青石镇", "members_new", 321.0, None, None, 0.9, ["unknown_year"]),
        (None, "xx镇", "union_orgs_total", 55.0, 2023, "FY", 0.5, ["template", "placeholder_region"]),
        (ids["柳塘镇"], "柳塘镇", "aid_amount", 52000.0, 2024, "FY", 0.4, []),
        (ids["桃源镇"], "桃源镇", "members_total", 8100.0, 2022, "FY", 0.9, ["duplicate_document"]),
    ]
    con.executemany(
        "INSERT INTO facts (batch_id, region_id, region_raw, metric, value, unit, year, period, confidence, flags, "
        "evidence) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, '（合成）')",
        [(bid, *r[:4], r[4], r[5], r[6], r[7]) for r in rows],
    )
    return len(rows)


def build_large(path: Path | str, towns: int = 40_000, years: int = 20, seed: float = 0.42) -> int:
    """A benchmark database: towns × years × {H1, FY} × 6 metrics facts under one district.

    Rows are inserted town by town (as reports arrive), not sorted by metric,
    so the benchmark does not get pruning for free.
    """
    metrics = ["union_orgs_total", "members_total", "union_coverage_rate", "cc_workers_covered",
               "aid_amount", "members_new"]
    path = Path(path)
    with connect(path) as con:
        con.execute("SELECT setseed(?)", [seed])
        con.execute("INSERT INTO regions (name, level) VALUES ('基准市', '区县')")
        con.execute("INSERT INTO federation (id, name, level, region_id, since) "
                    "VALUES (1, '基准市总工会', '区县', 1, DATE '2004-01-01')")
        con.execute(
            "INSERT INTO regions (id, name, level, parent_id) "
            "SELECT 1 + i, '镇' || i, '乡镇街道', 1 FROM generate_series(1, ?) t(i)", [towns])
        con.execute("INSERT INTO batches (id, kind) VALUES (1, 'tally')")
        con.execute(
            """
            INSERT INTO facts (id, batch_id, region_id, region_raw, metric, value, unit, year, period,
                               source_cell, confidence, flags)
            SELECT row_number() OVER (), 1, 1 + t.i, '镇' || t.i, m.code,
                   CASE WHEN m.code LIKE '%rate' THEN 60 + random() * 40
                        ELSE round((50 + t.i % 400) * m.scale * (1 + 0.03 * y.y) * (0.9 + random() * 0.2)) END,
                   m.unit, 2004 + y.y, p.p, 'Sheet1!D' || (t.i % 1000), 0.9 + random() * 0.1, []
            FROM generate_series(1, ?) t(i)
            CROSS JOIN generate_series(1, ?) y(y)
            CROSS JOIN (VALUES ('H1'), ('FY')) p(p)
            CROSS JOIN (SELECT code, unit, CASE unit WHEN '元' THEN 1000 WHEN '人' THEN 40 ELSE 1 END AS scale
                        FROM metrics WHERE code IN (SELECT unnest(?::VARCHAR[]))) m
            """,
            [towns, years, metrics],
        )
        # A realistic sprinkle of work for the review page: 1 in 5,000 without a year, 1 in 7,000 unsure.
        con.execute("UPDATE facts SET year = NULL, flags = ['unknown_year'] WHERE id % 5000 = 0")
        con.execute("UPDATE facts SET confidence = 0.5 WHERE id % 7000 = 1")
        n = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    return int(n)
