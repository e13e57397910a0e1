"""Command line: write the deck (PPTX), its charts (PNG) and tables (XLSX) without the app.

Example:
    python -m export --db data/union.duckdb --out build/deck/年度工作汇报.pptx --png-dir build/deck/png
    python -m export --slides formation,coverage,hardship --years 2020-2024 --out deck.pptx
    python -m export paragraphs --region 青禾区 --year 2024      (起草数字段落; see --help there)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from etl.settings import load as load_settings
from export import checks, deck, pptx, render, xlsx


def _years(text: str) -> tuple[int, int]:
    a, _, b = text.partition("-")
    return int(a), int(b or a)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["paragraphs"]:
        from writing.cli import paragraphs_main

        return paragraphs_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m export", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=None,
                    help="DuckDB file (default: UNION_DB, union.toml's db, or data/union.duckdb: etl/settings.py)")
    ap.add_argument("--out", type=Path, default=Path("年度工作汇报.pptx"), help="PPTX to write")
    ap.add_argument("--slides", default=",".join(deck.DEFAULT_DECK),
                    help="slide keys in order, comma-separated (default: the 年度工作汇报). Known: "
                         + ", ".join(deck.SLIDES))
    ap.add_argument("--years", type=_years, help="e.g. 2019-2024 (default: every year with data)")
    ap.add_argument("--period", choices=["FY", "H1"], default="FY")
    ap.add_argument("--png-dir", type=Path, help="also write each chart as NN_key.png here")
    ap.add_argument("--xlsx", type=Path, help="also write every slide's table to this workbook")
    args = ap.parse_args(argv)
    cfg = load_settings().with_db(args.db)
    args.db = cfg.db
    if not args.db.exists():
        print(f"数据库文件不存在：{args.db}", file=sys.stderr)
        return 2
    problems = checks.readiness().problems
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 3
    try:
        keys = deck.check_keys([k.strip() for k in args.slides.split(",") if k.strip()])
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    ctx = deck.DeckContext.from_db(args.db, years=args.years, period=args.period, federation=cfg.federation)
    slides = deck.build_deck(ctx, keys)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pptx.build(slides, ctx))
    print(f"已生成 {args.out}（{len(slides) + 1} 页，用时 {time.perf_counter() - t0:.1f} 秒）")
    if args.png_dir:
        args.png_dir.mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(slides, start=1):
            (args.png_dir / f"{i:02d}_{s.key}.png").write_bytes(pptx.picture_png(s))
        print(f"已生成 {len(slides)} 张图片：{args.png_dir}")
    if args.xlsx:
        args.xlsx.write_bytes(xlsx.tables([(s.title, s.table) for s in slides],
                                          [(s.title, f"{s.subtitle}\n{s.notes}") for s in slides]))
        print(f"已生成 {args.xlsx}")
    render.renderer().close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
