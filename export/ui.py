"""Streamlit glue for the 汇报模式 page: the deck context from the sidebar filters, cached slides, exports.

Kept out of deck.py/pptx.py so those stay importable without streamlit (the CLI
and the benchmark use them). Slides are cached per database version, so
next/previous is instant and an upload shows on the next rerun. The kaleido
browser is export.render's process-wide one: started by the first export of
any session, reused by every later export and rerun, never per rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from dashboard import cache, db, queries, snapshot
from dashboard.filters import Filters
from export import deck, pptx, xlsx

# The keyboard of 汇报模式 (keys.js): a Streamlit component, the supported way to listen to keys on the page.
_KEYS = st.components.v2.component("union_present_keys", js=Path(__file__).with_name("keys.js").read_text("utf-8"))


def keys() -> str | None:
    """The key step pressed since the last run: 'next', 'prev', 'first', 'last', 'full' or 'exit' (or None)."""
    return _KEYS(key="present_keys", on_step_change=lambda: None, height=0).step


def context(f: Filters) -> deck.DeckContext:
    """The deck for what the sidebar shows; a 年度汇报 uses 全年 figures unless only 上半年 is chosen."""
    period = "H1" if tuple(f.periods) == ("H1",) else "FY"
    cfg = db.settings()
    years = deck.period_years(period, cfg.db, f.region_ids)
    y0, y1 = f.year_from, f.year_to
    if years:  # a 全年 deck does not end in a year that has only half-year figures, nor in a partial one
        y0, y1 = max(y0, years[0]), min(y1, years[1])
        if y0 > y1:
            y0, y1 = f.year_from, f.year_to
    elif queries.year_bounds(cfg.db) is None:  # no figures at all yet: nothing to present (ctx.empty)
        y0 = y1 = 0
    fed = queries.federation(cfg.db)
    whole = fed is not None and tuple(f.region_ids) == (fed.region_id,)
    return deck.DeckContext(tuple(f.region_ids), tuple(f.region_names), int(y0), int(y1), period, str(cfg.db),
                            fed.name if whole else None, queries.unit_word(f.region_ids, cfg.db))


@st.cache_resource(show_spinner=False, max_entries=256, ttl=3600)
def _slide(key: str, ctx: deck.DeckContext, version: tuple) -> deck.Slide:
    # cache_resource: slides are shared, not copied (unpickling a plotly figure validates it all again);
    # the page and the exports only read them (deck.for_slide copies before restyling).
    snapshot.reset_stale()
    built = deck.build_slide(key, ctx)
    if snapshot.was_stale():
        raise snapshot.Stale(built)  # from an earlier snapshot while the file is written: shown, not kept
    return built


def slide(key: str, ctx: deck.DeckContext) -> deck.Slide:
    """One slide, cached until the data changes; while another process writes, the last one built."""
    version = db.version(ctx.path)
    return cache.remembered(("slide", key, ctx), lambda: _slide(key, ctx, version))


def slides(keys: Sequence[str], ctx: deck.DeckContext) -> list[deck.Slide]:
    return [slide(k, ctx) for k in keys]


def pptx_bytes(keys: Sequence[str], ctx: deck.DeckContext) -> bytes:
    return pptx.build(slides(keys, ctx), ctx)


def png_bytes(key: str, ctx: deck.DeckContext) -> bytes:
    """The slide as a standalone picture: its chart under its title, scope and sources."""
    return pptx.picture_png(slide(key, ctx))


def xlsx_bytes(keys: Sequence[str], ctx: deck.DeckContext) -> bytes:
    """Every slide's table, one sheet each, after a 说明 sheet with subtitles and notes."""
    ss = slides(keys, ctx)
    return xlsx.tables([(s.title, s.table) for s in ss], [(s.title, f"{s.subtitle}\n{s.notes}") for s in ss])


def file_stem(ctx: deck.DeckContext) -> str:
    """'青禾区2024年度工作汇报' for download names (no characters a file system rejects)."""
    name = pptx.cover_title(ctx).replace("总工会", "")
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|')
