"""Baseline for bench/extract.py: the obvious keyword-proximity extractor.

What a developer writes first: find every number followed by a unit, look back a
fixed window for a metric keyword, and convert the number with a general-purpose
Chinese number parser (cn2an, called once per match).  No sentence, section or
plan/growth awareness, no year or region.  It exists so the real extractor's
speed and quality are always shown next to something simple.

    .venv/bin/python bench/naive_extract.py FILE... > predictions.jsonl
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import cn2an
from opencc import OpenCC

WINDOW = 14  # characters before the number searched for a keyword

# metric -> keywords; the unit class a metric accepts is in UNIT_CLASS below.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "union_orgs_total": ("工会组织", "基层工会"),
    "union_orgs_new": ("新建", "新组建", "新增工会", "新成立", "组建"),
    "union_coverage_rate": ("建会率", "覆盖率", "组建率"),
    "workers_total": ("职工总数", "职工人数"),
    "members_total": ("会员总数", "会员人数", "会员"),
    "members_new": ("发展会员", "新发展", "新增会员", "新会员", "入会"),
    "membership_rate": ("入会率",),
    "cc_enterprises": ("集体合同", "签订"),
    "cc_workers_covered": ("覆盖职工",),
    "cc_coverage_rate": ("建制率", "签订率"),
    "wage_cc_enterprises": ("工资集体协商", "工资专项"),
    "congress_orgs": ("职代会", "职工代表大会", "厂务公开"),
    "aid_households": ("困难职工", "困难家庭", "慰问"),
    "aid_recipients": ("慰问", "困难职工", "帮扶"),
    "aid_amount": ("慰问金", "慰问品", "帮扶资金", "救助金"),
    "student_aid_recipients": ("助学", "学生", "学子"),
    "student_aid_amount": ("助学金", "助学款"),
    "mutual_aid_participants": ("互助保障", "参保"),
    "mutual_aid_payout": ("理赔", "赔付", "保障金"),
    "disputes_handled": ("劳动争议", "纠纷", "仲裁"),
}

UNIT_CLASS = {"家": "家", "个": "家", "份": "家", "名": "人", "人": "人", "人次": "人", "户": "户", "户次": "户",
              "元": "元", "%": "%", "起": "起", "件": "起"}
METRIC_UNIT = {
    "union_orgs_total": "家", "union_orgs_new": "家", "union_coverage_rate": "%", "workers_total": "人",
    "members_total": "人", "members_new": "人", "membership_rate": "%", "cc_enterprises": "家",
    "cc_workers_covered": "人", "cc_coverage_rate": "%", "wage_cc_enterprises": "家", "congress_orgs": "家",
    "aid_households": "户", "aid_recipients": "人", "aid_amount": "元", "student_aid_recipients": "人",
    "student_aid_amount": "元", "mutual_aid_participants": "人", "mutual_aid_payout": "元", "disputes_handled": "起",
}

NUMBER = re.compile(
    r"(?P<pre>近|约|超过)?"
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"(?P<mag>万|亿)?(?P<post>余|多)?"
    r"(?P<unit>人次|户次|家|个|份|名|人|户|元|%|起|件)"
)
APPROX = {"近": "about", "约": "about", "超过": "at_least", "余": "at_least", "多": "at_least"}
_T2S = OpenCC("t2s")


def naive_extract(text: str, name: str) -> list[dict[str, Any]]:
    """Facts as dicts (doc, metric, value, evidence, approx) found by keyword proximity."""
    text = _T2S.convert(text)
    facts = []
    for m in NUMBER.finditer(text):
        unit = UNIT_CLASS[m["unit"]]
        window = text[max(0, m.start() - WINDOW): m.start()]
        best, best_pos, best_len = None, -1, 0
        for metric, words in KEYWORDS.items():
            if METRIC_UNIT[metric] != unit:
                continue
            for w in words:
                pos = window.rfind(w)
                # the keyword ending nearest the number wins; a longer keyword wins a tie
                if pos >= 0 and (pos + len(w) > best_pos + best_len or
                                 (pos + len(w) == best_pos + best_len and len(w) > best_len)):
                    best, best_pos, best_len = metric, pos, len(w)
        if best is None:
            continue
        try:
            value = float(cn2an.cn2an(m["num"] + (m["mag"] or ""), "smart"))
        except (ValueError, KeyError):
            continue
        facts.append({
            "doc": name, "metric": best, "value": value,
            "evidence": window[best_pos:] + m.group(0), "approx": APPROX.get(m["pre"] or m["post"] or ""),
        })
    return facts


def read_text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def main(argv: list[str]) -> None:
    for arg in argv:
        path = Path(arg)
        for fact in naive_extract(read_text(path), path.name):
            print(json.dumps(fact, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
