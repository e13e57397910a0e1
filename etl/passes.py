"""Document-level passes over figures bound to metrics.

Contract families (wage coverage only when no general figure is written; N份
contracts count per enterprise only without a 覆盖企业 figure), parts of a
stated total, persons before person-times, and one fact per figure repeated
in a headline and the body.
"""

from __future__ import annotations

import re

from etl.model import Fact
from etl.rules import _PERSONS_JOIN, RuleHit

_PART_OPENER = re.compile(r"^\s*(?:其中|这\S{0,8}中|在这\S{0,8}中)")
_TOTAL_AFTER = re.compile(r"(?:合计|总计|共计|总共|一共)[^,;。]{0,4}$")


_CLOSED_GROUP = re.compile(r"\([^()]*\)|（[^（）]*）")
_PARTS_MARK = re.compile(r"其中|:")
_ADDITIONAL = re.compile(r"另外|此外|另有|另还|另为|同时还")


_OPEN_BRACKET = re.compile(r"^\s*[(（][^)）]*$")  # a bracket opened and not closed again


def _opens_parts(between: str) -> bool:
    """Does the text between a total and a later figure make the figure one of its parts?  Not when the
    其中 stands in brackets that close before it (共筹集170.5万元(其中…10万元),…), nor when 另外/此外
    adds the figure after the parts (…;另外还为11名…发放4.7万元).  A bracket opened right after the total
    and still open at the figure lists its parts (已建有工会119家(企业工会99家,…机关工会1家))."""
    between = _CLOSED_GROUP.sub("", between)
    if _OPEN_BRACKET.match(between):
        return True
    marks = list(_PARTS_MARK.finditer(between))
    return bool(marks) and not _ADDITIONAL.search(between, marks[-1].end())


def drop_parts(text: str, cands: list[RuleHit]) -> list[RuleHit]:
    """Parts written after a stated total (共N…, 其中…, 这47家中…) are not facts."""
    keep = []
    for i, c in enumerate(cands):
        part = False
        opener = _PART_OPENER.search(text[c.sent_start:c.q.start])
        for t in cands[:i]:
            if t.metric != c.metric or t.region != c.region:
                continue
            if t.sent_start == c.sent_start and _opens_parts(text[t.q.end:c.q.start]):
                part = True
                break
            if opener and t.sent_start != c.sent_start and c.q.start - t.q.end < 400:
                part = True
                break
        if not part:
            keep.append(c)
    # 慰问金12万元,慰问品6.6万元,合计18.6万元: a total written after its parts replaces them.
    drop: set[int] = set()
    for i, c in enumerate(keep):
        if _TOTAL_AFTER.search(text[max(c.sent_start, c.q.start - 12):c.q.start]):
            for j in range(i):
                t = keep[j]
                if t.metric == c.metric and t.sent_start == c.sent_start and t.region == c.region:
                    drop.add(j)
    return [c for i, c in enumerate(keep) if i not in drop]


_SUM_REACH = 2000  # characters from a total to its last part


def drop_summed_parts(cands: list[RuleHit]) -> list[RuleHit]:
    """Figures that follow a figure of the same metric and add up to it exactly are its parts, stated
    without 其中 (保靖…慰问74名困难教师 … 慰问特困教师15名；…困难教师27名，又…看望困难教师32名).

    Two or more figures in a row among that metric's figures after the total, each smaller than it:
    an exact sum over consecutive figures does not happen by chance often enough to matter.
    """
    drop: set[int] = set()
    for i, t in enumerate(cands):
        total = t.q.value
        if not total or total <= 0 or i in drop:
            continue
        later = [j for j in range(i + 1, len(cands)) if cands[j].metric == t.metric and cands[j].region == t.region
                 and cands[j].q.start - t.q.end <= _SUM_REACH and j not in drop]
        run = _summing_run([cands[j].q.value for j in later], total)
        if run is not None:
            drop.update(later[run[0]:run[1]])
    return [c for k, c in enumerate(cands) if k not in drop]


def _summing_run(values: list[float | None], total: float) -> tuple[int, int] | None:
    """The first [a, b) of two or more consecutive values, each positive and below `total`, adding up to it."""
    for a in range(len(values)):
        run = 0.0
        for b in range(a, len(values)):
            v = values[b]
            if not v or v <= 0 or v >= total:
                break
            run += v
            if b > a and abs(run - total) <= 1e-6 * total:
                return a, b + 1
            if run > total:
                break
    return None


def document_passes(text: str, cands: list[RuleHit]) -> list[RuleHit]:
    """Contract families, parts of totals, and repeated headline figures."""
    # Worker coverage of wage contracts counts only when no general figure is given.
    if any(c.metric == "cc_workers_covered" and "wage_only" not in c.tags for c in cands):
        cands = [c for c in cands if "wage_only" not in c.tags]
    # N份 contracts count per enterprise only where no 覆盖企业N家 is written nearby.
    ent = [c for c in cands if c.metric in ("cc_enterprises", "wage_cc_enterprises") and "contract_count" not in c.tags]
    kept = []
    for c in cands:
        if "contract_count" in c.tags and any(
                e.metric == c.metric and (0 <= e.q.start - c.q.start <= 200 or e.sent_start == c.sent_start)
                for e in ent):
            continue
        kept.append(c)
    cands = drop_summed_parts(drop_parts(text, kept))
    # Persons and person-times for the same enrolment: persons are taken.
    out: list[RuleHit] = []
    for c in cands:
        if c.q.unit is not None and c.q.unit.times and out:
            p = out[-1]
            if p.metric == c.metric and p.q.unit is not None and not p.q.unit.times \
                    and _PERSONS_JOIN.fullmatch(text[p.q.end:c.q.start]):
                continue
        out.append(c)
    return out


def dedupe(facts: list[Fact], sentences: list[int]) -> list[Fact]:
    """One fact per (metric, value) across sentences: the better-dated copy wins.

    `sentences[i]` is the sentence start of facts[i]; two equal figures in one
    sentence (两名…以及两名…) are two facts.
    """
    best: dict[tuple, Fact] = {}
    sent_of: dict[tuple, int] = {}
    order: list[tuple] = []
    for f, sent in zip(facts, sentences, strict=True):
        key = (f.metric, f.value, f.region)
        if f.value is None:
            order.append((id(f),))
            best[(id(f),)] = f  # type: ignore[index]
            continue
        if key not in best:
            best[key] = f
            sent_of[key] = sent
            order.append(key)
            continue
        old = best[key]
        if sent_of[key] == sent:
            k2 = (*key, f.start)
            best[k2] = f  # type: ignore[index]
            order.append(k2)
        elif (f.as_of and not old.as_of) or (f.year is not None and old.year is None):
            best[key] = f
    out = [best[k] for k in order]
    # A rounded headline figure (超5600家, 建会率超82%) repeats a precise body figure.
    drop = set()
    for i, f in enumerate(out):
        if f.value is None or not f.approx:
            continue
        for j, g in enumerate(out):
            if j != i and g.metric == f.metric and g.value and not g.approx and g.region == f.region \
                    and abs(g.value - f.value) <= 0.1 * abs(g.value) and abs((g.start or 0) - (f.start or 0)) > 30:
                drop.add(i)
                break
    return [f for i, f in enumerate(out) if i not in drop]


