"""Golden outputs of the tally reader: every test workbook → facts, problems, tables, frozen as JSON.

Each case is analysed with every reader that can open it (openpyxl and
calamine for .xlsx/.xlsm, the default for .xls and .csv) and the result is
written to tests/golden/tallies/<case>.json: the tables found (header rows,
column roles, row kinds), the documents, every problem (severity, code, cell,
value, message) and every fact. tests/test_tally_golden.py holds the reader to
these files, so a change in what staff see cannot slip through unnoticed.

Problems are stored in position order (sheet, row, column), the order the
reader reports them in. A file's sha256 changes with openpyxl's timestamps, so
doc ids are stored with the hash replaced by "SHA".

Rewrite the files after an intended change, then read the diff:

    .venv/bin/python tests/golden_tallies.py --write
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from tally_books import GOOD, ODD, xlsx  # noqa: E402

GOLDEN = HERE / "golden" / "tallies"
ROOT = HERE.parent

Case = Callable[[], tuple[str, bytes, dict[str, Any]]]


def _book(builder: Callable[[], tuple[str, bytes]], **kwargs: Any) -> Case:
    return lambda: (*builder(), kwargs)


def _file(path: Path) -> Case:
    return lambda: (path.name, path.read_bytes(), {})


def _rows(name: str, rows: list[list[Any]], **kwargs: Any) -> Case:
    return lambda: (name, xlsx({"Sheet1": {"rows": rows}}), kwargs)


def _read_errors() -> dict[str, Case]:
    from test_tally_read import BAD, _data

    return {f"read_{c[0]}": (lambda c=c: (c[2], _data(c[0], c[1]), {})) for c in BAD}


def _row_checks() -> dict[str, Case]:
    from test_tally_validate import HEAD, ROW_CASES

    return {f"row_check_{c[0]}": _rows("t.xlsx", [HEAD, c[1]]) for c in ROW_CASES}


def cases() -> dict[str, Case]:
    """Every workbook the tally tests use, plus the shipped sample and the LibreOffice fixtures."""
    from test_tally_validate import HEAD

    out: dict[str, Case] = {name: _book(b) for name, b in {**GOOD, **ODD}.items()}
    out.update(_row_checks())
    out.update(_read_errors())
    out["duplicate_rows"] = _rows("t.xlsx", [HEAD, ["白沙镇", 2024, 150, 2, 90, 5000, 6000],
                                             ["白沙镇", 2024, 150, 2, 90, 5000, 6000],
                                             ["青石镇", 2024, 80, 1, 88, 3000, 3500],
                                             ["青石镇", 2024, 81, 1, 88, 3000, 3500]])
    out["total_mismatch"] = _rows("t.xlsx", [HEAD[:3], ["白沙镇", 2024, 150], ["青石镇", 2024, 80],
                                             ["合计", None, 231]])
    out["jump_in_file"] = _rows("t.xlsx", [HEAD[:3], ["白沙镇", 2023, 150], ["白沙镇", 2024, 1500]])
    unknown = [["地区", "年份", "会员总数(人)", "困难职工建档数(户)"], ["白沙镇", 2024, 6000, 35]]
    out["unknown_column"] = _rows("x.xlsx", unknown)
    out["unknown_column_mapped"] = _rows("x.xlsx", unknown, mapping="D:aid_households")
    for path in sorted((HERE / "fixtures" / "tallies").glob("soffice_*")):
        out[f"fixture_{path.name}"] = _file(path)
    for path in sorted((ROOT / "data" / "samples" / "tallies").glob("*.xlsx")):
        out[f"sample_{path.stem}"] = _file(path)
    return out


def engines(name: str) -> list[str | None]:
    return ["openpyxl", "calamine"] if name.lower().endswith((".xlsx", ".xlsm")) else [None]


def _where_key(where: str, sheets: list[str]) -> tuple[int, int, int]:
    """(sheet index, row, column) of 'Sheet!D7'; (-1, -1, -1) for a file-level problem."""
    sheet, _, cell = (where or "").rpartition("!")
    m = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", cell)
    if not sheet or sheet not in sheets or not m:
        return (-1, -1, -1)
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return (sheets.index(sheet), int(m[2]), col)


def problem_order(problems: list, sheets: list[str]) -> list[tuple[int, int, int]]:
    return [_where_key(p.where, sheets) for p in problems]


def _runs(kinds: list[str]) -> str:
    """Row kinds run-length encoded: 'data×3 total note'."""
    out: list[str] = []
    for k in kinds:
        if out and out[-1].split("×")[0] == k:
            head, _, n = out[-1].partition("×")
            out[-1] = f"{head}×{int(n or 1) + 1}"
        else:
            out.append(k)
    return " ".join(out)


def snapshot(analysis: Any) -> dict[str, Any]:
    """What a person or the loader sees of one analysed tally, as plain JSON data."""
    ef = analysis.extracted
    sha = ef.sha256[:16]
    sheets = [g.name for g in analysis.book.grids] if analysis.book else []
    keyed = sorted(zip(problem_order(ef.problems, sheets), ef.problems, strict=True),
                   key=lambda kp: (kp[0], kp[1].code, kp[1].message))
    tables = [{"sheet": t.grid.name, "number": t.number, "layout": t.layout, "header_rows": t.header_rows,
               "title": t.title, "year": t.year, "period": t.period, "region": t.region,
               "columns": [[c.letter, c.header, c.role, c.metric, c.unit.to if c.unit else None,
                            c.unit.scale if c.unit else None, c.exact] for c in t.columns],
               "rows": _runs([r.kind for r in t.rows])} for t in analysis.tables]
    facts = []
    for f in ef.facts:
        d = f.to_json()
        d["doc_id"] = d["doc_id"].replace(sha, "SHA")
        facts.append(d)
    fields = list(facts[0]) if facts else []
    constant = {k: facts[0][k] for k in fields if all(f[k] == facts[0][k] for f in facts)}
    varying = [k for k in fields if k not in constant]
    return {
        "tables": tables,
        "documents": [[d.doc_id.replace(sha, "SHA"), d.segment, d.title, d.region, d.year, d.period]
                      for d in ef.documents],
        "problems": [[p.severity, p.code, p.where, p.value, p.message] for _, p in keyed],
        "fact_constants": constant,
        "fact_fields": varying,
        "facts": [[f[k] for k in varying] for f in facts],
    }


def run_case(case: Case, engine: str | None) -> tuple[Any, dict[str, Any]]:
    from etl.tally import analyze

    name, data, kwargs = case()
    mapping = None
    if "mapping" in kwargs:  # 'D:aid_households' → the table's key, found by a first analysis
        letter, choice = kwargs["mapping"].split(":")
        key = analyze(data, name, engine=engine).tables[0].key
        mapping = {key: {letter: choice}}
    a = analyze(data, name, engine=engine, mapping=mapping)
    return a, snapshot(a)


def golden_path(case: str) -> Path:
    return GOLDEN / f"{case}.json"


def dumps(by_engine: dict[str, dict[str, Any]]) -> str:
    """Readable JSON, one fact or problem per line. Engines after the first keep only what differs from it."""
    first = next(iter(by_engine.values()))
    parts = []
    for engine, snap in by_engine.items():
        own = snap if snap is first else {k: v for k, v in snap.items() if v != first[k]}
        lines = [f'"{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in own.items()
                 if k not in ("problems", "facts")]
        for k in ("problems", "facts"):
            if k in own:
                items = ",\n    ".join(json.dumps(x, ensure_ascii=False) for x in own[k])
                lines.append(f'"{k}": [\n    {items}\n  ]' if own[k] else f'"{k}": []')
        parts.append(f'"{engine}": {{\n  ' + ",\n  ".join(lines) + "\n}" if lines else f'"{engine}": {{}}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def load(case: str) -> dict[str, dict[str, Any]]:
    """Golden snapshots by engine name ('None' for the default reader), differences filled in from the first."""
    raw = json.loads(golden_path(case).read_text(encoding="utf-8"))
    first = next(iter(raw.values()))
    return {k: {**first, **v} for k, v in raw.items()}


def db_checks(workdir: Path) -> dict[str, Any]:
    """The database checks of an upload (unknown regions, conflicts, jumps) against a database holding 分年.xlsx."""
    from etl.db import connect
    from etl.tally.upload import commit, prepare
    from scripts.sample_db import set_up

    db, archive = workdir / "golden.duckdb", workdir / "archive"
    with connect(db):
        pass
    set_up(db)  # the sample federation's directory: its towns resolve, others are unknown
    name, data = GOOD["sheet_per_year"]()
    commit(prepare(data, name, db_path=db, archive_dir=archive), db_path=db, archive_dir=archive)
    books = {
        "wide": xlsx({"Sheet1": {"rows": [["地区", "年份", "工会组织总数(家)", "会员总数(人)"],
                                          ["白沙镇", 2023, 125, 4800], ["青石镇", 2024, 900, 3700],
                                          ["白纱镇", 2024, 100, 3000], ["白纱镇", 2023, 90, 2000]]}}),
        "merged": xlsx({"Sheet1": {"rows": [["地区", "年份", "期间", "工会组织总数(家)"],
                                            ["青石填", 2024, "上半年", 95], [None, 2024, "全年", 96]],
                                   "merge": ["A2:A3"]}}),
        "title": xlsx({"Sheet1": {"rows": [["白纱镇2024年统计"], ["年份", "工会组织总数(家)"], [2024, 130]]}}),
        "sheet_name": xlsx({"白纱镇": {"rows": [["年份", "工会组织总数(家)"], [2024, 130]]}}),
    }
    out: dict[str, Any] = {}
    for key, book in books.items():
        plan = prepare(book, f"{key}.xlsx", db_path=db, archive_dir=archive)
        out[key] = {"problems": [[p.severity, p.code, p.where, p.value, p.message] for p in plan.db_problems],
                    "conflicts": [[c.new.source, c.fact_id, c.old_value, c.old_source] for c in plan.conflicts],
                    "same": [[f.metric, f.source] for f in plan.same]}
    return out


DB_CHECKS = GOLDEN / "database_checks.json"


def write_all() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.json"):
        old.unlink()  # cases that were dropped go too
    for name, case in cases().items():
        file_name = case()[0]
        snaps = {str(e): run_case(case, e)[1] for e in engines(file_name)}
        golden_path(name).write_text(dumps(snaps), encoding="utf-8")
        print(f"{name}: {', '.join(snaps)}")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        DB_CHECKS.write_text(json.dumps(db_checks(Path(tmp)), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write_all()
