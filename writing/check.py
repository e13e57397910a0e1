"""核对稿件: every figure of a draft compared with the database.

The draft goes through the same extractor as any report, with the draft's scope
(the federation's own name by default) as its reporting body and the draft's
year. Each figure it yields is compared with the stored figure of the same
metric, region, year and period (writing/stored.py), as ranges (writing/figures.py):

- match: the stored figure lies in what the draft's wording allows (3.89万 for 38,870; 2900多家);
- differs: it does not; the stored figure, its source and a wording in the draft's style go with it;
- missing: the database has no such figure (库中无此数据);
- not_checked: the number is no catalog metric, or a sum of children that is incomplete, or a change
  whose periods are not both complete.

Changes and shares written beside a figure (writing/derived.py) are recomputed
from the stored figures and checked the same way. Every other number in the
draft is listed as not_checked, so the person sees that nothing was skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from dashboard import fmt
from dashboard.targets import target_for
from etl.catalog import load_catalog
from etl.extract import extract_report_text
from etl.model import Fact
from etl.normalize import normalize
from etl.numbers import Quantity, find_quantities
from etl.vocab import PERIOD_ZH
from writing.derived import SENTENCE_END, Cue, read_cue
from writing.figures import Written, draft_lexicon, parse, stored_bounds, stored_written
from writing.stored import Source, Store, Stored, federation, is_complete, latest_year

PathLike = Path | str | None
VERDICTS = ("match", "differs", "missing", "not_checked")
VERDICT_ZH = {"match": "一致", "differs": "不一致", "missing": "库中无此数据", "not_checked": "未核对"}
KIND_ZH = {"figure": "数字", "growth": "增幅", "points": "增减（百分点）", "change": "增减", "share": "完成率",
           "other": "其他数字"}


def message(key: str, **fields: object) -> str:
    """A message from lexicon/draft.toml with its fields filled in."""
    return draft_lexicon()["messages"][key].format(**fields)


@dataclass(frozen=True)
class Figure:
    """One number of the draft and what the database says about it."""

    start: int  # offsets into the draft text: text[start:end] is the figure as written
    end: int
    text: str
    kind: str  # figure | growth | points | change | share | other
    verdict: str  # match | differs | missing | not_checked
    metric: str | None = None
    value: float | None = None  # as the draft states it, in catalog units (a decrease is negative)
    approx: str | None = None
    region: str | None = None
    year: int | None = None
    period: str | None = None
    stored_value: float | None = None  # the stored figure, or the change recomputed from stored figures
    stored_approx: str | None = None
    stored_text: str | None = None  # the stored figure as its source (or the dashboard) writes it
    suggestion: str | None = None  # the stored figure in the draft's style (differs only)
    note: str = ""  # why, in Chinese
    sources: tuple[Source, ...] = ()
    evidence: str = ""  # the words around the figure, as the extractor read them

    @property
    def when(self) -> str:
        if self.year is None:
            return ""
        return f"{self.year}年{PERIOD_ZH.get(self.period or '', '')}"

    @property
    def metric_zh(self) -> str:
        return load_catalog()[self.metric].name_zh if self.metric in load_catalog() else ""

    def to_json(self) -> dict:
        """The command line's `--json` line for this figure."""
        return {
            "text": self.text, "metric": self.metric, "metric_zh": self.metric_zh or None, "kind": self.kind,
            "value": _plain(self.value), "approx": self.approx, "region": self.region, "year": self.year,
            "period": self.period, "verdict": self.verdict, "stored_value": _plain(self.stored_value),
            "stored_approx": self.stored_approx, "stored_text": self.stored_text, "suggestion": self.suggestion,
            "note": self.note, "start": self.start, "end": self.end,
            "sources": [s.to_json() for s in self.sources],
        }


def _plain(v: float | None) -> float | int | None:
    if v is None:
        return None
    v = round(float(v), 6)
    return int(v) if v.is_integer() else v


