"""Review actions: accept, correct, reject a fact, and take a rejection back. Originals are never edited away.

A correction is a new facts row (supersedes = old id) in a new batch of kind
'correction', and the old row becomes 'superseded', so undoing that batch
brings the original back. Each action is one etl.db.transaction, closed at once.

Each action takes the signed-in Account, checks that it may review the fact's
region (etl/permissions.py: 审核 within its scope, 管理 anywhere) inside the
same transaction, and writes its audit record there (etl/audit.py): who, when,
before → after, the batch.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from dashboard.db import db_path, forget, settings
from etl import audit
from etl.accounts import Account
from etl.catalog import load_catalog
from etl.db import transaction
from etl.errors import UnionError
from etl.model import facts_table_columns
from etl.vocab import FLAG_PLACEHOLDER_REGION, FLAG_UNKNOWN_YEAR, PERIOD_ZH, PERIODS

RESOLVED_BY = {"year": FLAG_UNKNOWN_YEAR, "region_id": FLAG_PLACEHOLDER_REGION}  # a correction of … clears the flag


class ReviewError(UnionError):
    """The fact cannot be changed (gone, already handled, outside the reviewer's scope); Chinese, names the fact."""


def _fact(con: duckdb.DuckDBPyConnection, fact_id: int, account: Account, status: str = "active") -> dict:
    """The fact's row, after checking its status and that `account` may review its region."""
    cur = con.execute("SELECT f.*, r.name AS region_name FROM facts f LEFT JOIN regions r ON r.id = f.region_id "
                      "WHERE f.id = ?", [int(fact_id)])
    row = cur.fetchone()
    if row is None:
        raise ReviewError(f"找不到编号为 {fact_id} 的数据。", item=f"fact {fact_id}")
    fact = dict(zip([d[0] for d in cur.description], row, strict=True))
    if fact["status"] != status:
        raise ReviewError(f"编号 {fact_id} 的数据已是“{fact['status']}”状态，不能再处理，请刷新页面。",
                          item=f"fact {fact_id}")
    _may_review(account, fact["region_id"], fact["region_name"] or fact["region_raw"], fact_id)
    return fact


def _may_review(account: Account, region_id: int | None, region: str | None, fact_id: int) -> None:
    if not account.may_open("review"):
        raise ReviewError(account.refusal("review"), item=f"fact {fact_id}", code="refused")
    # A fact without a region yet (xx镇) is anyone's to review; a correction may only give it a region of theirs.
    if region_id is not None and not account.may_for("review", region_id):
        raise ReviewError(account.refusal("review", region), item=f"fact {fact_id}", code="refused")


def _text(fact: dict) -> str:
    """白沙镇 2024年全年“会员人数” 1,452人"""
    metric = load_catalog().get(fact["metric"])
    return f"{fact['region_name'] or fact['region_raw'] or '地区不明'} {fact['year'] or '年份不明'}年" \
           f"{PERIOD_ZH.get(fact['period'] or '', '')}“{metric.name_zh if metric else fact['metric']}” " \
           f"{audit.value_text(fact['value'], fact['unit'])}"


def accept(fact_id: int, account: Account, path: Path | str | None = None) -> None:
    """Mark a fact as checked by a person (its value is unchanged); the previous reviewer is kept in the trail."""
    with transaction(path or db_path(), wait=settings().lock_wait, what="审核保存") as con:
        fact = _fact(con, fact_id, account)
        con.execute("UPDATE facts SET reviewed_by = ? WHERE id = ?", [account.name, int(fact_id)])
        audit.record(con, account.actor(), "accept", f"确认无误：{_text(fact)}", batch_id=fact["batch_id"],
                     fact=fact, before={"reviewed_by": fact["reviewed_by"]}, after={"reviewed_by": account.name})
    forget()


def reject(fact_id: int, account: Account, path: Path | str | None = None) -> None:
    """Take a fact out of every figure; the row stays, status 'rejected' (unreject brings it back)."""
    with transaction(path or db_path(), wait=settings().lock_wait, what="审核驳回") as con:
        fact = _fact(con, fact_id, account)
        con.execute("UPDATE facts SET status = 'rejected', reviewed_by = ? WHERE id = ?", [account.name, int(fact_id)])
        audit.record(con, account.actor(), "reject", f"驳回：{_text(fact)}", batch_id=fact["batch_id"], fact=fact,
                     before={"status": "active", "reviewed_by": fact["reviewed_by"]},
                     after={"status": "rejected", "reviewed_by": account.name})
    forget()


def unreject(fact_id: int, account: Account, path: Path | str | None = None) -> None:
    """Take a rejection back: the fact counts again and its reviewer is what it was before the rejection."""
    with transaction(path or db_path(), wait=settings().lock_wait, what="撤回驳回") as con:
        fact = _fact(con, fact_id, account, status="rejected")
        if con.execute("SELECT status FROM batches WHERE id = ?", [fact["batch_id"]]).fetchone()[0] != "loaded":
            raise ReviewError(f"编号 {fact_id} 的数据所在批次已撤销，无法撤销驳回。", item=f"fact {fact_id}")
        prior = con.execute("SELECT before FROM audit_log WHERE fact_id = ? AND action = 'reject' ORDER BY id DESC "
                            "LIMIT 1", [int(fact_id)]).fetchone()
        reviewer = json.loads(prior[0]).get("reviewed_by") if prior and prior[0] else None
        con.execute("UPDATE facts SET status = 'active', reviewed_by = ? WHERE id = ?", [reviewer, int(fact_id)])
        audit.record(con, account.actor(), "unreject", f"撤销驳回：{_text(fact)} 重新计入",
                     batch_id=fact["batch_id"], fact=fact,
                     before={"status": "rejected", "reviewed_by": fact["reviewed_by"]},
                     after={"status": "active", "reviewed_by": reviewer})
    forget()


def correct(fact_id: int, account: Account, *, value: float | None = None, year: int | None = None,
            period: str | None = None, region_id: int | None = None, metric: str | None = None,
            path: Path | str | None = None) -> int:
    """Store a corrected version of a fact; returns the new fact's id.

    Every column of the old row is carried over (the list comes from etl.model, so a new column is never
    forgotten here), then the changes; the new row counts at once (confidence 1, reviewed by the account).
    A new metric brings its catalog unit (the value stays as given: correct it too when the unit differs).
    A scoped reviewer may move a figure only to a region of their own scope.
    """
    changes = {k: v for k, v in {"value": value, "year": year, "period": period, "region_id": region_id,
                                 "metric": metric}.items() if v is not None}
    if not changes:
        raise ReviewError("没有要更正的内容：请填写新的数值、指标、年份、期别或地区。", item=f"fact {fact_id}")
    if period is not None and period not in PERIODS:
        raise ReviewError(f"期别只能是上半年（H1）或全年（FY），收到的是“{period}”。", item=f"fact {fact_id}")
    if metric is not None:
        catalog = load_catalog()
        if metric not in catalog:
            raise ReviewError(f"没有代码为“{metric}”的指标。", item=f"fact {fact_id}")
        changes["unit"] = catalog[metric].unit
    with transaction(path or db_path(), wait=settings().lock_wait, what="审核更正") as con:
        old = _fact(con, fact_id, account)
        if region_id is not None:
            found = con.execute("SELECT name FROM regions WHERE id = ?", [region_id]).fetchone()
            if not found:
                raise ReviewError(f"地区编号 {region_id} 不存在。", item=f"region {region_id}")
            if not account.may_for("review", region_id):
                raise ReviewError(account.refusal("review", found[0]), item=f"fact {fact_id}", code="refused")
        batch = con.execute(
            "INSERT INTO batches (kind, user_name, note) VALUES ('correction', ?, ?) RETURNING id",
            [account.name, f"审核更正：数据 {fact_id}"],
        ).fetchone()[0]
        flags = [fl for fl in (old["flags"] or []) if not any(k in changes and fl == f for k, f in RESOLVED_BY.items())]
        new = {**old, **changes, "batch_id": batch, "confidence": 1.0, "needs_review": False, "flags": flags,
               "status": "active", "supersedes": int(fact_id), "reviewed_by": account.name}
        cols = [c for c, _ in facts_table_columns() if c not in ("id", "created_at")]
        new_id = con.execute(f"INSERT INTO facts ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
                             "RETURNING id", [new[c] for c in cols]).fetchone()[0]
        con.execute("UPDATE facts SET status = 'superseded' WHERE id = ?", [int(fact_id)])
        con.execute("INSERT INTO batch_superseded (batch_id, fact_id) VALUES (?, ?)", [batch, int(fact_id)])
        _record_correction(con, account, old, new_id, batch, changes)
    forget()
    return int(new_id)


def _record_correction(con: duckdb.DuckDBPyConnection, account: Account, old: dict, new_id: int, batch: int,
                       changes: dict) -> None:
    """Recorded under the new figure's key, and under the old one too when the correction moved the figure."""
    new = audit.fact_key(con, new_id)
    new["region_name"] = con.execute("SELECT name FROM regions WHERE id = ?", [new["region_id"]]).fetchone()[0] \
        if new["region_id"] is not None else None
    new["region_raw"] = old["region_raw"]
    before = {k: old[k] for k in changes}
    after = dict(changes)
    if "value" in changes and set(changes) == {"value"}:
        text = f"更正：{_text(old)} → {audit.value_text(new['value'], new['unit'])}"
    else:
        text = f"更正：{_text(old)} → {_text(new)}"
    keys = ("region_id", "metric", "year", "period")
    audit.record(con, account.actor(), "correct", text, batch_id=batch, fact=new,
                 before={"fact_id": int(old["id"]), **before}, after={"fact_id": int(new_id), **after})
    if any(old[k] != new[k] for k in keys):
        audit.record(con, account.actor(), "correct", f"{text}（已移到新的地区、年份或期别）", batch_id=batch,
                     fact=old, before={"fact_id": int(old["id"]), **before}, after={"fact_id": int(new_id), **after})
