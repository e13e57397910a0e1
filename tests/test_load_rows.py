"""etl/load_rows.py: a file's facts as facts-table rows, checked against fact-by-fact resolution."""

from __future__ import annotations

from pathlib import Path

from etl.model import Document, ExtractedFile, Fact


def _regions_and_aliases(con) -> tuple[list[tuple], list[tuple]]:
    return (con.execute("SELECT id, name, level FROM regions ORDER BY id").fetchall(),
            con.execute("SELECT alias, region_id FROM region_aliases ORDER BY alias").fetchall())


def _reference_row(f: ExtractedFile, fact: Fact, doc: Document | None, duplicate: bool, resolver) -> dict:
    """What the loader must write for one fact, resolved on its own (the oracle for the batch path)."""
    from etl.vocab import is_placeholder

    raw = fact.region or (doc.region if doc else None)
    extra = ["placeholder_region"] * bool(raw and is_placeholder(raw)) + ["template"] * bool(doc and doc.is_template)
    extra += ["duplicate_document"] * duplicate
    return {"batch_id": 1, "region_id": resolver.resolve(raw), "source_file": f.sha256, "metric": fact.metric,
            "value": fact.value, "unit": fact.unit, "evidence": fact.evidence, "doc_id": fact.doc_id or None,
            "approx": fact.approx, "year": fact.year, "period": fact.period, "as_of": fact.as_of, "region_raw": raw,
            "start_offset": fact.start, "end_offset": fact.end, "source_cell": fact.source,
            "confidence": fact.confidence, "needs_review": fact.needs_review,
            "flags": [*fact.flags, *(x for x in extra if x not in fact.flags)]}


def test_fact_table_matches_row_by_row(tmp_path: Path) -> None:
    """The batch path (distinct names resolved once) equals fact-by-fact resolution; unknown names stay None."""
    from etl import db, regions
    from etl.load_rows import fact_table
    from etl.regions import BatchResolver
    from scripts.sample_db import set_up

    names = ["城关街道", "城关", "新村镇工会", "新村镇", "青禾区新村镇", "xx镇", "本镇", "", None, "红旗机械厂",
             " 新村镇总工会 ", "柳塘", "新村镇工会", "某某公司", "青禾区红旗机械厂"]
    doc = Document("d:0", "s" * 64, "a.txt", 0, 0, 10, "t", "白沙镇", 2015, "FY")
    template = Document("d:1", "s" * 64, "a.txt", 1, 0, 10, "t", "X街道", 2015, "FY", is_template=True)
    docs = {doc.doc_id: doc, template.doc_id: template}
    facts = [Fact(doc="a.txt", metric="union_orgs_total", value=i, unit="家", evidence=f"e{i}",
                  doc_id=("d:0", "d:1", "")[i % 3], region=name, source=f"Sheet1!C{i + 2}",
                  flags=("redacted",) if i % 4 == 0 else ()) for i, name in enumerate(names)]
    f = ExtractedFile(path="a.txt", name="a.txt", sha256="s" * 64, data=b"x", kind="report", facts=facts)
    results = []
    for how in ("rows", "table"):
        path = tmp_path / f"{how}.duckdb"
        set_up(path)
        with db.transaction(path) as con:
            if how == "rows":
                resolver = regions.RegionResolver(con)
                rows = [_reference_row(f, x, docs.get(x.doc_id), x.doc_id == "d:1", resolver) for x in facts]
            else:
                rows = fact_table(1, f, f.fact_table, docs, {"d:1"}, BatchResolver(con)).to_pylist()
            results.append((rows, _regions_and_aliases(con)))
    (rows_a, reg_a), (rows_b, reg_b) = results
    assert len(rows_a) == len(rows_b) == len(names)
    for a, b in zip(rows_a, rows_b, strict=True):
        assert a == b
    assert reg_a == reg_b
    assert rows_b[4]["flags"] == ["redacted", "template", "duplicate_document"]
    assert rows_b[5]["flags"] == ["placeholder_region"] and rows_b[5]["region_id"] is None
    assert rows_b[7]["region_raw"] == "X街道"  # empty region: the document's
    assert rows_b[9]["region_id"] is None and rows_b[2]["region_id"] is None  # 红旗机械厂, 新村镇: not in the directory
