"""Extract metric facts from Chinese work reports (and dispatch tallies).

    python -m etl.extract --format jsonl FILE...

How a figure becomes a fact:
1. the number parser finds quantities (number + measure word) in cleaned text;
2. the cue rules (etl/rules.py, lexicon/cues.toml) read each one;
3. document-level passes (etl/passes.py): contract families, parts of a
   stated total, the same figure repeated in a headline and the body.
Year, period and region come from etl/context.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from etl.body import BodyCandidate, body_candidates, rank
from etl.calibration import calibration_row, region_kind
from etl.catalog import load_catalog
from etl.classifier import Model, shipped_model
from etl.context import DocContext, When, clean_region, document_context, resolve_when
from etl.dedup import fingerprint
from etl.model import (
    FLAG_PLACEHOLDER_REGION,
    FLAG_REDACTED,
    FLAG_TEMPLATE,
    FLAG_UNKNOWN_YEAR,
    Document,
    ExtractedFile,
    Fact,
    Problem,
)
from etl.normalize import NormText, normalize
from etl.passes import dedupe, document_passes
from etl.reading import SegmentReading, pick, read_segment
from etl.rules import RuleHit, metric_for_label, rule_hits
from etl.subunits import paragraph_openers, plausible_unit, subunit
from etl.vocab import is_placeholder
from etl.zones import CLAUSE_END, last_index


def _table_facts(norm: NormText, start: int, end: int, ctx: DocContext, name: str, doc_id: str, seg: int,
                 is_template: bool) -> list[Fact]:
    """Facts from year-column tables (one per cell, each with its column's year)."""
    from etl.tables import year_column_cells

    catalog = load_catalog()
    out = []
    for cell in year_column_cells(norm.text, start, end):
        metric = metric_for_label(cell.label, cell.cls)
        if metric is None:
            continue
        evidence, s, e = norm.evidence(cell.start, cell.end)
        flags = (FLAG_TEMPLATE,) if is_template else ()
        out.append(Fact(doc=name, metric=metric, value=cell.value, unit=catalog[metric].unit, evidence=evidence,
                        doc_id=doc_id, segment=seg, year=cell.year, period=None, region=ctx.region, start=s, end=e,
                        confidence=0.8, flags=flags))
    return out


def _segments(norm: NormText) -> list[tuple[int, int, str, bool]]:
    """(start, end, title, is_template) per document in the file (one for an empty text)."""
    from etl.segment import split_documents

    segs = split_documents(norm)
    if not segs:
        return [(0, len(norm.text), _first_line(norm.text), False)]
    return [(s.start, s.end, s.title or _first_line(norm.text[s.start:s.end]), s.is_template) for s in segs]


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.split("\n") if ln.strip()), "")[:80]


@lru_cache(maxsize=4096)
def _region_flag(region: str | None) -> bool:
    return bool(region) and is_placeholder(region)


_SHIPPED = object()


def extract_report_text(text: str, name: str = "", sha256: str = "", region: str | None = None,
                        model: Model | object | None = _SHIPPED) -> tuple[list[Document], list[Fact]]:
    """Documents and facts of one decoded report file (offsets into `text`).

    `region` is the reporting body as the person who sent the file named it; it
    replaces the guess from the text (sub-units the text names keep their own).
    `model` defaults to the shipped one; None reads with the cue rules alone.
    """
    if model is _SHIPPED:
        model = shipped_model()
    documents, segments = split_report(text, name, sha256, region)
    segments = [with_body(s, model) for s in segments]  # type: ignore[arg-type]
    documents = [replace(d, region=s.ctx.region) for d, s in zip(documents, segments, strict=True)]
    facts = [f for seg in segments for f in read_facts(seg, model)]  # type: ignore[arg-type]
    return documents, facts


def split_report(text: str, name: str = "", sha256: str = "",
                 region: str | None = None) -> tuple[list[Document], list[Segment]]:
    """The reports inside one file, each with what it says about itself (year, period, body)."""
    norm = normalize(text)
    sha = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    documents: list[Document] = []
    segments: list[Segment] = []
    t = norm.text
    for idx, (start, end, title, is_template) in enumerate(_segments(norm)):
        doc_id = f"{sha[:16]}:{idx}"
        ctx = document_context(t[start:end], title)
        if region:
            ctx = replace(ctx, region=region)
        os_, oe = norm.span(start, end)
        documents.append(Document(doc_id, sha, name, idx, os_, oe, title, ctx.region, ctx.year, ctx.period,
                                  is_template, fingerprint(t[start:end]),
                                  (FLAG_TEMPLATE,) if is_template else ()))
        segments.append(Segment(norm, ctx, name, doc_id, idx, is_template, start, end, bool(region), title,
                                body_candidates(t[start:end], title), 0.0, paragraph_openers(t, start, end)))
    return documents, segments


