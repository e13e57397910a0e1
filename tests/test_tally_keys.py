"""etl/tally/keys.py answers exactly as the pandas index it replaces, for dense and sparse keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.tally.keys import KeyIndex, dense, first_copies

RNG = np.random.default_rng(12)
DENSE = RNG.integers(0, 5_000, 20_000)
SPARSE = RNG.integers(0, 10**12, 2_000)


def test_dense_or_not() -> None:
    assert dense(DENSE) and dense(np.zeros(0, dtype=np.int64))
    assert not dense(SPARSE)
    assert not dense(np.array([-1, 0, 1]))  # a negative key cannot index an array


@pytest.mark.parametrize("keys", [DENSE, SPARSE, np.zeros(0, dtype=np.int64), np.array([7, 7, 7])],
                         ids=["dense", "sparse", "empty", "one"])
def test_first_copies_equal_pandas(keys: np.ndarray) -> None:
    assert first_copies(keys).tolist() == pd.Index(keys).duplicated(keep="first").tolist()


@pytest.mark.parametrize("keys", [DENSE, SPARSE, np.zeros(0, dtype=np.int64)], ids=["dense", "sparse", "empty"])
def test_key_index_equal_pandas(keys: np.ndarray) -> None:
    distinct = keys[~pd.Index(keys).duplicated()]
    query = np.concatenate([keys, keys - 1, keys + 10**13, [-5, 0, 10**15]]).astype(np.int64)
    assert KeyIndex(distinct).get_indexer(query).tolist() == pd.Index(distinct).get_indexer(query).tolist()
