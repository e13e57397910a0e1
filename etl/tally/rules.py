"""Tally checks as rule objects; what they say is data (etl/lexicon/tally_checks.toml).

A rule has the key of its message and a vectorised predicate over all facts
of a file at once (`FactFrame`: numpy arrays of values, metric codes and
grouping keys). `RULES` lists the checks on figures inside a file, most
specific first: a value that cannot be right on its own, a title year out of
range, the same figure twice, pairs that must not cross (新建 ≤ 总数, 会员 ≤
职工: tally_headers.toml), jumps between years. The same messages serve the
cell and row checks of etl/tally/melt.py and values.py and the database checks
of validate.py. Every problem carries its cell; `Problems` hands them out in
sheet, row, column order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.catalog import load_catalog, read_lexicon
from etl.model import Problem
from etl.tally.config import lexicon
from etl.tally.keys import KeyIndex, first_copies
from etl.tally.read import col_letter


@dataclass(frozen=True)
class Message:
    code: str
    severity: str  # 'error' | 'warning'
    text: str  # str.format template
    extra: dict[str, Any] = field(default_factory=dict)  # other keys of the entry (hint, words)


@cache
def messages() -> dict[str, Message]:
    raw = read_lexicon("tally_checks.toml")
    return {k: Message(v["code"], v["severity"], v["message"],
                       {x: y for x, y in v.items() if x not in ("code", "severity", "message")})
            for k, v in raw.items()}


def fmt(x: float | None) -> str:
    """A figure in a message: 1,234 · 29,901.25 · 空 for none."""
    if x is None:
        return "空"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def show(v: Any) -> str:
    """A cell as the sender typed it (2024.0 read back as 2024)."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def problem(key: str, where: str, content: str | None = None, /, **fields: Any) -> Problem:
    """The problem `key` of lexicon/tally_checks.toml at a cell; `content` is the cell as shown beside the message."""
    m = messages()[key]
    return Problem(m.severity, m.text.format(**fields), where, content, m.code)


def where(sheet: str, row: int, col: int) -> str:
    """'Sheet1!D7' for 0-based row and column."""
    return f"{sheet}!{col_letter(col)}{row + 1}"


SHEET_NAME = "工作表“{sheet}”的名称"  # the place of what only a sheet's name says (a town, a year)


def sheet_where(sheet: str) -> str:
    """The place of a problem with a sheet's name itself (one sheet per town, named after it)."""
    return SHEET_NAME.format(sheet=sheet)


def named_sheet(where_: str) -> str | None:
    """The sheet a sheet_where() names, else None."""
    head, _, tail = SHEET_NAME.partition("{sheet}")
    if where_ and where_.startswith(head) and where_.endswith(tail) and len(where_) > len(head) + len(tail):
        return where_[len(head):len(where_) - len(tail)]
    return None


class Problems:
    """The problems of one file, each with its position; `sorted()` gives them in sheet, row, column order
    (problems of one cell in the order they were found)."""

    def __init__(self, sheets: list[str]) -> None:
        self.sheets = sheets
        self._items: list[tuple[tuple[int, int, int], Problem]] = []

    def add(self, key: str, sheet: int, row: int, col: int, content: str | None = None, /, **fields: Any) -> None:
        self._items.append(((sheet, row, col), problem(key, where(self.sheets[sheet], row, col), content, **fields)))

    def add_file(self, key: str, name: str, **fields: Any) -> None:
        """A problem of the whole file (no cell), listed first."""
        self._items.append(((-1, -1, -1), problem(key, name, **fields)))

    def sorted(self) -> list[Problem]:
        return [p for _, p in sorted(self._items, key=lambda kp: kp[0])]


def position(where_: str, sheets: list[str]) -> tuple[int, int, int]:
    """(sheet index, row, column) of 'Sheet!D7' (1-based row, as written); (i, 0, 0) for sheet i's name;
    (-1, -1, -1) for a whole file."""
    named = named_sheet(where_)
    if named in sheets:
        return (sheets.index(named), 0, 0)
    sheet, _, cell = (where_ or "").rpartition("!")
    letters = cell.rstrip("0123456789")
    digits = cell[len(letters):]
    if sheet not in sheets or not letters.isalpha() or not digits:
        return (-1, -1, -1)
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return (sheets.index(sheet), int(digits), col)


def by_position(problems: list[Problem], sheets: list[str]) -> list[Problem]:
    """Problems in sheet, row, column order (problems of one cell keep their order)."""
    return sorted(problems, key=lambda p: position(p.where, sheets))


# ---------------------------------------------------------------- the facts of a file as arrays


