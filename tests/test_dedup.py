"""etl/dedup.py: near-duplicates across truncation and Traditional/Simplified, not across towns."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from etl.dedup import (
    DEFAULT_THRESHOLD,
    MIN_SHINGLES,
    SKETCH_SIZE,
    DuplicateIndex,
    find_duplicate,
    fingerprint,
    shingle_hashes,
    similarity,
)
from etl.normalize import normalize
from etl.read import read_report
from etl.segment import split_documents

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def _docs(path: Path) -> list[str]:
    norm = normalize(read_report(path).text)
    return [norm.text[s.start : s.end] for s in split_documents(norm)]


def _seed(shared_dir: Path, prefix: str) -> Path:
    return next((shared_dir / "seeds").glob(f"{prefix}_*.txt"))


def _exact_containment(a: str, b: str) -> float:
    sa, sb = set(shingle_hashes(a).tolist()), set(shingle_hashes(b).tolist())
    return len(sa & sb) / min(len(sa), len(sb))


def test_seed_000_matches_its_truncated_simplified_copy_in_003(shared_dir: Path) -> None:
    (trad,) = _docs(_seed(shared_dir, "000"))
    glued = _docs(_seed(shared_dir, "003"))
    fp000, fp003 = fingerprint(trad), fingerprint(glued[0])
    score = similarity(fp000, fp003)
    assert score >= 0.9 > DEFAULT_THRESHOLD
    assert abs(score - _exact_containment(trad, glued[0])) < 0.05
    candidates = [(f"003:{i}", fingerprint(d)) for i, d in enumerate(glued[1:], start=1)]
    assert find_duplicate(fp003, [*candidates, ("000:0", fp000)]) == "000:0"
    assert find_duplicate(fp003, candidates) is None


def test_other_documents_of_the_seeds_stay_far_below_the_threshold(shared_dir: Path) -> None:
    docs = {f"003:{i}": d for i, d in enumerate(_docs(_seed(shared_dir, "003")))}
    docs.update({f"{p}:0": _docs(_seed(shared_dir, p))[0] for p in ("001", "002")})
    for p in sorted((shared_dir / "eval" / "dev" / "docs").glob("*.txt")):
        docs[p.name] = _docs(p)[0]
    fps = {k: fingerprint(v) for k, v in docs.items()}
    worst = max(similarity(fps[a], fps[b]) for a, b in itertools.combinations(fps, 2)
                if min(fps[a][0], fps[b][0]) >= MIN_SHINGLES)  # fmt: skip
    assert worst < 0.3  # measured 0.18: the margin to DEFAULT_THRESHOLD is about 0.5


def test_sample_towns_built_from_one_phrase_bank_are_not_duplicates() -> None:
    """data/samples: 8 towns x 6 years x H1/FY from the same stock phrases (measured max about 0.5)."""
    paths = sorted((ROOT / "data" / "samples" / "reports").glob("*.txt"))
    if len(paths) < 20:
        pytest.skip("sample reports not generated")
    fps = [(f"{p.name}:{i}", fingerprint(d)) for p in paths for i, d in enumerate(_docs(p))]
    for k, (doc_id, fp) in enumerate(fps):
        assert find_duplicate(fp, fps[:k] + fps[k + 1 :]) is None, doc_id


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda t: OpenCC("s2t").convert(t), id="traditional-copy"),
        pytest.param(lambda t: t[: len(t) // 2], id="first-half"),
        pytest.param(lambda t: t.replace("，", " ").replace("。", "\n"), id="punctuation-and-spacing"),
        pytest.param(lambda t: t.replace("\n", "\r\n").replace("工会", "工會"), id="crlf-and-some-traditional"),
    ],
)
def test_same_report_in_another_form_matches(transform) -> None:
    original = (FIXTURES / "glued_two_titled.txt").read_text(encoding="utf-8")
    a = fingerprint(normalize(original).text)
    b = fingerprint(normalize(transform(original)).text)
    assert similarity(a, b) >= 0.95
    assert find_duplicate(b, [("orig", a)]) == "orig"


def test_h1_and_fy_reports_of_one_town_do_not_match() -> None:
    h1, fy = _docs(FIXTURES / "glued_two_titled.txt")
    assert similarity(fingerprint(h1), fingerprint(fy)) < DEFAULT_THRESHOLD


def test_fingerprint_shape_fits_ubigint_and_is_sorted() -> None:
    text = normalize((FIXTURES / "glued_report_speech.txt").read_text(encoding="utf-8")).text * 3
    fp = fingerprint(text)
    n, sketch = fp[0], fp[1:]
    assert n == len(shingle_hashes(text))
    assert len(sketch) == min(n, SKETCH_SIZE)
    assert list(sketch) == sorted(sketch)
    assert all(0 <= v < 2**64 for v in fp)
    assert fingerprint(text) == fp


def test_fingerprint_roundtrips_through_duckdb_ubigint_list(tmp_path: Path) -> None:
    big = normalize((FIXTURES / "glued_two_titled.txt").read_text(encoding="utf-8")).text * 5
    fp = fingerprint(big + "".join(chr(0x4E00 + i) for i in range(2000)))  # a full sketch with large hashes
    assert len(fp) == SKETCH_SIZE + 1
    con = duckdb.connect(str(tmp_path / "fp.duckdb"))
    try:
        con.execute("CREATE TABLE d (doc_id VARCHAR, fingerprint UBIGINT[])")
        con.execute("INSERT INTO d VALUES (?, ?)", ["a", list(fp)])
        (back,) = con.execute("SELECT fingerprint FROM d").fetchone()
    finally:
        con.close()
    assert tuple(back) == fp
    assert find_duplicate(fp, [("a", back)]) == "a"


def test_fingerprint_is_the_same_in_another_process() -> None:
    """Stored fingerprints are compared across runs: no dependence on Python's hash seed."""
    text = (FIXTURES / "plain_report.txt").read_text(encoding="utf-8")
    code = (
        "import sys; from etl.dedup import fingerprint; from etl.normalize import normalize; "
        "print(fingerprint(normalize(sys.stdin.read()).text))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True).stdout  # fmt: skip
    assert out.strip() == str(fingerprint(normalize(text).text))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("", "", id="both-empty"),
        pytest.param("。,、 \n", "工会组织建设", id="punctuation-only"),
    ],
)
def test_empty_texts_have_zero_similarity(a: str, b: str) -> None:
    assert similarity(fingerprint(a), fingerprint(b)) == 0.0


