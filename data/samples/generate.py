"""Write the fictional 青禾区 sample reports and the facts they state (expected.jsonl).

Why a generator and not hand-written files: the dashboard needs six years of
believable, mutually consistent trends for eight towns, and the extractor needs
a gold set that is exactly right.  Both come from one simulated history, so the
numbers in the text and in expected.jsonl cannot drift apart.

Deterministic: each file draws from its own random stream seeded by a string
(Python seeds str with SHA-512, independent of PYTHONHASHSEED), so re-running
rewrites identical bytes and changing one town does not reshuffle the others.
Wording lives in phrases.toml beside this file.

    .venv/bin/python data/samples/generate.py            # rewrites data/samples/
    .venv/bin/python data/samples/generate.py --out DIR  # writes DIR/reports + DIR/expected.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = "qinghe-samples-v1"
YEARS = range(2019, 2025)

# Files sent the way some towns really send them.
TRADITIONAL = {("新港镇", 2021, "H1"), ("新港镇", 2021, "FY"), ("柳塘镇", 2023, "FY")}
GBK = {("云溪乡", 2019, "H1"), ("云溪乡", 2019, "FY"), ("桃源镇", 2020, "H1")}
GLUED_YEAR = 2024  # the district's H1 and FY reports of this year come glued in one file

# Units that carry a figure's catalog unit (see etl/lexicon/metrics.csv).
UNIT = {
    "union_orgs_total": "家", "union_orgs_new": "家", "union_coverage_rate": "%", "members_total": "人",
    "members_new": "人", "workers_total": "人", "membership_rate": "%", "cc_enterprises": "家",
    "cc_workers_covered": "人", "wage_cc_enterprises": "家", "cc_coverage_rate": "%", "congress_orgs": "家",
    "aid_recipients": "人", "aid_households": "户", "aid_amount": "元", "mutual_aid_participants": "人",
    "mutual_aid_payout": "元", "student_aid_recipients": "人", "student_aid_amount": "元", "disputes_handled": "起",
}

CN_DIGITS = "零一二三四五六七八九"
PARTY = {"镇": "镇党委", "街道": "街道党工委", "乡": "乡党委", "区": "区委"}


def load_phrases() -> dict[str, Any]:
    with open(HERE / "phrases.toml", "rb") as f:
        return tomllib.load(f)


# --------------------------------------------------------------------------- simulated history


@dataclass
class Stocks:
    """Stocks of one body at one reference date (end of June or end of December)."""

    enterprises: int
    orgs: int
    coverage: float
    workers: int
    members: int
    mrate: float
    cc_ent: int
    cc_workers: int
    cc_rate: float
    wage_cc: int
    congress: int
    mutual: int


@dataclass
class Flows:
    """Flows of one body over one half year; a year's flow is H1 + H2."""

    orgs_new: int = 0
    members_new: int = 0
    aid_households: int = 0
    aid_recipients: int = 0
    aid_amount: int = 0
    student_n: int = 0
    student_amount: int = 0
    payout: int = 0
    disputes: int = 0

    def __add__(self, other: Flows) -> Flows:
        return Flows(*(getattr(self, k) + getattr(other, k) for k in self.__dataclass_fields__))


@dataclass
class History:
    """Half-yearly stocks (index t: 0 = end of June 2019 … 11 = end of 2024; -1 = end of 2018) and flows."""

    stocks: dict[int, Stocks] = field(default_factory=dict)
    flows: dict[int, Flows] = field(default_factory=dict)

    def at(self, year: int, period: str) -> tuple[Stocks, Flows, Stocks]:
        """Stocks at the period's end, flows of the period, stocks a year before the period's end."""
        t = (year - YEARS.start) * 2 + (0 if period == "H1" else 1)
        flows = self.flows[t] if period == "H1" else self.flows[t - 1] + self.flows[t]
        return self.stocks[t], flows, self.stocks[t - 2] if t - 2 in self.stocks else self.stocks[-1]


