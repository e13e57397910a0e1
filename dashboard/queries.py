"""Every SQL the dashboard runs: parametrised only, one DataFrame per call.

User choices (regions, metrics, years, periods) always travel as bound
parameters ($name), never as text pasted into SQL. The rules users rely on
live here, once:

- which facts count is etl.vocab.counted_sql (active, in a loaded batch, with
  a value, year, period and region, no template / unknown_year /
  placeholder_region / duplicate_document flag); the others are counted by
  `excluded`, so pages can say how many and link to review;
- one value per cell (region × metric × year × period): the most confident,
  then the latest; a cell whose sources disagree is marked `conflict`;
- a selected region shows its own reported figure, or else the sum of the
  children due to report to it (never for rates), `complete` only when every
  one of them reported (`n_children` of `n_expected`; the rule and its data:
  etl/reporting.py, dashboard/snapshot.py), `partial` otherwise; rates are
  never added across regions;
- a renamed or merged town is one line: before it existed, its predecessors'
  figures stand for it (`via` names them); per-town views list every town
  that was due, a town that did not report as `status` 'missing' (not absent);
- H1 and FY stay separate rows; stocks are never summed over periods (see
  `range_total` for flows); missing years come back as NaN rows, not zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from dashboard import snapshot
from dashboard.db import query_df
from etl.vocab import PERIOD_ZH, PERIODS

PathLike = Path | str | None

# Cell filter on the snapshot's `cells` / `rollup` tables (alias c).
_CELL_FILTER = """
    c.metric IN (SELECT unnest($metrics::VARCHAR[]))
    AND c.year BETWEEN $y0 AND $y1
    AND c.period IN (SELECT unnest($periods::VARCHAR[]))
