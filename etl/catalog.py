"""The shipped data: the metric catalog (codes, units and meanings) and the TOML rule files.

etl/lexicon/metrics.csv keeps the shared catalog's codes; rows may be added,
never renamed. `read_lexicon` reads a rules file of etl/lexicon/ (or of
another package's lexicon folder) once per process.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON = Path(__file__).parent / "lexicon"


@cache
def read_lexicon(name: str, folder: Path = LEXICON) -> dict:
    """`folder`/`name` (a TOML file), read once: every caller shares the dict, so none may change it."""
    with open(folder / name, "rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class Metric:
    code: str
    category: str  # formation | membership | contracts | democracy | hardship | rights
    name_zh: str
    unit: str  # 家 人 户 元 % 起
    kind: str  # stock | flow
    meaning: str


CATEGORY_ZH = {
    "formation": "工会组建",
    "membership": "会员发展",
    "contracts": "集体合同",
    "democracy": "民主管理",
    "hardship": "困难帮扶",
    "rights": "维权服务",
}


@cache
def load_catalog() -> dict[str, Metric]:
    """Metrics by code, in file order."""
    with open(LEXICON / "metrics.csv", encoding="utf-8") as f:
        return {
            r["code"]: Metric(r["code"], r["category"], r["name_zh"], r["unit"], r["kind"], r["meaning"])
            for r in csv.DictReader(f)
        }
