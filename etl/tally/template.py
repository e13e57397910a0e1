"""The blank tally template (统计表模板.xlsx), built from the metric catalog.

Staff who use it never hit a header the reader does not know: one column per
catalog metric, named as the official statistical forms name it, with its
unit in the header (lexicon/tally_template.toml), data validation on every
column, an instructions sheet and a sheet explaining each metric in Chinese.

Run: python -m etl template [-o 统计表模板.xlsx]   (or python -m etl.tally.template)
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from etl.catalog import CATEGORY_ZH, load_catalog, read_lexicon
from etl.vocab import PERIOD_FY, PERIOD_H1, PERIOD_ZH

DATA_SHEET = "数据"
YEAR_RANGE = (2000, 2035)
EXAMPLE_REGION = "白沙镇"

INSTRUCTIONS = [
    "填表说明",
    "",
    "1. 在“数据”工作表中每个乡镇（街道）、每个年度和期间填一行；示例行（第 2 行）可直接改写或删除。",
    "2. “乡镇(街道)名称”填乡镇（街道）或企业工会的名称，如“白沙镇”“城关街道”，不要加“总工会”。",
    "3. “年度”填四位年份，如 2024；“期间”从下拉框选择“上半年”或“全年”。",
    "4. 各项指标按表头括号中的单位填写：个数、人数、户数、件数填整数，金额填元（不填万元），"
    "比率填百分数（92.5 表示 92.5%）。",
    "5. 不知道或不适用的数填空，不要填 0，也不要填“-”“无”等文字。",
    "6. 不要合并单元格，不要插入合计行、小计行或签名行；系统会自动汇总。",
    "7. 不要改动表头文字和列的顺序；如需补充说明，写在“备注”列。",
    "8. 各项指标的含义见“指标说明”工作表。",
    "",
    "上传：打开看板的“数据上传”页面，选择本文件；系统会逐格检查，有问题会指出工作表、单元格和原因。",
]


def wording() -> dict[str, Any]:
    """lexicon/tally_template.toml: the key columns' headers, each metric's header and meaning."""
    return read_lexicon("tally_template.toml")


def header_of(metric_code: str) -> str:
    """The template's header for a metric: its name on the official forms, with the unit to fill in."""
    return wording()["metrics"][metric_code]["header"]


def key_headers() -> list[str]:
    keys = wording()["keys"]
    return [keys["region"], keys["year"], keys["period"]]


