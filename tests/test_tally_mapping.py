"""Header recognition (etl/tally/mapping.py): the official indicator names and their common variants → metric.

The names come from ../shared/OFFICIAL_FORMS.md (the union survey's forms, yearbook columns, local
reports); the variants are how towns write them in home-made sheets. A header is one cell ("慰问金(万元)")
or a parent and child of a two-row header ("金秋助学 / 资助人数(人)"). None: the column holds a figure the
catalog has no metric for (or only a part of one), so it must not be loaded as any metric.
"""

from __future__ import annotations

import pytest

from etl.tally.mapping import classify_header

OFFICIAL = [
    # organisation
    ("工会基层组织数(个)", "union_orgs_total"),
    ("基层工会数(个)", "union_orgs_total"),
    ("基层工会组织数", "union_orgs_total"),
    ("现有工会组织(家)", "union_orgs_total"),
    ("新建基层工会数(个)", "union_orgs_new"),
    ("本期新建工会(个)", "union_orgs_new"),
    ("新组建工会组织(家)", "union_orgs_new"),
    ("建会率(%)", "union_coverage_rate"),
    ("法人单位数", None),
    ("应建会单位数(家)", None),
    ("覆盖单位数", None),
    ("工会驿站数(个)", None),
    ("联合工会涵盖单位数(个)", None),
    ("基层工会数 / 单一(个)", None),
    ("基层工会数 / 联合(个)", None),
    # membership
    ("会员人数(人)", "members_total"),
    ("会员数", "members_total"),
    ("现有会员(名)", "members_total"),
    ("其中：女会员(人)", None),
    ("#女会员", None),
    ("农民工会员(人)", None),
    ("新就业形态劳动者入会(人)", None),
    ("本期新发展会员(人)", "members_new"),
    ("新增会员(人)", "members_new"),
    ("职工总数(人)", "workers_total"),
    ("已建会单位职工数(人)", None),
    ("职工入会率(%)", "membership_rate"),
    # collective contracts
    ("签订集体合同企业数(家)", "cc_enterprises"),
    ("集体合同 / 覆盖企业(家)", "cc_enterprises"),
    ("集体合同覆盖职工数(人)", "cc_workers_covered"),
    ("集体合同 / 覆盖职工(人)", "cc_workers_covered"),
    ("签订工资专项集体合同企业(家)", "wage_cc_enterprises"),
    ("工资专项集体合同 / 覆盖企业(家)", "wage_cc_enterprises"),
    ("开展工资集体协商企业(家)", "wage_cc_enterprises"),
    ("工资专项集体合同 / 覆盖职工(人)", None),
    ("女职工专项集体合同 / 覆盖企业(家)", None),
    ("区域性集体合同 / 覆盖企业(家)", None),
    ("集体合同建制率(%)", "cc_coverage_rate"),
    ("建立职代会制度单位(家)", "congress_orgs"),
    # hardship aid: files, 送温暖
    ("帮扶慰问户数(户)", "aid_households"),
    ("送温暖慰问困难职工(户)", "aid_households"),
    ("走访慰问困难职工户数", "aid_households"),
    ("两节送温暖 / 慰问户数(户)", "aid_households"),
    ("在档困难职工(户)", None),
    ("新建档困难职工(户)", None),
    ("解困脱困(户)", None),
    ("建档户数", None),
    ("送温暖慰问人数(人次)", "aid_recipients"),
    ("慰问职工(人次)", "aid_recipients"),
    ("两节送温暖 / 慰问人次", "aid_recipients"),
    ("走访慰问困难职工(人)", "aid_recipients"),
    ("帮扶慰问金额(元)", "aid_amount"),
    ("慰问金(万元)", "aid_amount"),
    ("送温暖慰问金(万元)", "aid_amount"),
    ("慰问品折合(万元)", "aid_amount"),
    ("帮扶资金(万元)", "aid_amount"),
    ("两节送温暖 / 慰问金(万元)", "aid_amount"),
    ("帮扶资金 / 中央财政(万元)", None),
    ("帮扶资金 / 地方财政(万元)", None),
    ("帮扶资金 / 工会经费(万元)", None),
    ("帮扶资金 / 社会捐助(万元)", None),
    # 金秋助学
    ("金秋助学 / 资助人数(人)", "student_aid_recipients"),
    ("金秋助学 / 资助金额(万元)", "student_aid_amount"),
    ("资助困难职工子女(人)", "student_aid_recipients"),
    ("金秋助学 / 其中：建档子女(人)", None),
    # 职工互助保障
    ("职工互助保障 / 参保会员(人次)", "mutual_aid_participants"),
    ("互助保障参保人数(人)", "mutual_aid_participants"),
    ("参保职工(人次)", "mutual_aid_participants"),
    ("职工互助保障 / 参保单位(家)", None),
    ("职工互助保障 / 投保金额(元)", None),
    ("职工互助保障 / 赔付人次", None),
    ("职工互助保障 / 赔付金额(万元)", "mutual_aid_payout"),
    ("互助保障理赔金额(元)", "mutual_aid_payout"),
    # rights
    ("参与调处劳动争议(件)", "disputes_handled"),
]


@pytest.mark.parametrize(("header", "metric"), OFFICIAL, ids=[h for h, _ in OFFICIAL])
def test_official_names_and_variants(header: str, metric: str | None) -> None:
    g = classify_header(header.split(" / "))
    assert (g.metric if g.role == "figure" else None) == metric


FAMILY_UNITS = [  # the family picks the metric by the unit, and scales it
    ("送温暖 / 慰问(户)", "aid_households", 1.0),
    ("送温暖 / 慰问(人次)", "aid_recipients", 1.0),
    ("送温暖 / 慰问(万元)", "aid_amount", 10000.0),
]


@pytest.mark.parametrize(("header", "metric", "scale"), FAMILY_UNITS, ids=[m for _, m, _ in FAMILY_UNITS])
def test_one_noun_family_three_units(header: str, metric: str, scale: float) -> None:
    g = classify_header(header.split(" / "))
    assert (g.metric, g.unit.scale, g.exact) == (metric, scale, True)


def test_a_part_of_a_figure_is_never_the_whole_by_containment() -> None:
    """女会员数 contains 会员数, but it is a part of members_total: left for the person to map."""
    assert classify_header(["女会员数(人)"]).role == "unknown"
    assert classify_header(["会员数(人)"]).metric == "members_total"  # the exact synonym still wins
