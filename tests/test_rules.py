"""etl/rules.py + lexicon/cues.toml: what the cue rules read from a passage, number by number.

The learned extractor emits every reading these rules share (etl/reading.py), so a
word family they miss costs recall on every report that uses it.  Passages are
written for these tests in wordings the corpus does not use.
"""

from __future__ import annotations

import pytest

from etl.normalize import normalize
from etl.rules import rule_hits


def read(passage: str) -> list[tuple[str, str]]:
    """(number as written, metric) for every reading of the rules, in text order."""
    return [(raw, metric) for raw, metric, _ in read_where(passage)]


def read_where(passage: str) -> list[tuple[str, str, str | None]]:
    """(number as written, metric, sub-unit) for every reading of the rules."""
    text = normalize(passage).text
    return [(h.q.raw, h.metric, h.region) for h in rule_hits(text, 0, len(text))]


# Sub-type by the sentence's time frame: 发展/吸纳会员 is a running total where the sentence states a stock.
@pytest.mark.parametrize(("passage", "expected"), [
    ("截至十月底,全乡已组建企业工会31家,吸纳会员4120人。", [("31家", "union_orgs_total"), ("4120人", "members_total")]),
    ("目前该园区工会累计发展会员2.6万人。", [("2.6万人", "members_total")]),
    ("本季度各村联合工会发展会员380人。", [("380人", "members_new")]),
    ("今年上半年吸收会员215名。", [("215名", "members_new")]),
    ("截至目前已新发展会员96名。", [("96名", "members_new")]),  # 新 names the flow whatever the frame
])
def test_members_running_total_or_new(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("到今年九月为止,全县网约车司机工会组建23个。", [("23个", "union_orgs_total")]),
    ("上半年,物流行业工会组建6个。", [("6个", "union_orgs_new")]),
])
def test_formation_after_the_noun_follows_the_time_frame(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Money: the word for aid money, then the verb of handing it out, then the amount.
@pytest.mark.parametrize(("passage", "expected"), [
    ("春节前走访困难会员,慰问金合计发放38400元。", [("38400元", "aid_amount")]),
    ("全年为患病职工拨付扶助资金1.6万元。", [("1.6万元", "aid_amount")]),
    ("对困难职工的资助金额发放了4.2万元。", [("4.2万元", "aid_amount")]),
    ("区总工会筹措帮扶专项资金87万元用于解困。", [("87万元", "aid_amount")]),
])
def test_aid_money_with_a_verb_between_cue_and_amount(passage: str, expected: list) -> None:
    assert read(passage) == expected


# In a sentence about student aid, its total and its 资助款 are student aid; a named aid fund stays aid.
@pytest.mark.parametrize(("passage", "expected"), [
    ("今秋为考上大学的职工子女发放助学金,共计3.9万元。", [("3.9万元", "student_aid_amount")]),
    ("开展“金秋助学”,困难家庭学子领到资助款15600元。", [("15600元", "student_aid_amount")]),
    ("发放帮扶救助资金合计6万元,另开展助学活动。", [("6万元", "aid_amount")]),
])
def test_student_aid_totals(passage: str, expected: list) -> None:
    assert read(passage) == expected


# The verb after the count: people joining, places founding their unions.
@pytest.mark.parametrize(("passage", "expected"), [
    ("国庆前,320名网约车司机、95名代驾司机加入了工会。", [("320名", "members_new"), ("95名", "members_new")]),
    ("向210名刚加入工会的家政服务员赠送了礼包。", [("210名", "members_new")]),
    ("截至目前,46名护工已集体入会。", [("46名", "members_total")]),
    ("全区38个商务楼宇中,已有29个建立了楼宇工会。", [("29个", "union_orgs_total")]),
    ("今年以来,又有7家物业公司成立了工会。", [("7家", "union_orgs_new")]),
    ("4个乡和2个街道都已成立总工会。", []),
])
def test_count_before_its_verb(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Democratic management, in the ways reports write it.
@pytest.mark.parametrize(("passage", "expected"), [
    ("全县推行校(院)务公开的企事业单位有318家。", [("318家", "congress_orgs")]),
    ("实行厂务公开的企、事业单位有97家。", [("97家", "congress_orgs")]),
    ("截至年底,全市职代会建制数1240家。", [("1240家", "congress_orgs")]),
])
def test_congress_wordings(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Vetoes are words, not characters: 新 of 新就业形态 and 村 of 村级工会 do not refuse a union count.
@pytest.mark.parametrize(("passage", "expected"), [
    ("目前全区已建立新业态行业工会组织14个。", [("14个", "union_orgs_total")]),
    ("截至年底,全县已组建村级工会组织206个。", [("206个", "union_orgs_total")]),
    ("全县共有新就业形态工会37家。", [("37家", "union_orgs_total")]),
    ("今年新建工会组织12个。", [("12个", "union_orgs_new")]),
    ("全镇共有村(社区)工会31个。", []),  # village and community unions are still not the body's union count
])
def test_vetoes_do_not_collide_with_longer_words(passage: str, expected: list) -> None:
    assert read(passage) == expected


# 送清凉 is hardship aid like 送温暖: its people and its money count.
@pytest.mark.parametrize(("passage", "expected"), [
    ("入伏以来,市总工会为3200名户外作业人员送去清凉饮品。", [("3200名", "aid_recipients")]),
    ("高温期间开展夏送清凉,送出防暑物品价值6.5万元。", [("6.5万元", "aid_amount")]),
])
def test_summer_cooling_aid(passage: str, expected: list) -> None:
    assert read(passage) == expected


# More ways of naming the people of hardship and student aid, and a place's workforce.
@pytest.mark.parametrize(("passage", "expected"), [
    ("全年受资助学子64名,人均2000元。", [("64名", "student_aid_recipients")]),
    ("经评审,本年度金秋助学确定资助对象42人。", [("42人", "student_aid_recipients")]),
    ("“金秋助学”圆梦行动帮扶17名寒门学子。", [("17名", "student_aid_recipients")]),
    ("春节前共有268名困难会员领取了帮扶金。", [("268名", "aid_recipients")]),
    ("工会把56名残疾职工列为重点帮扶对象。", [("56名", "aid_recipients")]),
    ("区总工会为430名快递小哥送上年货,让他们感受到温暖。", [("430名", "aid_recipients")]),
    ("到2019年底,全市职工(不含离退休人员)增至8.7万人。", [("8.7万人", "workers_total")]),
    ("开发区内企业职工合计2.3万人。", []),  # no place-wide subject: not the body's workforce
    ("截至年底共发生理赔案件,获赔金额合计38.6万元,涉及互助保障。", [("38.6万元", "mutual_aid_payout")]),
])
def test_more_ways_of_naming_aid_and_workers(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("全县工会会员总数目前为4.6万人。", [("4.6万人", "members_total")]),  # 目前 between cue and figure
    ("园区快递行业工会会员数2175人。", [("2175人", "members_total")]),
    ("全街道企业工会组建率保持在92%以上。", [("92%以上", "union_coverage_rate")]),
])
def test_stock_wordings(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("目前全市86个乡镇、23个街道均已建立工会。", []),  # places that have a union, not unions counted
    ("今年又有12个社区成立了工会。", []),
    ("春节前,镇工会为一户因病致贫的职工家庭送去慰问金。", []),  # 一户 is an article in a story
    ("走访看望了一名患重病的一线职工。", []),
    ("今年走访慰问困难职工家庭126户。", [("126户", "aid_households")]),
])
def test_places_and_articles_are_not_counts(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("全县规上企业中,有212家开展了工资集体协商。", [("212家", "wage_cc_enterprises")]),
    ("园区48家企业里,41家签订了集体合同,36家签了工资专项集体合同。",
     [("41家", "cc_enterprises"), ("36家", "wage_cc_enterprises")]),
    ("已有19家建立了平等协商机制。", []),  # a bargaining mechanism alone is no contract
    ("辖区内实行集体协商制度的企业有305家。", [("305家", "cc_enterprises")]),
    ("今年为1260名环卫职工办理了住院医疗互助保障。", [("1260名", "mutual_aid_participants")]),
    ("全街道现有基层工会84个(其中今年新建9个)。", [("84个", "union_orgs_total"), ("9个", "union_orgs_new")]),
    ("上半年吸纳快递员入会420人。", [("420人", "members_new")]),
])
def test_contracts_mutual_aid_and_formation_wordings(passage: str, expected: list) -> None:
    assert read(passage) == expected