"""

_SEL = "sel AS (SELECT DISTINCT unnest($regions::INTEGER[]) AS sel_id)"

# The towns under the selected regions, a renamed or merged one as the region it became (a region without
# children stands for itself).
_SCOPE = """
    scope AS MATERIALIZED (
        SELECT DISTINCT l.current_id AS region_id FROM regions r JOIN sel ON r.parent_id = sel.sel_id
        JOIN lineage l ON l.region_id = r.id
        UNION
        SELECT sel_id FROM sel WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.parent_id = sel.sel_id)
    ),"""

# How many children a parent (alias c: rollup-like, parent_id, metric, year, period) waited for: those due that
# year, less those marked 不适用 for that metric and period.
_N_EXPECTED = """
    coalesce((SELECT d.n_expected FROM due d WHERE d.parent_id = c.parent_id AND d.year = c.year), 0)
    - (SELECT count(*) FROM exempt x JOIN expected e ON e.region_id = x.region_id AND e.year = x.year
       WHERE e.parent_id = c.parent_id AND x.year = c.year AND coalesce(x.metric, c.metric) = c.metric
         AND coalesce(x.period, c.period) = c.period)"""


def _params(metrics: Sequence[str], y0: int, y1: int, periods: Sequence[str], regions: Sequence[int]) -> dict:
    return {"metrics": list(metrics), "y0": int(y0), "y1": int(y1), "periods": list(periods),
            "regions": [int(r) for r in regions]}


def regions(path: PathLike = None) -> pd.DataFrame:
    """All regions in hierarchy order with their depth (0 = top)."""
    return snapshot.query_df(
        """
        WITH RECURSIVE tree(id, name, level, parent_id, depth, sort_key) AS (
            SELECT id, name, level, parent_id, 0, [name] FROM regions
            WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM regions)
            UNION ALL
            SELECT r.id, r.name, r.level, r.parent_id, t.depth + 1, list_append(t.sort_key, r.name)
            FROM regions r JOIN tree t ON r.parent_id = t.id
        )
        SELECT id, name, level, parent_id, depth,
               (SELECT count(*) FROM regions c WHERE c.parent_id = tree.id) AS n_children
        FROM tree ORDER BY sort_key
        """,
        path=path,
    )


def metrics(path: PathLike = None) -> pd.DataFrame:
    """The metric catalog as stored in the database."""
    return snapshot.query_df("SELECT code, category, name_zh, unit, kind FROM metrics ORDER BY category, code",
                             path=path)


def year_bounds(path: PathLike = None) -> tuple[int, int] | None:
    """First and last year that has a countable fact, or None for an empty database."""
    df = snapshot.query_df("SELECT min(year) AS lo, max(year) AS hi FROM cells", path=path)
    lo, hi = df.iloc[0]["lo"], df.iloc[0]["hi"]
    return None if pd.isna(lo) else (int(lo), int(hi))


def trend(metrics: Sequence[str], regions: Sequence[int], y0: int, y1: int,
          periods: Sequence[str] = PERIODS, path: PathLike = None) -> pd.DataFrame:
    """One value per metric × year × period for the selection as a whole.

    Each selected region gives its own figure (a renamed or merged town: its predecessors' before it
    existed), or the sum of the children due to report to it when it reported none; the selection is
    then added up (rates only for a single region). `n_children` of `n_expected` units reported;
    `complete` when all did (or the region reported itself) for every selected region, `partial`
    otherwise (several regions chosen and one lacks the figure, too): a partial figure is never
    compared with a complete one. `unit_word` names the units (镇街). Missing years are NaN rows
    so lines break instead of dropping to 0.
    """
    sql = f"""
    WITH {_SEL},
    mine AS (
        SELECT c.region_id AS sel_id, c.metric, c.year, c.period, c.value, c.approx, c.conflict,
               false AS from_children, c.n_parts AS n_children, c.m_parts AS n_expected, c.via
        FROM own c JOIN sel ON c.region_id = sel.sel_id WHERE {_CELL_FILTER}
    ),
    kids AS (
        SELECT c.parent_id, c.metric, c.year, c.period, c.value, c.approx, c.conflict, true, c.n_children,
               {_N_EXPECTED}, NULL
        FROM rollup c JOIN sel ON c.parent_id = sel.sel_id WHERE {_CELL_FILTER}
          AND NOT EXISTS (SELECT 1 FROM mine o WHERE o.sel_id = c.parent_id AND o.metric = c.metric
                          AND o.year = c.year AND o.period = c.period)
    ),
    per_sel AS (SELECT * FROM mine UNION ALL SELECT * FROM kids)
    SELECT p.metric, p.year, p.period,
           CASE WHEN m.unit = '%' AND count(*) > 1 THEN NULL ELSE sum(p.value) END AS value,
           CASE WHEN count(*) = 1 THEN any_value(p.approx) WHEN bool_or(p.approx IS NOT NULL) THEN 'about' END
               AS approx, bool_or(p.conflict) AS conflict,
           bool_or(p.from_children) AS from_children,
           -- complete: each selected region's figure is (own, or all its children due), and every one has one
           bool_and(p.n_children >= p.n_expected) AND count(DISTINCT p.sel_id) = (SELECT count(*) FROM sel)
               AS complete,
           count(*) AS n_regions, sum(p.n_children) AS n_children, sum(p.n_expected) AS n_expected,
           string_agg(p.via, '、') AS via
    FROM per_sel p JOIN metrics m ON m.code = p.metric
    GROUP BY p.metric, p.year, p.period, m.unit
    """
    df = snapshot.query_df(sql, _params(metrics, y0, y1, periods, regions), path=path)
    df = df[df["value"].notna()]
    df = df.assign(partial=~df["complete"].astype(bool))
    out = complete_years(df, pd.DataFrame({"metric": list(metrics)}), y0, y1, periods)
    out["unit_word"] = unit_word(regions, path)
    return _label(out, path)


def last_complete_year(regions: Sequence[int], period: str = "FY", path: PathLike = None) -> int | None:
    """The newest year whose figures for the selection are all complete (`trend`'s rule), or None.

    What headlines, the deck's default range and a draft without a year are about: a newer year in which
    only some towns have reported is shown as partial beside it, never instead of it.
    """
    bounds = year_bounds(path)
    if bounds is None or not regions:
        return None
    t = trend(_catalog_codes(), regions, bounds[0], bounds[1], [period], path=path)
    t = t[t["value"].notna()]
    whole = t.groupby("year")["complete"].all()
    return int(whole[whole].index.max()) if whole.any() else None


def unit_word(regions: Sequence[int], path: PathLike = None) -> str:
    """What the selection's reporting units are called (镇街 under a district), from the directory's rules."""
    from etl.federation import count_word

    levels = snapshot.query_df("SELECT DISTINCT level FROM regions WHERE id IN (SELECT unnest($ids::INTEGER[]))",
                               {"ids": [int(r) for r in regions]}, path=path)["level"].tolist()
    return count_word(levels[0] if len(levels) == 1 else None)


def by_region(metrics: Sequence[str], regions: Sequence[int], y0: int, y1: int,
              periods: Sequence[str] = PERIODS, top: int | None = None, path: PathLike = None) -> pd.DataFrame:
    """Per-town cells: a selected region with children is replaced by its children.

    Every town that was due to report shows, the ones that did not as `status` 'missing' (or 'exempt':
    marked 不适用) with no value: missing, not absent. A renamed or merged town is one row under its
    current name, its predecessors' figures standing for it before it existed (`via`; `partial` when not
    all of them reported). `top` keeps only the N towns with the largest value of the first metric in the
    last year of the range when there are more than N (small multiples and heat maps of 40,000 towns help
    nobody).
    """
    sql = f"""
    WITH {_SEL}, {_SCOPE}
    leaders AS (
        SELECT c.region_id FROM own c JOIN scope USING (region_id)
        WHERE c.metric = $metrics[1] AND c.period = $periods[1]
          AND c.year = (SELECT max(year) FROM cells x
                        WHERE x.metric = $metrics[1] AND x.period = $periods[1] AND x.year BETWEEN $y0 AND $y1
                          AND x.region_id IN (SELECT region_id FROM scope))
        ORDER BY c.value DESC LIMIT coalesce($top, 2147483647)
    ),
    pick AS MATERIALIZED (  -- the towns to return: the leaders, or the whole scope when it is small enough
        SELECT region_id FROM leaders WHERE $top IS NOT NULL AND (SELECT count(*) FROM scope) > $top
        UNION ALL SELECT region_id FROM scope WHERE $top IS NULL OR (SELECT count(*) FROM scope) <= $top
    ),
    due_rows AS MATERIALIZED (  -- (town, year) due: the town itself, or its predecessors, had to report
        SELECT DISTINCT l.current_id AS region_id, e.year
        FROM expected e JOIN sel ON e.parent_id = sel.sel_id JOIN lineage l ON l.region_id = e.region_id
        WHERE e.year BETWEEN $y0 AND $y1 AND l.current_id IN (SELECT region_id FROM pick)
    ),
    wanted AS (SELECT unnest($metrics::VARCHAR[]) AS metric),
    halves AS (SELECT unnest($periods::VARCHAR[]) AS period)
    SELECT c.region_id, r.name AS region, c.metric, c.year, c.period, c.value, c.approx, c.conflict, c.n_sources,
           c.via, c.n_parts < c.m_parts AS partial, 'reported' AS status
    FROM own c JOIN pick USING (region_id) JOIN regions r ON r.id = c.region_id
    WHERE {_CELL_FILTER}
    UNION ALL
    SELECT d.region_id, r.name, w.metric, d.year, h.period, NULL, NULL, false, 0, NULL, false,
           CASE WHEN EXISTS (
               SELECT 1 FROM exempt x JOIN lineage l ON l.region_id = x.region_id
               WHERE l.current_id = d.region_id AND x.year = d.year AND coalesce(x.metric, w.metric) = w.metric
                 AND coalesce(x.period, h.period) = h.period) THEN 'exempt' ELSE 'missing' END
    FROM due_rows d JOIN regions r ON r.id = d.region_id CROSS JOIN wanted w CROSS JOIN halves h
    WHERE NOT EXISTS (SELECT 1 FROM own o WHERE o.region_id = d.region_id AND o.metric = w.metric
                      AND o.year = d.year AND o.period = h.period)
    """
    params = {**_params(metrics, y0, y1, periods, regions), "top": top}
    df = snapshot.query_df(sql, params, path=path)
    if int(y0) != int(y1) or len(periods) > 1:  # one year, one period: there is no gap to draw
        df = complete_years(df, df[["region_id", "region", "metric"]], y0, y1, periods)
    return _label(df.sort_values(["region", "metric", "year", "period"], ignore_index=True), path)


def changes(metrics: Sequence[str], regions: Sequence[int], year: int, period: str = "FY", n: int = 8,
            path: PathLike = None) -> pd.DataFrame:
    """The n town × metric pairs whose `year` value moved most against the year before.

    Relative change for counts and money, percentage points for rates; computed
    in SQL so 40,000 towns never travel to pandas.
    """
    sql = f"""
    WITH {_SEL}, {_SCOPE}
    cur AS (
        SELECT c.* FROM own c JOIN scope USING (region_id)
        WHERE c.metric IN (SELECT unnest($metrics::VARCHAR[])) AND c.year = $year AND c.period = $period
          AND c.n_parts = c.m_parts
    ),
    prev AS (  -- a merged town's year before: its parts' sum, only when every part reported
        SELECT c.* FROM own c JOIN scope USING (region_id)
        WHERE c.metric IN (SELECT unnest($metrics::VARCHAR[])) AND c.year = $year - 1 AND c.period = $period
          AND c.n_parts = c.m_parts
    ),
    pairs AS (
        SELECT c.region_id, c.metric, c.value, c.approx, p.value AS prev, m.unit,
               CASE WHEN m.unit = '%' THEN abs(c.value - p.value)
                    WHEN p.value <> 0 THEN abs(c.value - p.value) / abs(p.value) * 100 END AS score
        FROM cur c JOIN prev p USING (region_id, metric)
        JOIN metrics m ON m.code = c.metric
    )
    SELECT r.name AS region, pairs.metric, $year AS year, pairs.value, pairs.approx, pairs.prev, pairs.score
    FROM pairs JOIN regions r ON r.id = pairs.region_id
    WHERE score IS NOT NULL ORDER BY score DESC, region LIMIT $n
    """
    params = {"metrics": list(metrics), "regions": [int(r) for r in regions], "year": int(year),
              "period": period, "n": int(n)}
    return _label(snapshot.query_df(sql, params, path=path), path)


def region_profile(region_id: int, y0: int = 1900, y1: int = 2100, path: PathLike = None) -> pd.DataFrame:
    """Every metric over time for one region's own reports (gaps as NaN)."""
    sql = f"""
    SELECT c.metric, c.year, c.period, c.value, c.approx, c.conflict, c.n_sources, c.via,
           c.n_parts < c.m_parts AS partial
    FROM own c WHERE c.region_id = $region AND {_CELL_FILTER}
    """
    params = _params(_catalog_codes(), y0, y1, PERIODS, [])
    params.pop("regions")
    params["region"] = int(region_id)
    df = snapshot.query_df(sql, params, path=path)
    if df.empty:
        return _label(df, path)
    lo, hi = int(df["year"].min()), int(df["year"].max())
    return _label(complete_years(df, df[["metric"]], lo, hi, PERIODS), path)


