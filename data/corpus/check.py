#!/usr/bin/env python3
"""Check the annotated corpus: every document sourced, every gold line well-formed.

    python data/corpus/check.py            # all batches
    python data/corpus/check.py a b        # only batches a and b
    python data/corpus/check.py --no-heldout

Standard library only, so it runs before the project's virtualenv exists.
What it checks, per batch (docs/<batch>NNN.txt, gold/<batch>.jsonl, sources/<batch>.csv):
- every document has one row in its sources file with a public URL, and every row a document;
- every gold line has the fields of ../shared/eval/ANNOTATION.md, a catalog metric, a value in
  the catalog unit that the evidence can show, and an evidence that occurs exactly once;
- no source URL and no document text is held out (../shared/eval/heldout.py);
- no document is a copy of a development or seed document under another address: the held-out
  check knows addresses and held-out texts, not the development set's own pages, so a document
  sharing most of its distinctive figures with one of them is reported (copies()).
Exit status 1 when anything is wrong; each problem is printed with its file and line.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "eval"
FIELDS = ("doc", "metric", "value", "evidence", "year", "period", "as_of", "region", "approx", "note")
SOURCE_FIELDS = ("doc", "url", "kind", "script", "title")
KINDS = {"town", "county", "enterprise", "sector", "news", "yearbook", "speech", "other"}
PERIODS = {None, "H1", "FY"}
APPROX = {None, "about", "at_least", "at_most"}
_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_CN = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"


def catalog() -> set[str]:
    with open(SHARED / "metrics.csv", encoding="utf-8") as f:
        return {r["code"] for r in csv.DictReader(f)}


def value_shown(value: float, evidence: str) -> bool:
    """Can the evidence plausibly write this value (digits × 1/万/亿/%), or does it use Chinese numerals?"""
    if any(ch in evidence for ch in _CN):
        return True
    ev = evidence.translate(_DIGITS)
    for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", ev):
        n = float(m.group().replace(",", ""))
        for scale in (1, 1e4, 1e8, 1e3, 100):
            if abs(n * scale - value) <= max(0.005 * abs(value), 1e-6):
                return True
    return False


def check_batch(batch: str, codes: set[str]) -> list[str]:
    errors: list[str] = []
    docs = {p.name: p for p in (HERE / "docs").glob(f"{batch}[0-9]*.txt")}
    src_path = HERE / "sources" / f"{batch}.csv"
    gold_path = HERE / "gold" / f"{batch}.jsonl"
    sources: dict[str, dict[str, str]] = {}
    if not src_path.exists():
        errors.append(f"{src_path}: missing")
    else:
        with open(src_path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != SOURCE_FIELDS:
                errors.append(f"{src_path}: header must be {','.join(SOURCE_FIELDS)}")
            for n, row in enumerate(reader, 2):
                if row["doc"] in sources:
                    errors.append(f"{src_path}:{n}: {row['doc']} listed twice")
                sources[row["doc"]] = row
                if not row.get("url", "").startswith("http"):
                    errors.append(f"{src_path}:{n}: url must be the page's address")
                if row.get("kind") not in KINDS:
                    errors.append(f"{src_path}:{n}: kind {row.get('kind')!r} not in {sorted(KINDS)}")
                if row.get("script") not in ("simplified", "traditional"):
                    errors.append(f"{src_path}:{n}: script must be simplified or traditional")
                if row["doc"] not in docs:
                    errors.append(f"{src_path}:{n}: no document {row['doc']}")
    for name in docs:
        if name not in sources:
            errors.append(f"{name}: no row in {src_path.name}")
    texts = {name: p.read_text(encoding="utf-8") for name, p in docs.items()}
    if gold_path.exists():
        for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{gold_path.name}:{n}"
            try:
                g = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            missing = [k for k in FIELDS if k not in g]
            if missing:
                errors.append(f"{where}: missing fields {missing}")
                continue
            if g["doc"] not in texts:
                errors.append(f"{where}: unknown doc {g['doc']}")
                continue
            if g["metric"] not in codes:
                errors.append(f"{where}: unknown metric {g['metric']}")
            if not isinstance(g["value"], (int, float)):
                errors.append(f"{where}: value must be a number")
            elif not value_shown(float(g["value"]), g["evidence"]):
                errors.append(f"{where}: value {g['value']} not visible in evidence «{g['evidence']}»")
            count = texts[g["doc"]].count(g["evidence"]) if g["evidence"] else 0
            if count != 1:
                errors.append(f"{where}: evidence «{g['evidence']}» occurs {count} times in {g['doc']}")
            if g["year"] is not None and not (isinstance(g["year"], int) and 1949 <= g["year"] <= 2035):
                errors.append(f"{where}: year must be an integer or null")
            if g["period"] not in PERIODS:
                errors.append(f"{where}: period must be H1, FY or null")
            if g["approx"] not in APPROX:
                errors.append(f"{where}: approx must be about, at_least, at_most or null")
            if g["as_of"] is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(g["as_of"])):
                errors.append(f"{where}: as_of must be YYYY-MM-DD or null")
    elif docs:
        errors.append(f"{gold_path}: missing")
    return errors


def heldout(batches: list[str]) -> list[str]:
    script = SHARED / "heldout.py"
    urls, files = [], []
    for b in batches:
        src = HERE / "sources" / f"{b}.csv"
        if src.exists():
            with open(src, encoding="utf-8", newline="") as f:
                urls += [r["url"] for r in csv.DictReader(f)]
        files += sorted(str(p) for p in (HERE / "docs").glob(f"{b}[0-9]*.txt"))
    out = []
    for args in (urls, ["--text", *files] if files else []):
        if not args:
            continue
        proc = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
        out += [f"held out: {ln}" for ln in proc.stdout.splitlines() if ln.startswith("held out")]
    return out


_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def figures(text: str) -> set[str]:
    """A text's distinctive figures: three digits or more, not round (100, 3000: any text has them), not a year."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text.translate(_DIGITS))  # 1,185 → 1185
    return {x for x in _FIGURE.findall(text)
            if len(x.replace(".", "")) >= 3 and not x.endswith("00")
            and not (x.isdigit() and len(x) == 4 and 1949 <= int(x) <= 2035)}


