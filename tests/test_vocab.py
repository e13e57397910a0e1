"""The shared vocabulary: one placeholder rule everywhere, one rule for which facts count."""

from __future__ import annotations

from pathlib import Path

import pytest
from tally_books import xlsx

from etl.load import load_files
from etl.tally import analyze
from etl.vocab import FLAG_PLACEHOLDER_REGION, FLAG_ZH, NEEDS_REVIEW_ZH, PERIOD_ZH, is_placeholder, review_reasons


def _stored_flags(db: Path) -> list[bool]:
    from etl.db import connect

    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT flags FROM facts ORDER BY id").fetchall()
    return [FLAG_PLACEHOLDER_REGION in flags for (flags,) in rows]


@pytest.mark.parametrize("name", ["○○镇", "X镇", "xx镇", "某某街道", "白沙镇"],
                         ids=["circles", "single-x", "xx", "moumou", "real"])
def test_extractor_tally_and_loader_agree_on_placeholders(name: str, tmp_path: Path) -> None:
    """What etl.extract prints, what the upload preview shows and what the loader stores carry the same flag."""
    from etl.extract import extract_report_file
    from scripts.sample_db import set_up

    for db in ("r.duckdb", "t.duckdb"):
        set_up(tmp_path / db)  # the sample federation: 白沙镇 is in its directory

    path = tmp_path / "r.txt"
    path.write_text(f"{name}总工会2024年工作总结\n2024年，全镇共有基层工会组织30家。\n", encoding="utf-8")
    report = extract_report_file(path)
    printed = [FLAG_PLACEHOLDER_REGION in f.flags for f in report.facts]
    assert printed == [f.region is None or is_placeholder(f.region) for f in report.facts]
    load_files(tmp_path / "r.duckdb", [report], archive_dir=tmp_path / "a")
    assert _stored_flags(tmp_path / "r.duckdb") == printed

    tally = analyze(xlsx({"Sheet1": {"rows": [["地区", "年份", "工会组织总数(家)"], [name, 2024, 30]]}}), "t.xlsx")
    shown = [FLAG_PLACEHOLDER_REGION in f.flags for f in tally.facts]
    assert shown == [is_placeholder(name)]
    load_files(tmp_path / "t.duckdb", [tally.extracted], archive_dir=tmp_path / "a")
    assert _stored_flags(tmp_path / "t.duckdb") == shown


def test_labels() -> None:
    assert PERIOD_ZH == {"FY": "全年", "H1": "上半年"}
    assert review_reasons(["template"], 0.5, conflict=True) == [FLAG_ZH["template"], "来源不一致", "可信度低（0.50）"]


def test_every_active_fact_is_counted_or_has_a_reason(tmp_path: Path) -> None:
    """counted_sql and excluded_reason_sql split the active facts with a value exactly in two (holding facts that
    wait for confirmation or not)."""
    from dashboard.synth import build_demo
    from etl.db import connect
    from etl.vocab import counted_sql, excluded_reason_sql

    demo = build_demo(tmp_path / "demo.duckdb")
    with connect(demo.path) as con:
        con.execute("UPDATE facts SET needs_review = true WHERE id IN (SELECT min(id) FROM facts)")
        splits = [con.execute(f"SELECT {counted_sql(hold_unconfirmed=hold)}, "
                              f"{excluded_reason_sql(hold_unconfirmed=hold)} FROM facts "
                              "WHERE status = 'active' AND value IS NOT NULL").fetchall() for hold in (False, True)]
        asked = "FROM facts f WHERE f.needs_review"
        (counts,) = con.execute(f"SELECT {counted_sql('f', hold_unconfirmed=False)} {asked}").fetchone()
        (held,) = con.execute(f"SELECT {excluded_reason_sql('f', hold_unconfirmed=True)} {asked}").fetchone()
        con.execute("UPDATE facts SET reviewed_by = '张三' WHERE needs_review")
        (accepted,) = con.execute(f"SELECT {counted_sql('f', hold_unconfirmed=True)} {asked}").fetchone()
    for rows in splits:
        assert all(c != (r is not None) for c, r in rows)
    reasons = {r for c, r in splits[1] if not c}
    assert reasons >= {FLAG_ZH["template"], FLAG_ZH["unknown_year"], FLAG_ZH["duplicate_document"], NEEDS_REVIEW_ZH}
    assert counts and held == NEEDS_REVIEW_ZH and accepted


def test_placeholder_hints_cover_every_character_normalising_turns_into_a_placeholder_one() -> None:
    """is_placeholder says no at once for a name without a hint character; that is only right if no other
    character becomes a placeholder character when names are normalised (half-width, Simplified)."""
    from etl.normalize import normalize
    from etl.region_names import rules
    from etl.vocab import placeholder_hints

    chars, hints = rules().placeholder_chars, placeholder_hints()
    missed = [ch for ch in map(chr, range(0x20, 0x10000)) if not 0xD800 <= ord(ch) <= 0xDFFF
              and ch not in hints and any(c in chars for c in normalize(ch).text)]
    assert missed == []
    assert not is_placeholder("白沙镇") and is_placeholder("ｘｘ镇") and is_placeholder("青禾区＊＊镇")
