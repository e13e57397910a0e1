"""Integer keys looked up without hashing when they are dense.

The checks of etl/tally/rules.py code each fact as region × period × year ×
metric; in a tally those codes fill most of their range, so a flat array
indexed by the key finds a million of them several times faster than a hash
index (pandas.Index), which stays the way for sparse keys.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def dense(keys: np.ndarray) -> bool:
    """Whether non-negative integer keys span little more than their number: then a flat array indexed by key
    finds them without hashing (region × period × year × metric codes of a tally do)."""
    return not len(keys) or (int(keys.min()) >= 0 and int(keys.max()) < 4 * len(keys) + 1024)


class KeyIndex:
    """Where each of a set of distinct integer keys sits (pandas.Index.get_indexer: -1 when absent), by a flat
    array when the keys are dense, else by a hash index."""

    def __init__(self, keys: np.ndarray) -> None:
        self._index = None if dense(keys) else pd.Index(keys)
        if self._index is None:
            self._flat = np.full(int(keys.max()) + 1 if len(keys) else 0, -1, dtype=np.int64)
            self._flat[keys] = np.arange(len(keys))

    def get_indexer(self, query: np.ndarray) -> np.ndarray:
        if self._index is not None:
            return self._index.get_indexer(query)
        out = np.full(len(query), -1, dtype=np.int64)
        inside = (query >= 0) & (query < len(self._flat))
        out[inside] = self._flat[query[inside]]
        return out


def first_copies(keys: np.ndarray) -> np.ndarray:
    """Which keys repeat an earlier one (pandas.Index.duplicated(keep='first'))."""
    if not dense(keys) or not len(keys):
        return pd.Index(keys).duplicated(keep="first")
    order = np.arange(len(keys))
    first = np.full(int(keys.max()) + 1, len(keys), dtype=np.int64)
    np.minimum.at(first, keys, order)
    return first[keys] != order
