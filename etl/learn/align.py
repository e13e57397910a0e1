"""Which candidate numbers the gold facts are: the training labels.

A gold fact names its evidence, an exact substring of the document; the
candidate whose original span lies in that evidence with the same value is the
fact.  Every other candidate is "none", except one that restates a gold figure
elsewhere (same value and measure-word class): the conventions count a figure
repeated in a headline once, so such copies teach nothing either way and are
left out of training.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.extract import Segment, split_report
from etl.learn.corpus import AnnotatedDoc
from etl.reading import SegmentReading, read_segment

IGNORE = "?"  # label of a candidate left out of training


def same_value(a: float | None, b: float | None) -> bool:
    """Equal within 0.5 %, as score.py compares values."""
    if a is None or b is None:
        return False
    return abs(a - b) <= max(0.005 * abs(b), 1e-6)


@dataclass
class PreparedDoc:
    """A document read once: its segments, their candidates' features, and the labels."""

    doc: AnnotatedDoc
    segments: list[tuple[Segment, SegmentReading]]
    labels: list[list[list[str]]]  # per segment, per candidate: gold metrics ([] for none, [IGNORE])
    unreachable: list[dict]  # gold facts no candidate carries


def prepare(doc: AnnotatedDoc) -> PreparedDoc:
    """Segment, read and label one annotated document."""
    _, segs = split_report(doc.text, doc.name)
    segments = [(s, read_segment(s.norm.text, s.start, s.end, s.ctx.period)) for s in segs]
    spans = [[s.norm.span(c.q.start, c.q.end) for c in r.cands] for s, r in segments]
    labels: list[list[list[str]]] = [[[] for _ in r.cands] for _, r in segments]
    unreachable = []
    taken: set[tuple[float, str]] = set()
    for g in doc.gold:
        at = doc.text.find(g["evidence"])
        lo, hi = (at - 2, at + len(g["evidence"]) + 2) if at >= 0 else (-1, -1)
        hit = None
        for k, (_, r) in enumerate(segments):
            for i, c in enumerate(r.cands):
                s, e = spans[k][i]
                if s >= lo and e <= hi and same_value(c.q.value, g["value"]):
                    hit = (k, i)
                    break
            if hit:
                break
        if hit is None:
            unreachable.append(g)
            continue
        k, i = hit
        labels[k][i].append(g["metric"])
        taken.add((round(float(g["value"]), 4), segments[k][1].cands[i].cls))
    for k, (_, r) in enumerate(segments):
        for i, c in enumerate(r.cands):
            if not labels[k][i] and c.q.value is not None and (round(c.q.value, 4), c.cls) in taken:
                labels[k][i] = [IGNORE]
    return PreparedDoc(doc, segments, labels, unreachable)
