"""Who is reporting: candidate names for the reporting union and what describes them.

The ranker's weights are trained (etl/learn); here the candidates and their features, which
decide what it can learn, are checked on fresh passages, and the shipped weights on a few
plain cases.
"""

from __future__ import annotations

import pytest

from etl.body import _place_of_sector, body_candidates, rank
from etl.classifier import shipped_model
from etl.normalize import normalize


def _cands(text: str, title: str = "") -> dict[str, set[str]]:
    return {c.name: c.feats for c in body_candidates(normalize(text).text, title)}


def test_a_full_union_name_gives_its_finest_place_and_its_prefixed_form() -> None:
    cands = _cands("宁波余姚黄家埠镇总工会近日召开工资集体协商推进会。")
    assert "黄家埠镇" in cands and "宁波余姚黄家埠镇" in cands
    assert "prefixed" in cands["宁波余姚黄家埠镇"]
    assert "start=place_start" in cands["黄家埠镇"] or "start=after_place" in cands["黄家埠镇"]


def test_a_superior_is_marked() -> None:
    cands = _cands("在市总工会的正确领导下，青石镇总工会今年新建工会8家。")
    assert "superior_before" in cands["市"]
    assert "superior_before" not in cands["青石镇"]


def test_a_visitor_is_marked() -> None:
    cands = _cands("5月27日，万源市总工会一行来我县考察工会工作。")
    assert "superior_after" in cands["万源市"]


def test_a_body_named_by_its_level_is_joined_to_a_place_of_that_level() -> None:
    cands = _cands("秀山网讯 11月29日，县总工会召开互助保障推进会。全县参保职工12000人。")
    assert "bare" in cands["县"]
    assert "秀山县" in cands and "names_the_bare" in cands["秀山县"]


def test_national_words_become_全国() -> None:
    assert "全国" in _cands("记者从中华全国总工会获悉，全国已建基层工会280万个。")


@pytest.mark.parametrize(("text", "body"), [
    ("青石镇总工会2023年上半年工作总结\n上半年，青石镇总工会新建基层工会12家，发展会员450人。", "青石镇"),
    ("远安县总工会走访慰问困难职工\n近日，远安县总工会走访慰问困难职工36户，送去慰问金3.6万元。", "远安县"),
])
def test_the_shipped_ranker_finds_a_plainly_named_body(text: str, body: str) -> None:
    model = shipped_model()
    assert model is not None and model.body is not None
    title, _rest = text.split("\n", 1)
    name, margin = rank(body_candidates(normalize(text).text, title), model.body)
    assert name == body and margin > 0


def _ranked(text: str, title: str = "") -> str | None:
    model = shipped_model()
    assert model is not None and model.body is not None
    return rank(body_candidates(normalize(text).text, title), model.body)[0]


def test_a_verb_before_工会_is_never_the_body() -> None:
    text = ("河川省统计摘要 工会基本情况\n| 基层工会组织数(个) | 4120 |\n| 建立工会的企业(个) | 2210 |\n"
            "| 已建工会单位职工数(万人) | 88.5 |")
    assert _ranked(text, "河川省统计摘要") not in {"建立", "已建", "基层"}


def test_a_stem_followed_by_another_place_word_does_not_name_the_county() -> None:
    text = ("县总工会今年组织劳模到温泉度假区疗休养。全县新建工会组织27家，发展会员1200人。"
            "县总工会还为困难职工送去慰问金。")
    assert "温泉县" not in _cands(text)
    assert _ranked(text) == "县"


def test_a_name_written_before_its_union_word_fills_the_bare_level() -> None:
    text = ("镇总工会2022年工作总结\n今年镇总工会在镇党委领导下，新建工会9家。青岚镇工委会组织职工开展技能竞赛，"
            "镇总工会全年慰问困难职工40户。")
    assert _ranked(text, "镇总工会2022年工作总结") == "青岚镇"


def test_no_name_starts_inside_a_place_or_a_kept_word() -> None:
    cands = _cands("澧阳发电分公司工会今年为困难职工发放慰问金12万元。呼和浩特市总工会来公司调研。")
    assert "澧阳发电分公司" in cands and "电分公司" not in cands
    assert "浩特市" not in cands


