"""`python -m etl`: ingest, undo, status (and whatever else is registered in COMMANDS).

Verb-first subcommands, each with a Chinese one-line help and an `Example:`.
`--db PATH` is accepted before or after the subcommand. Exit status: 0 ok,
1 some files failed, 2 usage or database errors (busy, missing, unknown batch).

To add a command, append one `Command(...)` to COMMANDS; `lazy()` keeps its
module unimported until the command runs, so `--help` stays fast and a
broken optional module cannot break the other commands.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.errors import UnionError
from etl.settings import Settings
from etl.settings import load as load_settings

EXIT_OK, EXIT_FILES_FAILED, EXIT_USAGE = 0, 1, 2
ARCHIVE_HELP = "原文件归档目录（默认：环境变量 UNION_ARCHIVE，或数据库所在目录下的 archive/）"


@dataclass(frozen=True)
class Command:
    name: str
    help: str  # one line, Chinese
    example: str  # a full command line, shown as "Example: …"
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def lazy(module: str, attr: str) -> Callable[..., Any]:
    """A function that imports `module.attr` only when called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), attr)(*args, **kwargs)

    return call


def settings(args: argparse.Namespace) -> Settings:
    """The settings of this run (etl/settings.py), read once by main(); a --db given here wins."""
    return args.settings.with_db(getattr(args, "db", None))


def db_path(args: argparse.Namespace) -> Path:
    return settings(args).db


def _archive_of(args: argparse.Namespace) -> Path:
    """--archive when given, else the settings' archive (UNION_ARCHIVE, or archive/ beside the database)."""
    return args.archive or settings(args).archive_dir


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


# ---- ingest -------------------------------------------------------------------------------------------------------

def _ingest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="报告或统计表文件，或包含它们的文件夹（递归）")
    p.add_argument("--archive", type=Path, default=None, help=ARCHIVE_HELP)
    p.add_argument("--user", default=None, help="导入人（记录在批次和操作记录中；默认：操作系统用户名）")
    p.add_argument("--note", default=None, help="批次备注")
    p.add_argument("--region", default=None, metavar="NAME",
                   help="报告的报送单位（如 白沙镇）：以此为准，不再从正文推断；正文中点名的下属单位仍归各自")
    p.add_argument("--confirmed", action="store_true",
                   help="所有数字已经人工核对：抽取器要求确认的数字直接记为已确认（须同时给出 --user）")
    p.add_argument("--map", action="append", default=[], metavar="名称=地区",
                   help="名录外的名称是名录中哪个地区的另一种写法（如 白杉镇=白沙镇；记为该地区的别名）；可多次给出")
    p.add_argument("--new-regions-under", default=None, metavar="PARENT",
                   help="把名录外的名称作为 PARENT 的新下级加入名录（默认：拒绝，并给出相近名称）")
    p.add_argument("--received", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="材料收到的日期（默认今天；报送情况页据此判断是否逾期）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出导入结果")
    p.add_argument("-v", "--verbose", action="store_true", help="同时列出所有提醒（warning）")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写作 YYYY-MM-DD，如 2025-07-20") from exc


def _map_choices(pairs: list[str]) -> dict[str, Any]:
    from etl.regions import MAP, Choice

    out = {}
    for pair in pairs:
        raw, sep, target = pair.partition("=")
        if not sep or not raw.strip() or not target.strip():
            raise UnionError(f"--map 应写作 名称=地区（如 白杉镇=白沙镇），而不是“{pair}”。", item=pair)
        out[raw.strip()] = Choice(MAP, target.strip())
    return out


def _ingest(args: argparse.Namespace) -> int:
    from etl.pipeline import ingest_paths

    cfg = settings(args)
    if args.confirmed and not args.user:
        print("--confirmed 须同时给出 --user（核对人的姓名），以便记录是谁确认的。", file=sys.stderr)
        return EXIT_USAGE
    from etl.audit import Actor

    summary = ingest_paths(args.paths, db_path=cfg.db, archive_dir=_archive_of(args),
                           user=Actor.cli(args.user),
                           note=args.note, wait=cfg.lock_wait, max_mb=cfg.tally_max_mb, region=args.region,
                           confirmed_by=args.user if args.confirmed else None,
                           region_choices=_map_choices(args.map), new_regions_under=args.new_regions_under,
                           received_on=args.received)
    if args.json:
        _print_json(summary.to_json())
    else:
        print(summary.to_text(warnings=args.verbose))
    return EXIT_FILES_FAILED if summary.errors else EXIT_OK


