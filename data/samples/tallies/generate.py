"""Write the sample tallies of the fictional 青禾区 for 2025, as a district federation collects them.

Two files: the first half year, all eight towns and streets, and the full year as it stood when only
four of them had reported (青石镇, 柳塘镇, 桃源镇 and 云溪乡 not yet): the dashboard's partial year.

A home-made layout on purpose (title row, two-row merged header, units in the
header, rates as percent-formatted fractions, aid in 万元, a 合计 row and a
signature line), so the shipped data exercises the tolerant reader. Figures
continue the sample reports' 2024 full-year figures (data/samples/
expected.jsonl): stocks grow a little, half-year flows are about 40–55% of a
year. The reports stop at 2024, so the tally adds a period instead of
repeating one. Deterministic: `python data/samples/tallies/generate.py`
rewrites the file byte for byte.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side

HERE = Path(__file__).resolve().parent
EXPECTED = HERE.parent / "expected.jsonl"
OUT = HERE / "青禾区2025年上半年各镇(街道)工会工作统计表.xlsx"
OUT_FY = HERE / "青禾区2025年全年各镇(街道)工会工作统计表(已报4个).xlsx"
TOWNS = ["城关街道", "东湖街道", "白沙镇", "青石镇", "柳塘镇", "桃源镇", "新港镇", "云溪乡"]
REPORTED_FY = ["城关街道", "东湖街道", "白沙镇", "新港镇"]  # the full year, as far as it had come in
# (group, header, metric, kind) — kind: stock grows, flow is a half-year share, rate is percent points
COLUMNS = [
    ("工会组建", "工会组织总数(家)", "union_orgs_total", "stock"),
    ("工会组建", "新建工会(家)", "union_orgs_new", "flow"),
    ("工会组建", "建会率(%)", "union_coverage_rate", "rate"),
    ("会员发展", "职工总数(人)", "workers_total", "stock"),
    ("会员发展", "会员总数(人)", "members_total", "stock"),
    ("会员发展", "新发展会员(人)", "members_new", "flow"),
    ("会员发展", "入会率(%)", "membership_rate", "rate"),
    ("集体合同", "签订集体合同企业(家)", "cc_enterprises", "stock"),
    ("集体合同", "覆盖职工(人)", "cc_workers_covered", "stock"),
    ("困难帮扶", "帮扶慰问户数(户)", "aid_households", "flow"),
    ("困难帮扶", "帮扶金额(万元)", "aid_amount", "flow"),
]
FALLBACK = {"union_orgs_total": 300, "union_orgs_new": 20, "union_coverage_rate": 95.0, "workers_total": 20000,
            "members_total": 19000, "members_new": 1500, "membership_rate": 95.0, "cc_enterprises": 280,
            "cc_workers_covered": 17000, "aid_households": 150, "aid_amount": 250000}


def base_2024() -> dict[tuple[str, str], float]:
    """2024 full-year figures per (town, metric) from the sample reports' expected facts."""
    out: dict[tuple[str, str], float] = {}
    if EXPECTED.exists():
        for line in EXPECTED.read_text(encoding="utf-8").splitlines():
            f = json.loads(line)
            if f.get("year") == 2024 and f.get("period") == "FY" and f.get("region") in TOWNS and f["value"]:
                out.setdefault((f["region"], f["metric"]), float(f["value"]))
    return out