# The workforce opening its own clause or list item, in a sentence that says where the body stands.
@pytest.mark.parametrize(("passage", "expected"), [
    ("全旗现有基层工会312个、职工41560人。", [("312个", "union_orgs_total"), ("41560人", "workers_total")]),
    ("截至目前,产业园入驻企业57家,从业职工3200余人。", [("3200余人", "workers_total")]),
    ("目前全校共有班级48个,在职教职工236人。", [("236人", "workers_total")]),
    # aid, not the workforce: both listed kinds of people were visited
    ("春节前走访慰问困难党员12人、职工30人。", [("12人", "aid_recipients"), ("30人", "aid_recipients")]),
])
def test_workforce_in_its_own_clause(passage: str, expected: list) -> None:
    assert read(passage) == expected


# A sentence wholly about student aid makes its general aid readings student aid; a mixed one does not.
@pytest.mark.parametrize(("passage", "expected"), [
    ("开展“金秋助学”以来,公司工会走访困难职工家庭的新生63人,发放补助金12.6万元。",
     [("63人", "student_aid_recipients"), ("12.6万元", "student_aid_amount")]),
    ("春节慰问困难职工85人,金秋助学资助学子40名。", [("85人", "aid_recipients"), ("40名", "student_aid_recipients")]),
])
def test_student_aid_sentence_names_the_sub_type(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("市职工互助保障会今年为住院会员发放补助金合计86.5万元。", [("86.5万元", "mutual_aid_payout")]),
    ("两节期间慰问困难职工发放慰问金12万元,并宣传互助保障。", [("12万元", "aid_amount")]),
])
def test_mutual_aid_sentence_names_the_payout(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("活动开展以来,新组建团支部4个、基层工会组织17个。", [("17个", "union_orgs_new")]),
    ("全年新建基层工会23家,会员总数达到1.2万人。", [("23家", "union_orgs_new"), ("1.2万人", "members_total")]),
])
def test_a_lists_flow_verb_governs_its_later_items(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("全年扶助伤病职工38人。", [("38人", "aid_recipients")]),
    ("累计帮助困难职工家庭成员610人(次)。", [("610人", "aid_recipients")]),
    ("帮助1200余名职工追回欠薪。", []),  # help in a dispute is no hardship aid
])
def test_helping_people_in_hardship(passage: str, expected: list) -> None:
    assert read(passage) == expected


