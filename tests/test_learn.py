"""Training the extractor: reproducible, grouped by source, no network, a small model file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from etl.classifier import MODEL_PATH, Model
from etl.learn.align import IGNORE, prepare
from etl.learn.corpus import load, load_corpus
from etl.learn.evaluate import match_doc, same_region
from etl.learn.fit import FitConfig, Scored, choose_emit, choose_review, fit, wilson_lower

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small_training_set() -> list:
    corpus = load_corpus()[:36]
    samples = load(["samples"])[:8]
    return [prepare(d) for d in corpus + samples]


def test_training_twice_gives_the_same_model_bytes(small_training_set: list, tmp_path: Path) -> None:
    cfg = FitConfig(inner_folds=3)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    fit(small_training_set, cfg).save(a)
    fit(small_training_set, cfg).save(b)
    assert a.read_bytes() == b.read_bytes()
    m = Model.load(a)
    assert m.classes[0] == "none" and 0.0 <= m.emit <= m.emit_alone <= 1.0 and 0.0 < m.review <= 1.0


def test_gold_facts_become_labels_of_their_numbers(small_training_set: list) -> None:
    labelled = sum(len(lab) for pd in small_training_set for seg in pd.labels for lab in seg if lab != [IGNORE])
    gold = sum(len(pd.doc.gold) for pd in small_training_set)
    unreachable = sum(len(pd.unreachable) for pd in small_training_set)
    assert labelled == gold - unreachable
    assert unreachable <= 0.1 * gold


def test_every_corpus_document_has_one_source_group() -> None:
    docs = load_corpus()
    assert len(docs) >= 150
    hosts = {d.group for d in docs}
    assert all("/" not in h and h for h in hosts)  # a host, not a page: a site's pages never split


def test_the_shipped_model_is_small_and_was_trained_on_the_repository_corpus() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    m = Model.load(MODEL_PATH)
    assert m.meta["documents"] == len(load(["corpus", "samples"])), "corpus changed: run `make train`"


def test_extraction_loads_the_model_without_network() -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "from etl.extract import extract_report_text\n"
        "docs, facts = extract_report_text('青石镇总工会2023年工作总结\\n全年新建基层工会12家，发展会员450人。')\n"
        "print(sorted((f.metric, f.value) for f in facts))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "('members_new', 450" in out.stdout and "('union_orgs_new', 12" in out.stdout


@pytest.mark.parametrize(("a", "b", "same"), [
    ("青石镇总工会", "青石镇", True), ("華興控股集團", "华兴控股", False), ("*区", "区", True), ("东区", "西区", False),
])
def test_regions_compare_as_the_scorer_does(a: str, b: str, same: bool) -> None:
    assert same_region(a, b) is same


def test_matching_takes_each_gold_fact_once() -> None:
    from etl.model import Fact

    gold = [{"metric": "members_new", "value": 100, "year": 2020, "period": "FY", "region": "甲镇"}]
    facts = [Fact(doc="d", metric="members_new", value=100.2, unit="人", evidence="", year=2020, period="FY",
                  region="甲镇"),
             Fact(doc="d", metric="members_new", value=100, unit="人", evidence="", year=2021)]
    assert match_doc(facts, gold) == [(True, True), (False, False)]
    assert np.isclose(100.2, 100, rtol=0.005)


def _scored(p: float, matched: bool) -> Scored:
    return Scored(p, False, [], matched, matched, False, False)


def test_model_alone_threshold_is_the_middle_of_those_that_score_alike() -> None:
    """100 gold facts; at 0.83 the model reads 50 right and 9 wrong, at 0.42 one more right.  Up to 0.4
    F1 is 0.6375, from 0.45 on 0.6289: a fact more is worth more than the 0.0086 a tie may differ by, so
    the tie is 0.1-0.4 and its middle wins."""
    scored = [_scored(0.42, True)] + [_scored(0.83, True)] * 50 + [_scored(0.83, False)] * 9
    assert choose_emit(scored, 100, 1.0, 0.0)[1] == 0.25
    # Against 300 gold facts the one fact more moves F1 by 0.0049 only: 0.1-0.8 tie, the middle wins.
    tied = [_scored(0.42, True)] + [_scored(0.83, True)] * 50
    assert choose_emit(tied, 300, 1.0, 0.0)[1] == 0.45


def test_the_review_threshold_needs_a_set_that_holds_beyond_its_own_luck() -> None:
    """A dozen right facts at the top reach 0.97 by chance: no threshold from them (every fact is reviewed).
    200 facts of which 199 are right: the charted set starts where the lower bound still clears 0.97."""
    lucky = [_scored(0.9, True)] * 12 + [_scored(0.9, False)] * 8
    assert choose_review(np.linspace(0.99, 0.5, len(lucky)), lucky, 0.97) == 1.0
    solid = [_scored(0.9, True)] * 199 + [_scored(0.9, False)] + [_scored(0.9, False)] * 50
    conf = np.linspace(0.999, 0.3, len(solid))
    threshold = choose_review(conf, solid, 0.97)
    charted = [s for c, s in zip(conf, solid, strict=True) if c >= threshold]
    assert 150 <= len(charted) <= 200 and sum(s.exact for s in charted) / len(charted) >= 0.97
    assert wilson_lower(len(charted) - 1, len(charted)) < 1.0
    assert wilson_lower(12, 12) < 0.97 < wilson_lower(199, 200)