def figures(period: str = "H1") -> dict[str, dict[str, float]]:
    """Figures per town: H1 grows a little on 2024's year end, a half year's flows; FY a year on."""
    rng = random.Random(2025 if period == "H1" else "2025FY")
    base = base_2024()
    rows: dict[str, dict[str, float]] = {}
    for town in TOWNS if period == "H1" else REPORTED_FY:
        row: dict[str, float] = {}
        for _, _, metric, kind in COLUMNS:
            v = base.get((town, metric), FALLBACK[metric] * rng.uniform(0.3, 1.2))
            if kind == "stock":
                row[metric] = round(v * (rng.uniform(1.005, 1.03) if period == "H1" else rng.uniform(1.02, 1.06)))
            elif kind == "flow":
                share = rng.uniform(0.40, 0.55) if period == "H1" else rng.uniform(0.95, 1.12)
                row[metric] = round(v * share, -2 if metric == "aid_amount" else 0)
            else:
                row[metric] = round(min(99.5, v + rng.uniform(0.0, 0.6 if period == "H1" else 1.0)), 1)
        row["members_total"] = min(row["members_total"], row["workers_total"] - 1)
        row["cc_workers_covered"] = min(row["cc_workers_covered"], row["workers_total"])
        row["union_orgs_new"] = min(row["union_orgs_new"], row["union_orgs_total"])
        rows[town] = row
    return rows


def build(period: str = "H1") -> bytes:
    data = figures(period)
    towns = list(data)
    span = "上半年" if period == "H1" else "全年"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"2025{span}"
    width = len(COLUMNS) + 2
    ws.cell(1, 1, f"青禾区2025年{span}各镇(街道)工会工作统计表").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.cell(2, 1, "填报单位：青禾区总工会（盖章）")
    ws.cell(2, width - 1, "统计截止：2025年6月30日" if period == "H1" else "统计截止：2025年12月31日")
    ws.cell(3, 1, "地区")
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    ws.cell(3, width, "备注")
    ws.merge_cells(start_row=3, start_column=width, end_row=4, end_column=width)
    col = 2
    for group in dict.fromkeys(g for g, *_ in COLUMNS):
        span = [c for c in COLUMNS if c[0] == group]
        ws.cell(3, col, group)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(span) - 1)
        for i, (_, header, _, _) in enumerate(span):
            ws.cell(4, col + i, header)
        col += len(span)
    for r, town in enumerate(towns, start=5):
        ws.cell(r, 1, town)
        for c, (_, _, metric, kind) in enumerate(COLUMNS, start=2):
            v = data[town][metric]
            cell = ws.cell(r, c)
            if kind == "rate":
                cell.value, cell.number_format = round(v / 100, 4), "0.0%"
            elif metric == "aid_amount":
                cell.value, cell.number_format = round(v / 10000, 2), "0.00"
            else:
                cell.value = int(v)
    total_row = 5 + len(towns)
    ws.cell(total_row, 1, "合计")
    for c, (_, _, metric, kind) in enumerate(COLUMNS, start=2):
        if kind == "rate":
            continue
        if metric == "aid_amount":
            ws.cell(total_row, c, round(sum(round(data[t][metric] / 10000, 2) for t in towns), 2))
        else:
            ws.cell(total_row, c, int(sum(data[t][metric] for t in towns)))
    ws.cell(total_row + 2, 1, "填表人：周敏")
    ws.cell(total_row + 2, 5, "审核人：陈建国")
    ws.cell(total_row + 2, 9, "填报日期：2025年7月8日" if period == "H1" else "填报日期：2026年1月20日")
    thin = Side(style="thin")
    for row in ws.iter_rows(min_row=3, max_row=total_row, max_col=width):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row <= 4:
                cell.font = Font(bold=True)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.column_dimensions["A"].width = 12
    for c in range(2, width + 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = 11
    ws.row_dimensions[4].height = 42
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), "2025-07-08T09:00:00Z" if period == "H1" else "2026-01-20T09:00:00Z")


def normalise_zip(data: bytes, stamp: str = "2025-07-08T09:00:00Z") -> bytes:
    """Fixed timestamps inside the .xlsx (openpyxl stamps 'now') so reruns give the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                import re
                body = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*<",
                              rb"<dcterms:\1\2>" + stamp.encode() + rb"<", body)
            info = zipfile.ZipInfo(item.filename, date_time=(2025, 7, 8, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return out.getvalue()


if __name__ == "__main__":
    for out, period in ((OUT, "H1"), (OUT_FY, "FY")):
        out.write_bytes(build(period))
        print(f"wrote {out.relative_to(HERE.parent.parent.parent)}")