def test_an_organisation_in_the_title_is_a_candidate_without_a_union_word() -> None:
    title = "云岭矿业公司为困难职工排忧解难"
    cands = _cands(title + "\n近年来，公司共为120户困难职工建立了帮扶档案。", title)
    assert "src=org_text" in cands["云岭矿业公司"]


def test_a_unit_written_with_its_parent_is_marked() -> None:
    cands = _cands("滇南矿业公司白石岭煤矿工会今年发放助学金8万元。")
    assert "parent_org" in cands["滇南矿业公司白石岭煤矿"]
    assert "parent_org" not in cands["白石岭煤矿"]


def test_a_bare_stem_inside_running_text_does_not_fill_the_level() -> None:
    text = "县总工会坚持凝聚思想同心、目标同向，全年新建工会组织31家。县总工会慰问困难职工60户。"
    assert "同心县" not in _cands(text)


def test_a_body_only_ever_named_under_a_superior_loses_to_the_bare_level() -> None:
    text = ("区工会2023年工作总结\n2023年，全区各级工会在区委和临江新区总工会的领导下，新建工会组织45家，"
            "区工会全年帮扶困难职工210户。")
    assert _ranked(text, "区工会2023年工作总结") == "区"


def test_a_county_stem_inside_a_phrase_is_no_place_but_a_mine_by_its_short_name_is_a_candidate() -> None:
    title = "公司工会抓好三项帮扶"
    text = "公司工会今年集中力量抓好帮扶。黔矿已有六十年开采历史，资源日渐枯竭，困难职工较多。"
    cands = _cands(text, title)
    assert "资源" not in cands and "资源县" not in cands
    assert "src=org_text" in cands["黔矿"]


def test_a_body_the_title_names_by_level_is_not_overruled_by_a_town_named_in_passing() -> None:
    title = "上半年，区总工会主要围绕创模和节能减排开展工作"
    text = (title + "。5月份，区总工会会同文明办在白沙镇开展送温暖活动，慰问困难职工30户。区总工会全年新建工会12家。"
            "白沙镇党委书记出席。")
    assert _ranked(text, title) == "区"


def test_a_name_written_as_a_union_far_down_fills_the_bare_level_first() -> None:
    filler = "区总工会深入开展职工素质提升活动，组织技能培训和劳动竞赛。" * 80
    title = "上半年，区总工会主要围绕中心工作开展活动"
    text = (title + "。区总工会会同区文明办在西区北溪镇开展送温暖活动。" + filler
            + "9月份，召开西区工会第三次代表大会，进行换届选举。")
    cands = {c.name: c for c in body_candidates(normalize(text).text, title)}
    assert "union_later" in cands["西区"].feats
    assert _ranked(text, title) == "西区"


def test_a_union_only_ever_visiting_is_the_guest_not_the_body() -> None:
    title = "万源市总工会来我县考察职工服务中心建设"
    text = title + "\n5月27日，万源市总工会一行来我县考察。县总工会今年为困难职工发放慰问金18万元。"
    cands = {c.name: c for c in body_candidates(normalize(text).text, title)}
    assert cands["万源市"].visits == cands["万源市"].mentions > 0
    assert _ranked(text, title) == "县"


def test_a_union_out_on_its_own_visit_is_no_guest() -> None:
    text = "1月5日，岳西县总工会一行登门看望两名出险职工，送去慰问金6000元。"
    cands = {c.name: c for c in body_candidates(normalize(text).text, "")}
    assert cands["岳西县"].visits == 0
    assert _ranked(text) == "岳西县"


def test_a_unit_named_by_its_level_takes_its_full_name_written_twice() -> None:
    # 处工会 / 该处: the unit's name stands in the lead and again later (ANNOTATION.md: named elsewhere → that name)
    text = ("简讯\n入冬以来，宏达化工机修处为12户困难职工家庭送去慰问金，共计8000元。"
            "宏达化工机修处历来关心职工生活，处工会每年年初摸清困难职工底数，该处领导逐户走访。")
    cands = _cands(text, "简讯")
    assert "src=fill_org" in cands["宏达化工机修处"]
    assert _ranked(text, text.split("\n", 1)[0]) == "宏达化工机修处"


def test_a_level_inside_a_longer_word_is_no_unit_name() -> None:
    # 处理 and 处长 continue the word: no unit ends there
    text = "简讯\n段工会及时处理职工诉求，共处理来信来访15件，段工会主席和处长一起处理。"
    assert not any("src=fill_org" in feats for feats in _cands(text, "简讯").values())


