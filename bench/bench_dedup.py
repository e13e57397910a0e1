"""How fast is near-duplicate fingerprinting (etl/dedup.py)?

Builds a corpus of report documents (the seeds, the dev pages and the sample
reports, cleaned and split, repeated to --mb megabytes of UTF-8) and times:

- etl.dedup.fingerprint: bottom-k sketch, one vectorised hash per shingle;
- the obvious alternative: classic MinHash with 128 hash functions in plain
  Python (a set of shingle strings, then min over (a*h+b) mod p per function),
  on a slice of the corpus because it is far slower;
- the same 128-function MinHash vectorised with numpy (one pass per function);
- find_duplicate of one document against every corpus document, and the same
  lookup through DuplicateIndex (built once).

Usage: .venv/bin/python bench/bench_dedup.py [--mb 50] [--slow-mb 1]
"""

from __future__ import annotations

import argparse
import glob
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from etl.dedup import SHINGLE, DuplicateIndex, find_duplicate, fingerprint, shingle_hashes  # noqa: E402
from etl.normalize import normalize  # noqa: E402
from etl.read import ReadError, read_report  # noqa: E402
from etl.segment import split_documents  # noqa: E402

PRIME = (1 << 61) - 1
N_PERM = 128


def documents() -> list[str]:
    """Cleaned document texts from every report file we have."""
    paths = sorted(
        glob.glob(str(ROOT.parent / "shared" / "seeds" / "*.txt"))
        + glob.glob(str(ROOT.parent / "shared" / "eval" / "dev" / "docs" / "*.txt"))
        + glob.glob(str(ROOT / "data" / "samples" / "reports" / "*"))
    )
    out = []
    for p in paths:
        try:
            norm = normalize(read_report(p).text)
        except ReadError:
            continue
        out.extend(norm.text[s.start : s.end] for s in split_documents(norm))
    return [d for d in out if d.strip()]


def corpus(docs: list[str], mb: float) -> list[str]:
    target = mb * 1024 * 1024
    out, size, i = [], 0, 0
    while size < target:
        d = docs[i % len(docs)]
        out.append(d)
        size += len(d.encode("utf-8"))
        i += 1
    return out


def classic_minhash_python(text: str, params: list[tuple[int, int]]) -> list[int]:
    """The textbook version: shingle set, then one min per hash function."""
    chars = "".join(ch for ch in text.lower() if ch.isalnum())
    shingles = {chars[i : i + SHINGLE] for i in range(max(1, len(chars) - SHINGLE + 1))}
    hashes = [hash(s) & ((1 << 61) - 1) for s in shingles]
    return [min((a * h + b) % PRIME for h in hashes) for a, b in params]


def classic_minhash_numpy(text: str, a: np.ndarray, b: np.ndarray) -> list[int]:
    """128 hash functions vectorised over the shingles, one pass each."""
    h = shingle_hashes(text)
    if len(h) == 0:
        return [0] * len(a)
    return [int(((h * ai) + bi).min()) for ai, bi in zip(a, b, strict=True)]


def timed(fn, docs) -> tuple[float, int]:
    t = time.perf_counter()
    n = 0
    for d in docs:
        fn(d)
        n += 1
    return time.perf_counter() - t, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size in MB of UTF-8 (default 50)")
    ap.add_argument("--slow-mb", type=float, default=1.0, help="slice for the plain-Python MinHash (default 1)")
    args = ap.parse_args()

    docs = documents()
    big = corpus(docs, args.mb)
    small = corpus(docs, args.slow_mb)
    mb_big = sum(len(d.encode("utf-8")) for d in big) / 1024 / 1024
    mb_small = sum(len(d.encode("utf-8")) for d in small) / 1024 / 1024
    rng = random.Random(7)
    params = [(rng.randrange(1, PRIME), rng.randrange(0, PRIME)) for _ in range(N_PERM)]
    a = np.array([rng.randrange(1, 1 << 63) | 1 for _ in range(N_PERM)], dtype=np.uint64)
    b = np.array([rng.randrange(0, 1 << 63) for _ in range(N_PERM)], dtype=np.uint64)

    rows = []
    secs, n = timed(fingerprint, big)
    rows.append(("bottom-k sketch (etl.dedup)", mb_big, n, secs))
    secs, n = timed(lambda d: classic_minhash_numpy(d, a, b), small)
    rows.append((f"MinHash {N_PERM} funcs, numpy", mb_small, n, secs))
    secs, n = timed(lambda d: classic_minhash_python(d, params), small)
    rows.append((f"MinHash {N_PERM} funcs, plain Python", mb_small, n, secs))
    one_text = "\n".join(big)
    t = time.perf_counter()
    fingerprint(one_text)
    rows.append(("bottom-k, whole corpus as one text", len(one_text.encode("utf-8")) / 1024 / 1024, 1,
                 time.perf_counter() - t))  # fmt: skip

    base = rows[0][1] / rows[0][3]
    print(f"documents in corpus: {len(big)} ({len(docs)} distinct), shingle = {SHINGLE} characters\n")
    print(f"{'method':40} {'MB':>7} {'docs':>7} {'seconds':>8} {'MB/s':>8} {'vs etl.dedup':>12}")
    for name, mb, n, s in rows:
        rate = mb / s
        print(f"{name:40} {mb:7.1f} {n:7d} {s:8.2f} {rate:8.2f} {rate / base:11.3f}x")

    fps = [(f"doc{i}", fingerprint(d)) for i, d in enumerate(big[: min(len(big), 20000)])]
    chars = list(max(docs, key=len))
    rng.shuffle(chars)  # same characters, no shared order: a realistic non-duplicate
    probe = fingerprint("".join(chars))
    t = time.perf_counter()
    hit = find_duplicate(probe, fps)
    secs = time.perf_counter() - t
    print(f"\nfind_duplicate (no match) against {len(fps)} fingerprints: {secs * 1000:.1f} ms (result {hit})")
    t = time.perf_counter()
    index = DuplicateIndex(fps)
    build = time.perf_counter() - t
    t = time.perf_counter()
    hit2 = index.find(probe)
    secs2 = time.perf_counter() - t
    print(f"DuplicateIndex: built in {build * 1000:.0f} ms, lookup {secs2 * 1000:.2f} ms (result {hit2}), "
          f"{secs / max(secs2, 1e-9):.0f}x faster per lookup")
    # Worst case for the index: a patchwork of three stock-phrase reports shares hashes with many documents.
    towns = [d for d in docs if "总工会" in d[:40]][:3] or docs[:3]
    patch = "".join(d[i * len(d) // 3 : (i + 1) * len(d) // 3] for i, d in enumerate(towns))
    probe3 = fingerprint(patch)
    t = time.perf_counter()
    hit3 = find_duplicate(probe3, fps)
    s3 = time.perf_counter() - t
    t = time.perf_counter()
    hit4 = index.find(probe3)
    s4 = time.perf_counter() - t
    print(f"patchwork of 3 reports: find_duplicate {s3 * 1000:.1f} ms ({hit3}), "
          f"DuplicateIndex {s4 * 1000:.2f} ms ({hit4})")


if __name__ == "__main__":
    main()
