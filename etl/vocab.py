"""The words every part of the project shares, said once.

Flags and their Chinese labels, periods and theirs, approximation markers,
the confidence below which a person should look, what makes a region name a
template placeholder, and which facts count in a figure. The extractor, the
tally reader, the loader, the pages, the queries and the deck all take them
from here, so what `python -m etl.extract` prints, what an upload preview
shows, what the loader stores and what a chart counts cannot drift apart.
"""

from __future__ import annotations

from functools import cache, lru_cache

# ---- periods -----------------------------------------------------------------------------------------------------

PERIOD_FY = "FY"  # the whole year (全年)
PERIOD_H1 = "H1"  # the first half (上半年); never added to FY, it is part of it
PERIODS = (PERIOD_FY, PERIOD_H1)
PERIOD_ZH = {PERIOD_FY: "全年", PERIOD_H1: "上半年"}

# ---- approximations (how the annotation conventions name 近, 余, 不足) ----------------------------------------------

APPROX_ABOUT = "about"  # 近, 约, 左右
APPROX_AT_LEAST = "at_least"  # 余, 多, 超过, 以上, 逾
APPROX_AT_MOST = "at_most"  # 不到, 不足
APPROX_ZH = {APPROX_ABOUT: "约", APPROX_AT_LEAST: "逾", APPROX_AT_MOST: "不足"}

# ---- flags a fact or a document can carry --------------------------------------------------------------------------

FLAG_TEMPLATE = "template"  # the document has placeholders (xx镇, X家, 20xx年)
FLAG_UNKNOWN_YEAR = "unknown_year"
FLAG_PLACEHOLDER_REGION = "placeholder_region"  # no region, or a placeholder one (see is_placeholder)
FLAG_DUPLICATE_DOC = "duplicate_document"  # a near copy of a document loaded before
FLAG_REDACTED = "redacted"  # X家 / XX人 / **: the value is null, never guessed

FLAG_ZH = {
    FLAG_TEMPLATE: "模板/占位文本",
    FLAG_UNKNOWN_YEAR: "年份不明",
    FLAG_PLACEHOLDER_REGION: "地区为占位符",
    FLAG_DUPLICATE_DOC: "重复文档",
    FLAG_REDACTED: "数字被隐去",
}

# Facts carrying any of these are held out of every figure (and listed for review).
SKIP_FLAGS = (FLAG_TEMPLATE, FLAG_UNKNOWN_YEAR, FLAG_PLACEHOLDER_REGION, FLAG_DUPLICATE_DOC)

# ---- problems with an input ------------------------------------------------------------------------------------

SEVERITY_ZH = {"error": "错误", "warning": "提醒"}  # an error blocks a load, a warning does not

# ---- batches (one load, or one review correction) ----------------------------------------------------------------

KIND_ZH = {"report": "报告", "tally": "统计表", "mixed": "报告和统计表", "correction": "更正", "directory": "地区名录"}
BATCH_STATUS_ZH = {"loaded": "已导入", "undone": "已撤销"}

# ---- review --------------------------------------------------------------------------------------------------------

REVIEW_CONFIDENCE = 0.7  # below this a person should look at a fact
NEEDS_REVIEW_ZH = "待人工确认"  # a fact its extractor asked a person to confirm (Fact.needs_review)

# Facts their extractor asks a person to confirm (Fact.needs_review) are listed on 审核 and stay out of every
# figure until someone confirms them (issue 8: a doubtful figure goes to review, not to a chart). Confirming
# happens on 审核, in the upload preview (loading what one has looked at confirms it), or at ingest with
# --confirmed --user NAME (the shipped demo data is loaded that way). The switch stays for a federation that
# prefers to chart first and review later.
HOLD_UNCONFIRMED = True


def review_reasons(flags: list[str] | tuple[str, ...] | None, confidence: float | None, needs_review: bool = False,
                   conflict: bool = False) -> list[str]:
    """Why a fact waits for a person, in Chinese, in the order the review page lists them."""
    out = [FLAG_ZH.get(f, f) for f in (flags if flags is not None else [])]
    if needs_review:
        out.append(NEEDS_REVIEW_ZH)
    if conflict:
        out.append("来源不一致")
    if confidence is not None and confidence < REVIEW_CONFIDENCE:
        out.append(f"可信度低（{confidence:.2f}）")
    return out


# ---- placeholder region names --------------------------------------------------------------------------------------


@cache
def placeholder_hints() -> frozenset[str]:
    """The characters a name must hold one of to be a placeholder: the placeholder characters and the
    full-width forms that normalising turns into them (tests/test_vocab.py tries every character)."""
    from etl.region_names import rules

    chars = rules().placeholder_chars
    return frozenset(chars) | {chr(ord(c) + 0xFEE0) for c in chars if "!" <= c <= "~"}


