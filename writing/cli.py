"""Command lines: `python -m etl check-draft FILE` and `python -m export paragraphs`.

check-draft exits 0 when no figure is wrong, 1 when some figure differs from
the database (so a script can stop on it), 2 on usage, file or database errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from etl.settings import Settings
from etl.settings import load as load_settings
from etl.vocab import PERIOD_FY
from etl.vocab import PERIOD_ZH as PERIODS

EXIT_OK, EXIT_WRONG, EXIT_USAGE = 0, 1, 2


def _db(args: argparse.Namespace) -> Path:
    """The database of the settings (read once by `python -m etl`, else here), or --db."""
    settings = getattr(args, "settings", None) or load_settings()
    path = settings.with_db(getattr(args, "db", None)).db
    if not path.exists():
        raise FileNotFoundError(f"数据库文件不存在：{path}。请先运行 python -m etl ingest 或 make sample-db。")
    return path


def _scope_args(p: argparse.ArgumentParser, region_help: str, year_help: str) -> None:
    p.add_argument("--region", help=region_help)
    p.add_argument("--year", type=int, help=year_help)
    p.add_argument("--period", choices=list(PERIODS), help="FY 全年 或 H1 上半年")


# ---- python -m etl check-draft ------------------------------------------------------------------------------------

def check_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE", help="稿件（.txt 或 .docx）")
    _scope_args(p, "稿件代表的地区（默认：库中最上级的地区，即本会）",
                "稿件未写年份的数字按此年份核对（默认：稿件标题中的年份，否则库中最近一年）")
    p.add_argument("--json", action="store_true",
                   help="每个数字输出一行 JSON：text, metric, value, verdict（match/differs/missing/not_checked）, "
                        "stored_value, suggestion, sources …")
    p.add_argument("--docx", type=Path, metavar="OUT", help="另存一份 .docx，在不一致的数字上加批注")


def check_run(args: argparse.Namespace) -> int:
    from etl.read import ReadError, read_report
    from writing.check import VERDICT_ZH, check_draft

    path = _db(args)
    try:
        rt = read_report(args.file)
    except ReadError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    check = check_draft(rt.text, path=path, region=args.region, year=args.year, period=args.period, name=rt.name)
    if args.json:
        for f in check.figures:
            print(json.dumps(f.to_json(), ensure_ascii=False))
    else:
        counts = "，".join(f"{VERDICT_ZH[v]} {check.count(v)}" for v in VERDICT_ZH)
        print(f"{rt.name}：按 {check.region or '（未指定地区）'} {check.year}年{PERIODS[check.period]} 核对，"
              f"共 {len(check.figures)} 个数字：{counts}。")
        for f in check.figures:
            line = check.text.count("\n", 0, f.start) + 1
            what = f"{f.metric_zh}（{f.region} {f.when}）" if f.metric else ""
            print(f"[{VERDICT_ZH[f.verdict]}] 第{line}行 “{f.text}” {what}：{f.note}")
    if args.docx:
        from writing.word import commented_draft

        args.docx.write_bytes(commented_draft(check, rt.data if rt.fmt == "docx" else None))
        print(f"已生成 {args.docx}（{len(check.wrong)} 处批注）", file=sys.stderr if args.json else sys.stdout)
    return EXIT_WRONG if check.wrong else EXIT_OK


# ---- python -m export paragraphs ----------------------------------------------------------------------------------

def paragraphs_main(argv: list[str] | None = None) -> int:
    """`python -m export paragraphs`: print the drafted paragraphs (and write them as .docx)."""
    ap = argparse.ArgumentParser(
        prog="python -m export paragraphs", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="起草数字段落：按地区和年份生成工会组建、会员发展、集体合同、困难帮扶的数字段落。",
        epilog="Example:\n  python -m export paragraphs --region 青禾区 --year 2024 --docx 数字段落.docx")
    ap.add_argument("--db", type=Path, default=None,
                    help=f"DuckDB 数据库文件（默认 {Settings.db}，或环境变量 UNION_DB、配置文件 union.toml）")
    _scope_args(ap, "地区（默认：库中最上级的地区）", "年份（默认：库中最近一年）")
    ap.add_argument("--docx", type=Path, metavar="OUT", help="另存为 .docx（含每个数字的来源）")
    args = ap.parse_args(argv)
    from writing.paragraphs import as_text, paragraphs
    from writing.stored import federation, latest_year

    try:
        path = _db(args)
    except FileNotFoundError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    period = args.period or PERIOD_FY
    region = args.region or federation(path)
    year = args.year or latest_year(period, path)
    if region is None or year is None:
        print("错误：数据库中还没有数据。", file=sys.stderr)
        return EXIT_USAGE
    paras = paragraphs(region, year, period, path=path)
    if not paras:
        print(f"错误：库中没有“{region}”{year}年{PERIODS[period]}的数据。", file=sys.stderr)
        return EXIT_USAGE
    print(as_text(paras))
    if args.docx:
        from writing.word import paragraphs_docx

        args.docx.write_bytes(paragraphs_docx(paras, f"{region}{year}年{PERIODS[period]}工作数字"))
        print(f"已生成 {args.docx}", file=sys.stderr)
    return EXIT_OK
