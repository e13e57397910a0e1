"""One document segment read with the learned model: candidates → features → metrics.

`read_segment` is shared by extraction and training (etl/learn/), so the
model is trained on exactly the features it later sees.  `pick` turns the
model's probabilities into readings the document passes (etl/passes.py)
understand; the cue rules' reading of the same number rides along as a
feature and as the evidence span when both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.candidates import Candidate, find_candidates
from etl.classifier import NONE, Model
from etl.features import FamilyIndex, candidate_features, hash_features
from etl.passes import document_passes
from etl.rules import RuleHit, _family, metric_for_label, plan_zones, rule_hits, vetoed

EVIDENCE_REACH = 24  # characters of cue kept before a number when the rules did not mark the span


@dataclass
class SegmentReading:
    cands: list[Candidate]
    rows: list[np.ndarray]  # hashed feature indexes, one array per candidate
    hits: dict[int, list[RuleHit]]  # the rules' readings by quantity start (before the document passes)


def read_segment(text: str, start: int, end: int, doc_period: str | None) -> SegmentReading:
    """Candidates of text[start:end] with their features."""
    plan = plan_zones(text, start, end)
    cands = find_candidates(text, start, end, plan)
    prose = [c for c in cands if c.table_label is None]
    raw = rule_hits(text, start, end, [c.q for c in prose],
                    [(c.sent_start, c.sent_end, c.clause_start, c.clause_end) for c in prose], plan)
    kept = {(h.q.start, h.metric) for h in document_passes(text, list(raw))}
    hits: dict[int, list[RuleHit]] = {}
    for h in raw:
        hits.setdefault(h.q.start, []).append(h)
    fam = FamilyIndex(text, start, end)
    rows = []
    prev: Candidate | None = None
    for c in cands:
        if c.table_label is not None:
            m = metric_for_label(c.table_label, c.cls)
            read: tuple[str, ...] = (m,) if m else ()
            kept_m = read
            if m:  # the label's reading counts as the rules' (a table cell has no prose cue)
                hits[c.q.start] = [RuleHit(c.q, m, c.sent_start, c.sent_end, c.table_label, 0.8,
                                           ev_start=c.sent_start, ev_end=c.q.end)]
        else:
            read = tuple(h.metric for h in hits.get(c.q.start, ()))
            kept_m = tuple(m for m in read if (c.q.start, m) in kept)
        names = candidate_features(text, c, fam, prev, read, kept_m, doc_period)
        rows.append(hash_features(dict.fromkeys(names)))  # each name once, in order
        prev = c if c.table_label is None else prev
    return SegmentReading(cands, rows, hits)


def pick(text: str, reading: SegmentReading, probs: np.ndarray, model: Model) -> list[RuleHit]:
    """Readings the model finds likely enough, in text order, after the passes.

    The cue rules are high-precision evidence: a metric they also read needs
    only `model.emit`, one they do not read needs `model.emit_alone` (both
    chosen on cross-validation).  One number gives one fact, except a shared
    rate (建会率、入会率都保持在95%以上) that the rules read twice.
    """
    classes = model.classes
    out: list[RuleHit] = []
    none = classes.index(NONE)
    # Probabilities are float32 and numpy compares them with a threshold rounded to float32: so do the floats below.
    emit, emit_alone = float(np.float32(model.emit)), float(np.float32(model.emit_alone))
    ranked = np.argsort(-probs, axis=1, kind="stable")
    # A number the rules do not read becomes a fact only if some metric reaches emit_alone.
    others = np.ones(len(classes), dtype=bool)
    others[none] = False
    alone = (probs[:, others] >= emit_alone).any(axis=1).tolist() if len(probs) else []
    rows = probs.tolist()  # the float32 values exactly, as floats (indexing a numpy row costs more)
    for i, c in enumerate(reading.cands):
        rule = reading.hits.get(c.q.start, [])
        if not rule and not alone[i]:
            continue
        p = rows[i]
        ruled = {h.metric for h in rule}
        order = [k for k in ranked[i].tolist() if k != none]
        chosen = [k for k in order if (p[k] >= emit and classes[k] in ruled)
                  or (p[k] >= emit_alone and not _refused(text, c, classes[k]))]
        if not chosen:
            continue
        best = chosen[0]
        # The margin in float32, as the model computes probabilities.
        margin = float(probs[i, best] - probs[i, order[1]]) if len(order) > 1 else float(probs[i, best])
        keep = [best] + [k for k in chosen[1:] if classes[k] in ruled and classes[best] in ruled]
        for k in keep:
            m = classes[k]
            same = next((h for h in rule if h.metric == m), None)
            out.append(_reading(text, c, i, m, p[k], margin, same))
    return document_passes(text, out)


def _refused(text: str, c: Candidate, metric: str) -> bool:
    """The rules' guards and vetoes for `metric` at this number (see rules.vetoed)."""
    return vetoed(text, text[c.head_start:c.q.start], text[c.clause_start:c.q.start], text[c.sent_start:c.q.start],
                  text[c.q.end:c.clause_end], c.q.raw, metric, c.in_plan)


def _reading(text: str, c: Candidate, i: int, metric: str, prob: float, margin: float,
             rule: RuleHit | None) -> RuleHit:
    tags: set[str] = set()
    if c.cls == "contract":
        tags.add("contract_count")
    if metric == "cc_workers_covered" and (
            (rule is not None and "wage_only" in rule.tags)
            or (rule is None and _family(text[c.sent_start:c.q.start], text[c.q.end:c.clause_end]) == "wage")):
        tags.add("wage_only")
    if rule is not None:
        ev_start, ev_end, region = rule.ev_start, rule.ev_end, rule.region
    else:
        ev_start, ev_end, region = max(c.head_start, c.q.start - EVIDENCE_REACH), c.q.end, None
    if c.table_label is not None:
        ev_start = c.sent_start
    return RuleHit(c.q, metric, c.sent_start, c.sent_end, text[c.head_start:c.q.start], prob, tags, region,
                   ev_start, ev_end, cand=i, prob=prob, margin=margin, agrees=rule is not None,
                   table_year=c.table_year)
