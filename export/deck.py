"""The presentation deck: an ordered list of slides, each one chart built from dashboard.queries + dashboard.charts.

A slide is data (title, subtitle, figure, table of the figures shown, speaker
notes with figures and sources), so the same deck drives the 汇报模式 page, the
PPTX, the PNGs and the .xlsx. Slides are registered in `SLIDES` by key;
`DEFAULT_DECK` is the ready-made 年度工作汇报, which the presenter reorders and
trims by passing another list of keys. No streamlit here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, fmt, queries, snapshot, targets
from dashboard import db as dashboard_db
from dashboard.db import query_df
from etl.catalog import load_catalog
from etl.vocab import PERIOD_ZH, counted_sql

PathLike = Path | str | None
TOP_BOTTOM_N = 5
SLIDE_ROWS = 12  # towns on one slide's ranking or heat map: more rows would shrink their text below 18 pt


@dataclass(frozen=True)
class DeckContext:
    """What the deck covers: regions, years, one period (年度汇报 = FY), and which database."""

    region_ids: tuple[int, ...]
    region_names: tuple[str, ...]
    year_from: int
    year_to: int
    period: str = "FY"
    path: PathLike = None
    federation: str | None = None  # the federation's name, for a deck of its whole area (etl/directory.py)
    unit_word: str = "个下级"  # what its reporting units are called: 4/7镇街

    @property
    def empty(self) -> bool:
        """No region or no year with data: nothing to present yet."""
        return not self.region_ids or not self.year_to

    @property
    def place(self) -> str:
        names = self.region_names
        if not names:
            return "全部地区"
        return "、".join(names) if len(names) <= 3 else f"{names[0]}等{len(names)}个地区"

    @property
    def years(self) -> str:
        if not self.year_to:
            return "暂无年份"
        return f"{self.year_from}年" if self.year_from == self.year_to else f"{self.year_from}–{self.year_to}年"

    @classmethod
    def from_db(cls, path: PathLike = None, region_ids: Sequence[int] | None = None,
                years: tuple[int, int] | None = None, period: str = "FY", federation: str | None = None
                ) -> DeckContext:
        """Defaults as the dashboard's: the federation's area, from its first year to its last complete one.

        The cover names the configured federation (`federation` overrides its name, as the setting does);
        a deck of chosen regions is named after them. No set-up and no regions chosen: DirectoryError.
        """
        from etl.directory import DirectoryError
        from etl.federation import directory_rules, named

        regions = queries.regions(path)
        fed = named(queries.federation(path), federation)
        if region_ids is None:
            if fed is None:
                raise DirectoryError(directory_rules()["messages"]["no_federation"])
            region_ids = [fed.region_id]
        names = dict(zip(regions["id"].astype(int), regions["name"], strict=True))
        if years is None:
            years = period_years(period, path, region_ids) or queries.year_bounds(path) or (0, 0)
        whole = fed is not None and list(region_ids) == [fed.region_id]
        return cls(tuple(int(i) for i in region_ids), tuple(names.get(int(i), str(i)) for i in region_ids),
                   int(years[0]), int(years[1]), period, path, fed.name if whole else None,
                   queries.unit_word(region_ids, path))


@dataclass
class Slide:
    """One chart slide, everything the page, the PPTX and the .xlsx need."""

    key: str
    title: str
    subtitle: str
    figure: go.Figure
    notes: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_data(self) -> bool:
        return not self.table.empty


@dataclass(frozen=True)
class SlideDef:
    label: str  # the name in the page's slide picker
    build: Callable[[DeckContext], Slide]


def period_years(period: str, path: PathLike = None, regions: Sequence[int] = ()) -> tuple[int, int] | None:
    """First and last year with a countable fact of this period (a 全年 deck does not end in a half year).

    With `regions`, the last year is their last complete one (queries.last_complete_year): a year in
    which only some towns have reported is not a deck's default end.
    """
    df = snapshot.query_df("SELECT min(year) AS lo, max(year) AS hi FROM cells WHERE period = $p", {"p": period},
                           path=path)
    lo, hi = df.iloc[0]["lo"], df.iloc[0]["hi"]
    if pd.isna(lo):
        return None
    last = queries.last_complete_year(regions, period, path) if regions else None
    return int(lo), int(last if last is not None and last >= lo else hi)


# ------------------------------------------------------------------ sources and notes

def sources(ctx: DeckContext, metrics: Sequence[str], years: Sequence[int] | None = None,
            towns: bool = True) -> pd.DataFrame:
    """Files behind the countable facts of these metrics in the deck's regions, or in their towns.

    `years` limits to the years a chart shows from that level (default: the deck's range).
    """
    years = list(range(ctx.year_from, ctx.year_to + 1)) if years is None else [int(y) for y in years]
    return query_df(
        f"""
        WITH sel AS (SELECT DISTINCT unnest($regions::INTEGER[]) AS id),
        kids AS (SELECT r.id FROM regions r JOIN sel ON r.parent_id = sel.id),
        scope AS (SELECT id FROM sel WHERE NOT $towns OR NOT EXISTS (SELECT 1 FROM kids)
                  UNION SELECT id FROM kids WHERE $towns)
        SELECT coalesce(fl.name, '（未知文件）') AS file, coalesce(fl.kind, '') AS kind, count(*) AS n_facts,
               max(b.created_at) AS loaded_at
        FROM facts f
        JOIN batches b ON b.id = f.batch_id AND b.status = 'loaded'
        LEFT JOIN files fl ON fl.sha256 = f.source_file AND fl.batch_id = f.batch_id
        WHERE {counted_sql("f")}
          AND f.metric IN (SELECT unnest($metrics::VARCHAR[]))
          AND f.year IN (SELECT unnest($years::INTEGER[])) AND f.period = $period
          AND f.region_id IN (SELECT id FROM scope)
        GROUP BY ALL ORDER BY n_facts DESC, file
        """,
        {"regions": list(ctx.region_ids), "metrics": list(metrics), "years": years, "towns": towns,
         "period": ctx.period},
        path=ctx.path,
    )


def source_line(src: pd.DataFrame, limit: int = 6) -> str:
    """'数据来源：12份工作报告、1份统计表' (the subtitle) from `sources`."""
    if src.empty:
        return "数据来源：无"
    n_rep = int((src["kind"] == "report").sum())
    n_tal = int((src["kind"] == "tally").sum())
    parts = [f"{n_rep}份工作报告"] * bool(n_rep) + [f"{n_tal}份统计表"] * bool(n_tal)
    other = len(src) - n_rep - n_tal
    parts += [f"{other}份其他文件"] * bool(other)
    return "数据来源：" + "、".join(parts)


def source_notes(src: pd.DataFrame, limit: int = 8) -> str:
    """The notes' source paragraph: counts, the files that gave most figures, when last loaded."""
    if src.empty:
        return "【来源】所选范围内没有可计入的数据。"
    names = "；".join(f"{r.file}（{r.n_facts}条）" for r in src.head(limit).itertuples())
    more = f"；另有{len(src) - limit}份文件" if len(src) > limit else ""
    when = pd.Timestamp(src["loaded_at"].max()).strftime("%Y-%m-%d")
    return f"【来源】{source_line(src)[5:]}，共{int(src['n_facts'].sum())}条数据（最近导入 {when}）：{names}{more}。"


def _kind(approx: object) -> str | bool | None:
    """The approximation kind as fmt.number takes it ('about', 'at_least', 'at_most'); None when exact or missing."""
    if isinstance(approx, str):
        return approx or None
    return True if isinstance(approx, bool) and approx else None


def _count(r: object, word: str = "") -> str:
    """'（4/7镇街已报）' for a partial figure, '' otherwise."""
    get = r.get if isinstance(r, dict | pd.Series) else lambda k, d=None: getattr(r, k, d)
    if not get("partial", False):
        return ""
    n, m = get("n_children"), get("n_expected")
    if n is None or m is None or pd.isna(n) or pd.isna(m):
        return "（不完整）"
    return f"（{int(n)}/{int(m)}{get('unit_word') or word}已报）"


def _series_lines(df: pd.DataFrame) -> list[str]:
    """One line per metric: every year's figure in Chinese formatting (a partial one with its count),
    then 同比 between the two latest complete years."""
    lines = []
    for name, g in df.groupby("name_zh", sort=False):
        g = g.sort_values("year")
        have = g[g["value"].notna()]
        if have.empty:
            continue
        unit = g["unit"].iloc[0]
        vals = "；".join(f"{int(r.year)}年 {fmt.number(r.value, unit, _kind(r.approx))}{_count(r._asdict())}"
                        for r in have.itertuples())
        whole = have[~have["partial"].astype(bool)] if "partial" in have else have
        if whole.empty:
            lines.append(f"{name}：{vals}（均不完整，不计算同比）")
            continue
        last = whole.iloc[-1]
        prev = whole.loc[whole["year"] == last["year"] - 1, "value"]
        yoy = fmt.arrow(last["value"], prev.iloc[0] if len(prev) else None, unit)
        lines.append(f"{name}：{vals}（{int(last['year'])}年{yoy}）")
    return lines


def _caveats(df: pd.DataFrame) -> list[str]:
    out = []
    if "approx" in df and any(_kind(a) for a in df["approx"]):
        out.append("标“约”“逾”“不足”的数字是报告中的约数（近、约、余、多、不足）。")
    if "conflict" in df and df["conflict"].fillna(False).astype(bool).any():
        out.append("部分数字各来源不一致，取置信度最高者，会前请在“数据来源”页核对。")
    partial = df[df["partial"].fillna(False).astype(bool) & df["value"].notna()] if "partial" in df else df.iloc[0:0]
    if len(partial):
        years = "、".join(f"{int(y)}年" for y in sorted(set(partial["year"])))
        out.append(f"{years}的数字只是已报单位的合计（括号内为已报数），不完整，不与其他年份比较，也不计算同比。")
    if "from_children" in df and df["from_children"].fillna(False).astype(bool).any():
        out.append("部分年份无本级报告，数字由下属镇（街道）汇总。")
    if "via" in df and df["via"].notna().any():
        out.append("更名、合并的镇（街道），之前年份的数字为其原镇之和。")
    return out


def _notes(headline: str, body: list[str], data: pd.DataFrame, src: pd.DataFrame, speech: Sequence[str] = ()) -> str:
    return "\n".join([f"【图表】{headline}", *body, *speech, *_caveats(data), source_notes(src)])


@lru_cache(maxsize=16)
def _paragraphs(ctx: DeckContext, version: tuple) -> dict:
    from writing.paragraphs import paragraphs

    return {p.area: p.text for p in paragraphs(ctx.region_names[0], ctx.year_to, ctx.period, path=ctx.path)}


def speech(ctx: DeckContext, metrics: Sequence[str]) -> list[str]:
    """The 起草数字段落 paragraph of the slide's area for the deck's last year ('【讲稿】…'), the same text the
    起草数字段落 page and `python -m export paragraphs` give; only for a deck about one region."""
    if len(ctx.region_ids) != 1 or ctx.empty:
        return []
    from etl.catalog import load_catalog

    area = load_catalog()[metrics[0]].category
    text = _paragraphs(ctx, dashboard_db.version(ctx.path)).get(area)
    return [f"【讲稿】{text}"] if text else []


# ------------------------------------------------------------------ slide builders

PARTIAL_NOTE = "不完整（仅已上报下级之和）"


def _marks(df: pd.DataFrame) -> pd.Series:
    """What a bare number in a spreadsheet cannot say: 约/逾/不足 (the report's own words) and a partial sum."""
    approx = df["approx"] if "approx" in df else pd.Series(None, index=df.index, dtype=object)
    partial = df["partial"].fillna(False).astype(bool) if "partial" in df else pd.Series(False, index=df.index)
    kinds = [fmt.APPROX_PREFIX.get(_kind(a), "") if _kind(a) else "" for a in approx]
    return pd.Series(["；".join(x for x in (k, PARTIAL_NOTE if p else "") if x) for k, p in zip(kinds, partial,
                                                                                            strict=True)],
                     index=df.index)


def _wide(df: pd.DataFrame, index: str, by_year: bool = False) -> pd.DataFrame:
    """Raw numbers for the .xlsx: one row per `index` value, one column per metric ('会员总数（人）') or year.

    Numbers stay numbers (they are summed and charted in Excel); a column with an approximate or partial
    figure gets a '…说明' column right after it that says so ('约', '逾', '不完整…'), as the charts do.
    """
    df = df[df["value"].notna()]
    if df.empty:
        return pd.DataFrame()
    if by_year:
        col = df["year"].astype(int).astype(str) + "年（" + df["unit"] + "）"
    else:
        col = df["name_zh"] + "（" + df["unit"] + "）"
    df = df.assign(col=col, mark=_marks(df))
    out = df.pivot_table(index=index, columns="col", values="value", aggfunc="first", sort=False)
    out.columns.name = None
    marks = df[df["mark"] != ""]
    if len(marks):
        notes = marks.pivot_table(index=index, columns="col", values="mark", aggfunc="first", sort=False)
        cols = []
        for c in out.columns:
            cols.append(c)
            if c in notes:
                out[f"{c}说明"] = notes[c].reindex(out.index).fillna("")
                cols.append(f"{c}说明")
        out = out[cols]
    out = out.reset_index().rename(columns={"year": "年份", "region": "地区"})
    if "年份" in out:
        out["年份"] = out["年份"].astype(int)
    return out


def _trend_sources(ctx: DeckContext, metrics: Sequence[str], df: pd.DataFrame) -> pd.DataFrame:
    """Own reports for the years the region reported itself, its towns' files for the years summed from them."""
    have = df[df["value"].notna()]
    kids = have["from_children"].fillna(False).astype(bool) if "from_children" in have else False
    own = sources(ctx, metrics, sorted(set(have.loc[~kids, "year"])), towns=False)
    summed = sources(ctx, metrics, sorted(set(have.loc[kids, "year"])), towns=True)
    return _merge_sources(own, summed)


def _merge_sources(*parts: pd.DataFrame) -> pd.DataFrame:
    """One row per file over several `sources` results, files of earlier parts listed first (notes cut the list)."""
    both = pd.concat([p.assign(part=i) for i, p in enumerate(parts) if len(p)] or [parts[0].assign(part=0)])
    out = both.groupby(["file", "kind"], as_index=False).agg(
        n_facts=("n_facts", "sum"), loaded_at=("loaded_at", "max"), part=("part", "min"))
    out = out.sort_values(["part", "n_facts", "file"], ascending=[True, False, True], ignore_index=True)
    return out.drop(columns="part")


def trend_slide(key: str, title: str, metrics: Sequence[str]) -> Callable[[DeckContext], Slide]:
    """A slide with the selection's yearly line(s) for these metrics."""

    def build(ctx: DeckContext) -> Slide:
        df = queries.trend(list(metrics), list(ctx.region_ids), ctx.year_from, ctx.year_to, [ctx.period],
                           path=ctx.path)
        src = _trend_sources(ctx, metrics, df)
        period = PERIOD_ZH[ctx.period]
        body = _series_lines(df)
        return Slide(key, title, f"{ctx.place} · {ctx.years}（{period}） · {source_line(src)}",
                     charts.trend(df), _notes(f"{title}（{ctx.place}，{ctx.years}，{period}）", body, df, src,
                                              speech(ctx, metrics)), _wide(df, "year"))

    return build


def _latest_towns(ctx: DeckContext, metric: str) -> tuple[pd.DataFrame, int | None]:
    """Every town's value of `metric` in the last year of the range that has any, and the towns due that
    year that did not report (`status` 'missing', no value)."""
    df = queries.by_region([metric], list(ctx.region_ids), ctx.year_from, ctx.year_to, [ctx.period], path=ctx.path)
    have = df[df["value"].notna()]
    if have.empty:
        return have, None
    year = int(have["year"].max())
    return df[(df["year"] == year) & (df["value"].notna() | df["status"].isin(["missing", "exempt"]))], year


def ranking_slide(key: str, title: str, metric: str, part: str = "all") -> Callable[[DeckContext], Slide]:
    """Towns ranked by `metric` in the latest year: all of them, or the best / the worst TOP_BOTTOM_N."""

    def build(ctx: DeckContext) -> Slide:
        towns, year = _latest_towns(ctx, metric)
        missing = towns[towns["value"].isna()]
        towns = reported = towns[towns["value"].notna()]
        if part != "all" and len(towns):
            n = min(TOP_BOTTOM_N, max(1, len(towns) // 2))
            ordered = towns.sort_values(["value", "region"], ascending=[part == "bottom", True])
            towns = ordered.head(n)
        target = targets.target_for(metric, year) if year else None
        src = sources(ctx, [metric], [year] if year else [])
        name = load_catalog()[metric].name_zh
        count = f"（{len(reported)}/{len(reported) + len(missing)}{ctx.unit_word}已报）" if len(missing) else ""
        when = f"{year}年{PERIOD_ZH[ctx.period]}{count}" if year else ctx.years
        fig = charts.ranking(pd.concat([towns, missing]) if part == "all" else towns, target=target,
                             limit=SLIDE_ROWS)
        ranked = towns.sort_values("value", ascending=part == "bottom")
        place = "倒数第" if part == "bottom" else "第"
        body = ["；".join(f"{place}{i}名 {r.region} {fmt.number(r.value, r.unit, _kind(r.approx))}"
                         for i, r in enumerate(ranked.itertuples(), start=1))] if len(ranked) else []
        if len(missing):
            body.append(f"未报：{'、'.join(missing['region'])}，不在排名内。")
        if target is not None and len(ranked):
            below = int((ranked["value"] < target).sum())
            goal = fmt.number(target, ranked["unit"].iloc[0])
            body.append(f"目标 {goal}：{len(ranked) - below}个达标，{below}个未达标。")
        table = ranked[["region", "value", "unit"]].rename(columns={"region": "地区", "value": name, "unit": "单位"})
        table["说明"] = _marks(ranked).to_numpy()
        return Slide(key, title, f"{ctx.place}各镇（街道） · {when} · {source_line(src)}", fig,
                     _notes(f"{title}（{when}）", body, ranked, src), table.reset_index(drop=True))

    return build


def heatmap_slide(key: str, title: str, metric: str) -> Callable[[DeckContext], Slide]:
    """Town × year grid of one metric."""

    def build(ctx: DeckContext) -> Slide:
        df = queries.by_region([metric], list(ctx.region_ids), ctx.year_from, ctx.year_to, [ctx.period],
                               top=SLIDE_ROWS, path=ctx.path)
        src = sources(ctx, [metric])
        have = df[df["value"].notna()]
        body = []
        if len(have):
            unit = have["unit"].iloc[0]
            year = have["year"].max()
            last = have[have["year"] == year].sort_values("value")
            missing = df[(df["year"] == year) & (df["status"] == "missing")]["region"]
            count = f"（{len(last)}/{len(last) + len(missing)}{ctx.unit_word}已报，未报：{'、'.join(missing)}）" \
                if len(missing) else ""
            body.append(f"{int(year)}年{count}最高 {last['region'].iloc[-1]} "
                        f"{fmt.number(last['value'].iloc[-1], unit)}，最低 {last['region'].iloc[0]} "
                        f"{fmt.number(last['value'].iloc[0], unit)}。")
        where = f"{ctx.place}各镇（街道） · {ctx.years}（{PERIOD_ZH[ctx.period]}）"
        shown = df["region"].nunique()
        if shown == SLIDE_ROWS:  # maybe more towns than a slide can hold: say which ones are shown
            total = queries.by_region([metric], list(ctx.region_ids), ctx.year_to, ctx.year_to, [ctx.period],
                                      path=ctx.path)["region"].nunique()
            if total > shown:
                where += f"（{total}个中最新值最高的{shown}个）"
        return Slide(key, title, f"{where} · {source_line(src)}", charts.heatmap(df),
                     _notes(f"{title}（{ctx.years}）", body, have, src), _wide(df, "region", by_year=True))

    return build


def stacked_slide(key: str, title: str, metric: str) -> Callable[[DeckContext], Slide]:
    """Per-year bars stacked by town (flows: the parts add up to the year's total)."""

    def build(ctx: DeckContext) -> Slide:
        df = queries.by_region([metric], list(ctx.region_ids), ctx.year_from, ctx.year_to, [ctx.period],
                               top=24, path=ctx.path)
        total = queries.trend([metric], list(ctx.region_ids), ctx.year_from, ctx.year_to, [ctx.period],
                              path=ctx.path)
        src = _merge_sources(_trend_sources(ctx, [metric], total), sources(ctx, [metric]))
        have = df[df["value"].notna()]
        body = _series_lines(total)
        if len(have):  # the bars add up the towns; say so, next to the area's own reported figure above
            unit = have["unit"].iloc[0]
            by_year = have.groupby("year")["value"].sum()
            got = have.groupby("year")["region"].nunique()
            due = got.add(df[df["status"] == "missing"].groupby("year")["region"].nunique(), fill_value=0)
            sums = "；".join(f"{int(y)}年 {fmt.number(v, unit)}"
                             + (f"（{got[y]}/{int(due[y])}{ctx.unit_word}已报）" if due[y] > got[y] else "")
                             for y, v in by_year.items())
            body.append(f"图中为各镇（街道）之和：{sums}。与上行本级报告数不一致时，以本级报告数为准，会前请核对。")
        return Slide(key, title, f"{ctx.place}各镇（街道） · {ctx.years}（{PERIOD_ZH[ctx.period]}） · "
                     f"{source_line(src)}", charts.stacked(df),
                     _notes(f"{title}（{ctx.years}）", body, total, src, speech(ctx, [metric])),
                     _wide(df, "region", by_year=True))

    return build


FORMATION_RATE = "union_coverage_rate"
# key: (label in the page's slide picker, slide builder). The first ten are the 年度工作汇报.
SLIDES: dict[str, SlideDef] = {
    "formation": SlideDef("工会组织总数", trend_slide("formation", "工会组建：工会组织总数", ["union_orgs_total"])),
    "formation_rate": SlideDef("建会率趋势", trend_slide("formation_rate", "工会组建：建会率", [FORMATION_RATE])),
    "membership": SlideDef("会员与职工总数", trend_slide(
        "membership", "会员发展：会员总数与职工总数", ["members_total", "workers_total"])),
    "membership_rate": SlideDef("入会率趋势", trend_slide(
        "membership_rate", "会员发展：入会率", ["membership_rate"])),
    "coverage": SlideDef("建会率排名", ranking_slide("coverage", "覆盖率：各镇（街道）建会率", FORMATION_RATE)),
    "coverage_map": SlideDef("入会率地区×年份", heatmap_slide(
        "coverage_map", "覆盖率：入会率逐年对比", "membership_rate")),
    "contracts": SlideDef("集体合同", trend_slide(
        "contracts", "集体合同：签订集体合同与工资集体协商企业", ["cc_enterprises", "wage_cc_enterprises"])),
    "hardship": SlideDef("帮扶金额构成", stacked_slide("hardship", "困难帮扶：帮扶慰问金额", "aid_amount")),
    "top_towns": SlideDef("建会率领先镇街", ranking_slide(
        "top_towns", "建会率领先的镇（街道）", FORMATION_RATE, "top")),
    "bottom_towns": SlideDef("建会率靠后镇街", ranking_slide(
        "bottom_towns", "建会率靠后的镇（街道）", FORMATION_RATE, "bottom")),
    # Not in the default deck; the presenter can add them.
    "members_new": SlideDef("新发展会员", trend_slide("members_new", "会员发展：新发展会员数", ["members_new"])),
    "cc_workers": SlideDef("集体合同覆盖职工", trend_slide(
        "cc_workers", "集体合同：覆盖职工数", ["cc_workers_covered"])),
    "aid_households": SlideDef("帮扶户数", trend_slide(
        "aid_households", "困难帮扶：帮扶慰问户数", ["aid_households"])),
    "membership_rank": SlideDef("入会率排名", ranking_slide(
        "membership_rank", "覆盖率：各镇（街道）入会率", "membership_rate")),
}

DEFAULT_DECK: tuple[str, ...] = ("formation", "formation_rate", "membership", "membership_rate", "coverage",
                                 "coverage_map", "contracts", "hardship", "top_towns", "bottom_towns")
DECK_TITLE = "年度工作汇报"


def check_keys(keys: Sequence[str]) -> list[str]:
    """The keys as a list; unknown ones raise with a Chinese message naming them."""
    unknown = [k for k in keys if k not in SLIDES]
    if unknown:
        raise KeyError(f"未知的幻灯片：{'、'.join(unknown)}（可选：{'、'.join(SLIDES)}）")
    return list(keys)


def build_slide(key: str, ctx: DeckContext) -> Slide:
    return SLIDES[check_keys([key])[0]].build(ctx)


def build_deck(ctx: DeckContext, keys: Sequence[str] = DEFAULT_DECK) -> list[Slide]:
    """The slides in the presenter's order (the default: the 年度工作汇报)."""
    return [SLIDES[k].build(ctx) for k in check_keys(keys)]


# ------------------------------------------------------------------ presentation look

TEXT_PX, TICK_PX = 24, 22  # CSS px at render.SLIDE_SIZE: 22.1 pt and 20.3 pt on the 16:9 slide (≥ 18 pt)


def for_slide(fig: go.Figure, height: int | None = None, scale: float = 1.0) -> go.Figure:
    """A copy of a dashboard figure with projector-size text and no in-chart title (the slide has one).

    Sizes are CSS pixels at render.SLIDE_SIZE (`scale` enlarges them for the page's full-screen view); the
    legend stays where the chart put it (below the plot, clear of the axis labels).
    """
    out = go.Figure(copy.deepcopy(fig))
    text, tick = round(TEXT_PX * scale), round(TICK_PX * scale)
    right = max(40, out.layout.margin.r or 0)  # a rate ranking keeps its room for the labels right of the dots
    out.layout.title = {}
    out.update_layout(font={"size": text}, legend={"font": {"size": text}},
                      margin={"l": 80, "r": right, "t": 80, "b": 60})
    out.update_xaxes(tickfont={"size": tick}, title_font={"size": text})
    out.update_yaxes(tickfont={"size": tick}, title_font={"size": text})
    out.update_annotations(font_size=text)
    if "xaxis2" not in out.layout:  # one panel: its 全年/上半年 heading repeats the subtitle
        out.layout.annotations = [a for a in out.layout.annotations if a.text not in PERIOD_ZH.values()]
    for trace in out.data:
        if trace.type in ("bar", "heatmap") or (trace.type == "scatter" and "text" in (trace.mode or "")):
            trace.update(textfont={"size": tick})
        if trace.type == "heatmap":  # years are labels here, not numbers to group with commas
            out.update_xaxes(type="category")
    if height:
        out.update_layout(height=height)
    return out
