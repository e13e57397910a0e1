"""Near-duplicate documents: the same report sent twice, re-typed, converted or cut short.

A fingerprint is a bottom-k MinHash sketch: the k smallest 64-bit hashes of
the document's character 5-grams, taken after dropping whitespace and
punctuation, led by the number of distinct 5-grams. One hash per shingle plus
a sort is all it costs, so fingerprinting is linear-ish and vectorised
(numpy), and the values fit DuckDB's UBIGINT.

Two sketches estimate *containment* (how much of the smaller document is in
the larger), not Jaccard, so a copy that stops half-way still matches its full
original. Traditional and Simplified copies match because callers pass the
cleaned text from etl/normalize.py, which is already Simplified.

The threshold was chosen on the seeds and sample reports (5-character
shingles separated them best; tests/test_dedup.py keeps the figures honest):
the truncated Simplified copy of seed 000 inside seed 003 scores about 0.98
against 000, different seed/dev documents at most about 0.18, and the sample
reports of different towns, generated from one phrase bank, at most about 0.50.
0.7 sits in the middle of that gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

SKETCH_SIZE = 256  # hashes kept per document
SHINGLE = 5  # characters per shingle (5 separated the seeds best: see the module docstring)
DEFAULT_THRESHOLD = 0.7  # containment at or above this is a duplicate
MIN_SHINGLES = 30  # documents with fewer distinct shingles are never called duplicates

_MASK64 = (1 << 64) - 1


@cache
def _keep_table() -> np.ndarray:
    """For every BMP code point: True if it is a letter or digit (Chinese included)."""
    return np.array([chr(c).isalnum() for c in range(0x10000)], dtype=bool)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial shingle codes over all 64 bits."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 64-bit hashes of the character shingles of `text`, sorted ascending."""
    cps = np.frombuffer(text.lower().encode("utf-32-le"), dtype=np.uint32)
    # Letters and digits by table lookup; characters beyond the BMP are always kept.
    keep = _keep_table()[np.minimum(cps, 0xFFFF)] | (cps >= 0x10000)
    codes = cps[keep].astype(np.uint64)
    n = len(codes)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(SHINGLE, n)
    h = np.zeros(n - width + 1, dtype=np.uint64)
    for j in range(width):
        h = h * np.uint64(0x100000001B3) + codes[j : n - width + 1 + j]
    # Sort, then drop repeats: the same as np.unique, which hashes first and is slower on these sizes.
    h = np.sort(_mix(h))
    return h[np.concatenate(([True], h[1:] != h[:-1]))]


def fingerprint(cleaned_text: str) -> tuple[int, ...]:
    """(distinct shingle count, k smallest shingle hashes ascending) of a cleaned text."""
    hashes = shingle_hashes(cleaned_text)
    return (len(hashes), *hashes[:SKETCH_SIZE].tolist())


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated share of the smaller document's shingles that occur in the larger one (0..1)."""
    (na, *sa), (nb, *sb) = a, b
    if not na or not nb or not sa or not sb:
        return 0.0
    if na > nb:
        (na, sa), (nb, sb) = (nb, sb), (na, sa)
    # A sketch holding the whole set (size <= k) answers membership for any
    # hash; a full one only up to its largest hash.
    limit = _MASK64 if nb <= len(sb) else sb[-1]
    sample = [x for x in sa if x <= limit]
    if not sample:
        return 0.0
    in_b = set(sb)
    return sum(1 for x in sample if x in in_b) / len(sample)


def find_duplicate(
    fp: Sequence[int],
    candidates: Iterable[tuple[str, Sequence[int]]],
    threshold: float = DEFAULT_THRESHOLD,
) -> str | None:
    """doc_id of the first candidate whose similarity with `fp` reaches `threshold`, else None.

    Very short documents (fewer than MIN_SHINGLES distinct shingles) are never
    duplicates: a title or a one-line fragment would match anything.
    """
    if not fp or fp[0] < MIN_SHINGLES:
        return None
    for doc_id, other in candidates:
        if other and other[0] >= MIN_SHINGLES and similarity(fp, other) >= threshold:
            return doc_id
    return None


class DuplicateIndex:
    """Fingerprints kept once and looked up by shared sketch hashes.

    `find` returns exactly what `find_duplicate` returns over the same
    candidates in insertion order: a candidate sharing no sketch hash has
    similarity 0, so only documents sharing one are compared. Build it once per
    load instead of scanning every stored fingerprint for every new document.
    """

    def __init__(self, items: Iterable[tuple[str, Sequence[int]]] = ()) -> None:
        self._fps: dict[str, tuple[int, ...]] = {}
        self._rank: dict[str, int] = {}
        self._by_hash: dict[int, list[str]] = {}
        for doc_id, fp in items:
            self.add(doc_id, fp)

    def __len__(self) -> int:
        return len(self._fps)

    def add(self, doc_id: str, fp: Sequence[int]) -> None:
        """Remember a document (the first fingerprint given for a doc_id wins)."""
        if doc_id in self._fps or not fp:
            return
        fp = tuple(int(v) for v in fp)
        self._rank[doc_id] = len(self._fps)
        self._fps[doc_id] = fp
        for h in fp[1:]:
            self._by_hash.setdefault(h, []).append(doc_id)

    def find(self, fp: Sequence[int], threshold: float = DEFAULT_THRESHOLD) -> str | None:
        """doc_id of the earliest-added near-duplicate of `fp`, else None."""
        if not fp or fp[0] < MIN_SHINGLES:
            return None
        shared = {doc_id for h in fp[1:] for doc_id in self._by_hash.get(int(h), ())}
        for doc_id in sorted(shared, key=self._rank.__getitem__):
            other = self._fps[doc_id]
            if other[0] >= MIN_SHINGLES and similarity(fp, other) >= threshold:
                return doc_id
        return None