# ---- undo ---------------------------------------------------------------------------------------------------------

def _undo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("batch", type=int, metavar="BATCH", help="要撤销的批次编号（见 status）")
    p.add_argument("--user", default=None, help="撤销人（记录在操作记录中；默认：操作系统用户名）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


def _undo(args: argparse.Namespace) -> int:
    from etl.audit import Actor
    from etl.batches import undo_batch

    result = undo_batch(db_path(args), args.batch, wait=settings(args).lock_wait, user=Actor.cli(args.user))
    if args.json:
        _print_json(vars(result))
    else:
        print(result.to_text())
    return EXIT_OK


# ---- status -------------------------------------------------------------------------------------------------------

def _status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（documents, facts, batches）")
    p.add_argument("--limit", type=int, default=None, help="只列出最近的 N 个批次")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Columns aligned by display width (a Chinese character takes two cells)."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *rows]]
    return "\n".join(lines)


def _status(args: argparse.Namespace) -> int:
    from etl.batches import database_status
    from etl.vocab import BATCH_STATUS_ZH, KIND_ZH

    status = database_status(db_path(args), limit=args.limit, wait=settings(args).lock_wait)
    if args.json:
        _print_json(status)
        return EXIT_OK
    print(f"数据库 {status['db']}：有效文档 {status['documents']} 篇，有效数据 {status['facts']} 条，"
          f"批次 {len(status['batches'])} 个。")
    if not status["batches"]:
        print("还没有导入过任何文件。示例：python -m etl ingest data/samples")
        return EXIT_OK
    rows = []
    for b in status["batches"]:
        names = b["files"]
        shown = "、".join(names[:3]) + (f" 等 {len(names)} 个" if len(names) > 3 else "")
        rows.append([str(b["id"]), b["created_at"].replace("T", " "), KIND_ZH.get(b["kind"], b["kind"]),
                     BATCH_STATUS_ZH.get(b["status"], b["status"]), str(b["documents"]), str(b["facts"]), shown or "—"])
    print(_table(["批次", "导入时间", "类型", "状态", "文档", "数据", "文件"], rows))
    return EXIT_OK


# ---- the federation and its directory -------------------------------------------------------------------------------

def _setup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", required=True, help="本会名称，如 远安县总工会（页面、汇报封面和文件名都用它）")
    p.add_argument("--county", default=None, metavar="AREA",
                   help="本会辖区：全国区划表（2023）中的区县或地级市，名称或代码，如 远安县、420525；"
                        "其下的乡镇街道连同代码一次建好")
    p.add_argument("--directory", type=Path, default=None, metavar="FILE.csv",
                   help="地区名录 CSV（列：名称、层级、上级、行政区划代码、别名、起始年份、终止年份、更名或并入为）；"
                        "与 --county 同用时补充或覆盖区划表中的行，单独使用时其中没有上级的一行即辖区")
    p.add_argument("--level", default=None, help="辖区层级：地市、区县或乡镇街道（默认取辖区本身的层级）")
    p.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="从这一天起跟踪报送期限（更早到期的期别不判逾期；默认今天）")
    p.add_argument("--user", default=None, help="设置人")


