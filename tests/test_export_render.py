"""kaleido rendering with Debian's chromium: real PNGs, one browser per process, safe across threads."""

from __future__ import annotations

import io
import os
import threading

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops

from dashboard import theme
from export import checks, render

pytestmark = pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"),
                                reason="/usr/bin/chromium missing: install it with `make system-deps`")


def _fig(text: str = "建会率", color: str = theme.PALETTE[0]) -> go.Figure:
    fig = go.Figure(go.Bar(x=["东湖街道", "白沙镇"], y=[97.6, 97.3], marker_color=color))
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 80})
    return theme.apply(fig, 400)


def _size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_png_at_slide_resolution() -> None:
    png = render.png(_fig())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = render.SLIDE_SIZE
    assert _size(png) == (round(w * render.SLIDE_SCALE), round(h * render.SLIDE_SCALE))
    assert _size(png)[0] >= 3000  # sharp on a projector


def test_dashboard_colours_survive() -> None:
    img = Image.open(io.BytesIO(render.png(_fig(), 400, 300, 1))).convert("RGB")
    blue = tuple(int(theme.PALETTE[0][i:i + 2], 16) for i in (1, 3, 5))
    assert img.getcolors(1_000_000) and any(c == blue for _, c in img.getcolors(1_000_000))


def test_chinese_glyphs_are_drawn_not_boxes() -> None:
    """Without a CJK font every character is the same empty box, so two different words draw identically."""
    a = Image.open(io.BytesIO(render.png(_fig("工会"), 500, 300, 1))).convert("L")
    b = Image.open(io.BytesIO(render.png(_fig("建会"), 500, 300, 1))).convert("L")
    diff = sum(ImageChops.difference(a, b).point(lambda v: 255 if v > 64 else 0).histogram()[255:])
    assert diff > 200, "汉字渲染成了相同的方框：缺少中文字体（fonts-noto-cjk）"


def test_one_browser_for_many_figures() -> None:
    r = render.renderer()
    render.png(_fig(), 300, 200, 1)
    starts = r.starts
    for _ in range(3):
        render.png(_fig(), 300, 200, 1)
    assert r.starts == starts == 1
    assert render.renderer() is r


def test_threads_get_their_own_pictures() -> None:
    """Streamlit sessions export from different threads at once: each must get its own image back."""
    out: dict[int, bytes] = {}

    def work(i: int) -> None:
        out[i] = render.png(_fig(), 300 + 50 * i, 200, 1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert {i: _size(p) for i, p in out.items()} == {i: (300 + 50 * i, 200) for i in range(4)}


def test_restart_after_close() -> None:
    r = render.Renderer()
    try:
        r.png(_fig(), 200, 150, 1)
        r.close()
        assert not r.running
        assert _size(r.png(_fig(), 200, 150, 1)) == (200, 150)
        assert r.starts == 2
    finally:
        r.close()


def test_missing_chromium_says_so_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "readiness", lambda: checks.Readiness(None, "Noto Sans CJK SC"))
    r = render.Renderer()
    with pytest.raises(render.ExportUnavailable, match="未找到 Chromium"):
        r.png(_fig())
    assert not r.running


def test_broken_browser_start_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """A 'browser' that exits at once: the error comes back in Chinese instead of a hang."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    r = render.Renderer()
    with pytest.raises(render.ExportUnavailable, match="启动失败"):
        r.png(_fig())
    assert not r.running
