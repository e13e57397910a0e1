"""The one fact shape, from extraction to the database.

Every stage (report extraction, tally reading, loading, the dashboard's
provenance view) passes these frozen records around, so a figure never loses
where it came from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Flags, periods and approximation markers are defined in etl.vocab; the extractor imports them from here.
from etl.vocab import (  # noqa: F401
    APPROX_ABOUT,
    APPROX_AT_LEAST,
    APPROX_AT_MOST,
    FLAG_DUPLICATE_DOC,
    FLAG_PLACEHOLDER_REGION,
    FLAG_REDACTED,
    FLAG_TEMPLATE,
    FLAG_UNKNOWN_YEAR,
    PERIOD_FY,
    PERIOD_H1,
)


@dataclass(frozen=True)
class Fact:
    """One figure for one metric, region and period, with its provenance.

    Report facts carry `start`/`end` offsets into the decoded original file
    text (so ``original[start:end] == evidence``); tally facts carry `source`
    (``Sheet1!D7``) instead.
    """

    doc: str  # base name of the source file
    metric: str  # code from etl/lexicon/metrics.csv
    value: float | None  # catalog unit: yuan for money, percent points for rates
    unit: str  # catalog unit (家, 人, 户, 元, %, 起)
    evidence: str
    doc_id: str = ""  # "<file sha256[:16]>:<segment>"
    segment: int = 0
    approx: str | None = None
    year: int | None = None
    period: str | None = None
    as_of: str | None = None  # ISO date, e.g. 2015-06-30
    region: str | None = None
    start: int | None = None
    end: int | None = None
    source: str | None = None  # "Sheet1!D7" for tallies
    confidence: float = 1.0
    flags: tuple[str, ...] = field(default_factory=tuple)
    needs_review: bool = False  # held for 审核, not charted (low confidence or flags)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for `--format jsonl` (flags as a list)."""
        d = asdict(self)
        d["flags"] = list(self.flags)
        if isinstance(d["value"], float) and d["value"].is_integer():
            d["value"] = int(d["value"])
        return d


@dataclass(frozen=True)
class Document:
    """One report inside a file (a file may glue several together)."""

    doc_id: str
    file_sha: str
    file_name: str
    segment: int
    start: int  # offsets of the segment in the decoded original
    end: int
    title: str
    region: str | None  # reporting body, e.g. 银江镇
    year: int | None
    period: str | None
    is_template: bool = False
    fingerprint: tuple[int, ...] = ()  # minhash signature for near-duplicate search
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Something wrong with an input, said in Chinese for the person who sent it.

    `where` names the place (``Sheet1!D7``, a file name, a line); errors block
    a load, warnings do not.
    """

    severity: str  # 'error' | 'warning'
    message: str  # Chinese, says what is wrong and what to do
    where: str = ""
    value: str | None = None
    code: str = ""  # stable machine code, e.g. 'negative_count'


@dataclass
class ExtractedFile:
    """Everything one input file yields: the ingest stage loads exactly this."""

    path: str
    name: str
    sha256: str
    data: bytes
    kind: str  # 'report' | 'tally'
    encoding: str | None = None
    text: str | None = None  # decoded original (reports); fact offsets index into it
    documents: list[Document] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing blocks loading this file."""
        return not any(p.severity == "error" for p in self.problems)
