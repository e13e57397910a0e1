"""The cue rules of lexicon/cues.toml: a high-precision reading of each number.

For one quantity, the first rule whose cue, unit class, topic and vetoes fit
names the metric; a number joined to the previous one by 和/、 takes its
metric.  The learned extractor (etl/extract.py) uses what these rules say as
one feature among many; on their own they are the extractor of release 1.
The rules themselves, compiled from cues.toml, are etl/cues.py; the plan
sections a number may stand in are found by etl/zones.py.

The contract with cues.toml: every `[[rule]]` names a catalog metric, or one
of two pseudo-metrics decided here from the sentence:
- `@cc_family_<kind>` (kind: enterprises, workers, contracts): the nearest
  contract word before the number says wage or general contract family;
- `@formation_running`: 组建…N家 is new unions in a flow sentence, the
  running total otherwise.
Tags set here and read by etl/passes.py: `wage_only` (coverage of wage
contracts), `contract_count` (N份 contracts, an enterprise count only when no
覆盖企业 figure is written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from etl.catalog import load_catalog
from etl.context import place_names
from etl.cues import METRIC_CLASSES, any_match, head_match, retargets, rules, rules_for
from etl.numbers import Quantity, find_quantities
from etl.subunits import plausible_unit
from etl.zones import CLAUSE_END, SENT_END, in_plan, label_zones, last_index, next_index, plan_zones

# etl/candidates.py and etl/features.py import METRIC_CLASSES, rules, in_plan and plan_zones from here.

_WAGE = re.compile(r"工资(?:专项)?(?:集体)?(?:合同|协议|协商)|工资协议")
_GENERAL = re.compile(r"集体合同|集体协商|集体协议|平等协商|综合(?:集体)?合同")
@dataclass
class RuleHit:
    """A quantity bound to a metric by the rules, before the document-level passes."""

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
    # Set when the learned model picked this reading (etl/reading.py):
    cand: int = -1  # index of the candidate
    prob: float = 1.0  # the model's probability of this metric
    margin: float = 1.0  # … minus the next best metric's
    agrees: bool = True  # the rules read the same metric
    table_year: int | None = None  # a table cell: its column's year


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


_TOTAL_ONLY = re.compile(r"\s*(?:共计|合计|总计|累计|共)\s*")
_SHARED = re.compile(r"都|均|分别")
_JOINER = re.compile(r"\s*(?:和|、|及|与|以及|,)\s*")
# 慰问困难职工183人、大病职工107人、劳动模范142人: list items, each its kind of people and its figure. Only for
# people helped: elsewhere the noun names another population (会员2.3万人、职工3万人).
_KINDS_LISTED = frozenset({"aid_recipients", "aid_households", "student_aid_recipients"})
_NOUN_ITEM = re.compile(r"\s*、\s*(?P<noun>[\u4e00-\u9fff]{2,8})\s*")
_NOT_A_KIND = re.compile(r"其中|合计|总计|共|占|比|达|为|有|是|发放|送|投入|筹集|签订|建立|组建|培训|开展|慰问")
_PLACE = r"[\u4e00-\u9fff]{2,8}?(?:街道|社区|镇|乡|县|市|区)"
_A_PLACE = re.compile(_PLACE)
# 其中，兴田街道9家、黄陂镇7家: after 其中 only places, each with its figure, up to this number's place.
_BREAKDOWN = re.compile(rf"^\s*[,，;；]?\s*其中\s*[,:：，]?\s*(?:{_PLACE}\s*[^、,，;；。]{{1,10}}[、,，;；]\s*)*"
                        rf"(?P<name>{_PLACE})\s*$")
_PERSONS_JOIN = re.compile(r"\s*[、,和]\s*")
_FLOW_HINT = re.compile(r"上半年|今年|全年|本年|年内|完成|以来|月底|先后|1\s*[-—至~]\s*6\s*月|新")
_STOCK_HINT = re.compile(r"目前|至今|现有|累计|至此|共有|已建|已有|迄今|截至|截止|为止")
# A list's flow verb (before its first item) and the metric a later item's stock reading becomes.
_LIST_FLOW = {"union_orgs_total": (re.compile(r"新(?:建立?|组建|成立)"), "union_orgs_new"),
              "members_total": (re.compile(r"新(?:发展|增|吸收|吸纳)"), "members_new")}
_MEMBER_STOCK = re.compile(r"已(?:发展|吸纳|吸收)")
# 今年/本期/新建… in the sentence: its 发展会员 is a flow even under 截至目前 (截至目前,共新建工会75家,发展会员1835人).
_MEMBER_FLOW = re.compile(r"新(?:建|增|组建|成立|发展|吸收|吸纳)|今年|本年|上半年|下半年|全年|年内|本期|当年|季度")


def _formation_flow(sentence_left: str) -> bool:
    return bool(_FLOW_HINT.search(sentence_left)) and not _STOCK_HINT.search(sentence_left)


def _membership_flow(sentence_left: str) -> bool:
    """发展会员 is new members unless the sentence states a stock."""
    return bool(_MEMBER_FLOW.search(sentence_left)) or not (
        _STOCK_HINT.search(sentence_left) or _MEMBER_STOCK.search(sentence_left))


# Pseudo-metrics decided by the sentence's time frame: (flow metric, stock metric, is it a flow?).
_RUNNING = {"@formation_running": ("union_orgs_new", "union_orgs_total", _formation_flow),
            "@membership_running": ("members_new", "members_total", _membership_flow)}

_SUBUNIT = re.compile(r"其中(?P<name>[\u4e00-\u9fffA-Za-z]{1,6}?(?:街道|镇|乡|县|市|区))")
_THIS_PLACE = re.compile(r"^(?:该|这个)(?:市|县|区|镇|街道|乡)")


def _bind(text: str, q: Quantity, prev_end: int, seg_start: int, seg_end: int,
          plan_z: list[tuple[int, bool]], span: tuple[int, int, int, int] | None = None) -> list[RuleHit]:
    """Metric candidates for one quantity (usually 0 or 1; several for shared rates).

    `span`: its `label_zones` when the caller has them already (etl/candidates.py).
    """
    rule_list, guards = rules()
    cls = q.cls if q.unit is not None else "bare"
    if cls not in METRIC_CLASSES and cls != "bare":
        return []
    sent_start, sent_end, clause_start, right_end = span or label_zones(text, q, seg_start, seg_end)
    head_start = max(clause_start, prev_end if prev_end <= q.start else clause_start)
    head_start = max(head_start, q.start - 80)  # cues sit close to their number
    head = text[head_start:q.start]
    if clause_start > sent_start and head_start == clause_start and _TOTAL_ONLY.fullmatch(head):
        # 赔付互助保障金,共计7.28万元: a clause of only 共计 takes its cue from the clause before, read
        # as one clause (the comma as a space, so offsets stay those of the text).
        head_start = max(last_index(text, CLAUSE_END, sent_start, clause_start - 1), prev_end)
        head = text[head_start:clause_start - 1] + " " + head
    clause_left = text[clause_start:q.start]
    sentence_left = text[sent_start:q.start]
    right = text[q.end:right_end]

    if any_match(guards["plan_veto"], clause_left) or any_match(guards["right_veto"], right) \
            or any_match(guards["plan_sentence_veto"], sentence_left):
        return []
    tail = head[-6:]
    if any_match(guards["gap_veto"], tail):
        return []
    out: list[RuleHit] = []
    for rule in rules_for(cls):
        hm = head_match(rule, head)
        if hm is not None and any_match(guards["gap_veto"], head[hm.end():]):
            hm = None
        rm = None
        if hm is not None and any_match(rule.need_right_for, hm.group(0)) and not any_match(rule.right, right):
            hm = None
        if hm is None and rule.right_alone:
            rm = next((m for p in rule.right if (m := p.search(right))), None)
            if rm is None:
                continue
        elif hm is None:
            continue
        local = head[max(0, hm.start() - 6):] if hm is not None else rm.group(0)
        if (any_match(rule.raw_veto, q.raw) or any_match(rule.veto, local) or any_match(rule.clause_veto, clause_left)
                or any_match(rule.right_veto, right) or any_match(rule.sentence_veto, sentence_left)):
            continue
        if rule.topic:
            if rule.topic_scope == "paragraph":
                scope = text[max(seg_start, q.start - 300):q.start]
            else:
                scope = clause_left if rule.topic_scope == "clause" else sentence_left
            rest = "" if rule.topic_scope == "clause" else text[q.end:sent_end]
            if not (any_match(rule.topic, scope) or any_match(rule.topic, rest)):
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
        elif metric in _RUNNING:
            new, total, is_flow = _RUNNING[metric]
            metric = new if is_flow(sentence_left) else total
            conf -= 0.1
        if metric in _LIST_FLOW and head_start > clause_start and _LIST_FLOW[metric][0].search(
                text[clause_start:head_start]):
            # 已新建党组织9家、基层工会组织36家: the flow verb before the list governs its later items.
            metric = _LIST_FLOW[metric][1]
        for rt in retargets():
            if metric in rt.metrics and any_match(rt.sentence, text[sent_start:sent_end]) \
                    and not any_match(rt.unless, text[sent_start:sent_end]):
                metric = rt.metrics[metric]
        ev_start = head_start + hm.start() if hm is not None else q.start
        ev_end = q.end + rm.end() if rm is not None else q.end
        out.append(RuleHit(q, metric, sent_start, sent_end, head, conf, tags, None, ev_start, ev_end))
        if not rule.multi:
            break
        # A shared rate: 建会率、入会率都保持在95%以上 gives both; with 分别 the
        # rates pair with the numbers in the order they are written.
        if _SHARED.search(head):
            found = [(m.start(), rule.metric) for p in rule.head_any for m in p.finditer(head)][:1]
            for other in rule_list:
                if other.multi and other.metric != rule.metric and cls in other.units \
                        and any_match(other.head_any, head) and not any_match(other.veto, head):
                    found.append((other.head_any[0].search(head).start(), other.metric))
            metrics = [m for _, m in sorted(found)]
            if "分别" in head and len(metrics) > 1:
                out[-1] = replace(out[-1], metric=metrics[0], pending=tuple(metrics[1:]))
            else:
                out += [RuleHit(q, m, sent_start, sent_end, head, conf - 0.1, set()) for m in metrics
                        if m != rule.metric]
        break
    if out:
        ctx_left = text[sent_start:q.start]
        m = _SUBUNIT.search(clause_left)
        if m and plausible_unit(m.group("name")):  # 其中乡镇总工会60个: a kind of union, not a place's figure
            for c in out:
                c.region = m.group("name")
        elif _THIS_PLACE.search(ctx_left):
            prev_sent = text[last_index(text, SENT_END, seg_start, max(seg_start, sent_start - 1)):sent_start]
            names = [n for n, _, _ in place_names(prev_sent) if len(n) > 2]
            if names:
                for c in out:
                    c.region = names[0]
    plan = in_plan(plan_z, q.start)
    if plan:
        catalog = load_catalog()
        ok = any_match(guards["plan_stock_ok"], sentence_left + q.raw)
        out = [c for c in out if catalog[c.metric].kind == "stock" and ok]
    return out


def metric_for_label(label: str, cls: str) -> str | None:
    """The metric a table row label names, by the same cue rules as prose."""
    rule_list, _ = rules()
    for rule in rule_list:
        if cls not in rule.units or rule.metric.startswith("@") or rule.topic:
            continue
        hm = head_match(rule, label)
        if hm is None:
            continue
        local = label[max(0, hm.start() - 6):]
        if any_match(rule.veto, local) or any_match(rule.clause_veto, label):
            continue
        return rule.metric
    return None


def _inherit_verb(text: str, got: list[RuleHit], prev: RuleHit) -> list[RuleHit]:
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


def _parallel(text: str, q: Quantity, prev: RuleHit | None) -> RuleHit | None:
    """A number joined to the previous one by 和/、/及 takes its metric."""
    if prev is None or prev.q.cls != q.cls or prev.sent_end < q.start:
        return None
    between = text[prev.q.end:q.start]
    m = _NOUN_ITEM.fullmatch(between) if prev.metric in _KINDS_LISTED else None
    if _JOINER.fullmatch(between) or (m and not _NOT_A_KIND.search(m.group("noun"))
                                       and not _A_PLACE.fullmatch(m.group("noun"))):  # a place: _breakdown's
        metric, pending = (prev.pending[0], prev.pending[1:]) if prev.pending else (prev.metric, ())
        return RuleHit(q, metric, prev.sent_start, prev.sent_end, between, prev.confidence - 0.1,
                         set(prev.tags), prev.region, pending=pending)
    return None


def _breakdown(text: str, q: Quantity, total: RuleHit | None, seg_start: int, seg_end: int) -> RuleHit | None:
    """A place listed with its figure after a total (…新建工会组织75家…。其中，兴田街道9家、黄陂镇7家) is that
    place's own figure of the total's metric (ANNOTATION: a named sub-unit's figure is a fact)."""
    if total is None or total.q.cls != q.cls:
        return None
    sent_start = last_index(text, SENT_END, seg_start, q.start)
    if total.sent_start != sent_start and total.sent_end + 1 < sent_start:  # the total's sentence or the one before
        return None
    m = _BREAKDOWN.match(text[max(sent_start, total.q.end):q.start])
    if m is None or not plausible_unit(m.group("name")):
        return None
    return RuleHit(q, total.metric, sent_start, next_index(text, SENT_END, q.end, seg_end), m.group("name"),
                   total.confidence - 0.1, {"breakdown"}, m.group("name"))


def rule_hits(text: str, start: int, end: int, quantities: list[Quantity] | None = None,
              spans: list[tuple[int, int, int, int]] | None = None,
              plan: list[tuple[int, bool]] | None = None) -> list[RuleHit]:
    """The rules' reading of one segment, number by number (before the document passes).

    The learned extractor passes what it found already: the quantities, their `label_zones`
    (`spans`, one per quantity) and the segment's `plan_zones`.
    """
    if plan is None:
        plan = plan_zones(text, start, end)
    hits: list[RuleHit] = []
    prev_end = start
    prev: RuleHit | None = None
    last_of_cls: dict[str | None, RuleHit] = {}  # the latest reading of each measure class (a breakdown's total)
    qs = find_quantities(text, start, end) if quantities is None else quantities
    for i, q in enumerate(qs):
        got = _bind(text, q, prev_end, start, end, plan, spans[i] if spans is not None else None)
        if got and prev is not None:
            got = _inherit_verb(text, got, prev)
        if not got:
            par = _parallel(text, q, prev) or _breakdown(text, q, last_of_cls.get(q.cls), start, end)
            got = [par] if par else []
        hits.extend(got)
        if got:
            prev = got[-1]
            if "breakdown" not in prev.tags:
                last_of_cls[q.cls] = prev
        prev_end = q.end
    return hits


# The pseudo-metrics of cues.toml whose rules also speak for these metrics.
_PSEUDO = {"cc_enterprises": "@cc_family_", "wage_cc_enterprises": "@cc_family_", "cc_workers_covered": "@cc_family_",
           "union_orgs_new": "@formation_running", "union_orgs_total": "@formation_running",
           "members_new": "@membership_running", "members_total": "@membership_running"}


def vetoed(text: str, head: str, clause_left: str, sentence_left: str, right: str, raw: str, metric: str,
           in_plan_zone: bool) -> bool:
    """Would the rules refuse `metric` here, whatever the cue?  The distractor guards (plans,
    growth, shares of a target, per-unit figures) and the vetoes of every rule for the metric
    (农民工入会率 is not the body's 入会率).  The learned model may add a reading the rules
    missed, never one they refuse."""
    rule_list, guards = rules()
    if any_match(guards["plan_veto"], clause_left) or any_match(guards["right_veto"], right) \
            or any_match(guards["plan_sentence_veto"], sentence_left) or any_match(guards["gap_veto"], head[-6:]):
        return True
    catalog = load_catalog()
    if in_plan_zone and not (catalog[metric].kind == "stock"
                             and any_match(guards["plan_stock_ok"], sentence_left + raw)):
        return True
    family = _PSEUDO.get(metric, "\0")
    for r in rule_list:
        if r.metric != metric and not r.metric.startswith(family):
            continue
        if (any_match(r.raw_veto, raw) or any_match(r.veto, head[-12:]) or any_match(r.clause_veto, clause_left)
                or any_match(r.right_veto, right) or any_match(r.sentence_veto, sentence_left)):
            return True
    return False
