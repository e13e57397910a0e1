"""Scoring by the conventions of ../shared/eval/score.py, and cross-validation grouped by source.

A prediction matches the first unused gold fact of the same document and
metric whose value is equal within 0.5 %; it is exact when the year, period and
region are right too, each only where the gold fills it.  Regions compare
after folding Traditional place characters and dropping union words, masks and
company-form words, as the scorer does.  `cross_validate` trains on all groups
but one fold's and predicts that fold with the full extractor, so every figure
in its table comes from documents whose source the model never saw.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from etl.catalog import load_catalog
from etl.model import Fact

_FOLD = str.maketrans("鎮區縣鄉東門陽島灣順龍華蘭懷開慶莊", "镇区县乡东门阳岛湾顺龙华兰怀开庆庄")
_MASKS = "xX×*＊某○〇"
_UNION = ("总工会", "總工會", "工会", "工會")
_COMPANY = ("股份有限公司", "有限责任公司", "有限公司", "公司", "集团")


def _fold_region(x: object) -> str:
    s = str(x or "").strip().translate(_FOLD)
    for suffix in _UNION:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    for suffix in _COMPANY:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    return s.lstrip(_MASKS) or s


def same_region(a: object, b: object) -> bool:
    return _fold_region(a) == _fold_region(b)


def _same_value(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= max(0.005 * abs(b), 1e-6)


def exact(f: Fact | dict, g: dict) -> bool:
    """Year, period and region right wherever the gold fills them."""
    get = f.get if isinstance(f, dict) else lambda k: getattr(f, k)
    for key in ("year", "period", "region"):
        if g.get(key) is None:
            continue
        if key == "region":
            if not same_region(get(key), g[key]):
                return False
        elif str(get(key)) != str(g[key]):
            return False
    return True


def match_doc(facts: list[Fact], gold: list[dict]) -> list[tuple[bool, bool]]:
    """(matched, exact) for each fact, in order, against one document's gold facts."""
    used: set[int] = set()
    out = []
    for f in facts:
        hit = next((i for i, g in enumerate(gold) if i not in used and g["metric"] == f.metric
                    and _same_value(f.value, g["value"])), None)
        if hit is None:
            out.append((False, False))
        else:
            used.add(hit)
            out.append((True, exact(f, gold[hit])))
    return out


@dataclass
class Tally:
    """Counts for one row of the score table."""

    gold: int = 0
    pred: int = 0
    tp: int = 0
    exact: int = 0
    charted: int = 0
    charted_tp: int = 0
    charted_exact: int = 0
    region_ok: int = 0
    region_n: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, facts: list[Fact], gold: list[dict], name: str = "") -> None:
        facts = [f for f in facts if f.value is not None]  # redacted figures are not scored (score.py)
        self.gold += len(gold)
        self.pred += len(facts)
        used: set[int] = set()
        for f in facts:
            hit = next((i for i, g in enumerate(gold) if i not in used and g["metric"] == f.metric
                        and _same_value(f.value, g["value"])), None)
            charted = not f.flags and not f.needs_review
            self.charted += charted
            if hit is None:
                self.misses.append(f"  spurious {name} {f.metric}={f.value} «{f.evidence}»")
                continue
            used.add(hit)
            g = gold[hit]
            ex = exact(f, g)
            self.tp += 1
            self.exact += ex
            self.charted_tp += charted
            self.charted_exact += charted and ex
            if not ex and same_region(f.region, g.get("region")):
                self.misses.append(f"  time     {name} {f.metric}={f.value} gold={g.get('year')}/{g.get('period')}"
                                   f"/{g.get('as_of')} got={f.year}/{f.period}/{f.as_of} «{f.evidence}»")
            if g.get("region") is not None:
                self.region_n += 1
                ok = same_region(f.region, g["region"])
                self.region_ok += ok
                if not ok:
                    self.misses.append(f"  region   {name} {f.metric}={f.value} gold={g['region']} got={f.region}")
        for i, g in enumerate(gold):
            if i not in used:
                self.misses.append(f"  missed   {name} {g['metric']}={g['value']} «{g.get('evidence', '')}»")

    def row(self) -> dict[str, float]:
        def div(a: int, b: int) -> float:
            return a / b if b else 0.0
        p, r = div(self.tp, self.pred), div(self.tp, self.gold)
        return {"gold": self.gold, "pred": self.pred, "P": p, "R": r, "F1": div(2 * p * r, p + r) if p + r else 0.0,
                "exact_P": div(self.exact, self.pred), "charted_P": div(self.charted_exact, self.charted),
                "charted_cover": div(self.charted_tp, self.gold), "region_ok": div(self.region_ok, self.region_n)}


def category_of(metric: str) -> str:
    return load_catalog()[metric].category


def split_by_category(facts: list[Fact], gold: list[dict]) -> dict[str, tuple[list[Fact], list[dict]]]:
    """Facts and gold of one document per metric category (score.py's per-category rows)."""
    out: dict[str, tuple[list[Fact], list[dict]]] = {}
    for f in facts:
        out.setdefault(category_of(f.metric), ([], []))[0].append(f)
    for g in gold:
        out.setdefault(category_of(g["metric"]), ([], []))[1].append(g)
    return out


def format_table(rows: dict[str, dict[str, float]]) -> str:
    """A plain-text table: one line per row name, the columns of Tally.row()."""
    cols = ("gold", "pred", "P", "R", "F1", "exact_P", "charted_P", "charted_cover", "region_ok")
    lines = [f"{'':<22}" + "".join(f"{c:>14}" for c in cols)]
    for name, r in rows.items():
        cells = "".join(f"{r[c]:>14d}" if c in ("gold", "pred") else f"{r[c]:>14.3f}" for c in cols)
        lines.append(f"{name:<22}{cells}")
    return "\n".join(lines)


def kinds(docs: list) -> Counter:
    return Counter(d.doc.kind for d in docs)
