"""The two examples in docs/writing/起草数字段落示例.md, written by the tool itself (a test keeps them current).

    .venv/bin/python -m writing.examples --db data/union.duckdb > docs/writing/起草数字段落示例.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from etl.vocab import PERIOD_ZH
from writing.paragraphs import as_text, paragraphs
from writing.stored import Store

SCOPES = [("青禾区", 2024, "FY"), ("白沙镇", 2024, "H1")]


def examples_markdown(scopes: Sequence[tuple[str, int, str]] = SCOPES, store: Store | None = None,
                      path: Path | str | None = None) -> str:
    """Markdown with the generated paragraphs of each (region, year, period), from the sample database."""
    store = store or Store(path)
    out = ["# 起草数字段落：两个示例", "",
           "以下文字由“起草数字段落”页（或 `python -m export paragraphs`）根据示例数据库（虚构的青禾区，"
           "见 `data/samples/`）自动生成，未经改动。措辞模板在 `writing/lexicon/phrasings.toml`；"
           "每个数字在页面上都可点开查看出处，增减只在两个年份的数据都完整、且都不是约数时才写。", ""]
    for region, year, period in scopes:
        out += [f"## {region} {year}年{PERIOD_ZH[period]}", "",
                f"`python -m export paragraphs --region {region} --year {year} --period {period}`", ""]
        for line in as_text(paragraphs(region, year, period, store=store)).split("\n"):
            out += [f"**{line}**" if "、" in line[:2] else line, ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m writing.examples", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=Path("data/union.duckdb"))
    args = ap.parse_args(argv)
    sys.stdout.write(examples_markdown(path=args.db))
    return 0


if __name__ == "__main__":
    sys.exit(main())