def test_short_fragments_are_never_duplicates() -> None:
    short = fingerprint("工会组织建设情况")
    assert short[0] < MIN_SHINGLES
    assert find_duplicate(short, [("same", short)]) is None


@pytest.mark.slow
def test_fingerprinting_is_fast() -> None:
    """About 25 MB/s measured (bench/bench_dedup.py); 5 MB in documents must take well under 5 s."""
    docs = [normalize(p.read_text(encoding="utf-8")).text for p in sorted(FIXTURES.glob("*.txt"))]
    corpus = list(itertools.islice(itertools.cycle(docs), 5 * 1024 * 1024 // 600))
    mb = sum(len(d.encode("utf-8")) for d in corpus) / 1024 / 1024
    t = time.perf_counter()
    for d in corpus:
        fingerprint(d)
    secs = time.perf_counter() - t
    assert mb >= 4
    assert secs < 5.0, f"{mb:.1f} MB in {secs:.1f} s"


def test_duplicate_index_answers_exactly_like_find_duplicate(shared_dir: Path) -> None:
    """Same answer for every document, positives included (000 vs its copy in 003, repeated uploads)."""
    docs = [d for p in sorted((shared_dir / "seeds").glob("*.txt")) for d in _docs(p)]
    docs += [d for p in sorted(FIXTURES.glob("*.txt")) for d in _docs(p)]
    docs += [docs[0][: len(docs[0]) // 2], normalize(OpenCC("s2t").convert(docs[-1])).text]  # cut, Traditional
    fps = [(f"doc{i}", fingerprint(d)) for i, d in enumerate(docs)]
    index = DuplicateIndex()
    found = 0
    for doc_id, fp in fps:
        earlier = fps[: int(doc_id[3:])]
        expected = find_duplicate(fp, earlier)
        assert index.find(fp) == expected, doc_id
        found += expected is not None
        index.add(doc_id, fp)
    assert found >= 3
    assert len(index) == len(fps)


# Sort-based distinct shingle hashes must equal np.unique, the plain version they replaced.

@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("工会组织建会率入会职工万人家1234567890abcAB,。 \n𠀀"), max_size=300))
def test_shingle_hashes_equal_np_unique(text: str) -> None:
    import numpy as np

    from etl import dedup

    cps = np.frombuffer(text.lower().encode("utf-32-le"), dtype=np.uint32)
    keep = np.ones(len(cps), dtype=bool)
    bmp = cps < 0x10000
    keep[bmp] = dedup._keep_table()[cps[bmp]]
    codes = cps[keep].astype(np.uint64)
    if len(codes) == 0:
        expected = np.empty(0, dtype=np.uint64)
    else:
        width = min(dedup.SHINGLE, len(codes))
        h = np.zeros(len(codes) - width + 1, dtype=np.uint64)
        for j in range(width):
            h = h * np.uint64(0x100000001B3) + codes[j: len(codes) - width + 1 + j]
        expected = np.unique(dedup._mix(h))
    got = dedup.shingle_hashes(text)
    assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
    assert dedup.fingerprint(text) == (len(expected), *(int(x) for x in expected[: dedup.SKETCH_SIZE]))