def region_files(region_id: int, path: PathLike = None) -> pd.DataFrame:
    """The uploads (files and batches) that gave this region's facts."""
    return query_df(
        """
        SELECT fl.name AS file, fl.kind, f.batch_id, b.created_at, b.status AS batch_status,
               count(*) AS n_facts, count(*) FILTER (WHERE f.status = 'active') AS n_active,
               min(f.year) AS first_year, max(f.year) AS last_year
        FROM facts f
        JOIN batches b ON b.id = f.batch_id
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        WHERE f.region_id = $region
        GROUP BY ALL ORDER BY b.created_at DESC, file
        """,
        {"region": int(region_id)},
        path=path,
    )


def sources(region_id: int, metric: str, year: int, period: str, path: PathLike = None) -> pd.DataFrame:
    """Every fact ever loaded for one cell (any status), with its file text for highlighting."""
    return query_df(
        """
        SELECT f.id, f.value, f.unit, f.approx, f.status, f.supersedes, f.reviewed_by, f.confidence,
               f.needs_review, f.flags,
               f.evidence, f.start_offset, f.end_offset, f.source_cell, f.source_file, f.doc_id, f.batch_id,
               b.status AS batch_status, b.created_at, fl.name AS file, fl.kind AS file_kind, fl.text,
               d.title AS doc_title
        FROM facts f
        JOIN batches b ON b.id = f.batch_id
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        LEFT JOIN documents d ON d.doc_id = f.doc_id AND d.batch_id = f.batch_id
        WHERE f.region_id = $region AND f.metric = $metric AND f.year = $year AND f.period = $period
        ORDER BY (f.status = 'active' AND b.status = 'loaded') DESC, f.confidence DESC, f.id DESC
        """,
        {"region": int(region_id), "metric": metric, "year": int(year), "period": period},
        path=path,
    )