def _setup(args: argparse.Namespace) -> int:
    from etl import directory, directory_sources

    if not args.county and not args.directory:
        raise UnionError("请用 --county 指定辖区（全国区划表），或用 --directory 给出地区名录 CSV，或两者都给。")
    entries = directory_sources.setup_entries(args.county, args.directory.read_bytes() if args.directory else None)
    roots = [e.name for e in entries if e.parent is None]
    if len(roots) != 1:
        raise UnionError("地区名录应当恰好有一行没有上级（本会辖区），现在有 "
                         f"{len(roots)} 行：{'、'.join(roots) or '无'}。", item=str(args.directory))
    fed = directory.setup(db_path(args), name=args.name, area=roots[0], level=args.level, entries=entries,
                          since=args.since, user=args.user, wait=settings(args).lock_wait)
    n = len(entries) - 1
    print(f"已设置本会：{fed.name}（辖区 {fed.region}，层级 {fed.level}，代码 {fed.code or '无'}），"
          f"名录中辖区以下 {n} 个单位；{fed.since:%Y-%m-%d} 起跟踪报送期限。")
    return EXIT_OK


def _import_directory_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="FILE.csv", help="地区名录 CSV（可由 export-directory 导出后修改）")
    p.add_argument("--user", default=None, help="修改人（记录在批次中）")
    p.add_argument("--dry-run", action="store_true", help="只列出将要做的修改，不写入")


def _import_directory(args: argparse.Namespace) -> int:
    from etl import db, directory, directory_sources

    entries = directory_sources.read_csv(args.file.read_bytes())
    if args.dry_run:
        with db.connect(db_path(args), read_only=True, wait=settings(args).lock_wait) as con:
            plan = directory.plan(con, entries)
        for c in plan.changes:
            if c.kind != "same":
                print(f"{c.entry.name}：{c.text}")
        print("\n".join(plan.problems) or f"共新增 {plan.added} 个、修改 {plan.changed} 个（未写入）。")
        return EXIT_OK if plan.ok else EXIT_FILES_FAILED
    print(directory.apply(db_path(args), entries, user=args.user, note=f"地区名录：{args.file.name}",
                          wait=settings(args).lock_wait).text)
    return EXIT_OK


def _export_directory_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", type=Path, default=None, metavar="FILE.csv", help="写入文件（默认输出到屏幕）")


def _export_directory(args: argparse.Namespace) -> int:
    from etl import db, directory, directory_sources

    with db.connect(db_path(args), read_only=True, wait=settings(args).lock_wait) as con:
        data = directory_sources.write_csv(directory.rows(con))
    if args.output:
        args.output.write_bytes(data)
        print(f"已导出地区名录到 {args.output}。")
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return EXIT_OK


# ---- backup / restore ---------------------------------------------------------------------------------------------

def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=None,
                   help="备份目录（默认：设置 backups 或环境变量 UNION_BACKUPS 下，否则数据库旁的 backups/，"
                        "再加 union-时间/）")
    p.add_argument("--archive", type=Path, default=None, help=ARCHIVE_HELP)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


def _backup(args: argparse.Namespace) -> int:
    from etl.backup import backup

    cfg = settings(args)
    info = backup(cfg.db, _archive_of(args), args.out, wait=cfg.lock_wait, backups=cfg.backups_dir)
    if args.json:
        _print_json({**vars(info), "path": str(info.path)})
    else:
        print(info.to_text())
    return EXIT_OK


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("backup", type=Path, metavar="DIR", help="备份目录（python -m etl backup 生成的）")
    p.add_argument("--archive", type=Path, default=None, help=ARCHIVE_HELP)
    p.add_argument("--yes", action="store_true", help="确认恢复（不加则只检查备份并说明将做什么）")


def _restore(args: argparse.Namespace) -> int:
    from etl.backup import restore, verify

    if not args.yes:
        info = verify(args.backup)
        print(info.to_text())
        print(f"备份完好。恢复会用它替换数据库 {db_path(args)}（原数据库改名保留，不删除），"
              "并把其中的原文件补回归档。确认请加 --yes 再运行一次。")
        return EXIT_USAGE
    print(restore(args.backup, db_path(args), _archive_of(args), wait=settings(args).lock_wait).to_text())
    return EXIT_OK


# ---- registry -----------------------------------------------------------------------------------------------------

