"""The audit trail: every write, by whom, when, what it changed and in which batch.

`record` is called inside the transaction of the write it describes (etl.db.transaction),
so the record and the change land together or not at all. Records about one fact
carry that figure's key (region, metric, year, period): an undo deletes the fact's
row, but its history on 数据来源 stays readable.

Who: the signed-in account's name on the web; on the command line `--user`, else
the operating-system user. Before and after are JSON, never a password or its hash.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

# action → how the trail says it
ACTION_ZH = {
    "upload": "导入",
    "undo": "撤销批次",
    "withdraw": "随批次撤回",
    "correct": "更正",
    "accept": "确认无误",
    "reject": "驳回",
    "unreject": "撤销驳回",
    "mapping": "修改列对应",
    "directory": "修改地区目录",
    "exempt": "报送不适用标记",
    "account": "账号变更",
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "lock": "账号锁定",
    "sign_out": "退出登录",
}
VIA_ZH = {"web": "网页", "cli": "命令行"}
UNSIGNED = "未署名"  # a load through the Python API that named nobody (tests, scripts)


@dataclass(frozen=True)
class Actor:
    """Who is writing, and through what: the web (a signed-in account) or the command line."""

    name: str
    via: str = "web"

    @staticmethod
    def cli(user: str | None = None) -> Actor:
        """The command line's actor: --user when given, else the operating-system account."""
        if user:
            return Actor(user, "cli")
        try:
            return Actor(getpass.getuser(), "cli")
        except (KeyError, OSError):  # no passwd entry (a bare container)
            return Actor(UNSIGNED, "cli")


def actor_of(user: str | Actor | None, via: str = "cli") -> Actor:
    """An Actor from what a caller passed (a name, an Actor, or nobody)."""
    if isinstance(user, Actor):
        return user
    return Actor(user or UNSIGNED, via)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, summary: str, *,
           batch_id: int | None = None, fact: Mapping[str, Any] | None = None, target: str | None = None,
           before: Any = None, after: Any = None) -> None:
    """Write one audit record in the caller's transaction. `fact`: a facts row (id, region_id, metric, year, period)."""
    if action not in ACTION_ZH:
        raise KeyError(f"unknown audit action {action!r}")
    f = fact or {}
    con.execute(
        "INSERT INTO audit_log (done_at, user_name, via, action, batch_id, fact_id, region_id, metric, year, period, "
        "target, before, after, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [dt.datetime.now(), actor.name, actor.via, action, batch_id, f.get("id"), f.get("region_id"),
         f.get("metric"), f.get("year"), f.get("period"), target, _json(before), _json(after), summary])


def log(con: duckdb.DuckDBPyConnection, *, limit: int = 200, user: str | None = None,
        action: str | None = None) -> list[dict[str, Any]]:
    """The newest records first (the 操作记录 page, `python -m etl audit`)."""
    where, params = [], []
    if user:
        where.append("user_name = ?")
        params.append(user)
    if action:
        where.append("action = ?")
        params.append(action)
    cur = con.execute(
        "SELECT id, done_at, user_name, via, action, batch_id, fact_id, target, before, after, summary "
        f"FROM audit_log {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id DESC LIMIT ?",
        [*params, int(limit)])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def undone_by(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, dt.datetime]]:
    """batch id → (who undid it, when), for 导入记录."""
    rows = con.execute("SELECT batch_id, arg_max(user_name, id), max(done_at) FROM audit_log "
                       "WHERE action = 'undo' AND batch_id IS NOT NULL GROUP BY batch_id").fetchall()
    return {int(b): (u, t) for b, u, t in rows}


def figure_history(con: duckdb.DuckDBPyConnection, region_id: int, metric: str, year: int,
                   period: str) -> list[dict[str, Any]]:
    """Everything that happened to one figure, oldest first: loads, corrections, acceptances, rejections, undos.

    Each entry: when, who, via, action, what (one Chinese sentence about this figure), batch_id.
    Loads come from the batches whose facts are still in the figure; the rest from records keyed on it.
    """
    key = {"r": int(region_id), "m": metric, "y": int(year), "p": period}
    out: list[dict[str, Any]] = []
    loads = con.execute(
        """
        SELECT a.done_at, a.user_name, a.via, a.batch_id, list(f.value ORDER BY f.id), list(f.unit ORDER BY f.id),
               any_value(fl.name), list(f.source_cell ORDER BY f.id)
        FROM facts f
        JOIN batches b ON b.id = f.batch_id AND b.kind <> 'correction'
        JOIN audit_log a ON a.batch_id = f.batch_id AND a.action = 'upload'
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        WHERE f.region_id = $r AND f.metric = $m AND f.year = $y AND f.period = $p
        GROUP BY ALL
        """, key).fetchall()
    for when, who, via, batch, values, units, file, cells in loads:
        shown = "、".join(value_text(v, u) for v, u in zip(values, units, strict=True))
        where = f"{file or '文件'}" + (f"!{cells[0]}" if cells and cells[0] and len(cells) == 1 else "")
        out.append({"when": when, "who": who, "via": via, "action": "upload", "batch_id": batch,
                    "what": f"导入 {shown}（批次 {batch}，{where}）"})
    rows = con.execute(
        "SELECT done_at, user_name, via, action, batch_id, summary FROM audit_log "
        "WHERE region_id = $r AND metric = $m AND year = $y AND period = $p ORDER BY id", key).fetchall()
    for when, who, via, action, batch, summary in rows:
        out.append({"when": when, "who": who, "via": via, "action": action, "batch_id": batch, "what": summary})
    out.sort(key=lambda e: e["when"])
    return out


def value_text(v: float | None, unit: str | None) -> str:
    """A value as the trail writes it (1,452人)."""
    if v is None:
        return "（隐去）"
    text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
    return text + (unit or "")


def fact_key(con: duckdb.DuckDBPyConnection, fact_id: int) -> dict[str, Any] | None:
    """The id and figure key of one fact (for a record about it)."""
    row = con.execute("SELECT id, region_id, metric, year, period, value, unit, reviewed_by, status "
                      "FROM facts WHERE id = ?", [int(fact_id)]).fetchone()
    if row is None:
        return None
    return dict(zip(("id", "region_id", "metric", "year", "period", "value", "unit", "reviewed_by", "status"),
                    row, strict=True))
