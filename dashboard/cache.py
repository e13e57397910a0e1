"""Query results cached per database version (st.cache_data at module level, never in a page).

The version (dashboard.db.version: the file's and its WAL's stamps) is part of
the cache key, so an upload or a review shows on the next rerun while
unchanged data is served from memory.

A reader never waits for a writer when it has something to show: the last
answer to each question is remembered, and while another process holds the
file (an ingest, an undo) that answer is shown after a moment's wait instead
of the page hanging until the writer is done. Answers computed from an
earlier snapshot (dashboard/snapshot.py) are shown but not cached as the
answer for the new version.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import db, queries, snapshot
from etl.db import DatabaseBusy

LAST_KEPT = 1024  # questions whose last answer is remembered

_last: OrderedDict[tuple, Any] = OrderedDict()
_last_lock = threading.Lock()


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _run(name: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    snapshot.reset_stale()
    result = getattr(queries, name)(*args, **dict(kwargs), path=version[0])
    if snapshot.was_stale():
        raise snapshot.Stale(result)  # st.cache_data keeps no result for a call that raised
    return result


def get(name: str, *args: Any, **kwargs: Any) -> Any:
    """queries.<name>(*args, **kwargs) for the current database, cached until the data changes."""
    args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    kw = tuple(sorted(kwargs.items()))
    version = db.version()
    result = remembered((version[0], name, args, kw), lambda: _run(name, version, args, kw))
    return result.copy() if isinstance(result, pd.DataFrame) else result


def remembered(key: tuple, run: Callable[[], Any]) -> Any:
    """run() — or, while another process holds the file, the last answer to the same question (`key`).

    With an earlier answer at hand the reads inside wait only a moment for a
    writer (dashboard.db.impatient); a result computed from an earlier
    snapshot (snapshot.Stale) is shown but was not cached by `run`.
    """
    with _last_lock:
        earlier = _last.get(key)
    try:
        with db.impatient() if earlier is not None else contextlib.nullcontext():
            result = run()
    except snapshot.Stale as stale:
        result = stale.value
    except DatabaseBusy:
        if earlier is None:
            raise
        result = earlier
    with _last_lock:
        _last[key] = result
        _last.move_to_end(key)
        while len(_last) > LAST_KEPT:
            _last.popitem(last=False)
    return result


def clear() -> None:
    """Drop every cached result (after the review page writes)."""
    _run.clear()
    with _last_lock:
        _last.clear()