def figure_history(region_id: int, metric: str, year: int, period: str, path: PathLike = None) -> pd.DataFrame:
    """What happened to one figure, oldest first: who loaded, corrected, accepted, rejected, undid (etl/audit.py)."""
    from dashboard.db import reader
    from etl.audit import figure_history as history

    with reader(path) as con:
        rows = history(con, region_id, metric, year, period)
    return pd.DataFrame(rows, columns=["when", "who", "via", "action", "batch_id", "what"])


def excluded(metrics: Sequence[str], y0: int, y1: int, path: PathLike = None) -> pd.DataFrame:
    """Active facts of these metrics that charts leave out, counted by reason (year unknown counts always)."""
    return snapshot.query_df(
        """
        SELECT reason, sum(n)::BIGINT AS n FROM excluded
        WHERE reason IS NOT NULL AND metric IN (SELECT unnest($metrics::VARCHAR[]))
          AND (year IS NULL OR year BETWEEN $y0 AND $y1)
        GROUP BY reason ORDER BY n DESC, reason
        """,
        {"metrics": list(metrics), "y0": int(y0), "y1": int(y1)},
        path=path,
    )


def review_total(path: PathLike = None) -> int:
    """How many facts wait for a person."""
    return int(snapshot.query_df("SELECT count(*) AS n FROM review_ids", path=path)["n"].iloc[0])


