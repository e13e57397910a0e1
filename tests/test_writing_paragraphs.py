"""writing.paragraphs on the sample database: the round trip (every figure of every generated paragraph, read
back by the extractor, is the stored figure), the wording rules, the examples in docs/ and the deck's notes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from export import deck
from writing.check import check_draft
from writing.paragraphs import as_text, paragraphs, phrasings
from writing.stored import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "writing" / "起草数字段落示例.md"
EXAMPLE_SCOPES = [("青禾区", 2024, "FY"), ("白沙镇", 2024, "H1")]


@pytest.fixture(scope="module")
def store(sample_db: Path) -> Store:
    return Store(sample_db)


def _scopes(store: Store) -> list[tuple[str, int, str]]:
    return [(name, year, period) for name in store.regions["name"] for year in range(2019, 2026)
            for period in ("FY", "H1")]


@pytest.mark.slow
def test_round_trip_every_town_and_year(store: Store, sample_db: Path) -> None:
    """Each paragraph checked as a draft of its region: every generated figure is found where it was written,
    read as the metric it states, and agrees with the stored figure (growth and changes recomputed too)."""
    checked = 0
    for region, year, period in _scopes(store):
        paras = paragraphs(region, year, period, store=store)
        if not paras:
            continue
        text = "\n".join(p.text for p in paras)
        check = check_draft(text, path=sample_db, store=store, region=region, year=year, period=period)
        found = {(f.start, f.end): f for f in check.figures}
        offset = 0
        for p in paras:
            for g in p.figures:
                fig = found.get((g.start + offset, g.end + offset))
                where = f"{region} {year}{period} “{g.text}” in {p.text}"
                assert fig is not None, f"not read back: {where}"
                assert fig.metric == g.metric, where
                if g.basis.endswith("为其合计"):  # a partial sum, stated as such: the checker declines it
                    assert fig.verdict == "not_checked", where
                else:
                    assert fig.verdict == "match", f"{where}: {fig.note}"
                    checked += 1
            offset += len(p.text) + 1
        stated = {(g.start + o, g.end + o) for p, o in _offsets(paras) for g in p.figures}
        extra = [f for f in check.figures if f.kind == "figure" and (f.start, f.end) not in stated]
        assert not extra, f"{region} {year}{period}: read a figure that was not written: {extra}"
    assert checked > 1500


def _offsets(paras):
    offset = 0
    for p in paras:
        yield p, offset
        offset += len(p.text) + 1


def test_the_districts_paragraphs_read_like_a_report(store: Store) -> None:
    paras = paragraphs("青禾区", 2024, "FY", store=store)
    assert [p.title for p in paras] == ["工会组建", "会员发展", "集体合同", "困难帮扶"]
    formation = paras[0].text
    assert formation.startswith("截至2024年底，全区共有基层工会组织3,887家，较上年增加199家，增长5.4%；建会率达97.3%")
    # 2023's 新建工会 is "近330家": no change is stated against an approximation
    assert formation.endswith("2024年，全区新建基层工会318家。")
    assert "会员26.13万人" in paras[1].text  # 万 for large counts, as the reports write them
    assert "逾23.2万人" in paras[2].text  # approximations as stored
    assert "慰问金386.2万元" in paras[3].text


def test_a_partial_sum_says_how_many_reported(store: Store) -> None:
    text = as_text(paragraphs("青禾区", 2019, "FY", store=store))
    assert "职工总数93,427人（8个镇街中3个已报）" in text
    assert "职工总数93,427人（8个镇街中3个已报），较上年" not in text  # and states no change


def test_no_sentence_for_a_metric_without_data(store: Store) -> None:
    text = as_text(paragraphs("白沙镇", 2023, "FY", store=store))
    assert "工资集体协商" not in text  # 白沙镇 reported none in 2023
    assert paragraphs("白沙镇", 2018, "FY", store=store) == []
    assert paragraphs("不存在的镇", 2024, "FY", store=store) == []


def test_half_year_wording(store: Store) -> None:
    text = as_text(paragraphs("白沙镇", 2024, "H1", store=store))
    assert "截至2024年6月底，全镇" in text and "2024年上半年，全镇" in text and "较上年同期" in text
    assert "全年" not in text


def test_every_metric_phrase_is_for_a_catalog_metric() -> None:
    from etl.catalog import load_catalog

    areas = phrasings()["areas"]
    listed = [m for a in areas for s in a["sentences"] for m in s["metrics"]]
    assert set(listed) <= set(load_catalog()) and set(listed) == set(phrasings()["metrics"])
    assert set(phrasings()["kinds"]) == {"stock", "flow", "rate", "money"}


def test_every_figure_has_its_source(store: Store) -> None:
    for p in paragraphs("青禾区", 2024, "FY", store=store):
        for f in p.figures:
            assert f.sources, f.text
            if f.kind == "figure":
                assert all(s.file for s in f.sources)


def test_paragraphs_docx_lists_the_sources(store: Store) -> None:
    from writing.word import paragraphs_docx

    paras = paragraphs("白沙镇", 2024, "FY", store=store)
    doc = Document(io.BytesIO(paragraphs_docx(paras, "白沙镇2024年工作数字")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert as_text(paras) in text
    assert "白沙镇总工会2024年工作总结.txt：“建会单位385家”" in text


def test_the_examples_in_docs_are_what_the_tool_writes(store: Store) -> None:
    """docs/writing/起草数字段落示例.md shows two generated examples; regenerate it when the phrasings change:
    .venv/bin/python -m writing.examples > docs/writing/起草数字段落示例.md (with the sample database)."""
    from writing.examples import examples_markdown

    assert EXAMPLES.read_text(encoding="utf-8") == examples_markdown(EXAMPLE_SCOPES, store=store)


def test_the_deck_notes_carry_the_same_paragraphs(sample_db: Path, store: Store) -> None:
    ctx = deck.DeckContext.from_db(sample_db)
    paras = {p.area: p.text for p in paragraphs("青禾区", ctx.year_to, "FY", store=store)}
    for key, area in (("formation", "formation"), ("membership", "membership"), ("contracts", "contracts"),
                      ("hardship", "hardship")):
        notes = deck.build_slide(key, ctx).notes
        assert f"【讲稿】{paras[area]}" in notes.splitlines(), key
    assert "【讲稿】" not in deck.build_slide("coverage", ctx).notes
