"""Which rows of an upload a scoped account may load: those of its regions and below.

A 填报 account scoped to 城关街道 may load figures for 城关街道 and its
communities; a row for 白沙镇, or for a town the directory does not know, is
refused with a message naming it. A row whose region is empty or a placeholder
(xx镇) is not refused here: it loads flagged and waits in 审核, where a
scoped reviewer can only assign it a region of their own scope.

The region a figure belongs to is worked out as the loader does it
(etl/load_rows.py): the fact's own region, else its document's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from etl.accounts import Account
from etl.model import ExtractedFile, Fact
from etl.region_names import names_a_place
from etl.regions import RegionResolver


@dataclass(frozen=True)
class Refusal:
    """A figure the account may not load, the region name it belongs to, and whether the directory knows it."""

    fact: Fact
    region: str
    known: bool

    def message(self, account: Account, action: str = "upload") -> str:
        return account.refusal(action, self.region, self.known)


def region_of(f: ExtractedFile) -> dict[int, str | None]:
    """id(fact) → the region name the loader will resolve for it (the fact's, else its document's)."""
    docs = {d.doc_id: d.region for d in f.documents}
    return {id(x): x.region or docs.get(x.doc_id or "") for x in f.facts}


def split(con: duckdb.DuckDBPyConnection, account: Account, facts: Iterable[Fact],
          names: dict[int, str | None] | None = None, action: str = "upload") -> tuple[list[Fact], list[Refusal]]:
    """(facts the account may load, refusals) for `action`; `names` overrides each fact's region (region_of)."""
    facts = list(facts)
    if account.may_for(action, None):  # an unscoped role (管理) reaches every region, known or not
        return facts, []
    resolver = RegionResolver(con)  # never creates: a name the directory lacks resolves to None
    ids: dict[str, int | None] = {}
    allowed: list[Fact] = []
    refused: list[Refusal] = []
    for f in facts:
        raw = names.get(id(f)) if names is not None else f.region
        if not names_a_place(raw):
            allowed.append(f)
            continue
        if raw not in ids:
            ids[raw] = resolver.resolve(raw)
        rid = ids[raw]
        if account.may_for(action, rid):
            allowed.append(f)
        else:
            refused.append(Refusal(f, raw.strip(), rid is not None))
    return allowed, refused
