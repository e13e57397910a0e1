"""Which union is reporting: candidate names from the text, described for a learned ranker.

A report names its own union in many ways: in full (宁波余姚黄家埠镇总工会), by
level only (县总工会, 院工会) with its place named elsewhere (秀山网讯, 兰州…),
by an enterprise's name (澄合二矿分公司工会), and it names other unions too:
superiors (在市总工会的领导下), visitors (万源市总工会来我县考察), hosts.  So
every union mention gives candidate names: each plausible start of the name
before 工会 (after a stop word, at a place name of the national divisions
table, after a superior place), and a body named by level alone is joined to the
places of that level the text names.  Each candidate is described by where and
how it is written (title, lead, how often, next to 领导/考察, with 我县/全市 in
the text); lexicon/body.toml holds the word lists.  The ranker's weights are
part of the trained model (etl/classifier.py); without them the rule-based
guess of etl/context.py stands.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from etl.body_names import covered_spans, loose_chars, name_ending, name_features, name_level, spec
from etl.context import place_names
from etl.divisions import Place, places_in

N_BODY_FEATURES = 1 << 14
_CJK = re.compile(r"[\u4e00-\u9fff]")
_RUN = 20  # characters before 工会 that may belong to the name
_HEAD = 2000  # characters of the document read for names
_LATER = 20000  # characters searched for a level-named body written as a union further on


@dataclass
class BodyCandidate:
    name: str
    feats: set[str] = field(default_factory=set)
    mentions: int = 0
    first: int = 1 << 30
    led: int = 0  # mentions as a superior or a visitor (在市总工会的领导下, 市总工会下拨)
    under: int = 0  # mentions between a superior's words on both sides (在…市总工会的领导下)
    visits: int = 0  # mentions as a visitor (万源市总工会一行来我县考察)

    @property
    def acting(self) -> int:
        """Mentions as the union doing something itself, not leading or visiting."""
        return self.mentions - self.led


@lru_cache(maxsize=4096)
def _starts(run: str) -> dict[int, str]:
    """Plausible starts of a name inside the run before 工会, with why each is plausible."""
    sp = spec()
    out = {0: "run_start"}
    covered = covered_spans(run)
    for i, ch in enumerate(run):
        if ch in sp.stop_chars and i + 1 < len(run) and i not in covered:
            out.setdefault(i + 1, "after_stop")
    for w in sp.stop_words:
        k = run.rfind(w)
        if k >= 0 and k + len(w) < len(run) and k not in covered:
            out.setdefault(k + len(w), "after_stop")
    for s, e, _ in places_in(run):
        if _joined_by_function_char(run, s):
            continue
        out.setdefault(s, "place_start")
        if e < len(run):
            out.setdefault(e, "after_place")
    inside = _inside_words(run)
    for w in sp.org_words:
        k = run.find(w)
        while k >= 0 and k + len(w) < len(run):
            if k + len(w) not in inside:
                out.setdefault(k + len(w), "after_org")
            k = run.find(w, k + 1)
    return out


@cache
def _long_word() -> re.Pattern[str]:
    """Any stop, level or organisation word of two characters or more, longest first, at every position."""
    sp = spec()
    words = sorted((w for w in {*sp.stop_words, *sp.levels, *sp.org_words} if len(w) > 1), key=len, reverse=True)
    return re.compile("(?=(" + "|".join(map(re.escape, words)) + "))")


def _inside_words(run: str) -> set[int]:
    """Positions strictly inside a stop, level or organisation word of the run: an organisation word
    there is part of the longer word (所 in 所属, 社 in 社区, 园 in 园区) and ends no name (属社区, 区)."""
    return {i for m in _long_word().finditer(run) for i in range(m.start() + 1, m.start() + len(m.group(1)))}


def _name_run(run: str) -> str:
    """The part of `run` after its last boundary or union word: where a name before 工会 may start."""
    sp = spec()
    b = list(sp.boundary.finditer(run)) + list(sp.union.finditer(run))
    start = max(x.end() for x in b) if b else 0
    if start and run[start - 1].isdigit():
        while start < len(run) and run[start] in sp.number_tail:
            start += 1
    return run[start:]


def body_candidates(text: str, title: str) -> list[BodyCandidate]:
    """Every name that may be the reporting union's, with its features."""
    sp = spec()
    head = text[:_HEAD]
    cands: dict[str, BodyCandidate] = {}

    def add(name: str, pos: int, feats: list[str], mention: bool) -> None:
        name = name.strip()
        if name in sp.national:
            name = "全国"
        if not name or len(name) > 24 or (name[0] in sp.self_chars and len(name) > 1 and name != "全国"):
            return
        c = cands.setdefault(name, BodyCandidate(name))
        c.feats.update(feats)
        c.mentions += mention
        c.led += mention and any(f.startswith("superior") for f in feats)
        c.under += mention and "superior_before" in feats and "superior_after" in feats
        c.visits += mention and "visiting" in feats
        c.first = min(c.first, pos)

    bare_levels: set[str] = set()
    for m in sp.union.finditer(head):
        lo = max(0, m.start() - _RUN)
        run = _name_run(head[lo:m.start()])
        run_at = m.start() - len(run)
        after = head[m.end():m.end() + 14]
        ctx = [f"union={m.group()}"]
        if sp.superior_after.search(after):
            ctx.append("superior_after")
        if sp.visit_after.search(after):
            ctx.append("visiting")  # 万源市总工会一行来我县考察
        for s, why in _starts(run).items():
            name = run[s:]
            here = [*ctx, f"start={why}", "src=mention"]
            if sp.superior_before.search(head[max(0, run_at + s - 6):run_at + s]):
                here.append("superior_before")  # 在市总工会的领导下: the words before this reading of the name
            add(name, run_at + s, here, True)
            lv = name_level(name)
            if lv and name == lv:
                bare_levels.add(lv)
            for ps, pe, places in places_in(name):
                if pe == len(name) and ps == 0 and places[0].form == "stem":
                    # 宜昌工会: the text may write the place in full elsewhere (宜昌市).
                    add(places[0].division.name if len(places) == 1 else name, run_at + s,
                        [*ctx, "src=expanded"], False)
    # An enterprise report may never write its union's name in the lead (天府矿业公司为困难职工…):
    # organisations named in the title and the lead are candidates too.
    lead = title + "\n" + head[:300]
    for m in _org_end().finditer(lead):
        lo = max(0, m.end() - _RUN)
        run = _name_run(lead[lo:m.end()])
        for s, why in _starts(run).items():
            if len(run) - s > len(m.group()):
                add(run[s:], max(0, m.end() - len(title) - 1), ["src=org_text", f"start={why}"], False)
    for m in _SHORT_ORG.finditer(lead):  # 萍矿已有百年历史: a mine or works by its short name, as a word
        add(m.group("name"), max(0, m.start() - len(title) - 1), ["src=org_text", "start=word"], False)
    for w in sp.self_words:
        k = head.find(w)
        if k >= 0:
            add(w[1:], k, ["src=self_word"], False)
            bare_levels.add(w[1:])
    for w in sp.national:
        k = head.find(w)
        if k >= 0:
            add("全国", k, ["src=national"], False)
    for name, union, pos in place_names(head[:400] + "\n" + title):
        if not union and len(name) > 1:
            add(name, pos, ["src=place"], False)
    title_places = places_in(title)
    title_ends = {e for _, e, _ in title_places}
    for ps, pe, places in title_places:
        if not title.startswith(sp.not_after_stem, pe) and _names_place(title, ps, pe, places[0], title_ends):
            add(title[ps:pe], 0, ["src=place"], False)  # 江苏统计年鉴 → 江苏, as written
    # A body named by its level alone (县总工会) takes a name of that level the text gives (秀山…县).
    named = place_names(head) if bare_levels else []
    gazetteer = places_in(head[:1500]) if bare_levels else ()
    for lv in bare_levels:
        for name, _, pos in named:
            if name.endswith(lv) and name != lv:
                add(name, pos, ["src=fill"], False)
        ends = {e for _, e, _ in gazetteer}
        for s, e, places in gazetteer:
            if head.startswith(sp.not_after_stem, e):
                continue  # 温泉度假区 names a resort, not 温泉县
            for p in places:
                if not _names_place(head, s, e, p, ends):
                    continue
                short = p.surface if p.surface.endswith(lv) else (p.surface + lv if p.form == "stem" else "")
                if p.form == "stem" and p.division.name == p.surface + "地" + lv:
                    short = p.division.name  # 大兴安岭 with 全区: the prefecture 大兴安岭地区, not a 大兴安岭区
                if short and (p.division.name.endswith(lv) or p.division.name.endswith("自治" + lv)):
                    add(short, s, ["src=fill_gazetteer"], False)
    for lv in bare_levels - _PLACE_LEVELS:  # 处工会 / 该处: the unit's full name, written twice (铜川矿务局供应处)
        name = _repeated_org_name(head, lv)
        if name:
            add(name, head.find(name), ["src=fill_org"], False)
    later = text[:_LATER]
    for c in cands.values():
        if c.mentions == 0 and len(c.name) > 1 and name_level(c.name) \
                and any(c.name + w in later for w in sp.union_names):
            c.feats.add("union_later")  # 召开东区工会代表大会 further on than the head reaches
    return _describe(list(cands.values()), head, title)


