"""Review versus plan from every cue, names that are not deadlines, and objects for every figure (issue 19).

Sentences here are made up in the genre; the real excerpts are the `dev-*` gold files in `data/`
(cut from the six development reports in `data/dev/`, source lines in their gold files).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from decomposition.extractor import extract, proposal_to_gold_dict
from decomposition.extractor.tense import heading_states_outcome, sentence_evidence, zone_opened_by
from decomposition.tests.scoring import exact_f1

DATA = Path(__file__).parent / "data"
DEV_EXCERPTS = sorted(path.name.removesuffix(".gold.json") for path in DATA.glob("dev-*.gold.json"))
DEV_REPORTS = sorted((DATA / "dev").glob("*.txt"))


# --- review or plan without a review heading ----------------------------------------------------------


def test_an_excerpt_starting_inside_the_review_reports_its_figures():
    text = "（八）社会事业全面进步。民生支出300亿元，新建幼儿园20所，新增养老床位1500张。\n"
    proposal = extract(text, 2021)
    assert [a.quote for a in proposal.achievements] == ["民生支出300亿元", "新建幼儿园20所", "新增养老床位1500张"]
    assert proposal.commitments == []


def test_slogan_sub_headings_of_a_review_make_its_figures_achievements():
    text = "——抓项目稳投资取得新成效。举办招商活动20次，签约项目100个，利用市外资金150亿元，同比增长12%。\n"
    proposal = extract(text, 2021)
    assert len(proposal.achievements) == 4
    assert proposal.commitments == []


def test_an_action_heading_keeps_its_figures_commitments():
    text = "——推动重点领域改革取得新突破。新增无人机航线80条，新引进服务商50家。\n"
    assert [c.target_value for c in extract(text, 2024).commitments] == [80, 50]


def test_completed_verbs_rankings_and_awards_report_the_past_and_promise_words_the_future():
    assert sentence_evidence("夯实基础设施,着力强化了发展基石。").tense == "past"
    assert sentence_evidence("增速居全省第二位。").tense == "past"
    assert sentence_evidence("获批国家知识产权强市建设试点城市。").tense == "past"
    assert sentence_evidence("力争全年完成投资300亿元。").tense == "future"
    assert sentence_evidence("为了群众满意,了解需求。") is None  # 为了 and 了解 are not completed verbs
    assert sentence_evidence("持续推进已关闭矿山生态恢复治理。") is None  # 已 as an adjective


@pytest.mark.parametrize(
    ("heading", "outcome"),
    [
        ("——经济发展迈上新台阶。", True),
        ("（二）统筹推进基础建设，城乡面貌变化显著。", True),
        ("（三）农业农村工作再上新水平", True),
        ("夯实基础设施，着力强化了发展基石。", True),
        ("推动重点领域改革取得新突破", False),
        ("（一）致力让就业更加充分", False),
        ("大力发展现代农业。", False),  # 发展现代 holds 展现 but is not an outcome
        ("促进消费持续恢复", False),
    ],
)
def test_a_heading_that_states_an_outcome_heads_a_review(heading, outcome):
    assert heading_states_outcome(heading) is outcome


def test_the_plan_part_opens_at_the_targets_and_the_review_at_last_year():
    assert zone_opened_by("今年主要预期目标是:地区生产总值增长6%。", 2020).tense == "future"
    assert zone_opened_by("2019年,我们坚持稳中求进。", 2020).tense == "past"
    assert zone_opened_by("过去一年,我们着力抓了六个方面的工作。", 2020).tense == "past"
    # a review that recalls last year's targets further on does not open the plan
    review = "各位代表!审视2019,我们战胜了诸多挑战。过去一年,还有少数指标没有达到年初预期目标。"
    assert zone_opened_by(review, 2020) is None


def test_targets_after_the_targets_paragraph_stay_commitments_despite_tongbi():
    text = (
        "2020年主要预期目标为:地区生产总值增长7.8%左右。\n"
        "综合质量效益指标。制造业增加值占第二产业比重同比提升0.8个百分点,达到81.1%。\n"
    )
    proposal = extract(text, 2020)
    assert [(c.target_value, c.unit) for c in proposal.commitments] == [(7.8, "%"), (0.8, "个百分点"), (81.1, "%")]
    assert proposal.commitments[2].object == "制造业增加值占第二产业比重"


def test_a_review_paragraph_after_a_numbered_action_heading_stays_in_the_review():
    text = "2019年工作回顾\n一、深入学习贯彻新思想\n全年新建学校12所,新增学位8000个。\n2020年主要工作\n新建学校15所。\n"
    proposal = extract(text, 2020)
    assert [a.quote for a in proposal.achievements] == ["全年新建学校12所", "新增学位8000个"]
    assert [c.quote for c in proposal.commitments] == ["新建学校15所"]


# --- names, labels, objects ---------------------------------------------------------------------------


def test_a_year_inside_a_name_is_not_a_deadline():
    plan = (
        "二、2021年重点任务\n编制“十四五”规划和2035年远景目标纲要及10个专项规划。"
        "制定2030年前碳达峰行动方案,新建充电桩500个。\n"
    )
    deadlines = [c.deadline for c in extract(plan, 2021).commitments]
    assert deadlines == [date(2021, 12, 31), date(2021, 12, 31)]
    assert [c.deadline for c in extract("到2025年,新建充电桩500个。", 2021).commitments] == [date(2025, 12, 31)]


@pytest.mark.parametrize(
    "text",
    ["建成区5G信号、20户以上自然村光纤网络全覆盖。", "三次产业结构调整为8.6:40.2:51.2。", "从六个层面细化工作目标。"],
)
def test_size_classes_sector_names_and_structure_labels_are_not_items(text):
    proposal = extract(text, 2022)
    assert (proposal.commitments, proposal.achievements) == ([], [])


def test_a_graded_noun_keeps_its_count():
    assert [a.value for a in extract("一、2021年工作回顾\n成功创建2家三甲医院。\n", 2022).achievements] == [2]


def test_a_bare_figure_takes_the_object_of_its_sentence():
    text = "二、2023年重点任务\n实现主导产业及高新技术产业营业收入占比分别达60%、58%以上。\n"
    items = extract(text, 2023).commitments
    assert [c.object for c in items][1] == "实现主导产业及高新技术产业营业收入占比"
    assert all(c.object for c in items)


# --- real excerpts and whole real reports -------------------------------------------------------------


@pytest.mark.parametrize("name", DEV_EXCERPTS)
def test_real_report_excerpts_reach_the_f1_bar(name):
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    gold = json.loads((DATA / f"{name}.gold.json").read_text(encoding="utf-8"))
    assert gold["source"].startswith("lines ")  # each excerpt keeps its source line
    scores = exact_f1(text, gold, proposal_to_gold_dict(extract(text, gold["plan_year"])))
    assert scores["commitments"] >= 0.9
    assert scores["achievements"] >= 0.9


def test_there_are_dev_excerpts_of_every_report():
    assert len(DEV_REPORTS) == 6
    cities = {json.loads((DATA / f"{name}.gold.json").read_text(encoding="utf-8"))["source"] for name in DEV_EXCERPTS}
    for report in DEV_REPORTS:
        assert any(report.name in source for source in cities), report.name


@pytest.mark.parametrize("path", DEV_REPORTS, ids=lambda path: path.stem)
def test_whole_real_reports_give_verbatim_quotes_sane_deadlines_and_objects(path):
    text = path.read_text(encoding="utf-8")
    plan_year = int(re.search(r"(\d{4})", path.name).group(1))
    proposal = extract(text, plan_year)
    squeezed = "".join(text.split())
    assert len(proposal.commitments) > 30 and len(proposal.achievements) > 60
    for item in [*proposal.commitments, *proposal.achievements]:
        assert "".join(item.quote.split()) in squeezed
    for item in proposal.commitments:
        assert plan_year <= item.deadline.year <= plan_year + 5, item
        assert item.object.strip(), item


# --- qualitative milestones and the heading hierarchy -------------------------------------------------

MILESTONE_PLAN = """二、2021年重点工作