def rate_curve(t: int, start: float, end: float, lead: float, rng: random.Random, prev: float | None) -> float:
    """A rate rising from `start` (end of 2018) to `end` (end of 2024), never falling."""
    p = (t + 1) / 12
    r = start + (end - start) * p**0.8 + lead + rng.uniform(-0.35, 0.35)
    r = min(r, 99.4)
    return round(max(r, prev + 0.05) if prev is not None else r, 2)


def simulate(name: str, enterprises: int, workers: int, growth: float, lead: float) -> History:
    rng = random.Random(f"{SEED}:history:{name}")
    h = History()
    prev: Stocks | None = None
    for t in range(-1, 12):
        p = (t + 1) / 12
        ent = round(enterprises * (1 + growth) ** ((t + 1) / 2) * rng.uniform(0.995, 1.005))
        cov = rate_curve(t, 85.0, 97.0, lead, rng, prev.coverage if prev else None)
        wrk = round(workers * (1 + growth * 0.8) ** ((t + 1) / 2) * rng.uniform(0.997, 1.003))
        mr = rate_curve(t, 84.5, 96.5, lead * 0.8, rng, prev.mrate if prev else None)
        ccr = rate_curve(t, 76.0, 92.5, lead, rng, prev.cc_rate if prev else None)
        orgs = round(ent * cov / 100)
        members = round(wrk * mr / 100)
        cc_ent = round(ent * ccr / 100)
        s = Stocks(
            enterprises=ent, orgs=orgs, coverage=cov, workers=wrk, members=members, mrate=mr,
            cc_ent=cc_ent, cc_workers=round(members * (0.78 + 0.12 * p) * rng.uniform(0.98, 1.0)), cc_rate=ccr,
            wage_cc=round(cc_ent * (0.68 + 0.17 * p)), congress=round(orgs * (0.55 + 0.3 * p)),
            mutual=round(members * (0.33 + 0.32 * p) * rng.uniform(0.98, 1.02)),
        )
        if prev is not None:
            spring = t % 2 == 0  # H1 holds Spring Festival: most hardship visits happen then
            year_i = t // 2
            hh = round(wrk / 240 * (1 + 0.09 * year_i) * (1.0 if spring else 0.42) * rng.uniform(0.9, 1.1))
            rec = round(wrk / 85 * (1 + 0.07 * year_i) * (1.0 if spring else 0.5) * rng.uniform(0.9, 1.1))
            amount = round((hh * rng.uniform(950, 1300) + rec * rng.uniform(160, 240)) / 100) * 100
            stu = 0 if spring else max(3, round(wrk / 850 * (1 + 0.05 * year_i) * rng.uniform(0.85, 1.15)))
            h.flows[t] = Flows(
                orgs_new=max(1, orgs - prev.orgs + round(prev.orgs * 0.012 + rng.uniform(0, 3))),
                members_new=max(10, members - prev.members + round(prev.members * 0.03 * rng.uniform(0.8, 1.2))),
                aid_households=max(2, hh), aid_recipients=max(5, rec), aid_amount=amount,
                student_n=stu, student_amount=round(stu * rng.uniform(2000, 3400) / 1000) * 1000,
                payout=round(s.mutual * rng.uniform(3.0, 5.5) / 100) * 100,
                disputes=max(1, round(wrk / 5200 * rng.uniform(0.6, 1.4))),
            )
        h.stocks[t] = s
        prev = s
    return h


