"""The stored figure a draft is checked against and a paragraph states, with its source.

A region's figure is the dashboard's (dashboard.queries.trend): its own reported
value, or else the sum of the children due to report to it, complete only when
all of them reported (etl/reporting.py); rates are never summed. The source is
the fact the dashboard counts for that cell (most confident, then latest), or
the children's facts for a sum. Which region a draft speaks for by default is
the configured federation's area (`federation`, etl/directory.py); whether a
period is complete is the dashboard's rule (`is_complete`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import queries, snapshot
from dashboard.db import query_df, reader
from etl.catalog import load_catalog
from etl.regions import RegionResolver
from etl.vocab import counted_sql

PathLike = Path | str | None


@dataclass(frozen=True)
class Source:
    """One fact behind a stored figure: where a person can read it."""

    fact_id: int
    region: str
    value: float
    file: str | None
    evidence: str | None
    cell: str | None  # 'Sheet1!D7' for tallies
    title: str | None = None

    def to_json(self) -> dict:
        return {"fact_id": self.fact_id, "region": self.region, "value": _plain(self.value), "file": self.file,
                "evidence": self.evidence, "cell": self.cell}

    @property
    def where(self) -> str:
        """'白沙镇总工会2024年工作总结.txt：“建会单位365家”' or '统计表.xlsx!D7'."""
        if self.cell:
            return f"{self.file or '统计表'}!{self.cell}"
        return f"{self.file or self.title or '报告'}：“{self.evidence or ''}”"


@dataclass(frozen=True)
class Stored:
    """A region's figure for one metric, year and period as the dashboard shows it."""

    region_id: int
    region: str
    metric: str
    year: int
    period: str
    value: float | None
    approx: str | None = None
    conflict: bool = False
    from_children: bool = False
    reported: int = 0  # children that reported (for a sum)
    children: int = 0  # children due to report (for a sum)
    sources: tuple[Source, ...] = field(default_factory=tuple)
    complete: bool = True  # the dashboard's rule: own figure, or every child due reported

    @property
    def partial(self) -> bool:
        return not self.complete


def _plain(v: float | None) -> float | int | None:
    return int(v) if isinstance(v, float) and v.is_integer() else v


class Store:
    """Stored figures of one database, fetched per region, year and period and kept for one check or draft."""

    def __init__(self, path: PathLike = None) -> None:
        self.path = path
        regions = queries.regions(path)
        self.regions = regions
        self._names = dict(zip(regions["id"].astype(int), regions["name"], strict=True))
        self._cells: dict[tuple[int, str], dict[tuple[str, int], Stored]] = {}
        self._years: tuple[int, int] | None = None
        self._resolved: dict[str, int | None] = {}

    def name(self, region_id: int) -> str:
        return self._names.get(int(region_id), str(region_id))

    def region_id(self, name: str | None) -> int | None:
        """The registered region for a name as a draft writes it (aliases, 总工会 suffixes); None when unknown."""
        if not name:
            return None
        if name not in self._resolved:
            with reader(self.path) as con:
                self._resolved[name] = RegionResolver(con).resolve(name)
        return self._resolved[name]

    def get(self, region_id: int, metric: str, year: int, period: str) -> Stored | None:
        """The stored figure, or None when the database has none (a gap is never a zero)."""
        key = (int(region_id), period)
        if key not in self._cells:
            self._cells[key] = self._load(*key)
        return self._cells[key].get((metric, int(year)))

    def _load(self, region_id: int, period: str) -> dict[tuple[str, int], Stored]:
        """Every year's figures of one region and period: one snapshot query and one read of the facts."""
        if self._years is None:
            self._years = queries.year_bounds(self.path) or (0, -1)
        y0, y1 = self._years
        if y0 > y1:
            return {}
        df = queries.trend(list(load_catalog()), [region_id], y0, y1, [period], path=self.path)
        df = df[df["value"].notna()]
        groups: dict[tuple[str, int, bool], list[Source]] = {}
        for f in _winning_facts(region_id, period, self.path).to_dict("records"):
            groups.setdefault((f["metric"], int(f["year"]), bool(f["own"])), []).append(
                Source(int(f["id"]), f["region"], float(f["value"]), _str(f["file"]), _str(f["evidence"]),
                       _str(f["source_cell"]), _str(f["doc_title"])))
        out = {}
        for r in df.to_dict("records"):
            kids = bool(r["from_children"])
            year = int(r["year"])
            out[(r["metric"], year)] = Stored(
                region_id, self.name(region_id), r["metric"], year, period, float(r["value"]),
                r["approx"] if isinstance(r["approx"], str) else None, bool(r["conflict"]), kids,
                int(r["n_children"]) if kids else 0, int(r["n_expected"]) if kids else 0,
                tuple(groups.get((r["metric"], year, not kids), ())), bool(r["complete"]))
        return out


def _str(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def _winning_facts(region_id: int, period: str, path: PathLike) -> pd.DataFrame:
    """The fact each cell of this region and of its children counts (the snapshot's pick: confidence, then id;
    which facts count: etl.vocab.counted_sql)."""
    return query_df(
        f"""
        SELECT * EXCLUDE (rk) FROM (
            SELECT f.id, f.region_id, r.name AS region, f.metric, f.year, f.value, f.evidence, f.source_cell,
                   fl.name AS file, d.title AS doc_title, f.region_id = $region AS own,
                   row_number() OVER (PARTITION BY f.region_id, f.metric, f.year
                                      ORDER BY f.confidence DESC, f.id DESC) AS rk
            FROM facts f
            JOIN batches b ON b.id = f.batch_id AND b.status = 'loaded'
            JOIN regions r ON r.id = f.region_id
            LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
            LEFT JOIN documents d ON d.doc_id = f.doc_id AND d.batch_id = f.batch_id
            WHERE {counted_sql("f")} AND f.period = $period
              AND (f.region_id = $region OR r.parent_id = $region)
        ) WHERE rk = 1 ORDER BY region, metric, year
        """,
        {"region": int(region_id), "period": period},
        path=path,
    )


def is_complete(store: Store, region_id: int, metric: str, year: int, period: str) -> bool:
    """Is this period complete for this region and metric?

    The project's one rule (etl/reporting.py, applied by the dashboard's snapshot): the region reported
    the metric itself, or every child due to report to it that year (not marked 不适用) did.
    """
    s = store.get(region_id, metric, year, period)
    return s is not None and s.value is not None and s.complete


def federation(path: PathLike = None) -> str | None:
    """The region a draft speaks for unless told otherwise: the configured federation's area
    (etl/directory.py; None before the set-up)."""
    fed = queries.federation(path)
    return fed.region if fed else None


def latest_year(period: str = "FY", path: PathLike = None) -> int | None:
    """The year a draft without one is about: the federation's last complete year of this period
    (dashboard.queries.last_complete_year), else the last year with a countable figure."""
    fed = queries.federation(path)
    last = queries.last_complete_year([fed.region_id], period, path) if fed else None
    if last is not None:
        return last
    df = snapshot.query_df("SELECT max(year) AS y FROM cells WHERE period = $p", {"p": period}, path=path)
    y = df["y"].iloc[0]
    return None if pd.isna(y) else int(y)