def test_company_words_written_as_the_union_are_the_body_by_its_level() -> None:
    # 公司工会 with no company name anywhere: the bare 公司, never the superior 省 named beside it
    text = ("春节慰问\n今年春节前，公司工会部署送温暖活动。由省总工会与公司工会联合走访，"
            "共看望困难职工86人，发放慰问金9.2万元。")
    assert _ranked(text, text.split("\n", 1)[0]) == "公司"


def test_company_words_give_way_to_the_short_name_the_title_gives() -> None:
    # 集团公司工会 in a report titled with the mine's short name: the mine, as people know it
    text = ("金岭矿帮扶困难职工纪实\n集团公司工会今年筹措资金，为困难职工排忧解难。金岭矿开采已有六十年，"
            "全公司发放困难补助120万元。")
    assert _ranked(text, text.split("\n", 1)[0]) == "金岭矿"


def test_a_hospital_union_is_named_as_written_not_by_its_level() -> None:
    text = "工会工作报告\n我代表医院工会向大会报告工作。一年来，全院职工团结奋进，医院工会新发展会员46人。"
    assert _ranked(text, text.split("\n", 1)[0]) == "医院"


def test_company_words_take_the_company_written_as_a_union() -> None:
    # 该公司工会 after 青川水电分公司工会: the company by its name, not the words 公司
    text = ("会员代表大会传出消息\n在刚刚闭幕的青川水电分公司工会会员代表大会上获悉，该公司工会三年来累计投入"
            "180余万元服务职工。该公司工会每年入户摸底，公司工会共救助大病职工41人。")
    assert _ranked(text, text.split("\n", 1)[0]) == "青川水电分公司"


def test_company_words_take_the_one_company_the_text_names_though_not_as_a_union() -> None:
    # 集团工会 only, but the group is named once as the giver (代表鹤鸣集团送上…): ANNOTATION.md joins the name
    text = ("新春走访\n腊月二十，集团工会启动一年一度的送温暖活动。工会主席带队走进纺织分公司、物流分公司，"
            "代表鹤鸣集团送上新春问候，共慰问困难职工52名，送去慰问金8.4万元。")
    assert _ranked(text, text.split("\n", 1)[0]) == "鹤鸣集团"


def test_a_verb_of_inclusion_starts_no_company_name() -> None:
    # 纳入集团公司 (brought under the group's scheme) is no company, so the bare 集团公司 stays
    text = ("助学简讯\n集团公司工会今年资助困难职工子女15人。受资助的家庭将被纳入集团公司帮扶档案，"
            "集团公司工会每年回访。")
    assert _ranked(text, text.split("\n", 1)[0]) == "集团公司"


def test_a_county_yearbook_title_names_the_district_a_bare_区_stands_for() -> None:
    # a page of a district's yearbook: 区总工会 in the text, the district only as the yearbook's stem
    text = ("Page 212 - 金牛年鉴2020\n群众团体\n区总工会全年调处劳动争议31件，新建工会组织46家，"
            "区总工会为困难职工送去慰问金18万元。")
    assert _ranked(text, text.split("\n", 1)[0]) == "金牛区"


def test_a_prefecture_stem_with_全区_is_the_prefecture_not_a_district() -> None:
    # 大兴安岭 is a 地区: 全区 there is the prefecture, written 大兴安岭地区, never a 大兴安岭区
    text = ("工会工作\n2012年，大兴安岭各级工会围绕全区中心工作，区总工会发展会员3100人，"
            "区总工会全年帮扶困难职工640人。")
    assert _ranked(text, text.split("\n", 1)[0]) == "大兴安岭地区"


def test_a_unit_named_once_before_its_officers_fills_its_bare_level() -> None:
    # 矿工会 only, but 青岗集团白石矿业公司东坡煤矿党委书记 names the mine, by its own name after its parents'
    text = ("【通讯】金秋助学暖人心\n近日，青岗集团白石矿业公司东坡煤矿党委书记、工会主席一行走访困难职工家庭。"
            "今年矿工会共资助困难职工子女23名，发放助学金9.2万元。矿工会表示将持续做好帮扶。")
    assert _ranked(text, text.split("\n", 1)[0]) == "东坡煤矿"


