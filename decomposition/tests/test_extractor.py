"""The plan-text extractor on plain strings: no Django, no database.

Texts are written in the genre (district plans, work reports, newspaper write-ups) and paraphrase
its patterns; none copies the seed. Whole-document checks against gold files are at the end.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from decomposition.extractor import (
    Achievement,
    Commitment,
    extract,
    normalise,
    normalise_document,
    proposal_to_gold_dict,
)
from decomposition.extractor.numerals import parse_chinese_integer
from decomposition.tests.scoring import exact_f1

DATA = Path(__file__).parent / "data"
PLAN_SECTION = "二、2022年重点任务\n"
REVIEW_SECTION = "一、2021年工作回顾\n"


def commitments_of(text: str, plan_year: int = 2022) -> list[Commitment]:
    return extract(text, plan_year).commitments


def achievements_of(text: str, plan_year: int = 2022) -> list[Achievement]:
    return extract(text, plan_year).achievements


def only_commitment(text: str, plan_year: int = 2022) -> Commitment:
    proposal = extract(text, plan_year)
    assert not proposal.achievements, proposal.achievements
    assert len(proposal.commitments) == 1, proposal.commitments
    return proposal.commitments[0]


def values(items: list[Commitment] | list[Achievement]) -> list[tuple[int | float, str]]:
    return [
        (item.target_value, item.unit) if isinstance(item, Commitment) else (item.value, item.unit) for item in items
    ]


# --- normalisation: PDF and newspaper text ---------------------------------------------------------


def test_it_joins_a_sentence_broken_across_a_blank_line():
    text = (
        "今年全区将统筹推进城市更新和产业升级,围绕补短板强弱项持续发力,全面实施城市精细化管理,稳步推进改造\n\n"
        "背街小巷36条。"
    )
    assert normalise(text) == text.replace("\n", "")
    assert values(commitments_of(text)) == [(36, "条")]


def test_it_joins_hard_wrapped_lines_across_a_page_footer():
    text = (
        "\u3000\u3000今年,全区要扎实推进城市更新行动,完成老旧小\n"
        "区综合改造任务,新建改造城市道路二十条,建成\n"
        "\n— 3 —\n\n"
        "口袋公园18个,新增停车泊位1200个。\n"
        "\u3000\u3000在民生保障上持续发力\n"
    )
    lines = normalise(text).split("\n")
    assert lines[0].endswith("建成口袋公园18个,新增停车泊位1200个。")
    assert lines[1] == "在民生保障上持续发力"
    assert values(commitments_of(text)) == [(20, "条"), (18, "个"), (1200, "个")]


def test_it_drops_lone_page_numbers_and_running_headers():
    page = "本报讯 全区经济运行平稳。\n"
    text = "".join(f"新区日报\n{page}\n{number}\n\n" for number in ("1", "第 2 页", "- 3 -"))
    assert normalise(text) == "\n".join(["本报讯全区经济运行平稳。"] * 3)


def test_it_reads_full_width_digits_and_punctuation():
    commitment = only_commitment("年底前完成２４８个老旧小区改造。")
    assert (commitment.target_value, commitment.unit) == (248, "个")
    assert commitment.quote == "年底前完成２４８个老旧小区改造"
    assert normalise("增长１２．５％，（二）") == "增长12.5%,(二)"


def test_it_removes_spaces_inside_numbers_and_keeps_them_between_latin_words():
    assert normalise("新增学位 6 000 个,建设 Smart City 平台") == "新增学位6000个,建设Smart City平台"
    assert values(commitments_of("新增学位6 000个。")) == [(6000, "个")]


def test_it_drops_thousands_separators_but_not_clause_commas():
    assert normalise("完成改造1,992个,新建2,300套") == "完成改造1992个,新建2300套"
    assert normalise("完成改造12个，300套") == "完成改造12个,300套"


def test_it_unifies_corner_brackets_and_pairs_straight_quotes():
    assert normalise('实施「三个一批」工程和"两个确保"行动') == "实施“三个一批”工程和“两个确保”行动"


def test_offsets_point_back_to_the_original_text():
    text = "\u3000\u3000确保年底前打通１４条\n“断头路”。"
    commitment = only_commitment(text)
    original = text[commitment.original_start : commitment.original_end]
    assert original == "确保年底前打通１４条\n“断头路”"
    assert commitment.quote == "确保年底前打通１４条“断头路”"
    document = normalise_document(text)
    assert document.text[commitment.start : commitment.end] == "确保年底前打通14条“断头路”"


# --- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("十四", 14), ("两", 2), ("三十", 30), ("一百零五", 105), ("三千五百", 3500), ("二十万", 200000)],
)
def test_it_reads_chinese_numerals(numeral, value):
    assert parse_chinese_integer(numeral) == value


@pytest.mark.parametrize("name", ["二七", "十四五", "二〇二一"])
def test_it_refuses_digit_runs_that_name_things(name):
    assert parse_chinese_integer(name) is None


def test_it_counts_with_chinese_numerals():
    assert values(commitments_of("打通十四条断头路,建设两所学校,改造三十个小区。")) == [
        (14, "条"),
        (2, "所"),
        (30, "个"),
    ]


def test_commitments_keep_wan_and_yi_in_the_unit():
    assert values(commitments_of("完成投资60亿元,新增就业1.2万人,建设绿地30万平方米。")) == [
        (60, "亿元"),
        (1.2, "万人"),
        (30, "万平方米"),
    ]


def test_achievements_are_converted_to_base_units():
    text = REVIEW_SECTION + "全年完成投资773亿元,解决用工5.58万人,增加学位2.1万个,签约项目36个。"
    achievements = achievements_of(text)
    assert values(achievements) == [(77300000000.0, "元"), (55800.0, "人"), (21000.0, "个"), (36, "个")]
    assert isinstance(achievements[0].value, float)
    assert isinstance(achievements[3].value, int)


def test_ranges_give_their_lower_bound():
    text = "培育专精特新企业3~5家,生产总值增长7.5-8%,形成3至5条精品线路,增速达到6%—7%。"
    assert values(commitments_of(text)) == [(3, "家"), (7.5, "%"), (3, "条"), (6, "%")]


def test_approximations_and_bounds_leave_the_number_unchanged():
    text = "新增企业30余家,引进人才200多名,税收超过50亿元,产值突破千亿元,覆盖率95%以上,增长7%左右,失业率4%以内。"
    assert values(commitments_of(text)) == [
        (30, "家"),
        (200, "名"),
        (50, "亿元"),
        (95, "%"),
        (7, "%"),
        (4, "%"),
    ]


def test_approximate_amounts_with_a_scale_convert_for_achievements():
    achievements = achievements_of(REVIEW_SECTION + "带动消费200多亿元,惠及群众20余万名。")
    assert values(achievements) == [(20000000000.0, "元"), (200000.0, "名")]


def test_percentages_points_multiples_and_tenths():
    text = "收入增长超过三成,完成百分之三十的村庄规划,覆盖率提高2.5个百分点,产值是去年的1.5倍。"
    assert values(commitments_of(text)) == [(30, "%"), (30, "%"), (2.5, "个百分点"), (1.5, "倍")]


# --- deadlines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("1月底前", date(2022, 1, 31)),
        ("6月底前", date(2022, 6, 30)),
        ("2月底", date(2022, 2, 28)),
        ("上半年", date(2022, 6, 30)),
        ("一季度", date(2022, 3, 31)),
        ("三季度末", date(2022, 9, 30)),
        ("年底前", date(2022, 12, 31)),
        ("今年", date(2022, 12, 31)),
        ("全年", date(2022, 12, 31)),
        ("年内", date(2022, 12, 31)),
        ("2022年底前", date(2022, 12, 31)),
        ("2023年底前", date(2023, 12, 31)),
        ("3年内", date(2024, 12, 31)),
        ("两年内", date(2023, 12, 31)),
        ("用三年时间", date(2024, 12, 31)),
        ("“十四五”期间", date(2025, 12, 31)),
        ("到2025年", date(2025, 12, 31)),
    ],
)
def test_deadline_phrases_resolve_against_the_plan_year(phrase, due):
    assert only_commitment(f"{phrase}完成改造项目12个。").deadline == due


def test_without_a_date_the_deadline_is_the_end_of_the_plan_year():
    assert only_commitment("新建社区食堂20个。").deadline == date(2022, 12, 31)


def test_a_deadline_applies_only_to_its_own_clause():
    first, second = commitments_of("6月底前完成背街小巷改造40条,新建口袋公园12个。")
    assert first.deadline == date(2022, 6, 30)
    assert second.deadline == date(2022, 12, 31)


def test_a_lead_in_time_clause_dates_the_rest_of_the_sentence():
    commitment = only_commitment("到2025年,全区建成区绿化覆盖率达到42%。")
    assert commitment.deadline == date(2025, 12, 31)
    assert commitment.quote == "到2025年,全区建成区绿化覆盖率达到42%"


# --- modality --------------------------------------------------------------------------------------


def test_lizheng_and_zhengqu_mean_strive_and_queba_or_nothing_means_must():
    text = "力争引进亿元以上项目30个。争取中央资金5000万元。确保打通断头路14条。新建学校6所。"
    assert [c.modality for c in commitments_of(text)] == ["strive", "strive", "must", "must"]


def test_lizheng_covers_the_comma_joined_targets_of_its_group():
    text = "力争全年实施重点项目200个、完成投资350亿元,新增规上企业15家;新建学校6所。"
    assert [c.modality for c in commitments_of(text)] == ["strive", "strive", "strive", "must"]


def test_a_clause_with_its_own_time_word_starts_a_new_task_and_goes_back_to_must():
    text = "力争一季度开工项目40个,上半年签约项目20个,确保年底前竣工项目10个。"
    assert [c.modality for c in commitments_of(text)] == ["strive", "must", "must"]


# --- several items in one sentence -----------------------------------------------------------------


def test_each_number_is_an_item_and_later_quotes_start_after_the_dunhao():
    text = REVIEW_SECTION + "累计引进项目96个、签约额2840亿元,运作重大项目570个、完成投资2300亿元。"
    assert [a.quote for a in achievements_of(text)] == [
        "累计引进项目96个",
        "签约额2840亿元",
        "运作重大项目570个",
        "完成投资2300亿元",
    ]


def test_fenbie_gives_one_item_per_number_and_a_shared_number_is_one_item():
    text = REVIEW_SECTION + "消费、投资分别增长5%、12%。收入、税收增速均为7%。"
    assert values(achievements_of(text)) == [(5, "%"), (12, "%"), (7, "%")]


def test_a_count_that_sets_the_scope_of_a_task_is_its_own_item():
    text = "确保50个重点项目全年完成投资300亿元。"
    items = commitments_of(text)
    assert values(items) == [(50, "个"), (300, "亿元")]
    assert [item.quote for item in items] == ["确保50个重点项目", "全年完成投资300亿元"]


def test_quotes_of_one_sentence_never_overlap():
    text = "全力推进樱花社区等5个精品村、柳林社区等3个示范村建设,新建公园12个、游园30个。"
    spans = sorted((c.start, c.end) for c in commitments_of(text))
    assert len(spans) == 4
    assert all(left_end <= right_start for (_, left_end), (right_start, _) in zip(spans, spans[1:], strict=False))


# --- achievements and commitments ------------------------------------------------------------------


def test_past_figures_are_achievements_and_targets_are_commitments():
    text = "去年全区新增城镇就业2.3万人。今年新增城镇就业2.5万人。"
    proposal = extract(text, 2022)
    assert values(proposal.achievements) == [(23000.0, "人")]
    assert values(proposal.commitments) == [(2.5, "万人")]


@pytest.mark.parametrize(
    ("sentence", "period"),
    [
        ("2021年,全区完成投资300亿元。", "2021"),
        ("“十三五”期间,全区完成投资1300亿元。", "2016-2020"),
        ("5年来,全区完成投资1300亿元。", "2017-2021"),
        ("一年来,全区完成投资300亿元。", "2021"),
    ],
)
def test_a_date_word_makes_a_past_figure_with_its_period(sentence, period):
    proposal = extract(PLAN_SECTION + sentence, 2022)
    assert not proposal.commitments
    assert [a.period for a in proposal.achievements] == [period]


def test_leiji_tongbi_and_yuji_mark_reported_figures_when_nothing_else_dates_them():
    text = "累计帮扶企业3078家。地区生产总值同比增长6.8%。预计实现地区生产总值773亿元,是2015年的1.67倍。"
    achievements = achievements_of(text)
    assert values(achievements) == [(3078, "家"), (6.8, "%"), (77300000000.0, "元"), (1.67, "倍")]
    assert [a.estimate for a in achievements] == [False, False, True, True]


def test_yuji_reaches_only_its_own_group():
    text = REVIEW_SECTION + "预计全年GDP增长1.2%、投资增长11.1%;“十三五”期间年均增速达到7.3%。"
    assert [a.estimate for a in achievements_of(text)] == [True, True, False]


def test_a_review_heading_makes_undated_figures_achievements_until_a_plan_heading():
    text = (
        "一、2021年工作回顾\n"
        "全面推进“温暖工程”,受益群众31.5万人。\n"
        "二、2022年主要目标任务\n"
        "全面推进“温暖工程”,新增受益群众5万人。\n"
    )
    proposal = extract(text, 2022)
    assert values(proposal.achievements) == [(315000.0, "人")]
    assert values(proposal.commitments) == [(5, "万人")]


def test_a_date_word_in_a_paragraph_carries_to_its_later_sentences():
    text = "这5年,全区综合实力快速提升。建成中小学、幼儿园39所。\n今年新建中小学6所。"
    proposal = extract(text, 2021)
    assert [(a.value, a.period) for a in proposal.achievements] == [(39, "2016-2020")]
    assert values(proposal.commitments) == [(6, "所")]


def test_one_sentence_may_report_and_promise():
    proposal = extract("去年建成口袋公园18个,今年再建20个。", 2022)
    assert values(proposal.achievements) == [(18, "个")]
    assert values(proposal.commitments) == [(20, "个")]


# --- areas -----------------------------------------------------------------------------------------


def test_the_area_is_the_heading_line_above():
    text = "在城市品质提升上争先出彩\n\n全面打造6个核心板块,确保今年打通14条“断头路”。"
    assert {c.area for c in commitments_of(text)} == {"在城市品质提升上争先出彩"}


def test_a_run_in_heading_heads_only_its_paragraph():
    text = "在民生保障上持续发力\n加快教育扩容。新建中小学校8所。\n新增普惠托位3000个。"
    assert [c.area for c in commitments_of(text)] == ["加快教育扩容", "在民生保障上持续发力"]


def test_a_numbered_bold_run_in_heading_heads_the_following_paragraphs_verbatim():
    text = "**三、2022年重点工作**\n\n**（一）扩大有效投资。**全年实施重点项目160个。\n\n新开工项目50个。"
    assert [c.area for c in commitments_of(text)] == ["（一）扩大有效投资", "（一）扩大有效投资"]


def test_without_a_heading_the_area_is_none_and_bylines_are_not_headings():
    assert only_commitment("记者 张明\n\n新建学校6所。").area is None


def test_a_long_first_sentence_is_not_a_run_in_heading():
    text = "在产业升级上持续发力\n以美丽乡村建设打造乡村振兴高地,全力推进4个精品村建设。新建学校6所。"
    assert {c.area for c in commitments_of(text)} == {"在产业升级上持续发力"}


# --- non-items -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "持续提升四大主导产业质量效益。",  # N大 + noun: a set label
        "培育千亿级产业集群,打造500亿级产业。",  # scale classes
        "到2035年基本实现现代化,连续三年获评先进。",  # years and durations
        "打造4A级景区,争创五星级服务业两区,建设三甲医院。",  # grades
        "争创全省第一,实现首批落地,力争零伤亡,进入全国前10名。",  # ordinals and rankings
        "建设5G网络,承办G20配套活动,完善“1+N”政策,推进6号线建设。",  # names
        "每万人拥有律师数明显提升。",  # a per-capita qualifier
        "引进亿元以上项目,新建5000平方米以上综合公园。",  # qualifiers
        "推动某某10万吨新材料项目开工。",  # design capacity in a project's name
        "深化“三个一批”“六个争先出彩”工作,完成二期、三期工程。",  # quoted slogans and phases
        "召开区委十一届十一次全会,迎接建党100周年。",  # ordinals of meetings, anniversaries
        "处理好五个方面的关系,抓好十项任务。",  # structure labels
        "实施三个一批行动,仅用10天时间建成医院。",  # unquoted slogan, a duration
        "出台促进经济平稳发展30条、稳就业28条,大力实施为民造福10条。",  # policy packages named by their count
    ],
)
def test_labels_names_grades_years_and_qualifiers_are_not_items(text):
    proposal = extract(text, 2022)
    assert proposal.commitments == []
    assert proposal.achievements == []


def test_roads_and_lines_counted_in_tiao_stay_items_after_a_policy_verb():
    assert values(commitments_of("实施道路综合改造30条,落实“断头路”打通任务12条。")) == [(30, "条"), (12, "条")]


def test_a_qualified_noun_is_counted_but_not_its_qualifier():
    text = (
        "培育4个千亿级产业集群,力争主营业务收入超10亿元企业达到12家,新建5000平方米以上综合公园20个,"
        "开发区引进20亿元以上、县区引进5亿元以上项目均不少于3个。"
    )
    assert values(commitments_of(text)) == [(4, "个"), (12, "家"), (20, "个"), (3, "个")]


# --- output ----------------------------------------------------------------------------------------


def test_the_gold_dict_has_the_gold_schema_and_key_order():
    text = REVIEW_SECTION + "新增就业1.85万人。\n" + PLAN_SECTION + "力争新建学校6所。"
    gold = proposal_to_gold_dict(extract(text, 2022))
    assert list(gold) == ["plan_year", "commitments", "achievements", "milestones", "areas"]
    assert list(gold["commitments"][0]) == ["quote", "target_value", "unit", "object", "deadline", "modality", "area"]
    assert list(gold["achievements"][0]) == ["quote", "indicator", "value", "unit", "period", "estimate"]
    assert gold["commitments"][0]["deadline"] == "2022-12-31"
    assert json.loads(json.dumps(gold, ensure_ascii=False)) == gold


def test_objects_and_indicators_name_the_thing_counted():
    proposal = extract("力争3年内新启动建设10个布局合理、特色突出的小微企业园。去年帮扶企业3078家。", 2022)
    assert proposal.commitments[0].object == "小微企业园"
    assert proposal.achievements[0].indicator == "帮扶企业"


def test_empty_and_number_free_texts_give_an_empty_proposal():
    for text in ("", "\n\n", "坚持以人民为中心的发展思想。"):
        proposal = extract(text, 2022)
        assert (proposal.commitments, proposal.achievements) == ([], [])


# --- whole documents against gold files ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "erqi-2021-plan",
        "zhongyuan-2022-news",
        "dongcheng-2023-report",
        "xinmi-2022-plan",
        "dengfeng-2022-meeting",
        "gongyi-2022-report",
    ],
)
def test_whole_documents_reach_the_f1_bar(name):
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    gold = json.loads((DATA / f"{name}.gold.json").read_text(encoding="utf-8"))
    scores = exact_f1(text, gold, proposal_to_gold_dict(extract(text, gold["plan_year"])))
    assert scores["commitments"] >= 0.95
    assert scores["achievements"] >= 0.95


def test_a_long_real_report_gives_plausible_items_with_quotes_found_in_it():
    text = (DATA / "zhengzhou-2021-report.txt").read_text(encoding="utf-8")
    proposal = extract(text, 2021)
    squeezed = "".join(text.split())
    assert len(proposal.commitments) > 80
    assert len(proposal.achievements) > 200
    for item in [*proposal.commitments, *proposal.achievements]:
        assert "".join(item.quote.split()) in squeezed
        assert text[item.original_start : item.original_end].strip()
    assert all(date(2021, 1, 1) <= c.deadline <= date(2025, 12, 31) for c in proposal.commitments)
    assert all(a.period.startswith(("2016", "2017", "2020")) for a in proposal.achievements)