def combine(histories: list[History]) -> History:
    """The district: sums of its parts, rates recomputed from the sums."""
    out = History()
    for t in histories[0].stocks:
        parts = [h.stocks[t] for h in histories]
        total = {k: sum(getattr(s, k) for s in parts) for k in Stocks.__dataclass_fields__}
        total["coverage"] = round(total["orgs"] / total["enterprises"] * 100, 2)
        total["mrate"] = round(total["members"] / total["workers"] * 100, 2)
        total["cc_rate"] = round(total["cc_ent"] / total["enterprises"] * 100, 2)
        out.stocks[t] = Stocks(**total)
        if t in histories[0].flows:
            flows = Flows()
            for h in histories:
                flows = flows + h.flows[t]
            out.flows[t] = flows
    return out


# --------------------------------------------------------------------------- writing figures


def cn_int(n: int) -> str:
    """Chinese numerals for 1 ≤ n < 10000 as reports write them (十二, 一百零五, 两千三百)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        d = n // size % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("两" if d == 2 and size >= 1000 else CN_DIGITS[d]) + unit
    return out


def fmt_num(x: float) -> str:
    """Shortest plain decimal form (36.80 → 36.8, 12.0 → 12)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Figure:
    text: str
    value: float
    approx: str | None = None


def render(metric: str, true: float, rng: random.Random, template: str) -> Figure:
    """Write a figure the way reports do: plain, Chinese numerals, 万, or approximated (近/余/多)."""
    unit = UNIT[metric]
    prefix_ok = not re.search(r"[达到]\{v\}", template) and not template.startswith("[[{v}")
    if unit == "%":
        if "以上" in template:  # a floor written as 不低于: 96.73 → 96%以上
            return Figure(str(math.floor(true)), float(math.floor(true)), "at_least")
        if rng.random() < 0.12 and abs(true - round(true)) < 0.3:
            return Figure(str(round(true)), float(round(true)))
        text = f"{true:.1f}" if rng.random() < 0.75 else f"{true:.2f}"
        return Figure(text, float(text))
    n = int(true)
    roll = rng.random()
    if unit == "元":
        if n < 10000:
            return Figure(str(n), n)
        if roll < 0.08 and n >= 50000:
            wan = n // 1000 / 10
            return Figure(f"{fmt_num(wan)}万余", round(wan * 10000), "at_least")
        if roll < 0.14 and prefix_ok and n >= 50000:
            wan = math.ceil(n / 1000) / 10
            return Figure(f"近{fmt_num(wan)}万", round(wan * 10000), "about")
        wan = round(n / 10000, 2 if rng.random() < 0.7 else 1)
        return Figure(f"{fmt_num(wan)}万", round(wan * 10000))
    if n >= 10000 and roll < 0.12:
        wan = round(n / 10000, 2)
        return Figure(f"{fmt_num(wan)}万", round(wan * 10000))
    if n >= 10000 and roll < 0.17:
        wan = math.floor(n / 1000) / 10
        return Figure(f"{fmt_num(wan)}万余", round(wan * 10000), "at_least")
    if n >= 20 and 0.2 < roll < 0.3:
        step = 100 if n >= 1000 else 10
        k = n // step * step
        suffix = rng.choice(["余", "多"])
        text = cn_int(k) if k < 10000 and rng.random() < 0.3 else str(k)
        return Figure(text + suffix, k, "at_least")
    if n >= 20 and 0.3 < roll < 0.36 and prefix_ok:
        step = 100 if n >= 1000 else 10
        k = -(-n // step) * step
        return Figure(f"近{k}", k, "about")
    if 1 <= n < 100 and 0.36 < roll < 0.5:
        return Figure(cn_int(n), n)
    return Figure(str(n), n)


# --------------------------------------------------------------------------- one report


FACT_MARK = re.compile(r"⟦(\d+)\|(.*?)⟧", re.S)


@dataclass
class Report:
    """A report being written: text with marked facts, then cleaned into text + facts."""

    region: str
    area: str
    year: int
    period: str
    rng: random.Random
    ph: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def fmt(self, s: str, **kw: Any) -> str:
        party = PARTY.get(self.area, "党委")
        upper = "市总工会" if self.area == "区" else "区总工会"
        return s.format(area=self.area, name=self.region, year=self.year, prev_year=self.year - 1,
                        next_year=self.year + 1, party=party, upper=upper, **kw)

    def pick(self, options: list[str], **kw: Any) -> str:
        return self.fmt(self.rng.choice(options), **kw)

    def clause(self, metric: str, true: float, as_of: str | None, region: str | None = None,
               template: str | None = None) -> str:
        """One clause stating a fact; the fact is recorded with its evidence marked in the text."""
        tmpl = template or self.rng.choice(self.ph["clause"][metric])
        fig = render(metric, true, self.rng, tmpl)
        text = self.fmt(tmpl, v=fig.text)
        evidence = text[text.index("[[") + 2: text.index("]]")]
        approx = fig.approx or ("at_least" if evidence.endswith("以上") else None)
        i = len(self.facts)
        self.facts.append({
            "doc": "", "metric": metric, "value": fig.value, "evidence": evidence, "year": self.year,
            "period": self.period, "as_of": as_of, "region": region or self.region, "approx": approx,
            "note": "stock" if as_of else "flow",
        })
        return text.replace("[[", f"⟦{i}|").replace("]]", "⟧")

    def distract(self, kind: str, **kw: Any) -> str:
        return self.pick(self.ph["distractor"][kind], **kw)

    def stock_lead(self) -> tuple[str, str]:
        as_of = f"{self.year}-06-30" if self.period == "H1" else f"{self.year}-12-31"
        return self.pick(self.ph["lead"]["stock"][self.period]), as_of

    def flow_lead(self, kind: str = "flow") -> str:
        return self.pick(self.ph["lead"][kind][self.period])

    def filler(self, section: str, k: int = 1) -> str:
        options = self.ph["filler"][section]
        chosen = sorted(self.rng.sample(range(len(options)), k))  # keep 一是、二是 in order
        return "".join(self.fmt(options[i]) for i in chosen)

    def add(self, *parts: str) -> None:
        self.lines.append("".join(parts))

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        """Text without marks, and facts whose evidence is the marked span."""
        marked = "\n".join(self.lines) + "\n"
        out, facts, pos = [], [], 0
        for m in FACT_MARK.finditer(marked):
            out.append(marked[pos:m.start()])
            facts.append(self.facts[int(m.group(1))])
            out.append(m.group(2))
            pos = m.end()
        out.append(marked[pos:])
        assert len(facts) == len(self.facts), "a fact clause was written but not placed in the text"
        return "".join(out), facts


def pct(a: float, b: float) -> str:
    return f"{(a / b - 1) * 100:.1f}" if b else "0.0"


def write_report(region: str, area: str, year: int, period: str, hist: History, ph: dict[str, Any],
                 towns: list[tuple[str, History]] | None = None) -> tuple[str, list[dict[str, Any]]]:
    """One 工作总结 (H1 or FY) of a town, or of the district when `towns` is given."""
    rng = random.Random(f"{SEED}:{region}:{year}:{period}")
    r = Report(region, area, year, period, rng, ph)
    s, f, s_prev = hist.at(year, period)
    h = ph["heading"]
    fy = period == "FY"

    r.add(r.pick(h[f"{period}_title"]))
    r.add("")
    intro = r.filler(f"intro_{period}")
    if towns:
        direct_units = 38 + 3 * (year - YEARS.start)
        intro += f"全区{len(towns)}个镇（街道）工会和{direct_units}个区直单位工会齐心协力，各项指标稳中有进。"
    r.add(intro)
    r.add("")
    r.add(r.pick(h[f"{period}_review"]))

    # formation and membership
    r.add(r.pick(h["formation"]))
    lead, as_of = r.stock_lead()
    base = r.distract("baseline", prev=s_prev.orgs) if fy and rng.random() < 0.25 else ""
    parts = [r.clause("union_orgs_total", s.orgs, as_of)]
    if fy or rng.random() < 0.9:  # annual reports always give the rates: the dashboard's trend lines
        parts.append(r.clause("union_coverage_rate", s.coverage, as_of))
    r.add(lead, base, "，".join(parts), "。")
    flow = [r.clause("union_orgs_new", f.orgs_new, None)]
    roll = rng.random()
    if roll < 0.3 and not fy:
        flow.append(r.distract("target", pct=f"{rng.uniform(45, 68):.1f}"))
    elif roll < 0.55:
        _, f_prev, _ = hist.at(year - 1, period) if year > YEARS.start else (None, f, None)
        flow.append(r.distract("growth", pct=f"{abs(float(pct(f.orgs_new, f_prev.orgs_new))) + 1.3:.1f}"))
    r.add(r.flow_lead(), "，".join(flow), "。", r.filler("formation"))
    lead, as_of = r.stock_lead()
    parts = []
    if rng.random() < 0.5:
        parts.append(r.clause("workers_total", s.workers, as_of))
    parts.append(r.clause("members_total", s.members, as_of))
    if fy and rng.random() < 0.35:
        parts.append(r.distract("more_members", d=abs(s.members - s_prev.members)))
    if fy or rng.random() < 0.9:
        parts.append(r.clause("membership_rate", s.mrate, as_of))
    r.add(lead, "，".join(parts), "。")
    flow = [r.clause("members_new", f.members_new, None)]
    if rng.random() < 0.35:
        flow.append(r.distract("migrant_part", m=round(f.members_new * rng.uniform(0.3, 0.6))))
    r.add(r.flow_lead(), "，".join(flow), "。")

    # contracts and democratic management
    r.add(r.pick(h["contracts"]))
    lead, as_of = r.stock_lead()
    parts = [r.clause("cc_enterprises", s.cc_ent, as_of), r.clause("cc_workers_covered", s.cc_workers, as_of)]
    if rng.random() < 0.6:
        parts.append(r.clause("cc_coverage_rate", s.cc_rate, as_of))
    if rng.random() < 0.7:
        parts.append(r.clause("wage_cc_enterprises", s.wage_cc, as_of))
    first, second = rng.sample(ph["filler"]["contracts"], 2)  # two different remarks, never the same twice
    r.add(r.fmt(first), lead, "，".join(parts), "。")
    if rng.random() < 0.85:
        lead, as_of = r.stock_lead()
        r.add(lead, r.clause("congress_orgs", s.congress, as_of), "。", r.fmt(second))

    # hardship aid
    r.add(r.pick(h["hardship"]))
    std = ""
    if rng.random() < 0.2:
        std = r.distract("standard", x=max(300, round(f.aid_amount * 0.5 / f.aid_households / 100) * 100))
    if rng.random() < 0.2:  # a written total with its parts: only the total is a fact
        cash = round(f.aid_amount * rng.uniform(0.55, 0.75) / 100) * 100
        total_tmpl = "发放慰问金和慰问品[[合计{v}元]]"
        amount_part = r.clause("aid_amount", f.aid_amount, None, template=total_tmpl)
        total = r.facts[-1]["value"]
        amount_part += f"，其中现金{fmt_num(cash / 10000)}万元、物资折合{fmt_num((total - cash) / 10000)}万元"
    else:
        amount_part = r.clause("aid_amount", f.aid_amount, None)
    r.add(r.flow_lead("aid"), std, r.clause("aid_households", f.aid_households, None), "，", amount_part, "。")
    if rng.random() < 0.8:
        r.add(r.pick(["此外，", "同时，", "夏送清凉、冬送温暖活动中，"]),
              r.clause("aid_recipients", f.aid_recipients, None), "。", r.filler("hardship"))
    if fy and f.student_n:
        parts = [r.clause("student_aid_recipients", f.student_n, None),
                 r.clause("student_aid_amount", f.student_amount, None)]
        r.add(r.pick(["开展“金秋助学”活动，", "“金秋助学”活动中，", "深入开展金秋助学，"]), "，".join(parts), "。")
    lead, as_of = r.stock_lead()
    mutual = r.clause("mutual_aid_participants", s.mutual, as_of)
    if rng.random() < 0.3:
        mutual += "，" + r.distract("premium", x=fmt_num(round(s.mutual * 30 / 10000, 2)))
    r.add(r.pick(["扎实推进职工互助保障工作，", "职工互助保障覆盖面继续扩大，", ""]), lead, mutual, "。")
    payout = [r.clause("mutual_aid_payout", f.payout, None)]
    if rng.random() < 0.4:
        payout.append(r.distract("payout_count", n=max(3, f.payout // 2600)))
    r.add(r.flow_lead(), "为患病住院职工", "，".join(payout), "。")

    # rights and other work
    r.add(r.pick(h["rights"]))
    r.add(r.filler("rights"), r.flow_lead(), r.clause("disputes_handled", f.disputes, None), "。")
    for tmpl in rng.sample(ph["distractor"]["activity"], rng.randint(1, 3)):
        r.add(r.fmt(tmpl, n=rng.randint(2, 12), m=rng.randint(3, 40) * 10))

    if towns and fy and rng.random() < 0.7:
        best_name, best = max(towns, key=lambda t: t[1].at(year, period)[0].coverage)
        rate = best.at(year, period)[0].coverage
        tmpl = "[[" + best_name + "建会率最高，为{v}%]]"
        r.add("各镇（街道）中，", r.clause("union_coverage_rate", rate, f"{year}-12-31", region=best_name,
                                          template=tmpl), "。")

    r.add(r.pick(h["problems"]))
    r.add(r.filler("problems", 3))
    r.add(r.pick(h[f"{period}_plan"]))
    size = {  # targets sized to the body, written as round numbers
        "orgs": max(3, round(f.orgs_new * rng.uniform(0.2, 0.5))),
        "members": max(50, int(round(f.members_new * rng.uniform(0.3, 0.6), -1))),
        "households": max(5, round(f.aid_households * rng.uniform(0.3, 0.6))),
        "students": max(3, round(f.aid_households * rng.uniform(0.05, 0.1))),
        "mutual": int(round(s.mutual * 1.1, -3 if s.mutual > 5000 else -2)),
    }
    plans = [r.fmt(t, r=rng.choice([95, 96, 97, 98]), **size)
             for t in rng.sample(ph["distractor"][f"plan_{period}"], 2)]
    r.add(r.filler("plan", 2), "".join(plans))
    r.add("")
    r.add(f"{region}总工会")
    r.add(f"{year}年7月{rng.randint(3, 20)}日" if not fy else f"{year + 1}年1月{rng.randint(5, 25)}日")
    return r.finish()


TEMPLATE_TEXT = """xx镇总工会20xx年上半年工作总结（模板）

（填写说明：请将xx替换为本单位名称，X处填写实际数字，删除本说明后上报。）

上半年，xx镇总工会在镇党委和区总工会的领导下，围绕中心、服务大局，各项工作扎实推进。

一、上半年主要工作
（一）组织建设
截至6月底，全镇共有基层工会组织X家，建会率达XX%。上半年新建工会X家，发展会员XX名。会员总数XX人，职工入会率XX%。
（二）集体合同
签订集体合同企业X家，覆盖职工XX人；建立职代会制度的单位X家。
（三）困难帮扶
元旦春节期间，走访慰问困难职工X户，发放慰问金X万元。
（四）维权服务
参与调处劳动争议X起。

二、存在的问题
（请简要填写）

三、下半年工作打算
（请简要填写）

xx镇总工会
20xx年X月X日
"""


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class SampleFile:
    name: str
    data: bytes
    facts: list[dict[str, Any]]


def to_traditional(text: str, facts: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Convert a report to Traditional characters; evidence is re-cut from the converted text."""
    from opencc import OpenCC

    conv = OpenCC("s2t")
    trad = conv.convert(text)
    assert len(trad) == len(text), "s2t changed the text length; evidence offsets would not carry over"
    out, pos = [], 0
    for fact in facts:
        start = text.index(fact["evidence"], pos)
        end = start + len(fact["evidence"])
        out.append({**fact, "evidence": trad[start:end], "region": conv.convert(fact["region"])})
        pos = start
    return trad, out


def encode(text: str, gbk: bool) -> bytes:
    return text.encode("gbk") if gbk else text.encode("utf-8")


def build() -> list[SampleFile]:
    """Every sample report with its facts, in file-name order."""
    ph = load_phrases()
    towns = [(t["name"], t["area"], simulate(t["name"], t["enterprises"], t["workers"], t["growth"], t["lead"]))
             for t in ph["town"]]
    direct = simulate("区直单位", 170, 24000, 0.02, 1.8)
    district = combine([h for _, _, h in towns] + [direct])
    files: list[SampleFile] = []

    def add(name: str, text: str, facts: list[dict[str, Any]], trad: bool = False, gbk: bool = False) -> None:
        if trad:
            text, facts = to_traditional(text, facts)
        for fact in facts:
            fact["doc"] = name
            assert fact["evidence"] in text, (name, fact["evidence"])
        files.append(SampleFile(name, encode(text, gbk), facts))

    for name, area, hist in towns:
        for year in YEARS:
            for period in ("H1", "FY"):
                text, facts = write_report(name, area, year, period, hist, ph)
                span = "上半年" if period == "H1" else ""
                key = (name, year, period)
                add(f"{name}总工会{year}年{span}工作总结.txt", text, facts, key in TRADITIONAL, key in GBK)

    dname = ph["district"]
    town_hists = [(n, h) for n, _, h in towns]
    for year in YEARS:
        if year == GLUED_YEAR:
            h1, f1 = write_report(dname, "区", year, "H1", district, ph, town_hists)
            fy, f2 = write_report(dname, "区", year, "FY", district, ph, town_hists)
            add(f"{dname}总工会{year}年上半年及全年工作总结.txt", h1 + "\n\n" + fy, f1 + f2)
        else:
            text, facts = write_report(dname, "区", year, "FY", district, ph, town_hists)
            add(f"{dname}总工会{year}年工作总结.txt", text, facts)
    add("xx镇总工会20xx年上半年工作总结（模板）.txt", TEMPLATE_TEXT, [])
    return sorted(files, key=lambda f: f.name)


FIELDS = ("doc", "metric", "value", "evidence", "year", "period", "as_of", "region", "approx", "note")


def write(out: Path) -> list[SampleFile]:
    """Write out/reports/*.txt (stale .txt files there are removed) and out/expected.jsonl."""
    files = build()
    reports = out / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    keep = {f.name for f in files}
    for old in reports.glob("*.txt"):
        if old.name not in keep:
            old.unlink()
    for f in files:
        (reports / f.name).write_bytes(f.data)
    with open(out / "expected.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for f in files:
            for fact in f.facts:
                row = {k: fact[k] for k in FIELDS}
                if isinstance(row["value"], float) and row["value"].is_integer() and UNIT[row["metric"]] != "%":
                    row["value"] = int(row["value"])
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description="Write the fictional 青禾区 sample reports and expected.jsonl.")
    ap.add_argument("--out", type=Path, default=HERE, help="folder to write reports/ and expected.jsonl into")
    args = ap.parse_args()
    files = write(args.out)
    n_facts = sum(len(f.facts) for f in files)
    size = sum(len(f.data) for f in files)
    print(f"wrote {len(files)} reports ({size / 1024:.0f} KB) and {n_facts} facts to {args.out}")


if __name__ == "__main__":
    main()