def review_queue(limit: int = 500, path: PathLike = None) -> pd.DataFrame:
    """The `limit` most urgent active, unreviewed facts: conflicts first, then the least confident.

    Listed: low confidence, any flag, conflicting sources, or anything that keeps a fact out of figures
    (vocab.excluded_reason_sql: no year, no region, waiting for the confirmation its extractor asked for).
    """
    ids = snapshot.query_df("SELECT id, conflict FROM review_ids ORDER BY conflict DESC, confidence, id LIMIT $n",
                            {"n": int(limit)}, path=path)
    df = query_df(
        """
        WITH picked AS MATERIALIZED (  -- pick the few rows first, then join (10x faster at 10M facts)
            SELECT * FROM facts
            WHERE id IN (SELECT unnest($ids::BIGINT[])) AND status = 'active' AND reviewed_by IS NULL
        )
        SELECT f.id, coalesce(r.name, f.region_raw) AS region, f.region_id, f.metric, m.name_zh AS metric_zh,
               f.value, f.unit, f.approx, f.year, f.period, f.confidence, f.needs_review, f.flags,
               f.evidence, f.source_cell, fl.name AS file
        FROM picked f
        LEFT JOIN regions r ON r.id = f.region_id
        LEFT JOIN metrics m ON m.code = f.metric
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        """,
        {"ids": [int(i) for i in ids["id"]]},
        path=path,
    )
    df = df.merge(ids, on="id", how="left")
    df["conflict"] = df["conflict"].fillna(False).astype(bool)
    return df.sort_values(["conflict", "confidence", "id"], ascending=[False, True, True], ignore_index=True)