# A clause of only 共计 takes its cue from the clause before.
@pytest.mark.parametrize(("passage", "expected"), [
    ("今年为住院的27名会员理赔互助金,合计19.6万元。", [("19.6万元", "mutual_aid_payout")]),
    ("组织在职职工开展健康体检,共计6万元。", []),  # no aid-money cue before it: nothing to borrow
])
def test_a_bare_total_borrows_the_cue_of_the_clause_before(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Future tense is a plan (ANNOTATION.md: plans are not facts): 还将/也将/将于 before the figure; 将 alone is often
# the disposal 将…发放给, which still reads.
@pytest.mark.parametrize(("passage", "expected"), [
    ("入秋后，各街道工会还将资助困难职工子女260名。", []),
    ("下月起区总工会也将慰问一线环卫工人1500名。", []),
    ("区总工会将于年底前新建工会组织20家。", []),
    ("区总工会将慰问金送到困难职工手中，共慰问困难职工86名。", [("86名", "aid_recipients")]),
])
def test_future_tense_is_a_plan(passage: str, expected: list) -> None:
    assert read(passage) == expected


# A total broken down by place: each place's figure is its own fact of the total's metric.
@pytest.mark.parametrize(("passage", "expected"), [
    ("今年全县新组建工会38家,发展会员960人。其中,桃源镇12家、河口乡11家、东城街道15家,均超额完成任务。",
     [("38家", "union_orgs_new", None), ("960人", "members_new", None), ("12家", "union_orgs_new", "桃源镇"),
      ("11家", "union_orgs_new", "河口乡"), ("15家", "union_orgs_new", "东城街道")]),
    ("全年走访慰问困难职工420人,其中石门镇130人、南溪街道95人。",
     [("420人", "aid_recipients", None), ("130人", "aid_recipients", "石门镇"),
      ("95人", "aid_recipients", "南溪街道")]),
    # kinds, not places, after 其中: no place's figure (the passes decide whether they are facts)
    ("今年全县新组建工会38家。其中非公企业工会20家、事业单位工会18家。",
     [("38家", "union_orgs_new", None), ("20家", "union_orgs_total", None), ("18家", "union_orgs_total", None)]),
    # another measure than the total's: not its breakdown
    ("今年全县新组建工会38家。其中,桃源镇12人参加培训。", [("38家", "union_orgs_new", None)]),
])
def test_a_total_broken_down_by_place(passage: str, expected: list) -> None:
    assert read_where(passage) == expected


# The level a count has reached is a stock (增加到, 发展到, 减为); the change itself (增加800人) is no fact.
@pytest.mark.parametrize(("passage", "expected"), [
    ("到年底,全乡基层工会发展到47个,会员共发展到3120人。", [("47个", "union_orgs_total"), ("3120人", "members_total")]),
    ("全县工会组织由前年的208个增加到现在的264个。", [("264个", "union_orgs_total")]),
    ("企业改制后,全厂车间级工会减为23个。", [("23个", "union_orgs_total")]),
    ("会员人数上升到5.4万人,比上年增加800人。", [("5.4万人", "members_total")]),
    ("会员由年初的2600人增加到3350人。", [("3350人", "members_total")]),
    ("力争年底工会组织发展到90个。", []),  # a target, not a level reached
])
def test_the_level_a_count_has_reached(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Kinds of people helped, listed with 、 after the first: each item is a figure of the same kind of aid.
@pytest.mark.parametrize(("passage", "expected"), [
    ("春节前夕共走访慰问困难职工96人、重病职工41人、退休劳模17人。",
     [("96人", "aid_recipients"), ("41人", "aid_recipients"), ("17人", "aid_recipients")]),
    # elsewhere a listed noun is another population, not a kind of the first
    ("全镇会员4800人、职工5200人。", [("4800人", "members_total")]),
    ("慰问困难职工96人、发放慰问金4.8万元。", [("96人", "aid_recipients"), ("4.8万元", "aid_amount")]),
])
def test_kinds_of_people_helped_in_a_list(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("工会和企业一起调解劳动争议,全年共调处劳动争议27起。", [("27起", "disputes_handled")]),
    ("街道工会与司法所一起化解劳资纠纷。", []),  # 一起: together
    ("协调处理劳资纠纷一起。", [("一起", "disputes_handled")]),  # a single case, written after its noun
])
def test_yiqi_is_together_not_one_case(passage: str, expected: list) -> None:
    assert read(passage) == expected


# 增加 with its noun is adding that many (a flow); 增加 right before the number is a change, no fact.
@pytest.mark.parametrize(("passage", "expected"), [
    ("今年全乡共增加工会组织14家。", [("14家", "union_orgs_new")]),
    ("工会组织比上年增加14家。", []),
    ("较上年增加工会组织14家。", []),
])
def test_adding_unions_is_new_formation_and_growth_is_not(passage: str, expected: list) -> None:
    assert read(passage) == expected


# The founding verb before the count and the unions right after it; 先后 (one after another) narrates founding.
@pytest.mark.parametrize(("passage", "expected"), [
    ("开发区先后成立了9个基层工会。", [("9个", "union_orgs_new")]),
    ("截至目前,全镇已建立了26个工会。", [("26个", "union_orgs_total")]),
    ("今年建立了15个职工服务站。", []),  # no union after the count
    ("全市工会组织累计达到3408个。", [("3408个", "union_orgs_total")]),
    ("今年发展新业态网约配送员会员2400人。", [("2400人", "members_new")]),
])
def test_founding_verbs_and_running_totals_of_unions(passage: str, expected: list) -> None:
    assert read(passage) == expected


def test_health_checks_and_rest_trips_are_not_aid() -> None:
    """Outside the catalog (ANNOTATION): 为N名会员免费体检, 组织N名劳模疗休养; the aid beside them stays."""
    passage = "工会为320名会员免费健康体检,为18名劳模安排疗休养,走访慰问困难会员45名。"
    assert read(passage) == [("45名", "aid_recipients")]


def test_awarded_unions_are_not_a_count_of_unions() -> None:
    """评出先进企业工会12个 counts an award (ANNOTATION: awards are outside the catalog)."""
    assert read("今年评出先进企业工会12个、优秀基层工会7个。") == []


@pytest.mark.parametrize(("passage", "expected"), [
    ("区总工会安排帮扶资金45万元,将慰问600名困难职工。", [("45万元", "aid_amount")]),  # will visit: a plan
    ("县总工会将慰问金送到27名困难职工手中。", [("27名", "aid_recipients")]),  # 将 + the money: "put … into"
])
def test_jiang_before_a_verb_is_the_future(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Cue words the first corpus did not use, found on fresh reports (second wave): the money named after the
# figure, homes visited, the scheme bought, a share of the workers, and whose union the enterprises have.
@pytest.mark.parametrize(("passage", "expected"), [
    ("春节前夕,区工会走进15位困难职工家中,送去3.6万元慰问金。",
     [("15位", "aid_recipients"), ("3.6万元", "aid_amount")]),
    ("全年向9名重病职工发放救助基金11.4万元。", [("9名", "aid_recipients"), ("11.4万元", "aid_amount")]),
    ("今年为2630人次职工购买了住院医疗互助保障。", [("2630人次", "mutual_aid_participants")]),
    ("为全员办理职工互助保险的有842人。", [("842人", "mutual_aid_participants")]),
    ("全年互助保障理赔支出38万元。", [("38万元", "mutual_aid_payout")]),
    ("镇工会看望了困难职工老周,送去800元慰问金。", []),  # one family's money on one visit, not a total
    ("全年共发放21900元慰问金。", [("21900元", "aid_amount")]),
    ("已完成建会的企业12家。", []),  # a campaign's result, not the running total
    ("全镇签订集体合同的企业有85家,惠及职工6400人。", [("85家", "cc_enterprises"), ("6400人", "cc_workers_covered")]),
])
def test_aid_and_coverage_named_after_the_figure(passage: str, expected: list) -> None:
    assert read(passage) == expected


@pytest.mark.parametrize(("passage", "expected"), [
    ("截至去年底,全区已建工会的企业达2044家。", [("2044家", "union_orgs_total")]),
    ("全镇入会职工1.9万人。", [("1.9万人", "members_total")]),
    ("公司工会现有会员930人,占全公司职工的97.5%。", [("930人", "members_total"), ("97.5%", "membership_rate")]),
    ("女职工占全公司职工的41%。", []),  # a share of the workers that is no membership
])
def test_stocks_and_shares_in_other_words(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Student aid named after the figure, and more ways of saying who took part.
@pytest.mark.parametrize(("passage", "expected"), [
    # Money put in with no aid word at the figure is not read by the rules (development set: 投入2000多万元
    # for service centres is no fact); the model may still read it from the sentence.
    ("镇工会投入6.5万元帮扶困难职工家庭31户。", [("31户", "aid_households")]),
    ("金秋时节,区工会为考上大学的困难职工子女送去3000元助学金。", []),  # one student's grant
    ("今年第一批8.6万元金秋助学金已发到困难学子手中。", [("8.6万元", "student_aid_amount")]),
    ("金秋时节,区工会为考上大学的困难职工子女送去12万元助学金。", [("12万元", "student_aid_amount")]),
    ("全市职工互助保障参保总人数达8350人。", [("8350人", "mutual_aid_participants")]),
    ("开展厂务公开工作的企事业单位已有312家。", [("312家", "congress_orgs")]),
    ("建立职代会制度的单位则达到287家。", [("287家", "congress_orgs")]),
    ("已建会企业的集体合同签订率都在96%以上。", [("96%以上", "cc_coverage_rate")]),
])
def test_student_aid_after_the_figure_and_other_wordings_of_taking_part(passage: str, expected: list) -> None:
    assert read(passage) == expected


# A women's special contract (女职工权益保护专项集体合同) is not the collective contract, nor what it covers.
@pytest.mark.parametrize(("passage", "expected"), [
    ("全市签订女职工权益保护专项集体合同2150份,覆盖企业3020家。", []),
    ("全市签订集体合同的企业3020家。", [("3020家", "cc_enterprises")]),
])
def test_womens_special_contracts_are_not_collective_contracts(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Money raised for hardship aid counts as aid (development set: 筹集送温暖活动资金138余万元), for students as
# student aid; money raised for building or from donations does not.
@pytest.mark.parametrize(("passage", "expected"), [
    ("春节送温暖活动中,市总工会共筹集资金96万元,慰问困难职工1200名。",
     [("96万元", "aid_amount"), ("1200名", "aid_recipients")]),
    ("县总工会多方筹措资金三十余万元,用于帮扶困难职工。", [("三十余万元", "aid_amount")]),
    ("金秋助学活动共筹得资金8.2万元,资助困难学子41名。",
     [("8.2万元", "student_aid_amount"), ("41名", "student_aid_recipients")]),
    ("为建设职工服务中心,区工会筹集资金150万元。", []),
    ("各级工会组织职工为灾区募集善款20万元。", []),
])
def test_money_raised_for_aid(passage: str, expected: list) -> None:
    assert read(passage) == expected


# The people a condolence drive reached (惠及/受益) are its recipients; beneficiaries of mutual aid, legal
# publicity or a wage rise are not.
@pytest.mark.parametrize(("passage", "expected"), [
    ("夏季送清凉活动走进12家企业,惠及职工3610人。", [("3610人", "aid_recipients")]),
    ("此次慰问活动中,全市1.5万余名职工群众从中受益。", [("1.5万余名", "aid_recipients")]),
    ("开展法治宣传活动2场,受益职工1000余人次。", []),
    ("互助保障计划受益职工820人。", []),
])
def test_people_a_condolence_drive_reached(passage: str, expected: list) -> None:
    assert read(passage) == expected


# The money a dispute involved (涉及资金…) is no aid; the disputes are the figure. Workers a contract
# involves (涉及职工…) are its coverage.
@pytest.mark.parametrize(("passage", "expected"), [
    ("镇工会参与调处劳资纠纷9起,涉及资金近80万元。", [("9起", "disputes_handled")]),
    ("全镇签订集体合同的企业126家,涉及职工8400人。", [("126家", "cc_enterprises"), ("8400人", "cc_workers_covered")]),
])
def test_what_a_dispute_or_a_contract_involved(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Mutual-aid money raised (筹集互助金) is the premiums coming in, not the payouts.
@pytest.mark.parametrize(("passage", "expected"), [
    ("今年职工医疗互助筹集互助金396万元。", []),
    ("全年职工互助保障理赔金共计86万元。", [("86万元", "mutual_aid_payout")]),
])
def test_mutual_aid_money_raised_is_no_payout(passage: str, expected: list) -> None:
    assert read(passage) == expected


# Contracts counted by the enterprises that signed them with no 企业 after the contract (签订独立集体合同200家),
# 集体协商合同 as a contract, and units that put 厂务公开 into practice named before the verb.
@pytest.mark.parametrize(("passage", "expected"), [
    ("全镇签订独立集体合同200家,签订区域性集体合同219家。", [("200家", "cc_enterprises"), ("219家", "cc_enterprises")]),
    ("全市签订集体协商合同1646份。", [("1646份", "cc_enterprises")]),
    ("全区260家企事业单位推行厂务公开。", [("260家", "congress_orgs")]),
    ("有875家国有和集体企业不同程度地推行了厂务公开。", [("875家", "congress_orgs")]),
    ("全镇签订女职工专项集体合同36家。", []),
])
def test_contracts_and_open_affairs_in_other_orders(passage: str, expected: list) -> None:
    assert read(passage) == expected
