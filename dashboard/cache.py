"""Query results cached per database version (st.cache_data at module level, never in a page).

The version (etl.db.db_version plus the file's mtime, see dashboard.db.version)
is part of the cache key, so an upload or a review shows on the next rerun
while unchanged data is served from memory.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import db, queries


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _run(name: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(*args, **dict(kwargs), path=version[0])


def get(name: str, *args: Any, **kwargs: Any) -> Any:
    """queries.<name>(*args, **kwargs) for the current database, cached until the data changes."""
    args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    result = _run(name, db.version(), args, tuple(sorted(kwargs.items())))
    return result.copy() if isinstance(result, pd.DataFrame) else result


def clear() -> None:
    """Drop every cached result (after the review page writes)."""
    _run.clear()