def review_fact(fact_id: int, path: PathLike = None) -> pd.DataFrame:
    """One active fact in review_queue's columns, reviewed or not (审核 corrects any figure a chart shows)."""
    df = query_df(
        """
        SELECT f.id, coalesce(r.name, f.region_raw) AS region, f.region_id, f.metric, m.name_zh AS metric_zh,
               f.value, f.unit, f.approx, f.year, f.period, f.confidence, f.needs_review, f.flags,
               f.evidence, f.source_cell, fl.name AS file, false AS conflict
        FROM facts f
        LEFT JOIN regions r ON r.id = f.region_id
        LEFT JOIN metrics m ON m.code = f.metric
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        WHERE f.id = $id AND f.status = 'active'
        """,
        {"id": int(fact_id)},
        path=path,
    )
    return df


# ---------------------------------------------------------------- pandas helpers (no SQL)

def complete_years(df: pd.DataFrame, keys: pd.DataFrame, y0: int, y1: int, periods: Sequence[str]) -> pd.DataFrame:
    """Add NaN rows for every missing year of every key combination so charts show gaps, never zeros."""
    frame = pd.MultiIndex.from_product([range(int(y0), int(y1) + 1), list(periods)], names=["year", "period"])
    grid = keys.drop_duplicates().merge(frame.to_frame(index=False), how="cross")
    out = grid.merge(df, on=[*keys.columns, "year", "period"], how="left")
    for col in ("approx", "via", "status"):
        if col in out:
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    for col in ("conflict", "from_children", "partial"):
        if col in out:
            out[col] = out[col].astype("boolean").fillna(False).astype(bool)
    if "complete" in out:  # a year with no figure is neither: it is a gap
        out["complete"] = out["complete"].astype("boolean").fillna(False).astype(bool)
    return out


def _catalog_codes() -> list[str]:
    from etl.catalog import load_catalog

    return list(load_catalog())


def _label(df: pd.DataFrame, path: PathLike) -> pd.DataFrame:
    """Attach the metric's Chinese name, unit and kind, and the period's Chinese label."""
    from etl.catalog import load_catalog

    cat = load_catalog()
    out = df.copy()
    if "metric" in out:
        codes = out["metric"].astype(str)
        out["name_zh"] = codes.map({c: m.name_zh for c, m in cat.items()}).fillna(codes)
        out["unit"] = codes.map({c: m.unit for c, m in cat.items()}).fillna("")
        out["kind"] = codes.map({c: m.kind for c, m in cat.items()}).fillna("")
    if "period" in out:
        out["period_zh"] = out["period"].map(PERIOD_ZH)
    return out


def range_total(df: pd.DataFrame) -> pd.DataFrame:
    """Per metric over the whole year range: flows add up FY values; stocks take the latest FY value.

    H1 is part of FY, so only FY rows count; stocks are never summed. Only complete years count (a
    partial year's sum is of the towns that reported): the basis says which years were left out.
    """
    fy = df[(df["period"] == "FY") & df["value"].notna()]
    rows = []
    for metric, g in fy.groupby("metric", sort=False):
        kind = g["kind"].iloc[0]
        partial = g[g["partial"]] if "partial" in g else g.iloc[0:0]
        whole = g.drop(partial.index)
        left_out = f"，{'、'.join(str(int(y)) for y in sorted(partial['year']))}年未报齐不计" if len(partial) else ""
        if whole.empty:
            continue
        if kind == "flow":
            rows.append((metric, whole["value"].sum(), f"{whole['year'].min()}–{whole['year'].max()}年累计{left_out}",
                         len(whole)))
        else:
            last = whole.sort_values("year").iloc[-1]
            rows.append((metric, last["value"], f"{int(last['year'])}年末", len(whole)))
    return pd.DataFrame(rows, columns=["metric", "value", "basis", "n_years"])


# ---------------------------------------------------------------- the federation and completeness

