"""One plotly look for every chart: CJK font, colour-blind-safe colours, projector-size text.

The palette is Okabe & Ito's (distinguishable with the common colour-vision
deficiencies), reordered so the pale yellow comes last; the heat map uses
cividis for the same reason.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
SEQUENTIAL = "cividis"
TARGET_COLOR = "#D55E00"
CONFLICT_COLOR = "#D55E00"
MISSING_COLOR = "#767676"  # 未报: grey text (4.5:1 on white) and a pale cell
MISSING_FILL = "#EDEDED"
NAME = "union"

pio.templates[NAME] = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 16, "color": "#222"},
        title={"font": {"size": 22}, "x": 0.01, "xanchor": "left"},
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        separators=".,",
        hoverlabel={"font": {"family": FONT, "size": 15}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": {"text": ""}},
        margin={"l": 60, "r": 30, "t": 70, "b": 50},
        # ",~r": 80,000 rather than plotly's default SI "80k", which Chinese readers do not use.
        xaxis={"showgrid": False, "linecolor": "#888", "ticks": "outside", "automargin": True, "tickformat": ",~r"},
        yaxis={"gridcolor": "#e5e5e5", "zeroline": False, "automargin": True, "rangemode": "tozero",
               "tickformat": ",~r"},
        colorscale={"sequential": SEQUENTIAL},
    )
)


def apply(fig: go.Figure, height: int | None = 420) -> go.Figure:
    """Give a figure the shared template (and a height that suits a laptop and a projector)."""
    fig.update_layout(template=NAME)
    if height:
        fig.update_layout(height=height)
    return fig
