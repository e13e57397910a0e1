"""The federation: whose database this is, and the rules its directory follows.

A federation (区/县/市总工会) is configured once, by the first-run set-up on
the 地区名录 page or `python -m etl setup` (etl/directory.py → `setup`): its
name (titles of pages, the deck's cover and file names use it, never whatever
regions happen to exist), the level of its area, and the area itself, the
root of the directory.

This module only reads that configuration (`current`, `federation`) and the
federation-wide rules in lexicon/directory.toml (`directory_rules`: who
reports to whom, count words, deadlines, messages). It is apart from the
directory's writing code so that pages, the deck and the reporting
calendar can ask "who are we?" without importing how the directory changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from etl import db
from etl.catalog import read_lexicon


def directory_rules() -> dict:
    """etl/lexicon/directory.toml: who reports to whom, count words, deadlines, messages."""
    return read_lexicon("directory.toml")


@dataclass(frozen=True)
class Federation:
    """The federation this database belongs to."""

    name: str  # 青禾区总工会
    level: str  # the level of its area: 地市 | 区县 | 乡镇街道
    region_id: int  # its area, the root of the directory
    region: str  # 青禾区
    code: str | None  # the area's official code (12 digits)
    since: dt.date  # deadlines from this day on are tracked

    @property
    def count_word(self) -> str:
        """What its reporting units are called: 8/8镇街."""
        return count_word(self.level)


def count_word(level: str | None) -> str:
    words = directory_rules()["count_word"]
    return words.get(level or "", words["default"])


def federation_levels() -> dict[str, str]:
    """Level → the name of such a federation (区县 → 区（县）总工会), for the set-up form."""
    return dict(directory_rules()["federation_levels"])


def current(con: duckdb.DuckDBPyConnection) -> Federation | None:
    """The configured federation of an open database, or None before the set-up."""
    row = con.execute("SELECT f.name, f.level, f.region_id, r.name, r.code, f.since FROM federation f "
                      "JOIN regions r ON r.id = f.region_id").fetchone()
    return None if row is None else Federation(row[0], row[1], int(row[2]), row[3], row[4], row[5])


def federation(path: Path | str, name: str | None = None, wait: float | None = None) -> Federation | None:
    """The configured federation of the database at `path` (None when there is no database or no set-up).

    `name`: the settings' `federation` (UNION_FEDERATION), which, when given, is the name titles use.
    """
    if not Path(path).exists():
        return None
    with db.connect(path, read_only=True, wait=wait) as con:
        return named(current(con), name)


def named(fed: Federation | None, name: str | None) -> Federation | None:
    """The federation under the name the settings give it, if they give one."""
    return replace(fed, name=name) if fed is not None and name else fed