def directory(path: PathLike = None) -> pd.DataFrame:
    """The directory as a table, parents before children, with each unit's depth and whether it reports
    to its parent (its figures add up into the parent's and it is waited for)."""
    from dashboard.db import reader
    from etl.directory import rows
    from etl.reporting import reporting_levels

    with reader(path) as con:
        entries = rows(con)
    level = {e.name: e.level for e in entries}
    parent = {e.name: e.parent for e in entries}
    pairs = set(reporting_levels())

    def depth(name: str) -> int:
        d, p = 0, parent.get(name)
        while p is not None and d < 32:
            d, p = d + 1, parent.get(p)
        return d

    return pd.DataFrame([{
        "name": e.name, "depth": depth(e.name), "level": e.level, "parent": e.parent, "code": e.code,
        "aliases": "、".join(e.aliases), "first_year": e.first_year, "last_year": e.last_year,
        "successor": e.successor, "reports": (level.get(e.parent or ""), e.level) in pairs,
    } for e in entries], columns=["name", "depth", "level", "parent", "code", "aliases", "first_year", "last_year",
                                  "successor", "reports"])


def federation(path: PathLike = None):  # -> etl.federation.Federation | None
    """The configured federation (None before the set-up): titles use its name (or the settings' `federation`)."""
    from dashboard.db import reader, settings
    from etl.federation import current, named

    with reader(path) as con:
        return named(current(con), settings().federation)


def reporting_grid(parent_id: int, year: int, period: str, path: PathLike = None) -> pd.DataFrame:
    """Every unit due to report to `parent_id` × every metric reported that year and period by anyone there.

    One row per unit and metric: the value counted, the file it came from, when the first counted figure
    arrived (`received`: the batch's received_on), and the 不适用 mark in force (`exemption_id`, `reason`).
    The status (已报 / 逾期报送 / 未报 / 未到期 / 不适用) is etl.reporting.status of these.
    """
    from etl.reporting import reporting_levels
    from etl.vocab import counted_sql

    pairs = reporting_levels()
    return query_df(
        f"""
        WITH rl AS (SELECT unnest($rl_parent::VARCHAR[]) AS parent_level, unnest($rl_child::VARCHAR[]) AS child_level),
        kids AS (
            SELECT r.id, r.name, r.code FROM regions r JOIN regions p ON p.id = r.parent_id
            JOIN rl ON rl.parent_level = p.level AND rl.child_level = r.level
            WHERE r.parent_id = $parent AND $year BETWEEN coalesce(r.first_year, 0) AND coalesce(r.last_year, 9999)
        ),
        got AS (
            SELECT f.region_id, f.metric, min(coalesce(b.received_on, CAST(b.created_at AS DATE))) AS received,
                   arg_max(f.value, f.confidence * 1e12 + f.id) AS value,
                   arg_max(coalesce(fl.name, ''), f.confidence * 1e12 + f.id) AS file,
                   arg_max(coalesce(f.source_cell, f.evidence, ''), f.confidence * 1e12 + f.id) AS place
            FROM facts f JOIN batches b ON b.id = f.batch_id
            LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
            WHERE {counted_sql("f")} AND f.year = $year AND f.period = $period
              AND f.region_id IN (SELECT id FROM kids)
            GROUP BY ALL
        ),
        wanted AS (
            SELECT DISTINCT metric FROM got
            UNION SELECT DISTINCT f.metric FROM facts f  -- what the parent itself reported counts too
            WHERE {counted_sql("f")} AND f.year = $year AND f.period = $period AND f.region_id = $parent
        ),
        ex AS (
            SELECT region_id, metric, id, reason, created_by FROM reporting_exemptions
            WHERE revoked_at IS NULL AND year = $year AND coalesce(period, $period) = $period
        )
        SELECT k.id AS region_id, k.name AS region, w.metric, g.value, g.received, g.file, g.place,
               x.id AS exemption_id, x.metric AS exempt_metric, x.reason, x.created_by AS exempted_by
        FROM kids k CROSS JOIN wanted w
        LEFT JOIN got g ON g.region_id = k.id AND g.metric = w.metric
        LEFT JOIN ex x ON x.region_id = k.id AND coalesce(x.metric, w.metric) = w.metric
        ORDER BY k.code NULLS LAST, k.name, w.metric
        """,
        {"parent": int(parent_id), "year": int(year), "period": period,
         "rl_parent": [p for p, _ in pairs], "rl_child": [c for _, c in pairs]},
        path=path,
    ).pipe(lambda df: _label(df, path))