（一）扩大有效投资

1.抓好重大项目。加快市民中心建设,3月底前挂牌运营;上半年完成干熄焦改造;加快推进东区污水处理厂前期工作,力争年内开工。

（5）确保6月底前出台老旧小区改造实施方案。

5)新建口袋公园12个。

（二）保障民生

新建幼儿园3所。
"""


def test_dated_commitments_without_a_number_are_milestones_with_an_object():
    proposal = extract(MILESTONE_PLAN, 2021)
    milestones = [(m.title, m.deadline, m.modality) for m in proposal.milestones]
    assert milestones == [
        ("加快市民中心建设,3月底前挂牌运营", date(2021, 3, 31), "must"),
        ("上半年完成干熄焦改造", date(2021, 6, 30), "must"),
        ("加快推进东区污水处理厂前期工作,力争年内开工", date(2021, 12, 31), "strive"),
        ("确保6月底前出台老旧小区改造实施方案", date(2021, 6, 30), "must"),  # the (5) enumerator goes
    ]
    # the quantified commitments are unchanged by them
    assert [c.quote for c in proposal.commitments] == ["新建口袋公园12个", "新建幼儿园3所"]
    gold = proposal_to_gold_dict(proposal)
    assert [m["title"] for m in gold["milestones"]][1] == "上半年完成干熄焦改造"


def test_review_dates_and_year_descriptions_are_not_milestones():
    text = (
        "一、2020年工作回顾\n上半年完成了干熄焦改造。\n"
        "二、2021年工作安排\n2021年是“十四五”开局之年。力争到2025年,建成学校8所。\n"
    )
    assert extract(text, 2021).milestones == []


def test_the_heading_levels_become_the_path_in_document_order():
    proposal = extract(MILESTONE_PLAN, 2021)
    first, kindergarten = proposal.commitments
    assert first.areas == ("二、2021年重点工作", "（一）扩大有效投资", "1.抓好重大项目")
    assert kindergarten.areas == ("二、2021年重点工作", "（二）保障民生")
    assert proposal.areas == [
        ("二、2021年重点工作",),
        ("二、2021年重点工作", "（一）扩大有效投资"),
        ("二、2021年重点工作", "（一）扩大有效投资", "1.抓好重大项目"),
        ("二、2021年重点工作", "（二）保障民生"),
    ]
    assert first.object == "新建口袋公园"  # no 5) in the object or the quote


def test_a_plain_run_in_heading_is_the_lowest_level_for_its_paragraph_only():
    text = "二、2021年重点工作\n\n积极扩大有效投资。实施重点项目450个。\n\n新建学校5所。\n"
    first, second = extract(text, 2021).commitments
    assert first.areas == ("二、2021年重点工作", "积极扩大有效投资")
    assert second.areas == ("二、2021年重点工作",)


def test_items_of_a_practical_matters_list_are_milestones_of_the_plan_year_and_its_name_is_no_item():
    text = (
        "二、2021年重点工作\n\n（五）办好十件民生实事\n\n"
        "1.新建学校5所。2.推进老旧小区加装电梯;3.建成区级养老服务中心。\n\n"
        "（六）加强自身建设\n\n坚持依法行政,建设法治政府。\n"
    )
    proposal = extract(text, 2021)
    assert [c.quote for c in proposal.commitments] == ["新建学校5所"]  # 十件民生实事 names the list
    assert [(m.title, m.deadline) for m in proposal.milestones] == [
        ("推进老旧小区加装电梯", date(2021, 12, 31)),
        ("建成区级养老服务中心", date(2021, 12, 31)),
    ]
