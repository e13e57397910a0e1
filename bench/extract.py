"""Extraction throughput on one core: etl.extract against the naive keyword-proximity baseline.

Builds a corpus of at least --mb MB of UTF-8 report text by repeating the shipped
samples (data/samples/reports) into a temp dir, reads it back, then times
`etl.extract.extract_report_text(text, name=...)` (normalisation, segmentation,
extraction) and `bench/naive_extract.py` over the same texts in the same process,
pinned to one CPU.  Speed alone says little, so the table also shows each
method's F1 on the dev set and on the samples (../shared/eval/score.py).

The row "etl.extract (before)" is the rule-based extractor of release 1 (commit
BEFORE, or --before REV): `git archive` puts its etl/ package in a temp dir and a
subprocess pinned to the same CPU times it on the same corpus files.  The current
row is the learned extractor (cue rules + trained model + reporting-body ranker);
its accuracy on text it was not trained on is measured by `make score-cv`.

Times are CPU seconds of the timing process (time.process_time): on a shared
machine wall-clock time measures the neighbours as much as the code.

    .venv/bin/python bench/extract.py                  # 50 MB
    .venv/bin/python bench/extract.py --mb 5           # quick look
    .venv/bin/python bench/extract.py --before none    # skip the old extractor
    .venv/bin/python bench/extract.py --mb 5 --stages  # … and where the time goes, stage by stage
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from naive_extract import naive_extract, read_text  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
DEV = ROOT.parent / "shared" / "eval" / "dev"
SCORER = ROOT.parent / "shared" / "eval" / "score.py"
BEFORE = "6da4582"  # the rule-based extractor of release 1, before the learned one (issue 8)

# Run in a subprocess with the old etl/ first on sys.path: times it like time_it does.
_BEFORE_TIMER = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {int(sys.argv[3])})
from etl.extract import extract_report_text
paths = sorted(os.listdir(sys.argv[2]))
corpus = [(p, open(os.path.join(sys.argv[2], p), encoding="utf-8").read()) for p in paths]
for name, text in corpus[:20]:
    extract_report_text(text, name=name)
t0 = time.process_time()
n = sum(len(extract_report_text(text, name=name)[1]) for name, text in corpus)
print(json.dumps({"seconds": time.process_time() - t0, "facts": n}))
"""


def old_package(rev: str, folder: Path) -> Path | None:
    """The etl/ package at git revision `rev`, unpacked under `folder`; None if git cannot give it."""
    archive = subprocess.run(["git", "archive", rev, "etl"], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        print(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
        return None
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def time_before(pkg: Path, corpus_dir: Path) -> tuple[float, int]:
    """CPU seconds and fact count of the old extractor over the corpus files, in a subprocess."""
    cpu = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    proc = subprocess.run([sys.executable, "-c", _BEFORE_TIMER, str(pkg), str(corpus_dir), str(cpu)],
                          capture_output=True, text=True, check=True)
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return got["seconds"], got["facts"]


def build_corpus(mb: float, folder: Path) -> list[tuple[str, str]]:
    """Repeat the sample reports into `folder` until they hold `mb` MB of UTF-8 text; return them read back."""
    reports = sorted((SAMPLES / "reports").glob("*.txt"))
    texts = [(p.name, read_text(p)) for p in reports]
    target, size, i = mb * 1_000_000, 0, 0
    while size < target:
        name, text = texts[i % len(texts)]
        data = text.encode("utf-8")
        (folder / f"{i:06d}_{name}").write_bytes(data)
        size += len(data)
        i += 1
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.iterdir())]


def lead_extractor() -> Callable[[str, str], int] | None:
    """The project's extractor, as a function returning the number of facts; None when it is not there yet."""
    try:
        from etl.extract import extract_report_text
    except ImportError as e:
        print(f"etl.extract.extract_report_text unavailable ({e}); timing the baseline only")
        return None

    def run(text: str, name: str) -> int:
        _documents, facts = extract_report_text(text, name=name)
        return len(facts)

    return run


def naive(text: str, name: str) -> int:
    return len(naive_extract(text, name))


def time_it(fn: Callable[[str, str], int], corpus: list[tuple[str, str]]) -> tuple[float, int]:
    for name, text in corpus[:20]:  # warm up: imports, compiled patterns, converters
        fn(text, name)
    t0 = time.process_time()
    n = sum(fn(text, name) for name, text in corpus)
    return time.process_time() - t0, n


