"""起草数字段落: short paragraphs per area in the register of the reports, every figure tied to its source.

    截至2024年底，全区共有基层工会组织3,887家，较上年增加199家，增长5.4%；建会率达97.3%……

The wording is data (lexicon/phrasings.toml: openings, a phrase per metric,
change clauses per metric kind); this module only fills it in from the stored
figures (writing/stored.py): 万 for large numbers as dashboard.fmt writes them,
approximations as stored (约/逾), a sum of children that did not all report says
so, a change only when both periods are complete, and no clause for a metric
without data. The same paragraphs go to the page, the .docx, the command line
and the deck's speaker notes.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path

from dashboard import fmt
from etl.catalog import load_catalog, read_lexicon
from writing.stored import Source, Store, Stored, is_complete

LEXICON = Path(__file__).parent / "lexicon"
PathLike = Path | str | None


def phrasings() -> dict:
    """lexicon/phrasings.toml, read once."""
    return read_lexicon("phrasings.toml", LEXICON)


@dataclass(frozen=True)
class Linked:
    """One figure of a paragraph: where it stands and what it rests on."""

    start: int
    end: int
    text: str
    kind: str  # figure | change | growth | points
    metric: str
    region: str
    year: int
    period: str
    sources: tuple[Source, ...] = ()
    basis: str = ""  # how it was obtained, in Chinese (the stored figures of a change, a partial sum)


@dataclass
class Paragraph:
    """One area's paragraph."""

    area: str  # formation | membership | contracts | hardship
    title: str  # 工会组建 …
    text: str = ""
    figures: list[Linked] = field(default_factory=list)


def metric_kind(metric: str) -> str:
    """stock, flow, rate or money: which change wording a metric takes."""
    m = load_catalog()[metric]
    return "rate" if m.unit == "%" else "money" if m.unit == "元" else m.kind


def plenary(value: float, unit: str, approx: str | None = None) -> str:
    """A stored figure as the reports write it: 3,887家 · 26.13万人 · 386.2万元 · 逾2,900家 · 95%以上."""
    if unit == "%" and approx == "at_least":
        return fmt.number(value, unit) + "以上"
    return fmt.number(value, unit, approx)


def whole(region: str) -> str:
    """全区 for 青禾区, 全镇 for 白沙镇; other names as they are."""
    for suffix, word in sorted(phrasings()["whole"].items(), key=lambda kv: -len(kv[0])):
        if region.endswith(suffix):
            return word
    return region


class _Writer:
    """Appends text to a paragraph, recording where each figure lands."""

    def __init__(self, para: Paragraph) -> None:
        self.para = para

    def plain(self, text: str) -> None:
        self.para.text += text

    def figure(self, text: str, kind: str, s: Stored, basis: str = "", sources: tuple[Source, ...] = ()) -> None:
        start = len(self.para.text)
        self.para.text += text
        self.para.figures.append(Linked(start, len(self.para.text), text, kind, s.metric, s.region, s.year,
                                        s.period, sources or s.sources, basis))

    def template(self, template: str, plain: dict[str, str], figures: dict[str, tuple]) -> None:
        """Fill `template`: plain fields as text, figure fields as linked figures ((text, kind, stored, basis))."""
        for literal, name, _, _ in string.Formatter().parse(template):
            self.plain(literal)
            if name is None:
                continue
            if name in figures:
                self.figure(*figures[name])
            else:
                self.plain(plain[name])


def paragraphs(region: str, year: int, period: str = "FY", path: PathLike = None,
               store: Store | None = None) -> list[Paragraph]:
    """The areas' paragraphs for a region, year and period; an area without any figure is left out."""
    store = store or Store(path)
    rid = store.region_id(region)
    if rid is None:
        return []
    name = store.name(rid)
    out = []
    for area in phrasings()["areas"]:
        para = Paragraph(area["key"], area["title"])
        w = _Writer(para)
        for sentence in area["sentences"]:
            stored = [s for m in sentence["metrics"] if (s := store.get(rid, m, year, period)) is not None]
            if not stored:
                continue
            when = phrasings()["when"][sentence["when"]][period].format(year=year)
            w.plain(sentence["opening"].format(when=when, whole=whole(name)))
            for i, s in enumerate(stored):
                if i:
                    w.plain("；")
                _clause(w, store, rid, s)
            w.plain("。")
        if para.figures:
            out.append(para)
    return out


def _clause(w: _Writer, store: Store, rid: int, s: Stored) -> None:
    """'共有基层工会组织3,887家（8个镇街中7个已报），较上年增加199家，增长5.4%'."""
    unit = phrasings()["units"].get(s.metric, load_catalog()[s.metric].unit)
    phrase = phrasings()["metrics"][s.metric]
    basis = ""
    if s.partial:
        basis = f"{s.children}个下级单位中{s.reported}个已报，为其合计"
    w.template(phrase, {}, {"value": (plenary(s.value, unit, s.approx), "figure", s, basis)})
    if s.partial:
        cov = phrasings()["coverage"]
        level = store.regions.loc[store.regions["parent_id"] == rid, "level"]
        word = cov["level"].get(str(level.iloc[0]) if len(level) else "", cov["level"]["other"])
        w.plain(cov["phrase"].format(children=s.children, reported=s.reported, level=word))
    _change(w, store, rid, s, unit)


def _change(w: _Writer, store: Store, rid: int, s: Stored, unit: str) -> None:
    """The change against the same period a year earlier, when both periods are complete, exact and of one
    basis (a region's own report is never compared with its children's sum: it also counts units directly
    under it)."""
    prev = store.get(rid, s.metric, s.year - 1, s.period)
    if prev is None or s.approx or prev.approx or s.from_children != prev.from_children or not (
            is_complete(store, rid, s.metric, s.year, s.period)
            and is_complete(store, rid, s.metric, s.year - 1, s.period)):
        return
    kind = metric_kind(s.metric)
    templates = phrasings()["kinds"][kind]
    diff = s.value - prev.value
    rel = fmt.change(s.value, prev.value, "")
    points = fmt.change(s.value, prev.value, "%") or ""
    shown = points if kind == "rate" else rel
    if diff == 0:
        which = "same"
    elif shown is None:
        return  # the year before was zero: no percentage to state
    elif shown.lstrip("+-") in ("0%", "0个百分点"):
        which = "flat"  # a change too small to show at one decimal
    else:
        which = "up" if diff > 0 else "down"
    basis = f"按{s.year}年{plenary(s.value, unit)}、{prev.year}年{plenary(prev.value, unit)}计算"
    both = s.sources + prev.sources
    w.template(templates[which], {"base": phrasings()["when"]["base"][s.period]}, {
        "diff": (plenary(abs(diff), unit), "change", s, basis, both),
        "pct": ((rel or "").lstrip("+-"), "growth", s, basis, both),
        "pp": (points.lstrip("+-"), "points", s, basis, both),
    })


def as_text(paras: list[Paragraph], numbered: bool = True) -> str:
    """The paragraphs as plain text to paste: '一、工会组建' headings, one paragraph each."""
    heads = "一二三四五六七八九十"
    lines = []
    for i, p in enumerate(paras):
        if numbered:
            lines.append(f"{heads[i] if i < len(heads) else i + 1}、{p.title}")
        lines.append(p.text)
    return "\n".join(lines)
