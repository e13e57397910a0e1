"""etl/lexicon/: the data files the extractor runs on parse, compile and agree with the catalog.

A typo in a lexicon (an unbalanced bracket, a misspelt metric code, a unit class
that does not exist) would otherwise fail silently: the rule just never fires.
"""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

import pytest

from etl.catalog import load_catalog

LEXICON = Path(__file__).resolve().parent.parent / "etl" / "lexicon"
TOMLS = sorted(LEXICON.glob("*.toml"))
REGEX_FILES = ["cues.toml", "context.toml", "noise.toml"]

# Pseudo-metrics a rule may name; etl/extract.py resolves each to one of these codes.
PSEUDO = {
    "@cc_family_enterprises": {"cc_enterprises", "wage_cc_enterprises"},
    "@cc_family_workers": {"cc_workers_covered"},
    "@cc_family_contracts": {"cc_enterprises", "wage_cc_enterprises"},
    "@formation_running": {"union_orgs_new", "union_orgs_total"},
    "@membership_running": {"members_new", "members_total"},
}
# Measure-word classes a rule may accept for each catalog unit ("bare": 万/亿 with no word).
UNIT_CLASSES = {
    "家": {"org", "contract"},
    "人": {"person", "bare"},
    "户": {"household"},
    "元": {"money", "bare"},
    "%": {"percent"},
    "起": {"case"},
}
RULE_KEYS = {"metric", "units", "head", "right", "topic", "topic_scope", "veto", "clause_veto", "right_veto",
             "sentence_veto", "raw_veto", "need_right_for", "right_alone", "multi", "gap"}
GUARDS = {"gap_veto", "plan_veto", "plan_sentence_veto", "right_veto", "plan_heading", "plan_stock_ok",
          "report_heading"}


def _load(name: str) -> dict:
    with open(LEXICON / name, "rb") as f:
        return tomllib.load(f)


def _strings(node: object, path: str = "") -> list[tuple[str, str]]:
    """Every string in a parsed TOML tree, with a dotted path for messages."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(v, f"{path}.{k}" if path else k)]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in _strings(v, f"{path}[{i}]")]
    return []


def _unit_classes() -> set[str]:
    return set(_load("units.toml")["classes"])


@pytest.mark.parametrize("path", TOMLS, ids=[p.name for p in TOMLS])
def test_toml_parses(path: Path) -> None:
    with open(path, "rb") as f:
        assert tomllib.load(f)


@pytest.mark.parametrize("name", REGEX_FILES)
def test_every_pattern_compiles(name: str) -> None:
    for where, pattern in _strings(_load(name)):
        try:
            re.compile(pattern)
        except re.error as exc:
            pytest.fail(f"{name} {where}: {pattern!r}: {exc}")


@pytest.mark.parametrize("name", REGEX_FILES)
def test_pattern_lists_compile_as_one_alternation(name: str) -> None:
    """The code joins each list with '|': a pattern must not leak out of its group."""
    def lists(node: object, path: str = "") -> list[tuple[str, list[str]]]:
        if isinstance(node, dict):
            return [x for k, v in node.items() for x in lists(v, f"{path}.{k}")]
        if isinstance(node, list) and node and all(isinstance(s, str) for s in node):
            return [(path, node)]
        if isinstance(node, list):
            return [x for i, v in enumerate(node) for x in lists(v, f"{path}[{i}]")]
        return []

    for where, pats in lists(_load(name)):
        try:
            re.compile("|".join(f"(?:{p})" for p in pats))
        except re.error as exc:
            pytest.fail(f"{name} {where}: {exc}")


def test_noise_patterns_never_match_empty() -> None:
    for pattern in _load("noise.toml")["remove"]["patterns"]:
        assert re.compile(pattern).fullmatch("") is None, pattern


def test_rules_name_catalog_metrics_or_known_pseudo_metrics() -> None:
    catalog = load_catalog()
    for i, rule in enumerate(_load("cues.toml")["rule"]):
        assert rule["metric"] in catalog or rule["metric"] in PSEUDO, (i, rule["metric"])
    for codes in PSEUDO.values():
        assert codes <= set(catalog)


def test_retargets_move_catalog_metrics_to_catalog_metrics() -> None:
    catalog = load_catalog()
    for rt in _load("cues.toml").get("retarget", []):
        assert set(rt) <= {"metrics", "sentence", "unless"}, rt
        assert set(rt["metrics"]) <= set(catalog) and set(rt["metrics"].values()) <= set(catalog), rt["metrics"]
        assert rt["sentence"], rt


def test_rules_use_known_keys_and_unit_classes() -> None:
    known = _unit_classes() | {"bare"}
    catalog = load_catalog()
    for i, rule in enumerate(_load("cues.toml")["rule"]):
        assert set(rule) <= RULE_KEYS, (i, rule["metric"], set(rule) - RULE_KEYS)
        assert rule["units"] and set(rule["units"]) <= known, (i, rule["metric"], rule["units"])
        codes = PSEUDO.get(rule["metric"], {rule["metric"]})
        for code in codes:
            fits = UNIT_CLASSES[catalog[code].unit]
            assert set(rule["units"]) <= fits, (i, code, catalog[code].unit, rule["units"])
        assert rule.get("topic_scope", "sentence") in {"sentence", "paragraph", "clause"}


def test_every_catalog_metric_has_a_rule() -> None:
    covered = set()
    for rule in _load("cues.toml")["rule"]:
        covered |= PSEUDO.get(rule["metric"], {rule["metric"]})
    assert set(load_catalog()) <= covered, set(load_catalog()) - covered


def test_guards_are_the_ones_the_extractor_reads() -> None:
    assert set(_load("cues.toml")["guards"]) == GUARDS


def test_units_lexicon() -> None:
    spec = _load("units.toml")
    seen: dict[str, str] = {}
    for cls, words in spec["classes"].items():
        for w in words:
            assert w not in seen, f"{w} is in both {seen[w]} and {cls}"
            seen[w] = cls
    approx = {v for part in spec["approx"].values() for v in part.values()}
    assert approx <= {"about", "at_least", "at_most"}
    # Every catalog unit is some class's measure word (or the class itself for %).
    for m in load_catalog().values():
        assert m.unit in seen, m.unit


def test_tally_header_synonyms_name_catalog_metrics() -> None:
    spec = _load("tally_headers.toml")
    catalog = load_catalog()
    assert set(spec["metrics"]) <= set(catalog), set(spec["metrics"]) - set(catalog)
    units = {m.unit for m in catalog.values()}
    for word, conv in spec["units"].items():
        assert conv["to"] in units, word


def test_targets_name_catalog_metrics() -> None:
    with open(LEXICON / "targets.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for r in rows:
        assert r["metric"] in load_catalog(), r
        float(r["target"])


def test_catalog_columns_and_values() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 20
    for m in catalog.values():
        assert m.unit in UNIT_CLASSES, m
        assert m.kind in {"stock", "flow"}, m
        assert m.category in {"formation", "membership", "contracts", "democracy", "hardship", "rights"}, m
        assert m.name_zh and re.search("[\u4e00-\u9fff]", m.name_zh), m


def test_catalog_keeps_every_shared_code_with_its_unit(shared_dir: Path) -> None:
    with open(shared_dir / "eval" / "metrics.csv", encoding="utf-8") as f:
        shared = {r["code"]: r for r in csv.DictReader(f)}
    ours = load_catalog()
    missing = set(shared) - set(ours)
    assert not missing, missing
    for code, row in shared.items():
        assert ours[code].unit == row["unit"], code
        assert ours[code].kind == row["kind"], code
        assert ours[code].category == row["category"], code
