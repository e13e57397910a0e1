"""Show a figure's evidence inside its document: the sentence highlighted in the original text."""

from __future__ import annotations

import html

import pandas as pd

WINDOW = 160  # characters of context either side of the evidence


def highlight(text: str | None, start: int | None, end: int | None, evidence: str | None = None,
              window: int = WINDOW) -> str | None:
    """HTML excerpt of `text` around [start, end) with the evidence in <mark>; None when offsets are unusable.

    Offsets index the decoded original file text (Python string positions).
    Everything from the file is HTML-escaped.
    """
    if not isinstance(text, str) or start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    start, end = int(start), int(end)
    if not (0 <= start <= end <= len(text)):
        return None
    if evidence and text[start:end] != evidence:
        return None
    a, b = max(0, start - window), min(len(text), end + window)
    before, hit, after = text[a:start], text[start:end], text[end:b]
    body = (("…" if a > 0 else "") + html.escape(before) + "<mark>" + html.escape(hit) + "</mark>"
            + html.escape(after) + ("…" if b < len(text) else ""))
    return body.replace("\n", "<br>")


def history_html(history: pd.DataFrame, via_zh: dict[str, str]) -> str:
    """A figure's history (queries.figure_history) as an HTML list, oldest first; every text escaped.

    One line per event: when · who (via) · what happened, which starts with the action
    (导入 34, 更正：… 34 → 36, 确认无误：…).
    """
    items = []
    for h in history.itertuples():
        who = f"{html.escape(str(h.who))}（{html.escape(via_zh.get(h.via, str(h.via)))}）"
        items.append(f"<li><span class='when'>{h.when:%Y-%m-%d %H:%M}</span> · <b>{who}</b> · "
                     f"{html.escape(str(h.what))}</li>")
    return "<ol class='figure-history' style='line-height:1.9'>" + "".join(items) + "</ol>"


def lines_html(lines: list[str]) -> str:
    """Sentences that name things from files (regions, rows), as an escaped HTML list."""
    return "<ul style='margin:0'>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"