def test_a_bureau_union_acting_more_than_its_city_is_marked() -> None:
    # the city's union is the site's name and approves (经兰溪市总工会批准); the bureau's union acts more often
    text = ("兰溪市水利局工会召开会员大会\n欢迎访问兰溪市总工会网站\n"
            "经兰溪市总工会批准，兰溪市水利局工会于日前召开会员大会。兰溪市水利局工会现有会员236人，兰溪市水利局工会今年慰问困难职工14人。")
    feats = _cands(text, text.split("\n", 1)[0])
    assert "acts_more_than_its_parent" in feats["兰溪市水利局"]
    assert "unit_acts_more" in feats["兰溪市"]


def test_a_place_never_written_as_a_union_gives_way_to_its_bureau_union() -> None:
    # 云和县 in the title and 全县, never as a union; 云和县交通运输局工会 acts: the bureau's union reports
    text = ("云和县：养路职工过暖冬\n全县公路养护点多线长，职工常年在外。近日，云和县交通运输局工会开展送温暖活动，"
            "全县14个养护站都走到了。云和县交通运输局工会共走访困难职工27人，送去慰问金5.4万元。")
    assert _ranked(text, text.split("\n", 1)[0]) == "云和县交通运输局"


def test_the_rest_of_a_number_before_工会_names_nothing() -> None:
    """2.8亿工会会员 / 300名农民工加入项目工会: 亿 and 名 end the number, they start no name."""
    text = normalize("全国共有2.8亿工会会员。首批300名农民工加入项目工会。").text
    names = {c.name for c in body_candidates(text, "")}
    assert "亿" not in names and not any(n.startswith("名") for n in names)


def test_an_organisation_word_inside_a_longer_word_starts_no_name() -> None:
    """所属社区工会 / 物流园区工会: 所 and 社, 园 are part of 所属, 社区, 园区 there; 属社区, 区 are no names."""
    text = normalize("二十人以下的门店就近并入所属社区工会。城东物流园区工会当天吸收会员230人。").text
    names = {c.name for c in body_candidates(text, "")}
    assert "属社区" not in names and "区" not in names
    assert "城东物流园区" in names


def test_a_local_outlets_brand_names_its_place() -> None:
    """来源：今日秀山 / 云上秀山报道: the county's stem after an outlet's brand word fills a body named 县."""
    text = "云上秀山报道：近日，县总工会为全县困难职工送去慰问金。\n我县各级工会共走访慰问困难职工300余人。"
    assert "秀山县" in _cands(text)
    assert "秀山县" not in _cands(text.replace("云上秀山报道", "云上新闻报道"))


def test_a_grammar_character_after_a_word_starts_no_place() -> None:
    """大力支持和县总工会: 和 joins two phrases here, it is not 和县; 天津市和平区总工会 keeps 和平区."""
    assert "和县" not in _cands("县委大力支持和县总工会开展工作，我县新建工会12家。")
    assert "和平区" in _cands("天津市和平区总工会今年新建工会12家。")


def test_a_branch_union_is_no_body_named_分() -> None:
    """各分工会 / 分工会: branch unions in general, not a body called 分."""
    text = "年初，各事业部、车间(班组)分工会纷纷响应，又组织各分工会走访困难员工。全年救助困难员工46人。"
    assert _ranked(text) not in {"分", "各分"}


def test_a_places_education_union_reports_for_the_place() -> None:
    """河西县教育工会 → 河西县 (ANNOTATION as applied in the development set); 江西省邮政 stays a sector body."""
    assert _ranked("河西县教育工会2022年工作总结\n全县教育系统共有基层工会45个，会员3862人。",
                   "河西县教育工会2022年工作总结") == "河西县"
    assert _place_of_sector("江西省邮政") == "江西省邮政" and _place_of_sector("教育") == "教育"


def test_since_starts_no_name_but_places_holding_自_keep_it() -> None:
    """自区总工会…以来: 自 is "since"; 自贡市 and 自治区 are names."""
    assert "starts_with_stop" in _cands("自区总工会换届以来，全区新建工会组织38家。")["自区"]
    assert "自贡市" in _cands("自贡市总工会今年新建工会12家。")
    assert "广西壮族自治区" in _cands("广西壮族自治区总工会今年新建工会120家。")