COMMANDS: list[Command] = [
    Command("ingest", "导入报告和统计表（文件或文件夹），一次导入为一个可撤销的批次",
            "python -m etl ingest data/samples", _ingest_args, _ingest),
    Command("undo", "撤销一个导入批次：删除其数据，恢复被它替换的数据（原文件仍在归档中）",
            "python -m etl undo 3", _undo_args, _undo),
    Command("status", "查看数据库中的文档数、数据条数和导入批次（最新在前）",
            "python -m etl status --json", _status_args, _status),
    Command("setup", "设置本会：名称、辖区和地区名录（全国区划表中的区县连同其乡镇街道代码，或一份名录 CSV）",
            "python -m etl setup --name 远安县总工会 --county 远安县", _setup_args, _setup),
    Command("import-directory", "导入地区名录 CSV（新增、修改地区，更名与合并）：一个可撤销的批次",
            "python -m etl import-directory 地区名录.csv --user 张三", _import_directory_args, _import_directory),
    Command("export-directory", "导出地区名录 CSV（中文表头，可用 Excel 修改后再导入）",
            "python -m etl export-directory -o 地区名录.csv", _export_directory_args, _export_directory),
    Command("template", "生成统计表模板（.xlsx）", "python -m etl template -o 统计表模板.xlsx",
            lazy("etl.tally.template", "add_arguments"), lazy("etl.tally.template", "run")),
    Command("backup", "备份数据库和全部原文件（看板运行时也可以做，备份是同一时刻的完整状态）",
            "python -m etl backup --out /mnt/usb/工会备份", _backup_args, _backup),
    Command("restore", "从备份恢复数据库并补回原文件（原数据库改名保留，不删除任何文件）",
            "python -m etl restore data/backups/union-20261207-101500 --yes", _restore_args, _restore),
    Command("check-draft", "核对稿件：稿件中的每个数字与库中数据比对（一致、不一致、库中无、未核对）",
            "python -m etl check-draft 工作报告（征求意见稿）.docx --region 青禾区 --year 2024 --json",
            lazy("writing.cli", "check_args"), lazy("writing.cli", "check_run")),
    Command("user", "账号：新建、修改角色和地区范围、重设密码、解锁、列出（add / set / passwd / unlock / list）",
            "python -m etl user add 李红 --role 填报 --region 城关街道", lazy("etl.users_cli", "add_arguments"),
            lazy("etl.users_cli", "run")),
    Command("audit", "操作记录：谁在什么时候做了哪些改动（最新在前）", "python -m etl audit --limit 20",
            lazy("etl.users_cli", "audit_arguments"), lazy("etl.users_cli", "audit_run")),
]


def build_parser() -> argparse.ArgumentParser:
    # --db on the main parser and on every subparser; SUPPRESS keeps a subparser's absent
    # option from overwriting a value given before the subcommand.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                        help=f"DuckDB 数据库文件（默认 {Settings.db}，或环境变量 UNION_DB、配置文件 union.toml）")
    parser = argparse.ArgumentParser(
        prog="python -m etl", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        description="工会统计看板的数据导入工具：把报告和统计表导入 DuckDB。",
        epilog="Example:\n  python -m etl --db data/union.duckdb ingest data/samples")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for cmd in COMMANDS:
        p = sub.add_parser(cmd.name, parents=[common], help=cmd.help, description=cmd.help,
                           epilog=f"Example:\n  {cmd.example}", formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.add_arguments(p)
        p.set_defaults(run=cmd.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")
    args = build_parser().parse_args(argv)
    import duckdb

    from etl import limits

    try:
        args.settings = load_settings()
        limits.configure(args.settings)
        # The command line is batch work; the dashboard people are looking at runs beside it on the same
        # cores. A positive niceness (settings.cli_nice; 0 for normal priority) lets page views go first.
        if args.settings.cli_nice > 0 and argv is None:  # a real command line, not a call from tests
            with contextlib.suppress(OSError):
                os.nice(args.settings.cli_nice)
        return args.run(args)
    except (UnionError, FileNotFoundError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except duckdb.Error as exc:  # e.g. not a DuckDB file, or written by a newer DuckDB
        print(f"错误：无法使用数据库 {db_path(args)}：{exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