# Levels that are places; the others (处, 段, 院, 厂, 矿, 局 …) are units of an organisation.
_PLACE_LEVELS = frozenset({"街道", "镇", "乡", "县", "区", "市", "省", "州", "盟", "旗", "自治区", "社区", "村"})


def _repeated_org_name(head: str, lv: str) -> str | None:
    """The longest name ending in the unit level `lv` that the head writes at least twice, else the unit
    named once right before its own officers (下石节煤矿党委副书记), by its own name after its parents'.

    A unit that calls itself by its level (段工会, 该处) names itself in full in the lead and again
    further on (铜川矿务局供应处有39户… 铜川矿务局供应处历来…); a name written once is as likely a
    place visited or a word that happens to end in the level (一段, 处理 are cut by the follower check),
    unless its officers follow it (陕煤集团铜川矿业公司下石节煤矿党委…: 下石节煤矿, as ANNOTATION.md's
    name as people know it).
    """
    sp = spec()
    best = officers = None
    k = head.find(lv)
    while k >= 0:
        e = k + len(lv)
        if e < len(head) and head[e] in sp.org_words_next:
            k = head.find(lv, e)
            continue
        run = _name_run(head[max(0, k - 12):e])
        names = [run[s:] for s in sorted(_starts(run))
                 if len(run) - s >= 3 and not name_features(run[s:]) & _JUNK_NAME]
        twice = [n for n in names if head.count(n) >= 2]
        if twice and (best is None or len(twice[0]) > len(best)):
            best = twice[0]
        if names and officers is None and head.startswith(sp.officer_words, e):
            officers = names[-1]
        k = head.find(lv, e)
    return best or officers