def codes(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, list[Any]]:
    """Integer codes (0 = null, k = k-th distinct value) and the distinct values."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    enc = arr.dictionary_encode()
    return pc.fill_null(pc.add(enc.indices.cast(pa.int64()), 1), 0).to_numpy(), enc.dictionary.to_pylist()


@dataclass
class FactFrame:
    """All facts of one file (a FACT_SCHEMA table) with their cells' positions, for vectorised rules."""

    table: pa.Table
    sheet: np.ndarray  # sheet index of each fact's cell
    row: np.ndarray
    col: np.ndarray

    def __len__(self) -> int:
        return self.table.num_rows

    def at(self, i: int) -> tuple[int, int, int]:
        return int(self.sheet[i]), int(self.row[i]), int(self.col[i])

    @cached_property
    def value(self) -> np.ndarray:
        return pc.fill_null(self.table["value"], 0.0).to_numpy()

    @cached_property
    def year(self) -> np.ndarray:
        return pc.fill_null(self.table["year"], 0).to_numpy().astype(np.int64)

    @cached_property
    def metric(self) -> tuple[np.ndarray, list[str]]:
        """(metric code of each fact, 0 = none; the metric of each code from 1)."""
        return self.metric_key if self.metric_key is not None else codes(self.table["metric"])

    def cell(self, i: int) -> str:
        return self.table["source"][i].as_py()

    def region(self, i: int) -> str:
        return self.table["region"][i].as_py()

    def metric_zh(self, i: int) -> str:
        return load_catalog()[self.metric[1][self.metric[0][i] - 1]].name_zh

    def by_metric(self, fn: Callable[[Any], Any], dtype: Any = object) -> np.ndarray:
        """fn(catalog metric) for each fact."""
        cat = load_catalog()
        c, names = self.metric
        return np.array([fn(None), *(fn(cat[m]) for m in names)], dtype=dtype)[c]

    kept: np.ndarray | None = None  # set by `check`: the facts that are no later copy of another
    row_key: np.ndarray | None = None  # region × period code of each fact, when the caller knows it cheaper
    metric_key: tuple[np.ndarray, list[str]] | None = None  # `metric`, when the caller knows it cheaper

    @cached_property
    def kept_keys(self) -> KeyIndex:
        """The kept facts' region × period × year × metric keys, to look keys up (pairs, the year before)."""
        return KeyIndex(self.group[1][self.kept])

    @cached_property
    def group(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(region × period × year code, the same × metric code, how many metric codes) of each fact."""
        if self.row_key is None:
            region, _ = codes(self.table["region"])
            period, periods = codes(self.table["period"])
            self.row_key = region * (len(periods) + 1) + period
        y = self.year
        ymin = int(y.min()) if len(y) else 0
        year = y - ymin + 2  # +2: the year before the smallest still has a code
        n_year = int(year.max()) + 2 if len(y) else 2
        group = self.row_key * n_year + year
        n_metric = len(self.metric[1]) + 1
        return group, group * n_metric + self.metric[0], n_metric


# ---------------------------------------------------------------- the rules

Hit = tuple[int, str | None, dict[str, Any]]  # (fact index, the cell's content as shown, message fields)


@dataclass(frozen=True)
class Rule:
    key: str  # its message in lexicon/tally_checks.toml
    find: Callable[[FactFrame, np.ndarray], Iterator[Hit]]  # (facts, which facts are kept) → hits


def _value_hits(frame: FactFrame, mask: np.ndarray, unit: bool = False) -> Iterator[Hit]:
    for i in np.flatnonzero(mask).tolist():
        v = fmt(float(frame.value[i]))
        yield i, v, {"metric_zh": frame.metric_zh(i), "value": v,
                     **({"unit": frame.table["unit"][i].as_py()} if unit else {})}


def _negative(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    return _value_hits(frame, frame.value < 0)


def _rate_over_100(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    rate = frame.by_metric(lambda m: m is not None and m.unit == "%", bool)
    return _value_hits(frame, (frame.value >= 0) & rate & (frame.value > 100))


def _fractional(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    count = frame.by_metric(lambda m: m is not None and m.unit not in ("%", "元"), bool)
    v = frame.value
    return _value_hits(frame, (v >= 0) & count & ~(np.isfinite(v) & (v == np.floor(v))), unit=True)


def _title_year(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    """A year out of range can only come from a title or sheet name (year cells are checked per row)."""
    y0, y1 = lexicon().years
    y = frame.year
    first: dict[int, int] = {}
    for i in np.flatnonzero((y != 0) & ((y < y0) | (y > y1))).tolist():
        first.setdefault(int(y[i]), i)
    for year, i in first.items():
        yield i, str(year), {"year": year, "y0": y0, "y1": y1}


def duplicates(frame: FactFrame) -> np.ndarray:
    """Which facts are a later copy of the same region, year, period and metric (the first is kept)."""
    return first_copies(frame.group[1])


def _copies(frame: FactFrame, kept: np.ndarray) -> Iterator[tuple[int, int]]:
    """(later copy, its first occurrence) for each fact that repeats an earlier one's key on another row.

    A copy on the same row comes from two columns of one metric: the header check says that once
    (same_metric_columns), not on every row.
    """
    later = np.flatnonzero(~kept)
    if not len(later):
        return
    kept_idx = np.flatnonzero(kept)
    key = frame.group[1]
    index = frame.kept_keys if kept is frame.kept else KeyIndex(key[kept_idx])
    first = kept_idx[index.get_indexer(key[later])]
    other_row = (frame.sheet[later] != frame.sheet[first]) | (frame.row[later] != frame.row[first])
    yield from zip(later[other_row].tolist(), first[other_row].tolist(), strict=True)


def _conflicts(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    for i, j in _copies(frame, kept):
        if frame.value[j] != frame.value[i]:
            yield i, fmt(float(frame.value[i])), {
                "region": frame.region(i), "year": int(frame.year[i]), "metric_zh": frame.metric_zh(i),
                "first_cell": frame.cell(j), "first_value": fmt(float(frame.value[j])),
                "value": fmt(float(frame.value[i]))}


def _duplicate_rows(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    """A row whose figures repeat an earlier row's: said once, at its first repeated figure."""
    said: set[tuple[int, int]] = set()
    for i, j in _copies(frame, kept):
        at = (int(frame.sheet[i]), int(frame.row[i]))
        if frame.value[j] == frame.value[i] and at not in said:
            said.add(at)
            yield i, frame.region(i), {"region": frame.region(i), "year": int(frame.year[i]),
                                       "first_line": int(frame.row[j]) + 1}


def _pairs(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    """Pairs that must not cross (lexicon [[checks.le]]) within one region, year and period."""
    group, _, n_metric = frame.group
    metric_of = {m: k + 1 for k, m in enumerate(frame.metric[1])}
    kept_idx = np.flatnonzero(kept)
    cat = load_catalog()
    for rule in lexicon().le_checks:
        small_code, big_code = metric_of.get(rule["small"]), metric_of.get(rule["big"])
        if small_code is None or big_code is None:
            continue
        small = kept_idx[frame.metric[0][kept_idx] == small_code]
        pos = frame.kept_keys.get_indexer(group[small] * n_metric + big_code)
        big = kept_idx[np.maximum(pos, 0)]
        crossed = (pos >= 0) & (frame.value[small] > frame.value[big])
        for i, j in zip(small[crossed].tolist(), big[crossed].tolist(), strict=True):
            yield i, fmt(float(frame.value[i])), {
                "why": rule["why"], "small_zh": cat[rule["small"]].name_zh, "small": fmt(float(frame.value[i])),
                "big_zh": cat[rule["big"]].name_zh, "big": fmt(float(frame.value[j])), "big_cell": frame.cell(j)}


def jump_hits(metric: Callable[[int], str], stock: np.ndarray, year: np.ndarray, value: np.ndarray,
              before: np.ndarray, found: np.ndarray, where_prev: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Stock counts (`stock`: not rates) that changed more than the lexicon's factor since the year before."""
    factor, min_base = lexicon().jump["factor"], lexicon().jump["min_base"]
    cat = load_catalog()
    with np.errstate(invalid="ignore", over="ignore"):
        big = np.maximum(before, value) >= min_base
        moved = (value > before * factor) | (value * factor < before)
    for i in np.flatnonzero(found & stock & big & moved).tolist():
        yield i, fmt(float(value[i])), {"metric_zh": cat[metric(i)].name_zh, "prev_year": int(year[i]) - 1,
                                        "before": fmt(float(before[i])), "where_prev": where_prev,
                                        "value": fmt(float(value[i])), "factor": factor}


def is_stock_count(m: Any) -> bool:
    return m is not None and m.kind == "stock" and m.unit != "%"


def _jumps(frame: FactFrame, kept: np.ndarray) -> Iterator[Hit]:
    _, key, n_metric = frame.group
    kept_idx = np.flatnonzero(kept)
    pos = frame.kept_keys.get_indexer(key[kept_idx] - n_metric)  # the same key, one year earlier
    found = pos >= 0
    before = np.where(found, frame.value[kept_idx[np.maximum(pos, 0)]], np.nan)
    stock = frame.by_metric(is_stock_count, bool)[kept_idx]
    codes_, names = frame.metric
    hits = jump_hits(lambda k: names[codes_[kept_idx[k]] - 1], stock, frame.year[kept_idx], frame.value[kept_idx],
                     before, found, "本表")
    for k, shown, fields in hits:
        yield int(kept_idx[k]), shown, fields


RULES: tuple[Rule, ...] = (
    Rule("negative_value", _negative),
    Rule("rate_out_of_range", _rate_over_100),
    Rule("fractional_count", _fractional),
    Rule("title_year_range", _title_year),
    Rule("duplicate_conflict", _conflicts),
    Rule("duplicate_row", _duplicate_rows),
    Rule("pair_order", _pairs),
    Rule("jump", _jumps),
)


def check(frame: FactFrame, problems: Problems) -> np.ndarray:
    """Run every rule on the file's facts; returns which facts to keep (later exact copies dropped)."""
    kept = ~duplicates(frame) if len(frame) else np.ones(0, dtype=bool)
    if not len(frame):
        return kept
    frame.kept = kept
    for rule in RULES:
        for i, shown, fields in rule.find(frame, kept):
            problems.add(rule.key, *frame.at(i), shown, **fields)
    return kept