@lru_cache(maxsize=65536)
def is_placeholder(name: str | None) -> bool:
    """True for a template stand-in instead of a place: xx镇, X街道, **街道, ○○镇, 某某公司, 青禾区xx镇.

    The name loses its union-body suffix (总工会, 工会 …) and its level suffix (镇, 街道, 公司 …),
    then generic words (有限, 集团, 单位 …); what is left is a placeholder stem when it consists
    only of placeholder characters (x X × * 某 ○ …), or ends in such a run right after a real
    area's name (青禾区xx镇). The characters and words are data: lexicon/region_rules.toml.
    Cached like regions.canonical_name: a tally names the same towns on every row, and a load asks
    again for each of them (40,000 calls for a 10,000-town tally took 0.3 s).
    A level word alone (镇, 区) names no place but is no placeholder either: it is the reporting
    body's own level (region_names.is_relative).
    """
    from etl.region_names import canonical_name, rules, split_level

    if not name or placeholder_hints().isdisjoint(name):  # most names: no normalising needed to say no
        return False
    name = canonical_name(name)
    stem, _ = split_level(name)
    if not stem:
        return False
    r = rules()
    for word in r.generic_words:
        stem = stem.replace(word, "")
    if not stem:
        return False
    chars = r.placeholder_chars
    if all(ch in chars for ch in stem):
        return True
    head = stem.rstrip("".join(chars))
    return head != stem and split_level(head)[1] is not None  # 青禾区 + xx (+ 镇)


# ---- which facts count --------------------------------------------------------------------------------------------


def counted_sql(alias: str = "", batches: str = "batches", hold_unconfirmed: bool = HOLD_UNCONFIRMED) -> str:
    """SQL condition: the fact is countable in a figure (`alias` the facts table's alias, e.g. 'f').

    Active, in a loaded batch, with a value, year, period and region, and carrying no SKIP_FLAGS flag
    (and, with `hold_unconfirmed`, not waiting for the confirmation its extractor asked for). The
    dashboard's snapshot, the year range, the deck's source lists and the draft checker use this rule.
    """
    a = f"{alias}." if alias else ""
    held = f" AND NOT ({unconfirmed_sql(alias)})" if hold_unconfirmed else ""
    return (f"{a}status = 'active' AND {a}batch_id IN (SELECT id FROM {batches} WHERE status = 'loaded') "
            f"AND {a}value IS NOT NULL AND {a}year IS NOT NULL AND {a}period IS NOT NULL "
            f"AND {a}region_id IS NOT NULL AND NOT {_has_any_flag(a, SKIP_FLAGS)}{held}")


def unconfirmed_sql(alias: str = "") -> str:
    """SQL condition: the extractor asked a person to confirm the fact, and nobody has yet (审核 lists it)."""
    a = f"{alias}." if alias else ""
    return f"coalesce({a}needs_review, false) AND {a}reviewed_by IS NULL"


def excluded_reason_sql(alias: str = "", hold_unconfirmed: bool = HOLD_UNCONFIRMED) -> str:
    """SQL expression: why an active fact is left out of figures, in Chinese (NULL when nothing keeps it out).

    The first reason that applies is given; a fact that merely lacks a value (X家, redacted) has none.
    """
    a = f"{alias}." if alias else ""

    def has(flag: str) -> str:
        return f"list_contains(coalesce({a}flags, []::VARCHAR[]), '{flag}')"

    reasons = (
        (has(FLAG_TEMPLATE), FLAG_ZH[FLAG_TEMPLATE]),
        (has(FLAG_DUPLICATE_DOC), FLAG_ZH[FLAG_DUPLICATE_DOC]),
        (f"{a}year IS NULL OR {has(FLAG_UNKNOWN_YEAR)}", FLAG_ZH[FLAG_UNKNOWN_YEAR]),
        (f"{a}region_id IS NULL OR {has(FLAG_PLACEHOLDER_REGION)}", FLAG_ZH[FLAG_PLACEHOLDER_REGION]),
        (f"{a}period IS NULL", "期别不明"),
        *([(unconfirmed_sql(alias), NEEDS_REVIEW_ZH)] if hold_unconfirmed else []),
    )
    return "CASE " + " ".join(f"WHEN {cond} THEN '{label}'" for cond, label in reasons) + " END"


def _has_any_flag(a: str, flags: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{f}'" for f in flags)
    return f"list_has_any(coalesce({a}flags, []::VARCHAR[]), [{listed}])"