_SHORT_ORG = re.compile(r"(?:^|(?<=[\s,.;:!?，。、；：！？“”\"《》()（）]))(?P<name>[\u4e00-\u9fff]{1,5}[矿厂])"
                        r"(?![区山井务业长里部上下内外工职属级])")


def _names_place(text: str, s: int, e: int, p: Place, ends: set[int]) -> bool:
    """Does this place of the divisions table, found at text[s:e], name the place?

    A full name (兰州市) does.  A bare stem is too easily a word (思想同心 is no 同心县, 创新和
    no 新和县, 资源日渐枯竭 no 资源县): it counts where a word starts (a line's start, after
    punctuation, a stop character such as 在/从, or a wider place) and, for a county or a
    township, where a word ends too (before punctuation, a level, a union or a news word: 秀山网讯).
    """
    sp = spec()
    if s not in ends and _joined_by_function_char(text, s):
        return False
    if p.form != "stem":
        return True
    if any(ch in sp.function_chars for ch in p.surface):
        return False
    if not (s == 0 or not _CJK.match(text[s - 1]) or text[s - 1] in sp.stop_chars or s in ends
            or _after_media_prefix(text, s)):
        return False
    if p.division.level in ("province", "city"):
        return True
    return e >= len(text) or not _CJK.match(text[e]) or text.startswith(sp.stem_followers, e)


def _joined_by_function_char(text: str, s: int) -> bool:
    """A place starting with a grammar character right after a word (大力支持和县总工会: 和 joins, 和县 is
    not meant) is no place there; right after another place it is (天津市和平区, see the callers)."""
    return s > 0 and text[s] in spec().function_chars and bool(_CJK.match(text[s - 1]))


def _after_media_prefix(text: str, s: int) -> bool:
    """A local outlet's brand ends right before s, at a word's start (来源：今日高邮, 云上通山报道)."""
    for w in spec().media_prefixes:
        k = s - len(w)
        if k >= 0 and text.startswith(w, k) and (k == 0 or not _CJK.match(text[k - 1])):
            return True
    return False


@cache
def _org_end() -> re.Pattern[str]:
    """An organisation word ending a name, not followed by more of it (公司 in 天府矿业公司为…)."""
    words = sorted((w for w in spec().org_words if len(w) > 1), key=len, reverse=True)
    return re.compile("(?:" + "|".join(words) + ")(?!工会|总工会|分公司|集团)")