def copies(batches: list[str]) -> list[str]:
    """Documents that share at least 4 distinctive figures, and half of the smaller set, with a development
    or seed document: another address of a page the project is scored on (corpus README, second wave)."""
    refs = [*sorted((SHARED / "dev" / "docs").glob("*.txt")), *sorted((SHARED.parent / "seeds").glob("*.txt"))]
    evaluation = {p: figures(p.read_text(encoding="utf-8")) for p in refs}
    out = []
    for b in batches:
        for doc in sorted((HERE / "docs").glob(f"{b}[0-9]*.txt")):
            mine = figures(doc.read_text(encoding="utf-8"))
            for ref, theirs in evaluation.items():
                shared = mine & theirs
                if len(shared) >= 4 and len(shared) >= 0.5 * min(len(mine), len(theirs)):
                    out.append(f"copy of an evaluation document: {doc.name} shares {len(shared)} figures with "
                               f"{ref.parent.name}/{ref.name} ({', '.join(sorted(shared)[:5])} …)")
    return out


def main(argv: list[str]) -> int:
    use_heldout = "--no-heldout" not in argv
    batches = [a for a in argv if not a.startswith("--")]
    if not batches:
        batches = sorted({p.stem for p in (HERE / "sources").glob("*.csv")})
    codes = catalog()
    errors = [e for b in batches for e in check_batch(b, codes)] + copies(batches)
    if use_heldout:
        errors += heldout(batches)
    for e in errors:
        print(e)
    n_docs = sum(len(list((HERE / "docs").glob(f"{b}[0-9]*.txt"))) for b in batches)
    n_gold = sum(sum(1 for ln in (HERE / "gold" / f"{b}.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip())
                 for b in batches if (HERE / "gold" / f"{b}.jsonl").exists())
    print(f"{len(batches)} batches, {n_docs} documents, {n_gold} facts: {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