@dataclass(frozen=True)
class Segment:
    """One report inside a file, with what the document says about itself."""

    norm: NormText
    ctx: DocContext
    name: str
    doc_id: str
    index: int
    is_template: bool
    start: int
    end: int
    region_given: bool
    title: str = ""
    bodies: tuple[BodyCandidate, ...] | list[BodyCandidate] = ()  # who may be reporting (etl/body.py)
    body_margin: float = 0.0  # how far the ranker's reporting body led the next name
    openers: tuple[tuple[int, int, str], ...] = ()  # a round-up's paragraphs and their unions (etl/body.py)


def with_body(seg: Segment, model: Model | None) -> Segment:
    """The segment with the trained ranker's reporting body, unless the uploader named it."""
    if model is None or model.body is None or seg.region_given or not seg.bodies:
        return seg
    # A round-up's paragraph unions own their paragraphs' figures; the writer is someone else (青禾区各镇街工会…).
    subs = {n for _, _, n in seg.openers}
    name, margin = rank([c for c in seg.bodies if c.name not in subs], model.body)
    return replace(seg, ctx=replace(seg.ctx, region=name), body_margin=margin)


def read_facts(seg: Segment, model: Model | None) -> list[Fact]:
    """The facts of one segment: the model's reading (or the rules' alone), after the passes."""
    t = seg.norm.text
    if model is None:
        cands = document_passes(t, rule_hits(t, seg.start, seg.end))
        seg_facts = [_to_fact(seg, c, None)[0] for c in cands]
        sentences = [c.sent_start for c in cands]
        table = _table_facts(seg.norm, seg.start, seg.end, seg.ctx, seg.name, seg.doc_id, seg.index,
                             seg.is_template)
        return dedupe(seg_facts + table, sentences + [-1 - i for i in range(len(table))])
    return [f for f, _ in model_facts(seg, read_segment(t, seg.start, seg.end, seg.ctx.period), model)]


def model_facts_of(seg: Segment, reading: SegmentReading, model: Model) -> list[tuple[Fact, list[float]]]:
    """`model_facts` for a segment whose reporting body the model has not chosen yet (training)."""
    return model_facts(with_body(seg, model), reading, model)


def model_facts(seg: Segment, reading: SegmentReading, model: Model) -> list[tuple[Fact, list[float]]]:
    """The model's facts of one segment, each with its calibration row (training reads both)."""
    picks = pick(seg.norm.text, reading, model.predict(reading.rows), model)
    parts = [_fact_fields(seg, c) for c in picks]
    if parts:  # the calibrated confidence of all facts at once
        conf = model.confidence(np.array([r for _, _, r in parts])).tolist()
        review = model.review
        pairs = [(Fact(**fields, confidence=round(max(p, 0.01), 2), needs_review=bool(fields["flags"]) or p < review),
                  r) for (fields, _, r), p in zip(parts, conf, strict=True)]
    else:
        pairs = []
    kept = dedupe([f for f, _ in pairs], [c.sent_start for c in picks])
    rows = {id(f): r for f, r in pairs}
    return [(f, rows[id(f)]) for f in kept]


def _subject_clause(t: str, c: RuleHit) -> str:
    """The clause that holds the figure's subject: its own, or the one before when its own is only
    a link (城关街道建会率最高，为96.75%)."""
    start = last_index(t, CLAUSE_END, c.sent_start, c.q.start)
    if len(t[start:c.q.start].strip()) <= 3 and start > c.sent_start:
        start = last_index(t, CLAUSE_END, c.sent_start, start - 1)
    return t[start:c.q.start]


def _to_fact(seg: Segment, c: RuleHit, model: Model | None) -> tuple[Fact, list[float]]:
    """The fact of one reading with the rules' own confidence, and its calibration row."""
    fields, conf, row = _fact_fields(seg, c)
    return Fact(**fields, confidence=conf, needs_review=bool(fields["flags"])), row


