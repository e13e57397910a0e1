"""Where directory entries come from and go to: the national table and CSV files.

Two ways into the directory (etl/directory.py → `plan`, `apply`, `setup`)
start here, as lists of `Entry` (names, not ids):
- the national table (etl/divisions.py): a county and its townships with
  their 12-digit codes in one step (`from_divisions`; `find_areas` and
  `area_label` serve the set-up's search);
- a CSV the towns' own changes are kept in (`read_csv` / `write_csv`, the
  columns in directory.CSV_COLUMNS, Chinese headers).
`setup_entries` lays a CSV over the national table for the first-run set-up.
Apart from directory.py because this is parsing files and looking up a
table shipped as data; nothing here opens the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace

from etl.directory import CSV_COLUMNS, DirectoryError, Entry, field_label
from etl.region_names import canonical_name, code_key, infer_level

DIVISION_LEVEL = {"province": "省", "city": "地市", "county": "区县", "township": "乡镇街道"}


def find_areas(text: str, limit: int = 20) -> list:
    """Counties and cities of the national table whose name or code matches `text` (the set-up's search).

    '远安' → 远安县; '420525' → 远安县; '东城区' → 北京市东城区. Returns etl.divisions.Division rows.
    """
    from etl.divisions import by_code, divisions, stem

    text = text.strip()
    if not text:
        return []
    if text.isdigit():
        d = by_code().get(text[:6]) or by_code().get(text[:4])
        return [d] if d and d.level in ("county", "city") else []
    hits = [d for d in divisions() if d.level in ("county", "city")
            and (d.name == text or stem(d.name) == text or text in d.name)]
    hits.sort(key=lambda d: (d.name != text and stem(d.name) != text, d.level != "county", d.code))
    return hits[:limit]


def area_label(d) -> str:
    """'湖北省宜昌市远安县（420525）': a national-table unit with the units above it."""
    from etl.divisions import full_name

    return f"{full_name(d)}（{d.code}）"


def from_divisions(area: str) -> list[Entry]:
    """The area (a county or city: name, short name or code) and its units one level down, with their codes.

    A county gets its townships (乡镇街道), a city its counties: a federation picks its area and has its
    towns in one step. Raises DirectoryError when the name fits no area or several (the message lists them).
    """
    from etl.divisions import children

    hits = find_areas(area)
    exact = [d for d in hits if d.name == area or d.code == area]
    if len(exact) == 1:
        hits = exact
    if not hits:
        raise DirectoryError(f"全国区划表（2023年）中找不到“{area}”。请输入区县或地级市的名称或 6 位代码，"
                             "例如“远安县”或“420525”。", item=area)
    if len(hits) > 1:
        shown = "；".join(area_label(d) for d in hits[:8])
        raise DirectoryError(f"“{area}”对应多个地区：{shown}{'等' if len(hits) > 8 else ''}。请输入完整名称或代码。",
                             item=area)
    (d,) = hits
    root = Entry(d.name, DIVISION_LEVEL[d.level], None, d.stat_code)
    return [root, *(Entry(c.name, DIVISION_LEVEL[c.level], d.name, c.stat_code) for c in children(d.code))]


def read_csv(data: bytes) -> list[Entry]:
    """Entries of a directory CSV (UTF-8, with or without BOM, or GBK as Excel saves it).

    Raises DirectoryError listing every malformed row (the rest of the checks are `plan`'s).
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DirectoryError("名录文件无法读取：请另存为 CSV（UTF-8 或 GBK 编码）。")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    if "名称" not in header:
        raise DirectoryError(f"名录文件第一行应为表头，至少包含“名称”列（可用列：{'、'.join(CSV_COLUMNS)}）。")
    col = {CSV_COLUMNS[h]: i for i, h in enumerate(header) if h in CSV_COLUMNS}
    entries, problems = [], []
    for n, cells in enumerate(reader, start=2):
        def get(key: str, cells: list[str] = cells) -> str:
            i = col.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        if not any(c.strip() for c in cells):
            continue
        name = canonical_name(get("name"))
        if not name:
            problems.append(f"第{n}行：缺少名称。")
            continue
        years = {}
        for key in ("first_year", "last_year"):
            raw = get(key).removesuffix("年")
            if raw and not (raw.isdigit() and len(raw) == 4):
                problems.append(f"第{n}行：{field_label(key)}“{get(key)}”应为四位年份，如 2021。")
            years[key] = int(raw) if raw.isdigit() and len(raw) == 4 else None
        code = get("code")
        if code and code_key(code) is None:
            problems.append(f"第{n}行：行政区划代码“{code}”应为 6、9 或 12 位数字。")
        entries.append(Entry(
            name=name, level=get("level") or infer_level(name), parent=canonical_name(get("parent")) or None,
            code=code_key(code), aliases=tuple(a.strip() for a in get("aliases").replace("｜", "|").split("|")
                                               if a.strip()),
            first_year=years["first_year"], last_year=years["last_year"],
            successor=canonical_name(get("successor")) or None, row=n))
    if problems:
        raise DirectoryError("名录文件有问题，未做任何修改：\n" + "\n".join(problems))
    return entries


def write_csv(entries: Iterable[Entry]) -> bytes:
    """The directory as a CSV with Chinese headers, UTF-8 with BOM (Excel opens it with the right characters)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for e in entries:
        w.writerow([e.name, e.level, e.parent or "", e.code or "", "|".join(e.aliases),
                    e.first_year or "", e.last_year or "", e.successor or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def setup_entries(area: str | None = None, csv_data: bytes | None = None) -> list[Entry]:
    """The entries a set-up starts from: the national table's area and its towns, then a CSV's rows on top
    (a CSV row with the same name as a national one replaces it: local aliases, years, renames)."""
    entries: dict[str, Entry] = {}
    if area:
        entries.update((e.name, e) for e in from_divisions(area))
    if csv_data:
        for e in read_csv(csv_data):
            old = entries.get(e.name)
            entries[e.name] = replace(e, code=e.code or (old.code if old else None))
    return list(entries.values())