@dataclass
class DraftCheck:
    """A checked draft: its text, the scope it was read with, and every figure in order."""

    text: str
    name: str
    region: str | None
    year: int | None
    period: str
    figures: list[Figure] = field(default_factory=list)

    def count(self, verdict: str) -> int:
        return sum(f.verdict == verdict for f in self.figures)

    @property
    def wrong(self) -> list[Figure]:
        return [f for f in self.figures if f.verdict == "differs"]

    @property
    def problems(self) -> list[Figure]:
        """What a person must look at: wrong figures first, then figures the database lacks."""
        return self.wrong + [f for f in self.figures if f.verdict == "missing"]


@dataclass(frozen=True)
class _Read:
    """A fact of the draft with its number as written (cleaned offsets for context, original for output)."""

    fact: Fact
    q: Quantity | None
    start: int
    end: int
    written: Written | None


def check_draft(text: str, *, path: PathLike = None, region: str | None = None, year: int | None = None,
                period: str | None = None, name: str = "稿件.txt", store: Store | None = None) -> DraftCheck:
    """Check every figure of `text` against the database at `path`.

    `region` is whom the draft speaks for (default: the federation, see stored.federation);
    `year` and `period` are the defaults for figures whose year or period the draft does not say
    (default: what the draft's title says, else the latest year in the database, 全年).
    `store` may be shared by several checks of one database version.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    store = store or Store(path)
    scope = region or federation(path)
    docs, facts = extract_report_text(text, name=name, region=scope)
    period = period or next((d.period for d in docs if d.period), None) or "FY"
    year = year or next((d.year for d in docs if d.year), None) or latest_year(period, path)
    norm = normalize(text)
    quantities = find_quantities(norm.text)
    reads = _bind(facts, quantities, norm)
    claimed = {id(r.q) for r in reads if r.q is not None}
    figures = [_check_fact(r, text, store, year, period) for r in reads]
    for q in quantities:
        if id(q) not in claimed:
            figures.append(_check_other(q, norm, text, reads, figures, store))
    figures.sort(key=lambda f: (f.start, f.end))
    return DraftCheck(text, name, scope, year, period, figures)


def _bind(facts: list[Fact], quantities: list[Quantity], norm) -> list[_Read]:
    """Each fact with the number it was read from: the last quantity of its value inside its evidence."""
    spans = [norm.span(q.start, q.end) for q in quantities]
    used: set[int] = set()
    out = []
    for f in facts:
        pick = None
        if f.start is not None and f.end is not None:
            for i, (q, (s, e)) in enumerate(zip(quantities, spans, strict=True)):
                if i in used or s < f.start or e > f.end + 4:
                    continue
                if q.value is not None and f.value is not None and abs(q.value - f.value) <= 1e-6 * max(1, f.value):
                    pick = i
        if pick is None:
            out.append(_Read(f, None, f.start or 0, f.end or 0, None))
            continue
        used.add(pick)
        q = quantities[pick]
        out.append(_Read(f, q, *spans[pick], parse(norm.text[q.start:q.end])))
    return out


def _stored_text(s: Stored, sw: Written | None) -> str:
    """The stored figure for a person: every digit of a count (261,317人), 万 for money, the source's own
    wording for an approximation (2900多家)."""
    unit = load_catalog()[s.metric].unit
    if s.approx and sw is not None:
        return sw.text
    if unit not in ("元", "%") and float(s.value).is_integer():
        return f"{fmt.APPROX_PREFIX.get(s.approx, '') if s.approx else ''}{s.value:,.0f}{unit}"
    return fmt.number(s.value, unit, s.approx)


def _check_fact(r: _Read, text: str, store: Store, year: int | None, period: str) -> Figure:
    f = r.fact
    fig = Figure(r.start, r.end, text[r.start:r.end], "figure", "not_checked", f.metric, f.value, f.approx,
                 f.region, f.year or year, f.period or period, evidence=f.evidence)
    if f.value is None:
        return replace(fig, note=message("redacted"))
    if fig.year is None:
        return replace(fig, note=message("no_year"))
    if not f.region:
        return replace(fig, note=message("no_region"))
    rid = store.region_id(f.region)
    if rid is None:
        return replace(fig, verdict="missing", note=message("missing_region", region=f.region))
    fig = replace(fig, region=store.name(rid))
    s = store.get(rid, f.metric, fig.year, fig.period)
    if s is None:
        return replace(fig, verdict="missing",
                       note=message("missing_data", region=fig.region, when=fig.when, metric=fig.metric_zh))
    own = s.sources[0] if s.sources and not s.from_children else None
    sw = stored_written(s.value, s.approx, own.evidence) if own else None
    stored_text = _stored_text(s, sw)
    fig = replace(fig, stored_value=s.value, stored_approx=s.approx, stored_text=stored_text, sources=s.sources)
    if s.partial:
        return replace(fig, note=message("partial", children=s.children, reported=s.reported, metric=fig.metric_zh,
                                         stored=stored_text))
    written = r.written or Written(f.evidence, f.value, "", 0, "", "", False)
    lo, hi = stored_bounds(s.value, s.approx, sw)
    conflict = "；" + message("conflict") if s.conflict else ""
    if written.allows(lo, hi):
        if s.approx:
            note = message("match_approx", stored=stored_text)
        elif written.approx:
            note = message("match_within", stored=stored_text)
        elif abs(written.value - s.value) > 1e-9 * max(1.0, abs(s.value)):
            note = message("match_rounded", stored=stored_text, step=_step_text(written))
        else:
            note = message("match")
        return replace(fig, verdict="match", note=note + conflict)
    suggestion = written.like(s.value, sw, s.approx) if r.written else stored_text
    return replace(fig, verdict="differs", suggestion=suggestion,
                   note=message("differs", stored=stored_text) + "；" + message("suggest", suggestion=suggestion)
                   + conflict)


def _step_text(w: Written) -> str:
    """'0.01万' or '1' — the rounding a figure was written with, for the note."""
    step = w.step / w.scale
    digits = f"{step:.{max(w.decimals, 0)}f}" if step < 1 else f"{step:.0f}"
    return f"{digits}{w.scale_word}"


def _check_other(q: Quantity, norm, text: str, reads: list[_Read], figures: list[Figure], store: Store) -> Figure:
    """A number that is no fact: a change or share beside a figure, or a number the catalog does not know."""
    s, e = norm.span(q.start, q.end)
    w = parse(norm.text[q.start:q.end])
    fig = Figure(s, e, text[s:e], "other", "not_checked", value=q.value, approx=q.approx,
                 note=message("unknown"))
    if w is None:
        return fig
    sentence = _sentence_start(norm.text, q.start)
    before = [(r, fg) for r, fg in zip(reads, figures, strict=False)
              if r.q is not None and sentence <= r.q.end <= q.start]
    cue = read_cue(norm.text, q.start, w.unit, before[-1][0].q.end if before else 0)
    if cue is None:
        return fig
    after = [(r, fg) for r, fg in zip(reads, figures, strict=False)
             if r.q is not None and q.end <= r.q.start < _sentence_end(norm.text, q.end)]
    target = before[-1] if before else (after[0] if after else None)
    fig = replace(fig, kind=cue.kind, value=cue.sign * w.value if cue.sign else w.value)
    if target is None:
        return replace(fig, note=message("share_unattached" if cue.kind == "share" else "change_unattached"))
    base = target[1]
    fig = replace(fig, metric=base.metric, region=base.region, year=base.year, period=base.period)
    if cue.sequential:
        return replace(fig, note=message("sequential"))
    if cue.kind == "share":
        return _check_share(fig, w, base, store)
    return _check_change(fig, w, cue, base, store)


def _sentence_start(text: str, i: int) -> int:
    for j in range(i - 1, max(-1, i - 300), -1):
        if text[j] in SENTENCE_END:
            return j + 1
    return max(0, i - 300)


def _sentence_end(text: str, i: int) -> int:
    for j in range(i, min(len(text), i + 300)):
        if text[j] in SENTENCE_END:
            return j
    return min(len(text), i + 300)


def _complete_pair(fig: Figure, store: Store) -> tuple[Stored | None, Stored | None, str | None]:
    """The stored figures of the year and the year before, or the reason a change cannot be recomputed."""
    rid = store.region_id(fig.region)
    if rid is None or fig.year is None or fig.metric is None:
        return None, None, message("change_unattached")
    pair = []
    for y in (fig.year, fig.year - 1):
        when = f"{store.name(rid)}{y}年{PERIOD_ZH.get(fig.period or '', '')}"
        if not is_complete(store, rid, fig.metric, y, fig.period):
            return None, None, message("change_incomplete", when=when, metric=fig.metric_zh)
        s = store.get(rid, fig.metric, y, fig.period)
        if s.approx:
            return None, None, message("change_approx", when=when, metric=fig.metric_zh)
        pair.append(s)
    if pair[0].from_children != pair[1].from_children:
        return None, None, message("change_basis_differs", cur=f"{fig.year}年", prev=f"{fig.year - 1}年")
    return pair[0], pair[1], None


def _check_change(fig: Figure, w: Written, cue: Cue, base: Figure, store: Store) -> Figure:
    cur, prev, why = _complete_pair(fig, store)
    if why:
        return replace(fig, note=why)
    unit = load_catalog()[fig.metric].unit
    if cue.kind == "growth":
        if prev.value == 0:
            return replace(fig, note=message("change_zero"))
        value = (cur.value - prev.value) / abs(prev.value) * 100
    else:
        value = cur.value - prev.value
    a, b = w.bounds()
    lo, hi = (a, b) if cue.sign > 0 else (-b, -a)
    eps = 1e-9 * max(1.0, abs(value))
    verb = cue.verb if (value >= 0) == (cue.sign > 0) else draft_lexicon()["change"]["opposite"].get(cue.verb, cue.verb)
    shown = verb + w.like(abs(value))
    basis = message("change_basis", cur_when=f"{cur.year}年", cur=fmt.number(cur.value, unit),
                    prev_when=f"{prev.year}年", prev=fmt.number(prev.value, unit), value=shown)
    fig = replace(fig, stored_value=value, stored_text=shown, sources=cur.sources + prev.sources)
    if lo - eps <= value <= hi + eps:
        return replace(fig, verdict="match", note=message("match") + "（" + basis + "）")
    return replace(fig, verdict="differs", suggestion=shown,
                   note=basis + "；" + message("suggest", suggestion=shown))


def _check_share(fig: Figure, w: Written, base: Figure, store: Store) -> Figure:
    target = target_for(fig.metric, fig.year, fig.region)
    if target is None or not target:
        return replace(fig, note=message("share_no_target", metric=fig.metric_zh))
    rid = store.region_id(fig.region)
    s = store.get(rid, fig.metric, fig.year, fig.period) if rid is not None else None
    if s is None or not is_complete(store, rid, fig.metric, fig.year, fig.period):
        return replace(fig, note=message("change_incomplete", when=f"{fig.region}{fig.when}", metric=fig.metric_zh))
    unit = load_catalog()[fig.metric].unit
    value = s.value / target * 100
    shown = w.like(value)
    basis = message("share_basis", stored=fmt.number(s.value, unit, s.approx), target=fmt.number(target, unit),
                    value=shown)
    fig = replace(fig, stored_value=value, stored_text=shown, sources=s.sources)
    if w.allows(value, value) and not s.approx:
        return replace(fig, verdict="match", note=message("match") + "（" + basis + "）")
    if s.approx:
        return replace(fig, note=message("change_approx", when=f"{fig.region}{fig.when}", metric=fig.metric_zh))
    return replace(fig, verdict="differs", suggestion=shown, note=basis + "；" + message("suggest", suggestion=shown))


DRAFT_TYPES = ["txt", "docx"]


def read_draft(data: bytes, name: str, archive_dir: Path | str):
    """An uploaded draft's text (etl.read.ReportText), archived before it is read, like every upload.

    Raises etl.read.ReadError with a Chinese message for a file that cannot be read as a draft.
    """
    from etl.archive import archive_bytes
    from etl.read import ReadError, read_report

    archive_bytes(data, name, archive_dir)
    if Path(name).suffix.lower().lstrip(".") not in DRAFT_TYPES:
        read_report(Path(name), data=data)  # its refusal names the problem (a tally, an image, .doc …)
        raise ReadError(name, f"文件 {name} 不是 .txt 或 .docx。请把稿件另存为 .docx 或 .txt 后上传。")
    return read_report(Path(name), data=data)