def _fact_fields(seg: Segment, c: RuleHit) -> tuple[dict, float, list[float]]:
    """The fields of a reading's fact but its confidence, the rules' own confidence, and the calibration
    row (with a model, `model_facts` computes the calibrated confidence of all facts at once)."""
    t = seg.norm.text
    metric = load_catalog()[c.metric]
    # Time context: explicit dates carry over within the paragraph.
    para_start = max(last_index(t, "\n", seg.start, c.q.start), c.q.start - 400)
    when = resolve_when(t[para_start:c.q.start], t[c.sent_start:c.q.start], seg.ctx, metric.kind == "stock")
    if c.table_year is not None:
        when = When(c.table_year, None, None, True)
    if c.ev_start is not None:
        ev_start, ev_end = max(c.ev_start, c.q.start - 40), min(c.ev_end or c.q.end, c.q.end + 40)
    else:
        ev_start, ev_end = max(c.sent_start, c.q.start - min(len(c.head), 24)), c.q.end
    evidence, s, e = seg.norm.evidence(ev_start, ev_end)
    sub = c.region or (None if c.table_year is not None else subunit(c.head, _subject_clause(t, c), seg.ctx.region))
    if sub and not plausible_unit(sub):
        sub = None
    if not sub and c.table_year is None:
        sub = next((n for a, b, n in seg.openers if a <= c.q.start < b), None)
    region = sub or seg.ctx.region
    flags = []
    if seg.is_template:
        flags.append(FLAG_TEMPLATE)
    if when.year is None:
        flags.append(FLAG_UNKNOWN_YEAR)
    if region is None or _region_flag(region):
        flags.append(FLAG_PLACEHOLDER_REGION)
    if c.q.redacted:
        flags.append(FLAG_REDACTED)
    row = calibration_row(c, when, region_kind(region, bool(sub), seg.region_given), flags, seg.body_margin)
    conf = c.confidence - (0.1 if c.q.approx else 0) - (0.1 if when.year is None else 0)
    return {
        "doc": seg.name, "metric": c.metric, "value": c.q.value, "unit": metric.unit, "evidence": evidence,
        "doc_id": seg.doc_id, "segment": seg.index, "approx": c.q.approx, "year": when.year, "period": when.period,
        "as_of": when.as_of, "region": clean_region(region) if region else None, "start": s, "end": e,
        "flags": tuple(flags),
    }, round(max(conf, 0.01), 2), row


def extract_report_file(path: str | Path, data: bytes | None = None, region: str | None = None) -> ExtractedFile:
    """Read a report file (or its uploaded bytes) and extract it; read errors become a Chinese problem."""
    from etl.read import ReadError, read_report

    path = Path(path)
    try:
        rt = read_report(path, data=data)
    except ReadError as exc:
        if data is None:
            data = path.read_bytes() if path.is_file() else b""
        return ExtractedFile(str(path), path.name, hashlib.sha256(data).hexdigest(), data, "report",
                             problems=[Problem("error", str(exc), where=path.name, code="unreadable")])
    docs, facts = extract_report_text(rt.text, rt.name, rt.sha256, region=region)
    return ExtractedFile(str(path), rt.name, rt.sha256, rt.data, "report", rt.encoding, rt.text, docs, facts)


def extract_file(path: str | Path) -> ExtractedFile:
    """Reports and tallies alike (tallies go to etl.tally)."""
    from etl.read import is_tally

    if is_tally(Path(path)):
        from etl.tally import extract_tally_file

        return extract_tally_file(Path(path))
    return extract_report_file(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m etl.extract",
        description="从工作总结（.txt/.docx/.pdf）和统计表（.xlsx/.xlsm/.xls/.csv）中抽取指标，不写数据库。",
        epilog="Example: python -m etl.extract --format jsonl data/samples/reports/*.txt",
    )
    ap.add_argument("files", nargs="+", help="report or tally files")
    ap.add_argument("--format", choices=["jsonl", "table"], default="jsonl")
    args = ap.parse_args(argv)
    unreadable = 0
    out = sys.stdout
    for f in args.files:
        try:
            ef = extract_file(f)
        except Exception as exc:  # one bad file never stops the others
            print(f"{f}: 无法处理：{exc}", file=sys.stderr)
            unreadable += 1
            continue
        for p in ef.problems:
            print(f"{ef.name}{'!' + p.where if p.where and p.where != ef.name else ''}: [{p.severity}] {p.message}",
                  file=sys.stderr)
        if not ef.ok and not ef.facts:
            unreadable += 1
        for fact in ef.facts:
            if args.format == "jsonl":
                out.write(json.dumps(fact.to_json(), ensure_ascii=False) + "\n")
            else:
                out.write(f"{fact.doc}\t{fact.region}\t{fact.year}\t{fact.period}\t{fact.metric}\t{fact.value}\t"
                          f"{fact.evidence}\n")
    return 1 if unreadable else 0



if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `… | head`: the reader left; not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's final flush quiet
        sys.exit(0)
