"""Plotly figure → PNG bytes through kaleido, with one chromium kept open per process.

Starting chromium costs about 3 s, a figure on an open one about 0.2–0.3 s, so
the browser is started lazily on the first export and then reused by every
Streamlit session and rerun of this process (the module is imported once).

Why not `kaleido.start_sync_server()`: its calls share one result queue, so two
sessions exporting at the same moment can receive each other's picture, and if
chromium dies on start-up every later call blocks forever. Here the same thing
(one `kaleido.Kaleido` on its own event-loop thread) is driven through futures:
each call gets its own result, waits at most `timeout` seconds, and a broken
browser is closed and started again on the next call.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeout

import kaleido
import plotly.graph_objects as go

from etl.errors import UnionError
from export import checks

START_TIMEOUT = 60.0
RENDER_TIMEOUT = 60.0
# The slide's chart area (12.3 × 5.45 in) in CSS pixels, drawn at 10/3×: 3200 × 1420 px, sharp on a 4K
# projector. The CSS size sets how large the chart's text is on the slide: 12.3 in = 885.6 pt over 960 px
# is 0.92 pt per px, so deck.for_slide's 22 px tick labels are 20.3 pt at 16:9 (the back of a hall needs
# 18 pt; tests/test_export_office.py measures it on the slide LibreOffice renders).
SLIDE_SIZE = (960, 426)
SLIDE_SCALE = 10 / 3
PT_PER_PX = 12.3 * 72 / SLIDE_SIZE[0]


class _DropPipeNoise(logging.Filter):
    """choreographer logs a full traceback for a half-read message when chromium exits, then ignores it;
    at interpreter exit that lands after the test runner's summary line. The message carries no information."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "JSONError decoding message" not in record.getMessage()


logging.getLogger("choreographer.channels.pipe").addFilter(_DropPipeNoise())


class ExportUnavailable(UnionError):
    """Pictures cannot be made on this machine (message in Chinese, for the page, naming what is missing)."""


class Renderer:
    """One kaleido browser on a private asyncio loop thread; thread-safe, restartable."""

    def __init__(self, timeout: float = RENDER_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: kaleido.Kaleido | None = None
        self.starts = 0  # how many browsers this renderer has started (tests check it stays 1)

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def _start(self) -> None:
        problems = checks.readiness().problems
        if not checks.readiness().chromium:
            raise ExportUnavailable(problems[0])
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido-loop", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

        async def open_browser() -> kaleido.Kaleido:
            # mathjax=False: kaleido would otherwise fetch MathJax from a CDN, which is offline here.
            k = kaleido.Kaleido(n=1, timeout=self.timeout, mathjax=False)
            await k.open()
            return k

        try:
            self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT)
        except Exception as exc:
            self._stop_loop()
            raise ExportUnavailable(f"图表绘制程序（Chromium）启动失败：{exc}。{checks.INSTALL_HINT}") from exc
        self.starts += 1

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=10)
            self._loop.close()
        self._loop = self._thread = None

    def _close(self) -> None:
        if self._kaleido is not None and self._loop is not None:
            with contextlib.suppress(Exception):  # a browser that will not close is dropped anyway
                asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(20)
        self._kaleido = None
        self._stop_loop()

    def close(self) -> None:
        """Stop the browser (at exit, or when a test wants a clean slate)."""
        with self._lock:
            self._close()

    def png(self, fig: go.Figure, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1],
            scale: float = SLIDE_SCALE) -> bytes:
        """The figure as PNG bytes at width×height CSS pixels times `scale`."""
        opts = {"format": "png", "width": int(width), "height": int(height), "scale": scale}
        with self._lock:
            if self._kaleido is None:
                self._start()
            assert self._kaleido is not None and self._loop is not None
            future = asyncio.run_coroutine_threadsafe(self._kaleido.calc_fig(fig, opts=opts), self._loop)
            try:
                return future.result(self.timeout + 5)
            except FutureTimeout as exc:
                future.cancel()
                self._close()
                msg = f"生成图片超时（超过 {self.timeout:.0f} 秒），已重启绘图程序，请重试。"
                raise ExportUnavailable(msg) from exc
            except Exception as exc:
                self._close()
                raise ExportUnavailable(f"生成图片失败：{exc}") from exc


_shared: Renderer | None = None
_shared_lock = threading.Lock()


def renderer() -> Renderer:
    """The process-wide renderer (created on first use, closed at interpreter exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Renderer()
            atexit.register(_shared.close)
        return _shared


def png(fig: go.Figure, width: int = SLIDE_SIZE[0], height: int = SLIDE_SIZE[1],
        scale: float = SLIDE_SCALE) -> bytes:
    """Render with the shared browser."""
    return renderer().png(fig, width, height, scale)
