"""HTML for the two writing pages: the draft with every figure marked, a paragraph with its figures linked.

Pure functions (no streamlit), so tests read the same HTML the page shows.
Everything that comes from a draft or the database is escaped: a draft is
shown as text, never rendered. A figure links to the 数据来源 page of its cell
(a new tab, so the checked draft stays open).
"""

from __future__ import annotations

import html

from dashboard import links
from writing.check import VERDICT_ZH, DraftCheck, Figure
from writing.paragraphs import Paragraph

# verdict → (background, text/border colour, line style)
STYLE = {
    "match": ("#e3f4e8", "#1b7a3a", "solid"),
    "differs": ("#fde0de", "#c62828", "solid"),
    "missing": ("#eceff1", "#546e7a", "solid"),
    "not_checked": ("transparent", "#8a8a8a", "dotted"),
    "link": ("#eaf2fb", "#1f5fa8", "solid"),  # a drafted paragraph's figure: nothing to judge, a source to open
}
BOX = "line-height:2.1;font-size:1.05rem;white-space:normal"


def source_url(region: str | None, metric: str | None, year: int | None, period: str | None) -> str | None:
    """Relative link to the 数据来源 page for one cell (the page's widgets read these query parameters)."""
    return links.sources_url(region, metric, year, period)


def _mark(text: str, verdict: str, tip: str, url: str | None) -> str:
    bg, fg, line = STYLE[verdict]
    style = (f"background:{bg};color:{fg};border-bottom:2px {line} {fg};padding:0 2px;border-radius:3px;"
             "text-decoration:none;font-weight:600;white-space:nowrap")
    body = html.escape(text)
    tip = html.escape(tip, quote=True)
    if url:
        return (f'<a class="fig fig-{verdict}" href="{html.escape(url, quote=True)}" target="_blank" '
                f'title="{tip}" style="{style}">{body}</a>')
    return f'<span class="fig fig-{verdict}" title="{tip}" style="{style}">{body}</span>'


def legend() -> str:
    return "　".join(_mark(label, v, label, None) for v, label in VERDICT_ZH.items())


def tip(f: Figure) -> str:
    """The tooltip of a figure: what it was read as and what the database says."""
    what = f"{f.metric_zh} · {f.region} {f.when}" if f.metric else ""
    return "\n".join(x for x in (f"{VERDICT_ZH[f.verdict]}：{f.note}", what) if x)


def draft_html(check: DraftCheck) -> str:
    """The whole draft, escaped, with every figure marked by its verdict (one HTML block, lines as <br>)."""
    out, cut = [], 0
    t = check.text
    for f in check.figures:
        if f.start < cut:
            continue
        out.append(html.escape(t[cut:f.start]))
        url = source_url(f.region, f.metric, f.year, f.period) if f.verdict in ("match", "differs") else None
        out.append(_mark(t[f.start:f.end], f.verdict, tip(f), url))
        cut = f.end
    out.append(html.escape(t[cut:]))
    return f'<div class="draft" style="{BOX}">' + "".join(out).replace("\n", "<br>") + "</div>"


def paragraph_html(p: Paragraph) -> str:
    """One drafted paragraph with each figure linked to its source."""
    out, cut = [], 0
    for f in p.figures:
        out.append(html.escape(p.text[cut:f.start]))
        where = "；".join(s.where for s in f.sources[:3]) + ("等" if len(f.sources) > 3 else "")
        note = "\n".join(x for x in (f.basis, f"来源：{where}" if where else "") if x)
        out.append(_mark(f.text, "link", note, source_url(f.region, f.metric, f.year, f.period)))
        cut = f.end
    out.append(html.escape(p.text[cut:]))
    return f'<div class="paragraph" style="{BOX}">' + "".join(out) + "</div>"