def _describe(cands: list[BodyCandidate], head: str, title: str) -> list[BodyCandidate]:
    sp = spec()
    self_levels = {w[1:]: head.count(w) for w in sp.self_words if w in head}
    bare = {c.name for c in cands if c.name == name_ending(c.name)}
    clean = [c for c in cands if c.name not in bare and not loose_chars(c.name, sp.function_chars)]
    named_endings = {name_ending(c.name) for c in clean} - {None}
    for c in cands:
        n = c.name
        end = name_ending(n)
        if n in bare and end in named_endings:
            c.feats.add("has_named_version")
        # 大光镇 for 镇; 医院 for 全院's 院 (an organisation word ending in a level, not a level itself as 社区)
        if (c in clean and end in bare) or (name_level(n) != n and any(n.endswith(b) and n != b for b in bare)):
            c.feats.add("names_the_bare")
        c.feats |= {f"mentions={min(c.mentions, 4)}", f"count={min(head.count(n), 5)}",
                    f"first={'0' if c.first < 60 else '1' if c.first < 300 else '2' if c.first < 1200 else '3'}"}
        if n in title:
            c.feats.add("in_title")
        if c.mentions and c.led == c.mentions:
            c.feats.add("only_superior")
        lv = name_level(n)
        if lv and self_levels.get(lv):
            c.feats.add("self_level")
        own = name_features(n)
        c.feats |= own
        tail = "|bare" if "bare" in own else "|named"
        c.feats |= {f + tail for f in c.feats if f.startswith(("src=", "start="))}
    _units_acting_more(cands, clean)
    return cands


def _units_acting_more(cands: list[BodyCandidate], clean: list[BodyCandidate]) -> None:
    """Marks a name and a unit written after it (银川市 and 银川市交通运输局工会) when the text writes the
    unit's union acting at least as often as the name's own: a sector or bureau union's report
    names its city as approver or host (经银川市总工会批准), and the ranker learns which one reports."""
    for c in clean:
        if not c.acting or c.feats & _NO_NAME:
            continue
        for d in clean:
            if d.name != c.name and d.name.startswith(c.name) and d.acting >= c.acting and not d.feats & _NO_NAME:
                c.feats.add("unit_acts_more")
                d.feats.add("acts_more_than_its_parent")


def body_rows(cands: list[BodyCandidate]) -> list[np.ndarray]:
    """Hashed feature indexes per candidate (crc32, as etl/features.py)."""
    return [np.fromiter(map(_body_index, sorted(c.feats)), dtype=np.int32) for c in cands]


@lru_cache(maxsize=65536)
def _body_index(f: str) -> int:
    return zlib.crc32(f.encode("utf-8")) & (N_BODY_FEATURES - 1)


# Features of a name that is a phrase or a collective word, not a body's name (rank, _junk).
_NO_NAME = frozenset({"has_stop_word", "generic_place", "function_char", "starts_with_stop", "inner_stop_char"})
_JUNK = _NO_NAME | {"many_levels"}  # …nor a name another name should be joined to
_JUNK_NAME = _NO_NAME | {"masked"}  # …nor a unit's full name read for its level (_repeated_org_name)


def rank(cands: list[BodyCandidate], weights: np.ndarray) -> tuple[str | None, float]:
    """The reporting body's name (_ranked), a place's education or health union as the place itself
    (河西县教育工会 reports for 河西县: corpus README, as the development set's 江山市教育工会)."""
    name, margin = _ranked(cands, weights)
    return _place_of_sector(name) if name else name, margin


def _place_of_sector(name: str) -> str:
    """河西县教育 → 河西县 for the sectors in body.toml place_sectors; any other name as it is."""
    sp = spec()
    for w in sp.place_sectors:
        rest = name[: -len(w)]
        if name.endswith(w) and rest and name_level(rest) in _PLACE_LEVELS and name_level(rest) != rest:
            return rest
    return name


