"""三定 suggestions (pure) and the unit-responsibilities table (单位职责表) import and page (issue 19)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from decomposition.suggest import Decided, Duty, Pool, bigrams, leave_one_out, similarity, suggest
from decomposition.tests.test_pages import draft_of, office, paste, plan, url  # noqa: F401 (fixtures)
from org.models import LeaderPost, Unit, UnitDuty
from plans.models import Task

ZJJ, CGJ, NYJ, STREET = 1, 2, 3, 4
UNITS = {ZJJ: "区住建局", CGJ: "区城管局", NYJ: "区农业农村局", STREET: "淮河路街道"}
DECIDED = [
    Decided("老旧小区改造提升 完成老旧小区改造提升248个", "2021年度：老旧小区改造提升", 7, ZJJ, (CGJ,)),
    Decided("示范村建设 袁河社区等4个示范村", "2021年度：示范村", 8, NYJ, ()),
    Decided("老旧小区改造提升 淮河路街道老旧小区改造提升", "2021年度：淮河路街道", 7, STREET, ()),
]
DUTIES = [Duty(ZJJ, "棚户区"), Duty(CGJ, "垃圾"), Duty(NYJ, "村")]


def test_a_similar_earlier_task_gives_its_sanding_with_the_reason():
    found = suggest("老旧小区改造 改造老旧小区120个", DECIDED, DUTIES, UNITS)
    assert (found.post, found.lead, found.co_units, found.source) == (7, ZJJ, (CGJ,), "task")
    assert found.reason == "2021年度：老旧小区改造提升" and 0.5 <= found.score <= 1


def test_a_duty_keyword_names_the_lead_unit_when_no_task_is_alike():
    found = suggest("棚户区改造 新开工棚户区安置房3000套", DECIDED, DUTIES, UNITS)
    assert (found.lead, found.source, found.reason) == (ZJJ, "duty", "棚户区")
    assert found.post == 7  # the leader most often decided for that unit


def test_a_row_naming_a_unit_gets_it_and_a_street_share_is_not_offered_elsewhere():
    assert suggest("淮河路街道老旧小区改造提升", DECIDED, DUTIES, UNITS).lead == STREET
    # the street's share of a district task is not a precedent for the district task
    assert suggest("老旧小区改造提升", DECIDED[1:], [], UNITS) is None


def test_nothing_alike_and_no_keyword_gives_no_suggestion():
    assert suggest("全面打造6个核心板块", DECIDED, DUTIES, UNITS) is None


def test_leave_one_out_counts_each_task_against_the_others():
    hits, total = leave_one_out(DECIDED, DUTIES, UNITS)
    assert total == 3 and hits == 2  # the street names itself; the village falls to 村; the district task has no peer


@given(st.text(max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric_and_between_zero_and_one(a, b):
    ab = similarity(bigrams(a), bigrams(b))
    assert ab == similarity(bigrams(b), bigrams(a))
    assert 0.0 <= ab <= 1.0


# --- the table and the page ---------------------------------------------------------------------------


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_duties_workbook_replaces_the_table(office):  # noqa: F811
    data = workbook([["单位", "职责关键词"], ["区住建局", "老旧小区、棚户区,保障房"], ["区城管局", "垃圾 环卫"]])
    response = office.post("/decompose/duties/", {"file": SimpleUploadedFile("duties.xlsx", data)})
    assert response.status_code == 302
    table = {(d.unit.name, d.keyword) for d in UnitDuty.objects.select_related("unit")}
    assert table == {
        ("区住建局", "老旧小区"),
        ("区住建局", "棚户区"),
        ("区住建局", "保障房"),
        ("区城管局", "垃圾"),
        ("区城管局", "环卫"),
    }
    assert "棚户区" in office.get("/decompose/duties/").content.decode()


@pytest.mark.django_db
def test_a_bad_row_names_row_and_column_and_nothing_is_written(office):  # noqa: F811
    UnitDuty.objects.create(unit=Unit.objects.get(name="区住建局"), keyword="老旧小区")
    data = workbook([["单位", "职责关键词"], ["区城管局", "垃圾"], ["区不存在局", "道路"], ["区农业农村局", ""]])
    response = office.post("/decompose/duties/", {"file": SimpleUploadedFile("duties.xlsx", data)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "第 3 行" in page and "单位" in page and "区不存在局" in page
    assert "第 4 行" in page and "职责关键词" in page
    assert [(d.unit.name, d.keyword) for d in UnitDuty.objects.all()] == [("区住建局", "老旧小区")]
    response = office.post("/decompose/duties/", {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert response.status_code == 400 and UnitDuty.objects.count() == 1


@pytest.mark.django_db
def test_the_review_page_shows_a_suggestion_with_its_reason_and_applies_it_only_when_asked(office, plan):  # noqa: F811
    UnitDuty.objects.create(unit=Unit.objects.get(name="区住建局"), keyword="老旧小区")
    paste(office, plan, "二、2021年重点任务\n完成老旧小区改造120个。\n")
    page = office.get(url(plan)).content.decode()
    assert 'data-testid="suggestion"' in page and "老旧小区" in page
    row = draft_of(plan).commitments[0]
    assert row["lead"] is None  # shown, never applied silently
    zjj = Unit.objects.get(name="区住建局")
    post = LeaderPost.objects.get(title="分管城建副区长")
    office.post(url(plan, "row/assign/"), {"row": row["id"], "post": post.pk, "lead": zjj.pk})
    assert draft_of(plan).commitments[0]["lead"] == zjj.pk
    assert not Task.objects.filter(plan=plan).exists()


TASK_TEXTS = st.lists(st.text(alphabet="老旧小区改造提升村建设道路", max_size=12), min_size=1, max_size=6)


@given(TASK_TEXTS, st.text(max_size=12))
def test_the_bigram_index_gives_the_same_similarity_as_comparing_every_task(texts, row):
    decided = [Decided(text, text, None, 1) for text in texts]
    pool = Pool.of(decided, [])
    expected = {i: similarity(bigrams(row), bigrams(t)) for i, t in enumerate(texts)}
    for score, number in pool.alike(bigrams(row)):
        assert score == pytest.approx(expected[number])
    found = {number for _, number in pool.alike(bigrams(row))}
    assert {i for i, score in expected.items() if score > 0} == found
