"""The deck spec built from the sample database: slides, figures, tables, notes with figures and sources."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard import fmt, queries
from export import deck


@pytest.fixture(scope="module")
def ctx(sample_db: Path) -> deck.DeckContext:
    return deck.DeckContext.from_db(sample_db)


@pytest.fixture(scope="module")
def slides(ctx: deck.DeckContext) -> list[deck.Slide]:
    return deck.build_deck(ctx)


def _files(db: Path) -> set[str]:
    return set(queries.query_df("SELECT DISTINCT name FROM files", path=db)["name"])


def test_context_defaults_to_top_region_and_full_years(ctx: deck.DeckContext) -> None:
    assert ctx.region_names == ("青禾区",)
    # 2025 has only 上半年 figures: a 全年 deck ends at the last full year
    assert (ctx.year_from, ctx.year_to) == (2019, 2024)
    assert ctx.years == "2019–2024年"


def test_default_deck_is_the_annual_report_in_order(slides: list[deck.Slide]) -> None:
    assert [s.key for s in slides] == list(deck.DEFAULT_DECK)
    assert len(slides) == 10
    for s in slides:
        assert s.title and s.subtitle and "数据来源" in s.subtitle, s.key
        assert s.has_data, f"{s.key}: no figures from the sample database"
        assert s.figure.data, f"{s.key}: empty figure"


def test_every_slide_notes_hold_figures_and_existing_source_files(slides: list[deck.Slide], sample_db: Path) -> None:
    names = _files(sample_db)
    for s in slides:
        assert s.notes.startswith("【图表】"), s.key
        source = [line for line in s.notes.splitlines() if line.startswith("【来源】")]
        assert len(source) == 1, s.key
        cited = [part.split("（")[0] for part in source[0].split("：", 1)[1].split("；")]
        cited = [c for c in cited if not c.startswith("另有")]
        assert cited and set(cited) <= names, (s.key, cited)


def test_trend_notes_match_the_query(slides: list[deck.Slide], ctx: deck.DeckContext, sample_db: Path) -> None:
    trend = queries.trend(["members_total"], list(ctx.region_ids), ctx.year_from, ctx.year_to, ["FY"],
                          path=sample_db).dropna(subset=["value"])
    membership = next(s for s in slides if s.key == "membership")
    for r in trend.itertuples():
        kind = r.approx if isinstance(r.approx, str) else None  # 'about' / 'at_least' / 'at_most'
        assert f"{r.year}年 {fmt.number(r.value, '人', kind)}" in membership.notes
    assert membership.table.set_index("年份").loc[2024, "会员总数（人）"] == trend.set_index("year").loc[2024, "value"]


def test_own_reports_cited_when_the_district_reported_itself(slides: list[deck.Slide]) -> None:
    formation = next(s for s in slides if s.key == "formation")
    source = formation.notes.splitlines()[-1]
    assert "青禾区总工会2024" in source and "白沙镇" not in source


@pytest.mark.parametrize(("key", "ascending"), [("top_towns", False), ("bottom_towns", True)],
                         ids=["领先镇街", "靠后镇街"])
def test_top_and_bottom_towns(slides: list[deck.Slide], key: str, ascending: bool) -> None:
    s = next(x for x in slides if x.key == key)
    values = list(s.table["建会率"])
    assert values == sorted(values, reverse=not ascending)
    assert 1 <= len(values) <= deck.TOP_BOTTOM_N
    first = "倒数第1名" if ascending else "第1名"
    assert f"{first} {s.table['地区'].iloc[0]}" in s.notes


def test_top_and_bottom_do_not_overlap(slides: list[deck.Slide]) -> None:
    top = next(x for x in slides if x.key == "top_towns").table
    bottom = next(x for x in slides if x.key == "bottom_towns").table
    assert not set(top["地区"]) & set(bottom["地区"])
    assert top["建会率"].min() >= bottom["建会率"].max()


def test_ranking_notes_count_against_target(slides: list[deck.Slide]) -> None:
    s = next(x for x in slides if x.key == "coverage")
    assert "目标 95%" in s.notes
    assert len(s.table) == 8  # every town of 青禾区


def test_reorder_and_trim(ctx: deck.DeckContext) -> None:
    out = deck.build_deck(ctx, ["hardship", "formation"])
    assert [s.key for s in out] == ["hardship", "formation"]


def test_unknown_slide_is_named_in_chinese(ctx: deck.DeckContext) -> None:
    with pytest.raises(KeyError, match="未知的幻灯片：nonsense"):
        deck.build_deck(ctx, ["formation", "nonsense"])


def test_half_year_deck(sample_db: Path) -> None:
    ctx = deck.DeckContext.from_db(sample_db, period="H1")
    assert ctx.year_to == 2025
    s = deck.build_slide("membership", ctx)
    assert "上半年" in s.subtitle and 2025 in set(s.table["年份"])


def test_a_town_as_scope(sample_db: Path) -> None:
    regions = queries.regions(sample_db)
    town = int(regions.loc[regions["name"] == "白沙镇", "id"].iloc[0])
    ctx = deck.DeckContext.from_db(sample_db, region_ids=[town])
    s = deck.build_slide("formation_rate", ctx)
    assert s.subtitle.startswith("白沙镇") and s.has_data
    assert "白沙镇" in s.notes.splitlines()[-1] and "青禾区总工会" not in s.notes


def test_empty_database_gives_empty_slides_not_errors(tmp_db: Path) -> None:
    ctx = deck.DeckContext.from_db(tmp_db)
    assert ctx.empty
    out = deck.build_deck(ctx)
    assert len(out) == len(deck.DEFAULT_DECK)
    assert all(not s.has_data and "没有可计入的数据" in s.notes for s in out)


def test_for_slide_enlarges_text_and_keeps_the_original(slides: list[deck.Slide]) -> None:
    original = slides[0].figure
    before = original.to_json()
    big = deck.for_slide(original, height=700)
    assert original.to_json() == before
    assert big.layout.font.size >= 22 and big.layout.height == 700
    assert big.layout.title.text is None
    assert [a.text for a in big.layout.annotations if a.text in ("全年", "上半年")] == []
    # the data is untouched
    assert json.loads(big.to_json())["data"] == json.loads(before)["data"]


def test_heatmap_years_are_categories(slides: list[deck.Slide]) -> None:
    s = next(x for x in slides if x.key == "coverage_map")
    assert deck.for_slide(s.figure).layout.xaxis.type == "category"
    assert next(c for c in s.table.columns if c != "地区") == "2019年（%）"


def test_tables_are_numbers_for_excel(slides: list[deck.Slide]) -> None:
    for s in slides:
        numeric = s.table.select_dtypes("number")
        assert not numeric.empty, s.key
        assert isinstance(s.table, pd.DataFrame)


def test_stacked_notes_give_the_towns_sum_beside_the_reported_total(slides: list[deck.Slide]) -> None:
    s = next(x for x in slides if x.key == "hardship")
    town_sum = s.table["2024年（元）"].sum()
    assert f"2024年 {fmt.number(town_sum, '元')}" in s.notes.split("图中为各镇（街道）之和：")[1]
    assert "青禾区总工会2024" in s.notes  # the reported total's own source is cited too



def test_tables_keep_approximate_and_partial_marks(slides: list[deck.Slide], sample_db: Path) -> None:
    """A bare number in Excel would turn 逾97% into 97%: a '说明' column beside it keeps the report's word."""
    import io

    from openpyxl import load_workbook

    from export import xlsx

    approx = queries.query_df("""
        SELECT r.name, f.approx FROM facts f JOIN regions r ON r.id = f.region_id
        WHERE f.metric = 'union_coverage_rate' AND f.period = 'FY' AND f.year = 2024 AND f.approx <> ''
          AND f.status = 'active' AND len(f.flags) = 0 AND r.parent_id IS NOT NULL""", path=sample_db)
    assert len(approx), "the sample has an approximate town rate in 2024"
    marked = {n: fmt.APPROX_PREFIX[a] for n, a in zip(approx["name"], approx["approx"], strict=True)}
    table = next(s.table for s in slides if s.key == "coverage")  # 2024's ranking
    assert list(table.columns) == ["地区", "建会率", "单位", "说明"]
    assert dict(zip(table["地区"], table["说明"], strict=True)) == {t: marked.get(t, "") for t in table["地区"]}
    assert table["建会率"].dtype.kind == "f"  # the number itself stays a number
    trend = next(s.table for s in slides if s.key == "membership")  # 职工总数 has partial sums in the sample
    notes = trend.get("职工总数（人）说明")
    assert notes is not None and notes.str.contains("不完整").any()
    wb = load_workbook(io.BytesIO(xlsx.tables([("t", table)])))
    rows = [[c.value for c in r] for r in wb.worksheets[0].iter_rows()]
    assert rows[0][-1] == "说明"
    assert {r[0]: r[-1] for r in rows[1:] if r[-1]} == {t: m for t, m in marked.items() if t in set(table["地区"])}