def _ranked(cands: list[BodyCandidate], weights: np.ndarray) -> tuple[str | None, float]:
    """The best-scoring candidate's name (ties: the one named first), and its lead over the next.

    A body named only by its level takes a name of that level the text gives
    anywhere (ANNOTATION.md: 青石 named once, 镇总工会 elsewhere → 青石镇), so a
    bare level wins only when no candidate of that level is named.
    """
    if not cands:
        return None, 0.0
    scores = [float(weights[r].sum()) for r in body_rows(cands)]
    order = sorted(range(len(cands)), key=lambda i: (-scores[i], cands[i].first))
    margin = scores[order[0]] - scores[order[1]] if len(order) > 1 else 10.0
    # Words that are no name (建立工会 → 建立, 开发区, 集团公司) lose to any name that is one.
    clean = [i for i in order if not _junk(cands[i])]
    if not clean:
        return None, 0.0  # better 地区不明 on 审核 than a phrase as a region
    best = cands[clean[0]]
    # The title calls the body by its level (区总工会2014年工作总结): a name of another level that is
    # not in the title does not overrule it.
    titled = [cands[i] for i in clean if "bare" in cands[i].feats and "in_title" in cands[i].feats
              and cands[i].led < cands[i].mentions]
    if titled and "bare" not in best.feats and "in_title" not in best.feats and name_level(best.name) != titled[0].name:
        best = titled[0]
    if _org_words_only(best):  # 集团公司工会 in a report titled 萍矿…: the organisation the title names
        titled_org = [cands[i] for i in clean if "in_title" in cands[i].feats and not _org_words_only(cands[i])
                      and cands[i].feats & {"start=word", "src=fill_org"}]  # a short name as a word (萍矿)
        if titled_org:
            return titled_org[0].name, margin
        companies = [cands[i] for i in clean if cands[i].name.endswith(best.name) and cands[i].name != best.name
                     and not _org_words_only(cands[i]) and not cands[i].feats & _JUNK]
        # …and a company the text writes as a union, ending in those words (沁阳发电分公司工会, then 该公司工会)
        named = [c for c in companies if c.mentions]
        if named:
            return named[0].name, margin
        # …or the one company the text names, ending in those words, though never as a union
        # (集团工会 visits; 代表迎驾集团送上祝福): ANNOTATION.md, the name given anywhere joins the level.
        written = {c.name for c in companies if "names_the_bare" in c.feats and not c.feats & _SUPERIOR}
        if len(written) == 1:
            return written.pop(), margin
    if "bare" in best.feats:
        named = [cands[i] for i in clean if "names_the_bare" in cands[i].feats
                 and cands[i].name.endswith(best.name) and not cands[i].feats & _JUNK and _fills(cands[i])]
        named.sort(key=lambda c: not (c.mentions or "union_later" in c.feats))  # written as a union first
        if named:
            return named[0].name, margin
    # A place the text never writes as a union loses to the union of a unit named after it that acts
    # (无锡 filled in from the gazetteer; 无锡金融工会 召开…): a sector or bureau union's own report.
    if not best.mentions and "places=1" in best.feats:
        acting = [cands[i] for i in clean if cands[i].name.startswith(best.name) and cands[i].name != best.name
                  and cands[i].acting > 0 and not cands[i].feats & _JUNK
                  and ("prefixed_sector" in cands[i].feats or name_level(cands[i].name) not in (None, *_PLACE_LEVELS))]
        if acting:
            return max(acting, key=lambda c: c.acting).name, margin
    return best.name, margin


_SUPERIOR = {"superior_before", "superior_after"}


def _junk(c: BodyCandidate) -> bool:
    """A candidate that is a phrase, a collective word or organisation words alone, not a body's name."""
    if c.feats & _NO_NAME or c.name in spec().not_names:
        return True
    if c.mentions and c.under == c.mentions and "in_title" not in c.feats:
        return True  # only ever 在…总工会的领导下: ANNOTATION.md, a superior is never the region
    if c.mentions and c.visits == c.mentions:
        return True  # only ever visiting (一行来我县考察): the host reports, not the visitor
    # 集团公司, 分公司 as words, unless written as the union itself (公司工会部署…: the body by its level)
    return _org_words_only(c) and c.mentions <= c.under


def _org_words_only(c: BodyCandidate) -> bool:
    """Is the name organisation words alone (公司, 集团公司, 分公司), no name of its own?"""
    rest = c.name
    while rest and (end := name_ending(rest)) and end != rest:
        rest = rest[:-len(end)]
    return "bare" not in c.feats and rest == name_ending(rest) and "org" in c.feats


def _fills(c: BodyCandidate) -> bool:
    """May this named place stand for a body that calls itself by its level only?

    A place of the divisions table, or a name written right before a union word
    (大光镇工委会); never a superior seen only leading or visiting (在滨海新区总工会的领导下).
    """
    if c.feats & _SUPERIOR and "in_title" not in c.feats:
        return False
    if "places=1" in c.feats or "src=fill_org" in c.feats:
        return True
    # written as a union: 大光镇工委会; two characters only when they are an organisation word (医院, 学校)
    return "src=mention" in c.feats and (len(c.name) >= 3 or name_ending(c.name) == c.name)
