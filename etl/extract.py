"""Extract metric facts from Chinese work reports (and dispatch tallies).

    python -m etl.extract --format jsonl FILE...

How a figure becomes a fact, most specific step first:
1. the number parser finds quantities (number + measure word) in cleaned text;
2. each quantity gets a head zone (clause start or previous quantity → number)
   and a right zone (number → clause end);
3. global guards drop growth, shares of targets, per-unit standards and plans;
4. the first rule of lexicon/cues.toml whose cue, unit class, topic and vetoes
   fit names the metric (a number joined to the previous one by 和/、 takes
   its metric);
5. document-level passes: wage vs general contract coverage, contract counts
   only when no enterprise count is written, parts of a stated total, and
   the same figure repeated in a headline and the body.
Year, period and region come from etl/context.py.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tomllib
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

from etl.catalog import load_catalog
from etl.context import DocContext, clean_region, document_context, place_names, resolve_when
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
from etl.numbers import Quantity, find_quantities
from etl.prefilter import Prefiltered

LEXICON = Path(__file__).parent / "lexicon"

SENT_END = "。!！？\n"
CLAUSE_END = ",;:。！？\n，；："
METRIC_CLASSES = {"org", "person", "household", "money", "percent", "case", "contract"}
_WAGE = re.compile(r"工资(?:专项)?(?:集体)?(?:合同|协议|协商)|工资协议")
_GENERAL = re.compile(r"集体合同|集体协商|集体协议|平等协商|综合(?:集体)?合同")
_PLACEHOLDER = re.compile(
    r"^(?:[xX×*＊某]+|[xX×*＊某]{1,3}[\u4e00-\u9fff]{0,2})$|[xX×*＊]{1,3}(?:镇|街道|乡|县|区|市)$")


# Between a cue and its number only filler may stand (共, 达到, 为, 已, a unit in brackets).
_FILLER = re.compile(
    r"(?:[\s共计总达到为是有已经了的约合分别各均都在|:]|动态|保持|稳定|提高|提升|人民币|\([^)]{0,5}\))*")


@dataclass(frozen=True)
class Rule:
    metric: str
    units: frozenset[str]
    head: tuple[Prefiltered, ...]  # cue list behind a required-character check: tried for every number
    right: tuple[Prefiltered, ...]
    topic: tuple[re.Pattern[str], ...]
    topic_scope: str
    veto: tuple[re.Pattern[str], ...]
    clause_veto: tuple[re.Pattern[str], ...]
    right_veto: tuple[re.Pattern[str], ...]
    sentence_veto: tuple[re.Pattern[str], ...]
    raw_veto: tuple[re.Pattern[str], ...]
    need_right_for: tuple[re.Pattern[str], ...]  # head cues that also need a right cue
    right_alone: bool  # may a right cue bind the number without any head cue?
    head_any: tuple[re.Pattern[str], ...]  # the head cues anywhere (for shared rates)
    multi: bool
    gap: int


@dataclass
class Candidate:
    """A quantity bound to a metric, before the document-level passes."""

    q: Quantity
    metric: str
    sent_start: int
    sent_end: int
    head: str
    confidence: float
    tags: set[str] = field(default_factory=set)
    region: str | None = None
    ev_start: int | None = None  # evidence span in cleaned text: cue … number (… right cue)
    ev_end: int | None = None
    pending: tuple[str, ...] = ()  # 建会率和入会率分别达到92%和90%: metrics for the next numbers


def _compile(pats: list[str]) -> tuple[re.Pattern[str], ...]:
    """One alternation per list: a single search instead of one per pattern."""
    return (re.compile("|".join(f"(?:{p})" for p in pats)),) if pats else ()


def _head_pattern(cues: list[str]) -> tuple[re.Pattern[str], ...]:
    """The head cues, each only where just filler stands between it and the number."""
    return (re.compile("(?:" + "|".join(f"(?:{h})" for h in cues) + f")(?={_FILLER.pattern}$)"),) if cues else ()


def _prefiltered(pats: tuple[re.Pattern[str], ...]) -> tuple[Prefiltered, ...]:
    """Cue lists tried for every number: a clause without any of their few required characters is skipped."""
    return tuple(Prefiltered(p) for p in pats)


@cache
def rules() -> tuple[tuple[Rule, ...], dict[str, tuple[re.Pattern[str], ...]]]:
    """Rules and guards from lexicon/cues.toml, compiled once."""
    with open(LEXICON / "cues.toml", "rb") as f:
        spec = tomllib.load(f)
    out = []
    for r in spec["rule"]:
        out.append(Rule(
            metric=r["metric"],
            units=frozenset(r["units"]),
            head=_prefiltered(_head_pattern(r.get("head", []))),
            right=_prefiltered(_compile(r.get("right", []))),
            topic=_compile(r.get("topic", [])),
            topic_scope=r.get("topic_scope", "sentence"),
            veto=_compile(r.get("veto", [])),
            clause_veto=_compile(r.get("clause_veto", [])),
            right_veto=_compile(r.get("right_veto", [])),
            sentence_veto=_compile(r.get("sentence_veto", [])),
            raw_veto=_compile(r.get("raw_veto", [])),
            need_right_for=_compile(r.get("need_right_for", [])),
            right_alone=bool(r.get("right_alone", True)),
            head_any=_compile(r.get("head", [])),
            multi=bool(r.get("multi", False)),
            gap=int(r.get("gap", 4)),
        ))
    guards = {k: _compile(v) for k, v in spec["guards"].items()}
    return tuple(out), guards


@cache
def _rules_for(cls: str) -> tuple[Rule, ...]:
    """The rules whose unit classes include `cls`, in lexicon order (most numbers fit only a few)."""
    return tuple(r for r in rules()[0] if cls in r.units)


def _any(pats: tuple[re.Pattern[str], ...], text: str) -> bool:
    return bool(pats) and pats[0].search(text) is not None


def _head_match(rule: Rule, head: str) -> re.Match[str] | None:
    """The cue match ending closest to the number, with only filler in between."""
    best = None
    for p in rule.head:
        if not p.may_match(head):
            continue
        for m in p.pattern.finditer(head):
            if m.end() == m.start():
                continue
            gap = head[m.end():]
            if len(gap) <= rule.gap and _FILLER.fullmatch(gap) and (best is None or m.end() > best.end()):
                best = m
    return best


_BOUNDS: dict[str, tuple[str, list[int]]] = {}


def _boundaries(text: str, chars: str) -> list[int]:
    """Sorted offsets of boundary characters, computed once per text.

    Keyed by identity, not equality: comparing two equal 50 MB strings on every
    lookup would cost more than the scan it saves.
    """
    hit = _BOUNDS.get(chars)
    if hit is not None and hit[0] is text:
        return hit[1]
    pos = [m.start() for m in re.finditer("[" + re.escape(chars) + "]", text)]
    _BOUNDS[chars] = (text, pos)
    return pos


def _last_index(text: str, chars: str, lo: int, hi: int) -> int:
    """Index just after the last char of `chars` in text[lo:hi], else lo."""
    pos = _boundaries(text, chars)
    k = bisect_left(pos, hi) - 1
    return pos[k] + 1 if k >= 0 and pos[k] >= lo else lo


def _next_index(text: str, chars: str, lo: int, hi: int) -> int:
    """Index of the first char of `chars` in text[lo:hi], else hi."""
    pos = _boundaries(text, chars)
    k = bisect_left(pos, lo)
    return pos[k] if k < len(pos) and pos[k] < hi else hi


def _zones(text: str, q: Quantity, seg_start: int, seg_end: int) -> tuple[int, int, int, int]:
    """Sentence start and end, clause start and clause end around a quantity.

    The same as `_last_index`/`_next_index` with SENT_END and CLAUSE_END, with
    each boundary list fetched once: this runs for every number in the text.
    """
    sents, clauses = _boundaries(text, SENT_END), _boundaries(text, CLAUSE_END)
    k = bisect_left(sents, q.start) - 1
    sent_start = sents[k] + 1 if k >= 0 and sents[k] >= seg_start else seg_start
    k = bisect_left(sents, q.end)
    sent_end = sents[k] if k < len(sents) and sents[k] < seg_end else seg_end
    k = bisect_left(clauses, q.start) - 1
    clause_start = clauses[k] + 1 if k >= 0 and clauses[k] >= sent_start else sent_start
    k = bisect_left(clauses, q.end)
    right_end = clauses[k] if k < len(clauses) and clauses[k] < sent_end else sent_end
    return sent_start, sent_end, clause_start, right_end


_HEADING_END = re.compile(r"[。:：]")


def _plan_zones(text: str, start: int, end: int) -> list[tuple[int, bool]]:
    """(offset, in_plan) switches from plan/report headings in the segment."""
    _, guards = rules()
    zones: list[tuple[int, bool]] = [(start, False)]
    pos = start
    for line in text[start:end].split("\n"):
        s = _HEADING_END.split(line.strip(), maxsplit=1)[0]  # 四、下半年工作打算。力争… → the heading part
        if 0 < len(s) <= 40:
            if _any(guards["plan_heading"], s):
                zones.append((pos, True))
            elif zones[-1][1] and _any(guards["report_heading"], s):
                zones.append((pos, False))
        pos += len(line) + 1
    return zones


def _in_plan(zones: list[tuple[int, bool]], pos: int) -> bool:
    state = False
    for off, flag in zones:
        if off <= pos:
            state = flag
        else:
            break
    return state


def _family(sentence_left: str, right: str = "") -> str | None:
    """'wage' or 'general' from the nearest contract topic before the number."""
    wage_end = max((m.end() for m in _WAGE.finditer(sentence_left)), default=-1)
    gen_end = -1
    for m in _GENERAL.finditer(sentence_left):
        inside = any(w.start() <= m.start() and m.end() <= w.end() for w in _WAGE.finditer(sentence_left))
        if not inside:
            gen_end = max(gen_end, m.end())
    if wage_end < 0 and gen_end < 0:
        if _WAGE.search(right):
            return "wage"
        if _GENERAL.search(right):
            return "general"
        return None
    if wage_end > gen_end and gen_end >= 0:
        # 企业集体合同、工资集体协商等: a list names both; the general family covers it.
        between = sentence_left[gen_end:wage_end]
        if re.fullmatch(r"[、和及与]?(?:工资)?(?:专项)?(?:集体)?(?:合同|协议|协商)?", between[: len(between)]) or \
                re.match(r"^[、和及与]", between):
            return "general"
    return "wage" if wage_end > gen_end else "general"


_SHARED = re.compile(r"都|均|分别")
_JOINER = re.compile(r"\s*(?:和|、|及|与|以及|,)\s*")
_PERSONS_JOIN = re.compile(r"\s*[、,和]\s*")
_FLOW_HINT = re.compile(r"上半年|今年|全年|本年|年内|完成|以来|月底|1\s*[-—至~]\s*6\s*月|新")
_STOCK_HINT = re.compile(r"目前|至今|现有|累计|至此|共有|已建|已有|迄今")
_SUBUNIT = re.compile(r"其中(?P<name>[\u4e00-\u9fffA-Za-z]{1,6}?(?:街道|镇|乡|县|市|区))")
_THIS_PLACE = re.compile(r"^(?:该|这个)(?:市|县|区|镇|街道|乡)")


def _bind(text: str, q: Quantity, prev_end: int, seg_start: int, seg_end: int,
          zones: list[tuple[int, bool]]) -> list[Candidate]:
    """Metric candidates for one quantity (usually 0 or 1; several for shared rates)."""
    rule_list, guards = rules()
    cls = q.cls if q.unit is not None else "bare"
    if cls not in METRIC_CLASSES and cls != "bare":
        return []
    sent_start, sent_end, clause_start, right_end = _zones(text, q, seg_start, seg_end)
    if clause_start > sent_start and text[clause_start - 1] in ":：" and not text[clause_start:q.start].strip():
        # 工会会员总数:8.9万人 — a label and its figure; the label is the cue.
        clause_start = _last_index(text, CLAUSE_END, sent_start, clause_start - 1)
    head_start = max(clause_start, prev_end if prev_end <= q.start else clause_start)
    head_start = max(head_start, q.start - 80)  # cues sit close to their number
    head = text[head_start:q.start]
    clause_left = text[clause_start:q.start]
    sentence_left = text[sent_start:q.start]
    right = text[q.end:right_end]
    para_left = text[max(seg_start, q.start - 300):q.start]

    if _any(guards["plan_veto"], clause_left) or _any(guards["right_veto"], right) \
            or _any(guards["plan_sentence_veto"], sentence_left):
        return []
    tail = head[-6:]
    if _any(guards["gap_veto"], tail):
        return []
    out: list[Candidate] = []
    for rule in _rules_for(cls):
        hm = _head_match(rule, head)
        if hm is not None and _any(guards["gap_veto"], head[hm.end():]):
            hm = None
        rm = None
        if hm is not None and _any(rule.need_right_for, hm.group(0)) and not _any(rule.right, right):
            hm = None
        if hm is None and rule.right_alone:
            rm = next((m for p in rule.right if (m := p.search(right))), None)
            if rm is None:
                continue
        elif hm is None:
            continue
        local = head[max(0, hm.start() - 6):] if hm is not None else rm.group(0)
        if (_any(rule.raw_veto, q.raw) or _any(rule.veto, local) or _any(rule.clause_veto, clause_left)
                or _any(rule.right_veto, right) or _any(rule.sentence_veto, sentence_left)):
            continue
        if rule.topic:
            scope = {"paragraph": para_left, "clause": clause_left}.get(rule.topic_scope, sentence_left)
            rest = "" if rule.topic_scope == "clause" else text[q.end:sent_end]
            if not (_any(rule.topic, scope) or _any(rule.topic, rest)):
                continue
        metric = rule.metric
        conf = 0.9 if hm is not None and len(head) - hm.end() <= 1 else 0.8
        tags: set[str] = set()
        if metric.startswith("@cc_family"):
            fam = _family(sentence_left, right)
            if fam is None:
                continue
            kind = metric.rsplit("_", 1)[1]
            if kind == "enterprises":
                metric = "wage_cc_enterprises" if fam == "wage" else "cc_enterprises"
            elif kind == "workers":
                metric = "cc_workers_covered"
                if fam == "wage":
                    tags.add("wage_only")
            else:
                metric = "wage_cc_enterprises" if fam == "wage" else "cc_enterprises"
                tags.add("contract_count")
            conf -= 0.1
        elif metric == "@formation_running":
            flow = _FLOW_HINT.search(sentence_left) and not _STOCK_HINT.search(sentence_left)
            metric = "union_orgs_new" if flow else "union_orgs_total"
            conf -= 0.1
        ev_start = head_start + hm.start() if hm is not None else q.start
        ev_end = q.end + rm.end() if rm is not None else q.end
        out.append(Candidate(q, metric, sent_start, sent_end, head, conf, tags, None, ev_start, ev_end))
        if not rule.multi:
            break
        # A shared rate: 建会率、入会率都保持在95%以上 gives both; with 分别 the
        # rates pair with the numbers in the order they are written.
        if _SHARED.search(head):
            found = [(m.start(), rule.metric) for p in rule.head_any for m in p.finditer(head)][:1]
            for other in rule_list:
                if other.multi and other.metric != rule.metric and cls in other.units \
                        and _any(other.head_any, head) and not _any(other.veto, head):
                    found.append((other.head_any[0].search(head).start(), other.metric))
            metrics = [m for _, m in sorted(found)]
            if "分别" in head and len(metrics) > 1:
                out[-1] = replace(out[-1], metric=metrics[0], pending=tuple(metrics[1:]))
            else:
                out += [Candidate(q, m, sent_start, sent_end, head, conf - 0.1, set()) for m in metrics
                        if m != rule.metric]
        break
    if out:
        ctx_left = text[sent_start:q.start]
        m = _SUBUNIT.search(clause_left)
        if m:
            for c in out:
                c.region = m.group("name")
        elif _THIS_PLACE.search(ctx_left):
            prev_sent = text[_last_index(text, SENT_END, seg_start, max(seg_start, sent_start - 1)):sent_start]
            names = [n for n, _, _ in place_names(prev_sent) if len(n) > 2]
            if names:
                for c in out:
                    c.region = names[0]
    plan = _in_plan(zones, q.start)
    if plan:
        catalog = load_catalog()
        ok = _any(guards["plan_stock_ok"], sentence_left + q.raw)
        out = [c for c in out if catalog[c.metric].kind == "stock" and ok]
    return out


def metric_for_label(label: str, cls: str) -> str | None:
    """The metric a table row label names, by the same cue rules as prose."""
    rule_list, _ = rules()
    for rule in rule_list:
        if cls not in rule.units or rule.metric.startswith("@") or rule.topic:
            continue
        hm = _head_match(rule, label)
        if hm is None:
            continue
        local = label[max(0, hm.start() - 6):]
        if _any(rule.veto, local) or _any(rule.clause_veto, label):
            continue
        return rule.metric
    return None


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


def _inherit_verb(text: str, got: list[Candidate], prev: Candidate) -> list[Candidate]:
    """新建独立工会7家、联合工会2家: a list item after 、/和 keeps the verb of the first item."""
    c = got[0]
    between = text[prev.q.end:c.q.start]
    if prev.sent_start != c.sent_start or not _LIST_ITEM.match(between) or _CLAUSE_BREAK.search(between):
        return got
    kept = _VERB_INHERITS.get((prev.metric, c.metric))
    return [replace(c, metric=kept), *got[1:]] if kept else got


_LIST_ITEM = re.compile(r"\s*[、和及]")
_CLAUSE_BREAK = re.compile(r"[,;:。，；：]")
# (metric of the first item, metric the item alone would get) → metric it keeps.
_VERB_INHERITS = {
    ("union_orgs_new", "union_orgs_total"): "union_orgs_new",
    ("members_new", "members_total"): "members_new",
}


def _parallel(text: str, q: Quantity, prev: Candidate | None) -> Candidate | None:
    """A number joined to the previous one by 和/、/及 takes its metric."""
    if prev is None or prev.q.cls != q.cls or prev.sent_end < q.start:
        return None
    between = text[prev.q.end:q.start]
    if _JOINER.fullmatch(between):
        metric, pending = (prev.pending[0], prev.pending[1:]) if prev.pending else (prev.metric, ())
        return Candidate(q, metric, prev.sent_start, prev.sent_end, between, prev.confidence - 0.1,
                         set(prev.tags), prev.region, pending=pending)
    return None


_PART_OPENER = re.compile(r"^\s*(?:其中|这\S{0,8}中|在这\S{0,8}中)")
_TOTAL_AFTER = re.compile(r"(?:合计|总计|共计|总共|一共)[^,;。]{0,4}$")


def _drop_parts(text: str, cands: list[Candidate]) -> list[Candidate]:
    """Parts written after a stated total (共N…, 其中…, 这47家中…) are not facts."""
    keep = []
    for i, c in enumerate(cands):
        part = False
        opener = _PART_OPENER.search(text[c.sent_start:c.q.start])
        for t in cands[:i]:
            if t.metric != c.metric or t.region != c.region:
                continue
            if t.sent_start == c.sent_start and re.search(r"其中|:", text[t.q.end:c.q.start]):
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


def _document_passes(text: str, cands: list[Candidate]) -> list[Candidate]:
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
    cands = _drop_parts(text, kept)
    # Persons and person-times for the same enrolment: persons are taken.
    out: list[Candidate] = []
    for c in cands:
        if c.q.unit is not None and c.q.unit.times and out:
            p = out[-1]
            if p.metric == c.metric and p.q.unit is not None and not p.q.unit.times \
                    and _PERSONS_JOIN.fullmatch(text[p.q.end:c.q.start]):
                continue
        out.append(c)
    return out


def _dedupe(facts: list[Fact], sentences: list[int]) -> list[Fact]:
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
    return bool(region) and bool(_PLACEHOLDER.search(region or ""))


def extract_report_text(text: str, name: str = "", sha256: str = "") -> tuple[list[Document], list[Fact]]:
    """Documents and facts of one decoded report file (offsets into `text`)."""
    norm = normalize(text)
    sha = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    catalog = load_catalog()
    documents: list[Document] = []
    facts: list[Fact] = []
    t = norm.text
    for idx, (start, end, title, is_template) in enumerate(_segments(norm)):
        doc_id = f"{sha[:16]}:{idx}"
        ctx = document_context(t[start:end], title)
        os_, oe = norm.span(start, end)
        documents.append(Document(doc_id, sha, name, idx, os_, oe, title, ctx.region, ctx.year, ctx.period,
                                  is_template, fingerprint(t[start:end]),
                                  (FLAG_TEMPLATE,) if is_template else ()))
        zones = _plan_zones(t, start, end)
        cands: list[Candidate] = []
        prev_end = start
        prev_cand: Candidate | None = None
        for q in find_quantities(t, start, end):
            got = _bind(t, q, prev_end, start, end, zones)
            if got and prev_cand is not None:
                got = _inherit_verb(t, got, prev_cand)
            if not got:
                par = _parallel(t, q, prev_cand)
                got = [par] if par else []
            cands.extend(got)
            if got:
                prev_cand = got[-1]
            prev_end = q.end
        cands = _document_passes(t, cands)
        seg_facts = [_to_fact(norm, c, ctx, name, doc_id, idx, is_template, start, catalog) for c in cands]
        sentences = [c.sent_start for c in cands]
        table = _table_facts(norm, start, end, ctx, name, doc_id, idx, is_template)
        facts.extend(_dedupe(seg_facts + table, sentences + [-1 - i for i in range(len(table))]))
    return documents, facts


def _to_fact(norm: NormText, c: Candidate, ctx: DocContext, name: str, doc_id: str, seg: int,
             is_template: bool, seg_start: int, catalog) -> Fact:
    t = norm.text
    metric = catalog[c.metric]
    # Time context: explicit dates carry over within the paragraph.
    para_start = max(_last_index(t, "\n", seg_start, c.q.start), c.q.start - 400)
    when = resolve_when(t[para_start:c.q.start], t[c.sent_start:c.q.start], ctx, metric.kind == "stock")
    if c.ev_start is not None:
        ev_start, ev_end = max(c.ev_start, c.q.start - 40), min(c.ev_end or c.q.end, c.q.end + 40)
    else:
        ev_start, ev_end = max(c.sent_start, c.q.start - min(len(c.head), 24)), c.q.end
    evidence, s, e = norm.evidence(ev_start, ev_end)
    region = c.region or ctx.region
    flags = []
    if is_template:
        flags.append(FLAG_TEMPLATE)
    if when.year is None:
        flags.append(FLAG_UNKNOWN_YEAR)
    if region is None or _region_flag(region):
        flags.append(FLAG_PLACEHOLDER_REGION)
    if c.q.redacted:
        flags.append(FLAG_REDACTED)
    conf = c.confidence - (0.1 if c.q.approx else 0) - (0.1 if when.year is None else 0)
    return Fact(
        doc=name, metric=c.metric, value=c.q.value, unit=metric.unit, evidence=evidence, doc_id=doc_id,
        segment=seg, approx=c.q.approx, year=when.year, period=when.period, as_of=when.as_of,
        region=clean_region(region) if region else None, start=s, end=e, confidence=round(max(conf, 0.1), 2),
        flags=tuple(flags),
    )


def extract_report_file(path: str | Path, data: bytes | None = None) -> ExtractedFile:
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
    docs, facts = extract_report_text(rt.text, rt.name, rt.sha256)
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