def build_template() -> bytes:
    """The template workbook as .xlsx bytes: instructions, the data sheet, the metrics explained."""
    from openpyxl import Workbook

    wb = Workbook()
    _instructions(wb.active)
    ws = wb.create_sheet(DATA_SHEET)
    _data_sheet(ws)
    _metrics_sheet(wb.create_sheet("指标说明"))
    wb.active = wb.index(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _instructions(info) -> None:  # openpyxl Worksheet
    from openpyxl.styles import Font

    info.title = "填表说明"
    for i, line in enumerate(INSTRUCTIONS, start=1):
        info.cell(i, 1, line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 110


def _data_sheet(ws) -> None:
    """Header row (one column per catalog metric, unit in brackets), an example row, validation per column."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    cat = load_catalog()
    headers = [*key_headers(), *(header_of(code) for code in cat), wording()["keys"]["note"]]
    ws.append(headers)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for c, text in enumerate(headers, start=1):
        cell = ws.cell(1, c)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[get_column_letter(c)].width = max(10, min(24, len(text) * 2 + 2))
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "B2"
    example = dict(zip(key_headers(), [EXAMPLE_REGION, 2024, PERIOD_ZH[PERIOD_FY]], strict=True))
    sample_values = {"union_orgs_total": 152, "union_orgs_new": 9, "union_coverage_rate": 93.5,
                     "members_total": 18650, "members_new": 820, "workers_total": 20100, "membership_rate": 92.8,
                     "aid_households": 96, "aid_amount": 286000}
    ws.append([example.get(h) for h in headers[:3]]
              + [sample_values.get(code) for code in cat] + ["示例行，请改写或删除"])
    _validations(ws, len(headers))


def _validations(ws, n_columns: int) -> None:
    """Drop-downs and ranges on the first 1,000 rows, each with its Chinese error message."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cat, last = load_catalog(), 1000
    dv_period = DataValidation(type="list", formula1=f'"{PERIOD_ZH[PERIOD_H1]},{PERIOD_ZH[PERIOD_FY]}"',
                               allow_blank=True, error="请从下拉框选择“上半年”或“全年”。", errorTitle="期间不正确",
                               showErrorMessage=True)
    dv_year = DataValidation(type="whole", operator="between", formula1=str(YEAR_RANGE[0]),
                             formula2=str(YEAR_RANGE[1]), allow_blank=True, showErrorMessage=True,
                             errorTitle="年份不正确", error=f"请填写 {YEAR_RANGE[0]}–{YEAR_RANGE[1]} 之间的四位年份。")
    dv_region = DataValidation(type="textLength", operator="between", formula1="2", formula2="40", allow_blank=True,
                               showErrorMessage=True, errorTitle="地区不正确", error="请填写地区名称（2–40 个字）。")
    dv_count = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="数值不正确", error="请填写不小于 0 的数字。")
    dv_rate = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                             showErrorMessage=True, errorTitle="比率不正确",
                             error="请填写 0–100 之间的百分数，如 92.5。")
    dv_note = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="500", allow_blank=True)
    for dv in (dv_period, dv_year, dv_region, dv_count, dv_rate, dv_note):
        ws.add_data_validation(dv)
    dv_region.add(f"A2:A{last}")
    dv_year.add(f"B2:B{last}")
    dv_period.add(f"C2:C{last}")
    for offset, code in enumerate(cat, start=4):
        col = get_column_letter(offset)
        (dv_rate if cat[code].unit == "%" else dv_count).add(f"{col}2:{col}{last}")
        if cat[code].unit == "%":
            ws.cell(2, offset).number_format = "0.00"
    note_col = get_column_letter(n_columns)
    dv_note.add(f"{note_col}2:{note_col}{last}")


def _metrics_sheet(meta) -> None:
    """One row per metric, all in Chinese: the header, its area, unit, how it adds up, what to count, and
    the other headers the upload recognises for it."""
    from openpyxl.styles import Alignment, Font

    from etl.tally.config import lexicon

    cat = load_catalog()
    meta.append(["表头", "类别", "单位", "统计方式", "含义和口径", "表头也可写作"])
    kinds = {"stock": "期末数（上半年、全年各填当时的数，不相加）", "flow": "本期发生数（可累计）"}
    for code, m in cat.items():
        header = header_of(code)
        unit = header[header.rindex("(") + 1:-1] if header.endswith(")") else m.unit
        others = [w for w in lexicon().metrics[code] if w not in header][:4]
        meta.append([header, CATEGORY_ZH.get(m.category, m.category), unit, kinds[m.kind],
                     wording()["metrics"][code]["meaning"], "、".join(others)])
    for c, width in zip("ABCDEF", (30, 12, 8, 26, 70, 40), strict=True):
        meta.column_dimensions[c].width = width
        meta[f"{c}1"].font = Font(bold=True)
    for row in meta.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    meta.freeze_panes = "A2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl.tally.template", description="生成统计表模板（.xlsx）",
                                     epilog="Example:\n  python -m etl template -o 统计表模板.xlsx",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run(parser.parse_args(argv))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", type=Path, default=Path("统计表模板.xlsx"),
                   help="输出文件（默认 统计表模板.xlsx）")


def run(args: argparse.Namespace) -> int:
    out: Path = args.output
    out.write_bytes(build_template())
    print(f"已生成统计表模板：{out}（{len(load_catalog())} 项指标）", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
