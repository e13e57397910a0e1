"""Annotated documents for training and evaluation, each with the group it must stay in.

Sets:
- `corpus`: data/corpus (public pages rewritten and annotated, see its README);
  a document's group is its source page's host, so copies of one site's text
  never sit on both sides of a cross-validation split;
- `samples`: data/samples (the fictional district's generated reports), one
  group per town, trained on with a lower weight (they are not real wording);
- `dev`, `seeds`: ../shared/eval, only ever evaluated on, never trained on.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from etl.read import read_report

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"
SAMPLES = ROOT / "data" / "samples"
SHARED = ROOT.parent / "shared"
SET_WEIGHTS = {"corpus": 1.0, "samples": 0.3}


@dataclass
class AnnotatedDoc:
    name: str  # file name, as score.py names documents
    text: str  # decoded original; gold evidence indexes into it
    gold: list[dict]
    group: str  # cross-validation group
    kind: str  # town, county, enterprise, news, … (corpus) or the set's name
    set: str
    weight: float = 1.0
    path: Path = field(default_factory=Path)


def _gold(path: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            g = json.loads(line)
            if g.get("value") is not None:
                out.setdefault(g["doc"], []).append(g)
    return out


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or url).lower()
    for prefix in ("www.", "m.", "wap."):
        if host.startswith(prefix):
            return host[len(prefix):]
    return host


def load_corpus(root: Path = CORPUS) -> list[AnnotatedDoc]:
    """Every document of data/corpus with its gold facts; grouped by the source page's host."""
    docs = []
    for src in sorted((root / "sources").glob("*.csv")):
        gold = _gold(root / "gold" / f"{src.stem}.jsonl")
        with open(src, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                path = root / "docs" / row["doc"]
                if not path.exists():
                    continue
                text = read_report(path).text
                docs.append(AnnotatedDoc(row["doc"], text, gold.get(row["doc"], []), _host(row["url"]),
                                         row["kind"], "corpus", SET_WEIGHTS["corpus"], path))
    return docs


def load_samples(root: Path = SAMPLES) -> list[AnnotatedDoc]:
    """The generated sample reports; one group per reporting town (the name before 总工会)."""
    gold = _gold(root / "expected.jsonl")
    docs = []
    for path in sorted((root / "reports").glob("*.txt")):
        group = path.name.split("总工会")[0]
        docs.append(AnnotatedDoc(path.name, read_report(path).text, gold.get(path.name, []), f"samples:{group}",
                                 "samples", "samples", SET_WEIGHTS["samples"], path))
    return docs


def load_shared(which: str) -> list[AnnotatedDoc]:
    """The shared development set (`dev`) or seeds (`seeds`); empty when ../shared is absent."""
    if which == "dev":
        docs_dir, gold_path = SHARED / "eval" / "dev" / "docs", SHARED / "eval" / "dev" / "gold.jsonl"
    else:
        docs_dir, gold_path = SHARED / "seeds", SHARED / "eval" / "gold_seeds.jsonl"
    if not docs_dir.is_dir():
        return []
    gold = _gold(gold_path)
    return [AnnotatedDoc(p.name, read_report(p).text, gold.get(p.name, []), f"{which}:{p.name}", which, which,
                         1.0, p) for p in sorted(docs_dir.glob("*.txt"))]


def load(names: list[str]) -> list[AnnotatedDoc]:
    """Documents of the named sets, in a fixed order."""
    out: list[AnnotatedDoc] = []
    for n in names:
        out += {"corpus": load_corpus, "samples": load_samples}.get(n, lambda n=n: load_shared(n))()
    return out
