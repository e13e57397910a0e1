"""Export speed: kaleido per figure with and without a persistent browser, and a whole 10-slide deck.

Compared in one run on the sample database (data/samples ingested into a temp file):
- one-shot kaleido (`kaleido.calc_fig_sync` with no server: a chromium start per figure, the obvious way),
- kaleido's own `start_sync_server()` then `calc_fig_sync`,
- export.render.Renderer (the app's: one browser on its own loop thread, futures, timeouts),
- the 10-slide 年度工作汇报 deck: queries + charts + PNGs + PPTX, cold (browser start included) and warm.

    .venv/bin/python bench/export.py   (about a minute: the one-shot deck alone takes ~40 s)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kaleido  # noqa: E402

from export import checks, deck, pptx, render  # noqa: E402
from scripts.sample_db import build  # noqa: E402


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def main() -> None:
    if not checks.readiness().chromium:
        print("\n".join(checks.readiness().problems))
        sys.exit(3)
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    db = tmp / "union.duckdb"
    build(db, tmp / "archive")  # as `make sample-db`: the federation and its directory, then the samples
    ctx = deck.DeckContext.from_db(db)
    t_build_cold, slides = timed(deck.build_deck, ctx)
    t_build, slides = timed(deck.build_deck, ctx)
    w, h = render.SLIDE_SIZE
    opts = {"format": "png", "width": w, "height": h, "scale": render.SLIDE_SCALE}

    # The obvious way: a whole deck with one-shot kaleido calls (a chromium start per figure).
    oneshot: list[float] = []

    def oneshot_png(fig) -> bytes:
        t, png = timed(kaleido.calc_fig_sync, fig, opts=opts, kopts={"mathjax": False})
        oneshot.append(t)
        return png

    t_deck_oneshot, _ = timed(lambda: pptx.build(deck.build_deck(ctx), ctx, renderer=oneshot_png))

    figs = [deck.for_slide(s.figure, height=h) for s in slides]
    t_server_start, _ = timed(kaleido.start_sync_server, mathjax=False, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first_server = timed(kaleido.calc_fig_sync, figs[0], opts=opts)[0]  # waits for the browser to be ready
        server = [timed(kaleido.calc_fig_sync, f, opts=opts)[0] for f in figs]
    kaleido.stop_sync_server(silence_warnings=True)

    r = render.Renderer()
    t_ours_first, _ = timed(r.png, figs[0])  # includes starting chromium
    ours = [timed(r.png, f)[0] for f in figs]
    r.close()

    fresh = render.Renderer()
    t_deck_cold, data = timed(lambda: pptx.build(deck.build_deck(ctx), ctx, renderer=fresh.png))
    t_deck_warm, data = timed(lambda: pptx.build(deck.build_deck(ctx), ctx, renderer=fresh.png))
    fresh.close()

    base = statistics.mean(oneshot)
    print(f"Export benchmark: {len(slides)} slides, PNG {round(w * render.SLIDE_SCALE)}×"
          f"{round(h * render.SLIDE_SCALE)} px, sample database, {len(data) / 1e6:.1f} MB PPTX")
    table = [
        ("per figure (PNG)", base, [
            ("one-shot kaleido.calc_fig_sync (chromium per call)", base, f"mean of {len(oneshot)}"),
            ("kaleido.start_sync_server + calc_fig_sync", statistics.mean(server),
             f"mean of {len(server)}; start + first {t_server_start + first_server:.2f} s"),
            ("export.render.Renderer (the app's)", statistics.mean(ours),
             f"mean of {len(ours)}; first incl. start {t_ours_first:.2f} s"),
        ]),
        ("whole 10-slide deck (queries + charts + PNGs + PPTX)", t_deck_oneshot, [
            ("one-shot kaleido per figure", t_deck_oneshot, ""),
            ("Renderer, cold (chromium start included)", t_deck_cold, ""),
            ("Renderer, warm (the app after its first export)", t_deck_warm,
             f"{t_deck_warm / len(slides):.2f} s per slide"),
            ("  of which deck spec only (queries + figures)", t_build, f"first ever {t_build_cold:.2f} s"),
        ]),
    ]
    print(f"{'what':<56} {'seconds':>8} {'speed-up':>9}  note")
    for section, ref, rows in table:
        print(f"-- {section}")
        for name, sec, note in rows:
            print(f"{name:<56} {sec:>8.2f} {ref / sec:>8.1f}×  {note}")


if __name__ == "__main__":
    main()
