"""Review actions: accept, correct or reject a fact. Originals are never edited away.

A correction is a new facts row (supersedes = old id) in a new batch of kind
'correction', and the old row becomes 'superseded', so undoing that batch
brings the original back. Each action is one etl.db.transaction, closed at once.
"""

from __future__ import annotations

from pathlib import Path

from dashboard.db import db_path, forget, settings
from etl.db import transaction
from etl.errors import UnionError
from etl.model import facts_table_columns
from etl.vocab import FLAG_PLACEHOLDER_REGION, FLAG_UNKNOWN_YEAR, PERIODS

RESOLVED_BY = {"year": FLAG_UNKNOWN_YEAR, "region_id": FLAG_PLACEHOLDER_REGION}  # a correction of … clears the flag


class ReviewError(UnionError):
    """The fact cannot be changed (gone, or already handled); the message is Chinese and names the fact."""


def _active(con, fact_id: int) -> dict:
    cur = con.execute("SELECT * FROM facts WHERE id = ?", [int(fact_id)])
    row = cur.fetchone()
    if row is None:
        raise ReviewError(f"找不到编号为 {fact_id} 的数据。", item=f"fact {fact_id}")
    fact = dict(zip([d[0] for d in cur.description], row, strict=True))
    if fact["status"] != "active":
        raise ReviewError(f"编号 {fact_id} 的数据已是“{fact['status']}”状态，不能再处理，请刷新页面。",
                          item=f"fact {fact_id}")
    return fact


def accept(fact_id: int, user: str, path: Path | str | None = None) -> None:
    """Mark a fact as checked by a person (its value is unchanged)."""
    with transaction(path or db_path(), wait=settings().lock_wait, what="审核保存") as con:
        _active(con, fact_id)
        con.execute("UPDATE facts SET reviewed_by = ? WHERE id = ?", [user, int(fact_id)])
    forget()


def reject(fact_id: int, user: str, path: Path | str | None = None) -> None:
    """Take a fact out of every figure; the row stays, status 'rejected'."""
    with transaction(path or db_path(), wait=settings().lock_wait, what="审核驳回") as con:
        _active(con, fact_id)
        con.execute("UPDATE facts SET status = 'rejected', reviewed_by = ? WHERE id = ?", [user, int(fact_id)])
    forget()


def correct(fact_id: int, user: str, *, value: float | None = None, year: int | None = None,
            period: str | None = None, region_id: int | None = None, path: Path | str | None = None) -> int:
    """Store a corrected version of a fact; returns the new fact's id.

    Every column of the old row is carried over (the list comes from etl.model, so a new column is never
    forgotten here), then the changes; the new row counts at once (confidence 1, reviewed by `user`).
    """
    changes = {k: v for k, v in {"value": value, "year": year, "period": period, "region_id": region_id}.items()
               if v is not None}
    if not changes:
        raise ReviewError("没有要更正的内容：请填写新的数值、年份、期别或地区。", item=f"fact {fact_id}")
    if period is not None and period not in PERIODS:
        raise ReviewError(f"期别只能是上半年（H1）或全年（FY），收到的是“{period}”。", item=f"fact {fact_id}")
    with transaction(path or db_path(), wait=settings().lock_wait, what="审核更正") as con:
        old = _active(con, fact_id)
        if region_id is not None and not con.execute("SELECT 1 FROM regions WHERE id = ?", [region_id]).fetchone():
            raise ReviewError(f"地区编号 {region_id} 不存在。", item=f"region {region_id}")
        batch = con.execute(
            "INSERT INTO batches (kind, user_name, note) VALUES ('correction', ?, ?) RETURNING id",
            [user, f"审核更正：数据 {fact_id}"],
        ).fetchone()[0]
        flags = [fl for fl in (old["flags"] or []) if not any(k in changes and fl == f for k, f in RESOLVED_BY.items())]
        new = {**old, **changes, "batch_id": batch, "confidence": 1.0, "needs_review": False, "flags": flags,
               "status": "active", "supersedes": int(fact_id), "reviewed_by": user}
        cols = [c for c, _ in facts_table_columns() if c not in ("id", "created_at")]
        new_id = con.execute(f"INSERT INTO facts ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
                             "RETURNING id", [new[c] for c in cols]).fetchone()[0]
        con.execute("UPDATE facts SET status = 'superseded' WHERE id = ?", [int(fact_id)])
        con.execute("INSERT INTO batch_superseded (batch_id, fact_id) VALUES (?, ?)", [batch, int(fact_id)])
    forget()
    return int(new_id)
