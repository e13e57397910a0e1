"""lexicon/cues.toml compiled once: the cue rules (`Rule`) and the distractor guards.

Each `[[rule]]` of cues.toml becomes a `Rule` whose cue lists are single
compiled alternations (one search instead of one per pattern), and the
`[guards]` (plans, growth, shares of a target, gaps) compiled patterns.
What a rule means for one number, and the contract of its pseudo-metrics,
is etl/rules.py; the learned extractor reads the same compiled rules as
features (etl/features.py). Apart so that a newcomer changing cues.toml
finds how it is read in one short file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from etl.catalog import read_lexicon

METRIC_CLASSES = {"org", "person", "household", "money", "percent", "case", "contract"}
# Between a cue and its number only filler may stand (共, 达到, 为, 已, 目前, a unit in brackets).
FILLER = re.compile(
    r"(?:[\s共计总达到为是有已经了的约合分别各均都在|:]|目前|动态|保持|稳定|提高|提升|人民币|\([^)]{0,5}\))*")


@dataclass(frozen=True)
class Rule:
    metric: str
    units: frozenset[str]
    head: tuple[re.Pattern[str], ...]  # the cue list, tried for every number
    right: tuple[re.Pattern[str], ...]
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


def _compile(pats: list[str]) -> tuple[re.Pattern[str], ...]:
    """One alternation per list: a single search instead of one per pattern."""
    return (re.compile("|".join(f"(?:{p})" for p in pats)),) if pats else ()


def _head_pattern(cues: list[str]) -> tuple[re.Pattern[str], ...]:
    """The head cues, each only where just filler stands between it and the number."""
    return (re.compile("(?:" + "|".join(f"(?:{h})" for h in cues) + f")(?={FILLER.pattern}$)"),) if cues else ()


@dataclass(frozen=True)
class Retarget:
    """A sentence wholly about one kind of aid moves the rules' general readings to that sub-type."""

    metrics: dict[str, str]  # metric the rule named → the sub-type
    sentence: tuple[re.Pattern[str], ...]  # one of these in the sentence …
    unless: tuple[re.Pattern[str], ...]  # … and none of these


@cache
def retargets() -> tuple[Retarget, ...]:
    """The [[retarget]] tables of lexicon/cues.toml, compiled once."""
    spec = read_lexicon("cues.toml")
    return tuple(Retarget(dict(r["metrics"]), _compile(r["sentence"]), _compile(r.get("unless", [])))
                 for r in spec.get("retarget", []))


@cache
def rules() -> tuple[tuple[Rule, ...], dict[str, tuple[re.Pattern[str], ...]]]:
    """Rules and guards from lexicon/cues.toml, compiled once."""
    spec = read_lexicon("cues.toml")
    out = []
    for r in spec["rule"]:
        out.append(Rule(
            metric=r["metric"],
            units=frozenset(r["units"]),
            head=_head_pattern(r.get("head", [])),
            right=_compile(r.get("right", [])),
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
def rules_for(cls: str) -> tuple[Rule, ...]:
    """The rules whose unit classes include `cls`, in lexicon order (most numbers fit only a few)."""
    return tuple(r for r in rules()[0] if cls in r.units)


def any_match(pats: tuple[re.Pattern[str], ...], text: str) -> bool:
    """True when the compiled alternation (a Rule field or a guard) occurs in `text`."""
    return bool(pats) and pats[0].search(text) is not None


def head_match(rule: Rule, head: str) -> re.Match[str] | None:
    """The cue match ending closest to the number, with only filler in between."""
    best = None
    for p in rule.head:
        for m in p.finditer(head):
            if m.end() == m.start():
                continue
            gap = head[m.end():]
            if len(gap) <= rule.gap and FILLER.fullmatch(gap) and (best is None or m.end() > best.end()):
                best = m
    return best