def f1(gold: Path, docs: Path, pred_fn: Callable[[str, str], list[dict]] | None,
       pythonpath: Path | None = None) -> float | None:
    """F1 from the shared scorer: the project's CLI when pred_fn is None (the old package's CLI when
    `pythonpath` is given), else pred_fn's output via --pred."""
    if not SCORER.exists() or not gold.exists():
        return None
    cmd = [sys.executable, str(SCORER), "--gold", str(gold), "--docs", str(docs), "--json"]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8", delete=False) as fh:
        if pred_fn is not None:
            for p in sorted(docs.glob("*.txt")):
                for fact in pred_fn(read_text(p), p.name):
                    fh.write(json.dumps(fact, ensure_ascii=False) + "\n")
            cmd += ["--pred", fh.name]
    # `python -m etl.extract` imports etl from its working directory: the old package's folder for "before".
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=pythonpath or ROOT)
    os.unlink(fh.name)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1])["f1"] if proc.returncode == 0 and lines else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size in MB of UTF-8 text (default 50)")
    ap.add_argument("--before", default=BEFORE, help="git revision of the old extractor to time too, or 'none'")
    ap.add_argument("--stages", action="store_true", help="also time the current extractor stage by stage")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the brief measures

    with tempfile.TemporaryDirectory(prefix="bench_extract_") as tmp:
        corpus_dir, old_dir = Path(tmp) / "corpus", Path(tmp) / "before"
        corpus_dir.mkdir()
        old_dir.mkdir()
        corpus = build_corpus(args.mb, corpus_dir)
        mb = sum(len(t.encode("utf-8")) for _, t in corpus) / 1_000_000
        print(f"corpus: {len(corpus)} reports, {mb:.1f} MB UTF-8 (samples repeated), one core\n")
        rows = run_methods(corpus)
        pkg = old_package(args.before, old_dir) if args.before != "none" else None
        if pkg is not None:
            secs, n = time_before(pkg, corpus_dir)
            rows.insert(1, ("etl.extract (before)", secs, n, f1(DEV / "gold.jsonl", DEV / "docs", None, pkg),
                            f1(SAMPLES / "expected.jsonl", SAMPLES / "reports", None, pkg)))
    print_table(rows, mb)
    if args.stages:
        print_stages(corpus, mb)


def run_methods(corpus: list[tuple[str, str]]) -> list[tuple[str, float, int, float | None, float | None]]:
    """(label, CPU seconds, facts, F1 dev, F1 samples) for the current extractor and the baseline."""
    methods: list[tuple[str, Callable[[str, str], int] | None, Callable | None]] = [
        ("naive keyword+cn2an", naive, naive_extract),
    ]
    lead = lead_extractor()
    if lead is not None:
        methods.insert(0, ("etl.extract", lead, None))

    rows = []
    for label, fn, pred in methods:
        secs, n = time_it(fn, corpus)
        rows.append((label, secs, n, f1(DEV / "gold.jsonl", DEV / "docs", pred),
                     f1(SAMPLES / "expected.jsonl", SAMPLES / "reports", pred)))
    return rows


def print_table(rows: list[tuple[str, float, int, float | None, float | None]], mb: float) -> None:
    base = next(r for r in rows if r[0].startswith("naive"))
    base_speed = mb / base[1]
    head = f"{'method':<22}{'MB':>8}{'seconds':>10}{'MB/s':>9}{'facts':>10}{'ratio':>8}{'F1 dev':>9}{'F1 samples':>12}"
    print(head)
    print("-" * len(head))
    for label, secs, n, f_dev, f_samples in rows:
        def fmt(x: float | None) -> str:
            return f"{x:.3f}" if x is not None else "n/a"
        print(f"{label:<22}{mb:>8.1f}{secs:>10.2f}{mb / secs:>9.2f}{n:>10}{mb / secs / base_speed:>8.2f}"
              f"{fmt(f_dev):>9}{fmt(f_samples):>12}")
    print("\nratio = MB/s relative to the naive baseline; F1 from ../shared/eval/score.py")


# The stages of etl.extract.extract_report_text, as the names its modules call them by (none calls another).
STAGES = [
    ("normalise (noise, 繁→简)", "etl.extract", "normalize"),
    ("split into documents", "etl.extract", "_segments"),
    ("year, period, body guess", "etl.extract", "document_context"),
    ("near-duplicate fingerprint", "etl.extract", "fingerprint"),
    ("body: candidates (body.py)", "etl.extract", "body_candidates"),
    ("body: ranking (body.py)", "etl.extract", "rank"),
    ("candidates + numbers", "etl.reading", "find_candidates"),
    ("cue rules", "etl.reading", "rule_hits"),
    ("word families", "etl.reading", "FamilyIndex"),
    ("features", "etl.reading", "candidate_features"),
    ("feature hashing", "etl.reading", "hash_features"),
    ("model scoring", "etl.classifier", "Model.predict"),
    ("picking readings + passes", "etl.extract", "pick"),
    ("facts: time, region, evidence", "etl.extract", "_fact_fields"),
]


def print_stages(corpus: list[tuple[str, str]], mb: float) -> None:
    """CPU seconds of each stage of the current extractor over the corpus (one more pass, timed per call)."""
    import importlib

    from etl.extract import extract_report_text

    spent = {label: 0.0 for label, _, _ in STAGES}
    undo = []
    for label, module, name in STAGES:
        owner = importlib.import_module(module)
        if "." in name:
            cls_name, name = name.split(".")
            owner = getattr(owner, cls_name)
        fn = getattr(owner, name)

        def timed(*a: object, _fn: Callable = fn, _label: str = label, **k: object) -> object:
            t0 = time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                spent[_label] += time.process_time() - t0

        setattr(owner, name, timed)
        undo.append((owner, name, fn))
    try:
        t0 = time.process_time()
        for name, text in corpus:
            extract_report_text(text, name=name)
        total = time.process_time() - t0
    finally:
        for owner, name, fn in undo:
            setattr(owner, name, fn)
    print(f"\netl.extract stage by stage ({mb:.1f} MB, {total:.2f} CPU s with the timers, {mb / total:.2f} MB/s)")
    print(f"{'stage':<32}{'seconds':>9}{'share':>8}")
    for label, secs in [*spent.items(), ("rest (glue, Fact objects …)", total - sum(spent.values()))]:
        print(f"{label:<32}{secs:>9.2f}{secs / total:>8.1%}")


if __name__ == "__main__":
    main()
