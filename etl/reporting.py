"""Completeness as a fact: which units are due to report, by when, and which are marked 不适用.

For a region, year, period and metric, the units expected to report are its
children whose level reports to the region's level (lexicon/directory.toml
[reporting]: a 区县's 乡镇街道), that exist that year (first_year ≤ year ≤
last_year), less those a person marked 不适用. A figure summed from the
children is complete only when every expected unit reported, or when the
region reported the figure itself. The dashboard's snapshot applies this rule
(dashboard/snapshot.py, from `reporting_levels`); the 报送情况 page shows it
unit by unit (dashboard/queries.reporting_grid) with `status`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl import db
from etl.audit import Actor, actor_of, record
from etl.errors import UnionError
from etl.federation import directory_rules
from etl.vocab import PERIOD_ZH, PERIODS

REPORTED, LATE, MISSING, PENDING, EXEMPT = "reported", "late", "missing", "pending", "exempt"
STATUS_ZH = {REPORTED: "已报", LATE: "逾期报送", MISSING: "未报", PENDING: "未到期", EXEMPT: "不适用"}


class ReportingError(UnionError):
    """A 不适用 mark that cannot be set or revoked; the message says why."""


def reporting_levels() -> list[tuple[str, str]]:
    """(parent level, child level) pairs: which children report to which parents."""
    return [(parent, child) for parent, kids in directory_rules()["reporting"].items() for child in kids]


def due_date(year: int, period: str) -> dt.date:
    """When the figures of a period are due (lexicon/directory.toml [due])."""
    rule = directory_rules()["due"][period]
    month, day = (int(x) for x in rule["date"].split("-"))
    return dt.date(int(year) + int(rule["year_offset"]), month, day)


def status(received: dt.date | None, year: int, period: str, since: dt.date | None,
           today: dt.date | None = None) -> str:
    """The status of one unit's figure: received on `received` (None: not received).

    Late only when the due date is on or after `since` (the day the federation began tracking deadlines):
    loading old years is never late. Not received before the due date is 未到期, after it 未报.
    """
    due = due_date(year, period)
    if received is None:
        return PENDING if (today or dt.date.today()) <= due else MISSING
    if since is not None and due >= since and received > due:
        return LATE
    return REPORTED


def mark_not_applicable(path: Path | str, region_id: int, year: int, *, metric: str | None = None,
                        period: str | None = None, reason: str = "", user: str | Actor | None = None,
                        wait: float | None = None) -> int:
    """Mark a unit as not expected to report `metric` (None: any) in `year` and `period` (None: both).

    Returns the mark's id. The unit then counts neither as reported nor as missing for that cell; revoke
    with `revoke` (the mark is kept, with who revoked it and when).
    """
    if period is not None and period not in PERIODS:
        raise ReportingError(f"期别“{period}”不认识（可用：{'、'.join(PERIODS)}）。", item=period)
    with db.transaction(path, wait=wait) as con:
        row = con.execute("SELECT name FROM regions WHERE id = ?", [int(region_id)]).fetchone()
        if row is None:
            raise ReportingError(f"地区名录中没有编号为 {region_id} 的地区。", item=str(region_id))
        who = actor_of(user)
        mark = int(con.execute(
            "INSERT INTO reporting_exemptions (region_id, metric, year, period, reason, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [int(region_id), metric, int(year), period, reason or None, who.name]).fetchone()[0])
        record(con, who, "exempt", f"标记{row[0]} {year}年{PERIOD_ZH.get(period or '', '全年和上半年')}"
               f"{'“' + metric + '”' if metric else '全部指标'}不适用（{reason or '未注明原因'}）",
               fact={"region_id": int(region_id), "metric": metric, "year": int(year), "period": period},
               target=str(mark))
        return mark


def revoke(path: Path | str, exemption_id: int, *, user: str | Actor | None = None,
           wait: float | None = None) -> None:
    """Take a 不适用 mark back (the row stays, with who revoked it and when)."""
    with db.transaction(path, wait=wait) as con:
        who = actor_of(user)
        n = con.execute("UPDATE reporting_exemptions SET revoked_by = ?, revoked_at = current_timestamp "
                        "WHERE id = ? AND revoked_at IS NULL", [who.name, int(exemption_id)]).fetchone()[0]
        if not n:
            raise ReportingError(f"没有编号为 {exemption_id} 的有效“不适用”标记（可能已被撤回）。",
                                 item=str(exemption_id))
        record(con, who, "exempt", f"撤回“不适用”标记 {exemption_id}", target=str(exemption_id))
