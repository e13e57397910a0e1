"""Place names as the directory keys them: one spelling for 城关街道总工会, 城關街道 and ' 白沙镇工会 '.

Every way a name reaches the database (a report's body, a tally's region
column, a directory CSV, a person's choice) goes through `canonical_name`
first, and `infer_level`, `is_relative` and `names_a_place` decide what kind
of name it is. These are pure functions of the text and of the rules in
lexicon/region_rules.toml (body suffixes, level suffixes, placeholder
characters): no database. They are apart from etl/regions.py (which looks
names up in the directory) so that the extractor, the vocabulary and the
tally reader can normalise a name without importing the resolver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from etl.catalog import read_lexicon
from etl.normalize import clean_names, normalize
from etl.vocab import is_placeholder

LEVELS = ("地市", "区县", "乡镇街道", "村社区", "企业", "行业", "其他")
DEFAULT_LEVEL = "其他"


@dataclass(frozen=True)
class Rules:
    body_suffixes: tuple[str, ...]  # longest first
    level_suffixes: tuple[tuple[str, str], ...]  # (suffix, level), longest suffix first
    placeholder_chars: frozenset[str]
    generic_words: tuple[str, ...]  # longest first
    relative_stems: frozenset[str]


@cache
def rules() -> Rules:
    """The naming rules from lexicon/region_rules.toml, read once."""
    spec = read_lexicon("region_rules.toml")
    levels = spec["level_suffixes"]
    bad = {lv for lv in levels.values() if lv not in LEVELS}
    if bad:
        raise ValueError(f"region_rules.toml: unknown level(s) {sorted(bad)}; allowed {LEVELS}")
    return Rules(
        body_suffixes=tuple(sorted(spec["body_suffixes"], key=len, reverse=True)),
        level_suffixes=tuple(sorted(levels.items(), key=lambda kv: len(kv[0]), reverse=True)),
        placeholder_chars=frozenset(normalize(spec["placeholder"]["chars"]).text),
        generic_words=tuple(sorted(spec["placeholder"]["generic_words"], key=len, reverse=True)),
        relative_stems=frozenset(spec["relative"]["stems"]),
    )


_CANONICAL: dict[str, str] = {}  # raw → canonical name; a cache that canonical_names fills many at a time
_CANONICAL_MAX = 65536


def canonical_name(raw: str | None) -> str:
    """The place name without union-body suffixes, Simplified and half-width, no spaces.

    城关街道总工会 → 城关街道; 城關街道 → 城关街道; ' 白沙镇工会 ' → 白沙镇.
    Cached: a tally names the same towns on every row, and the rules are data read once.
    """
    if not raw:
        return ""
    name = _CANONICAL.get(raw)
    if name is None:
        name = _remember(raw, normalize(raw).text)
    return name


def canonical_names(raws: Iterable[str | None]) -> None:
    """Work out the canonical names of many raw names at once (a load's 10,000 towns), so that the
    `canonical_name` calls that follow are lookups: one Simplified conversion for all (normalize.clean_names)."""
    todo = list({raw for raw in raws if raw and raw not in _CANONICAL})
    for raw, cleaned in zip(todo, clean_names(todo), strict=True):
        _remember(raw, cleaned)


def _remember(raw: str, cleaned: str) -> str:
    if len(_CANONICAL) >= _CANONICAL_MAX:
        _CANONICAL.clear()
    name = "".join(cleaned.split())
    changed = True
    while changed and name not in rules().body_suffixes:  # "总工会" alone stays as is
        changed = False
        for suffix in rules().body_suffixes:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                changed = True
                break
    _CANONICAL[raw] = name
    return name


@lru_cache(maxsize=65536)
def split_level(name: str) -> tuple[str, str | None]:
    """(stem, level) by the longest matching level suffix; level None when none matches.

    Cached, like canonical_name: a tally's thousands of towns are each asked about several times.
    """
    for suffix, level in rules().level_suffixes:
        if name.endswith(suffix):
            return name[: -len(suffix)], level
    return name, None


def infer_level(name: str) -> str:
    """Level from the name's suffix (镇 → 乡镇街道, 公司 → 企业 …), 其他 when unknown."""
    return split_level(canonical_name(name))[1] or DEFAULT_LEVEL


def is_relative(raw: str | None) -> bool:
    """True for 本镇, 我区, 全街道, and a level word alone (区, 镇): the reporting body, not a name."""
    stem, level = split_level(canonical_name(raw))
    return level is not None and (not stem or stem in rules().relative_stems)


def code_key(code: str | None) -> str | None:
    """An official code as the directory stores it: 12 digits (a 9-digit township code padded with zeros)."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        return None
    return code.ljust(12, "0")


def names_a_place(raw: str | None) -> bool:
    """False for empty text, template placeholders (xx镇) and relative words (本镇, 我区): they name no region."""
    return bool(raw and raw.strip()) and not is_placeholder(raw) and not is_relative(raw)
