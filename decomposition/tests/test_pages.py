"""The decomposition pages: paste or upload, review, edit, 三定, accept (idempotent), export."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEvent
from decomposition.documents import MAX_DOCUMENT_BYTES
from decomposition.extractor import extract
from decomposition.messages import document_error
from decomposition.models import AcceptedItem, DecompositionDraft
from decomposition.tests.pdfs import make_pdf
from decomposition.tests.test_documents import docx_bytes
from indicators.models import Indicator, IndicatorValue
from org.models import LeaderPost, Unit
from plans.ledger import COLUMNS
from plans.models import Plan, PlanNode, Task
from plans.services import node_add, plan_create

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"
SEED = (DATA / "erqi-2021-plan.txt").read_text(encoding="utf-8")
GOLD = json.loads((DATA / "erqi-2021-plan.gold.json").read_text(encoding="utf-8"))
AREAS = ["在主导产业升级上争先出彩", "在城市品质提升上争先出彩", "在美丽田园打造上争先出彩"]
HTMX = {"HX-Request": "true"}
# The extractor's quotes (the gold file cuts one differently: 「樱桃沟社区等4个精品村」; the scorer matches by overlap).
QUOTES = [c.quote for c in extract(SEED, 2021).commitments]


@pytest.fixture
def plan(users):
    """A new 2021 plan with the seed's area headings as area nodes, and no text yet."""
    office = users["office"]
    plan = plan_create(actor=office, year=2021, title="分解测试")
    vision = node_add(actor=office, plan=plan, parent=None, title="建设现代化国际化生态化新城区", kind="vision")
    path = node_add(actor=office, plan=plan, parent=vision, title="品质二七", kind="path")
    for title in AREAS:
        node_add(actor=office, plan=plan, parent=path, title=title, kind="area")
    return plan


@pytest.fixture
def office(client_as):
    return client_as("office")


def url(plan: Plan, suffix: str = "") -> str:
    return f"/plans/{plan.pk}/decompose/{suffix}"


def paste(client, plan: Plan, text: str = SEED):
    return client.post(url(plan, "extract/"), {"text": text})


def upload(client, plan: Plan, data: bytes, name: str):
    return client.post(url(plan, "extract/"), {"file": SimpleUploadedFile(name, data)})


def counts() -> dict[str, int]:
    models = [DecompositionDraft, Task, PlanNode, AuditEvent, Indicator, IndicatorValue, AcceptedItem, Plan]
    return {m.__name__: m.objects.count() for m in models}


def draft_of(plan: Plan) -> DecompositionDraft:
    return DecompositionDraft.objects.get(plan=plan)


def assign_all(client, plan: Plan, post="分管城建副区长", lead="区住建局", co=("区城管局",)):
    draft = draft_of(plan)
    data = {
        "rows": [r["id"] for r in draft.commitments],
        "post": LeaderPost.objects.get(title=post).pk,
        "lead_unit": Unit.objects.get(name=lead).pk,
        "co_units": [Unit.objects.get(name=n).pk for n in co],
    }
    return client.post(url(plan, "assign/"), data)


# --- paste and upload ------------------------------------------------------------------------------


def test_pasting_the_seed_shows_every_commitment_highlighted(office, plan):
    # How fast is measured in bench/, not asserted here.
    response = paste(office, plan)
    page = office.get(response["Location"])
    assert response.status_code == 302 and page.status_code == 200
    html = page.content.decode()
    assert html.count('class="hl hl-commitment" data-row=') == 10
    assert html.count('class="hl hl-achievement" data-row=') == 19
    assert html.count('data-testid="row"') == 10
    draft = draft_of(plan)
    assert [r["quote"] for r in draft.commitments] == QUOTES
    # Each highlight sits on its quote in the text as pasted (offsets index the stored text).
    first = draft.commitments[0]
    assert f'id="hl-{first["id"]}" class="hl hl-commitment" data-row="{first["id"]}" data-s="{first["start"]}">' in html
    assert draft.text[first["start"] : first["end"]] == first["quote"]
    assert AuditEvent.objects.filter(verb="decomposition.extract").count() == 1


def test_pasted_text_with_browser_line_endings_keeps_offsets_right(office, plan):
    paste(office, plan, SEED.replace("\n", "\r\n"))
    draft = draft_of(plan)
    assert "\r" not in draft.text
    assert all(draft.text[r["start"] : r["end"]] == r["quote"] for r in draft.commitments)


def seed_pdf() -> bytes:
    lines = [line for line in SEED.splitlines() if line.strip()]
    return make_pdf([lines[i : i + 12] for i in range(0, len(lines), 12)])


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (SEED.encode("utf-8"), "plan.txt", "txt"),
        (SEED.encode("gb18030"), "二七区.txt", "txt"),
        (docx_bytes(SEED.splitlines()), "plan.docx", "docx"),
        (seed_pdf(), "plan.pdf", "pdf"),
        (seed_pdf(), "plan-named-wrongly.txt", "pdf"),
    ],
    ids=["utf-8", "gb18030", "docx", "pdf", "pdf named .txt"],
)
def test_uploads_give_the_same_proposal(office, plan, data, name, kind):
    response = upload(office, plan, data, name)
    assert response.status_code == 302
    draft = draft_of(plan)
    assert (draft.source_name, draft.source_kind) == (name, kind)
    assert [r["quote"] for r in draft.commitments] == QUOTES
    assert len(draft.achievements) == 19


BAD_FILES = {
    "empty": (b"", "plan.txt"),
    "docx not a zip": ("这其实是纯文本".encode(), "plan.docx"),
    "broken docx zip": (b"PK\x03\x04 broken", "plan.docx"),
    "old .doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "plan.doc"),
    "pdf without text layer": (make_pdf(image_only_pages=3), "scan.pdf"),
    "broken pdf": (b"%PDF-1.7\nnothing here", "plan.pdf"),
    "binary": (b"\x7fELF\x02\x01" + bytes(range(256)) * 4, "plan.txt"),
}
CODES = {
    "empty": "empty",
    "docx not a zip": "not_docx",
    "broken docx zip": "bad_docx",
    "old .doc": "old_doc",
    "pdf without text layer": "pdf_no_text",
    "broken pdf": "bad_pdf",
    "binary": "not_text",
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_unreadable_files_give_a_clear_message_and_change_nothing(office, plan, case):
    paste(office, plan)  # an existing draft must survive a bad upload untouched
    draft = draft_of(plan)
    before = counts()
    data, name = BAD_FILES[case]
    response = upload(office, plan, data, name)
    assert response.status_code == 400
    with translation.override("zh-hans"):
        message = document_error(CODES[case])
    assert message in response.content.decode()
    assert counts() == before
    assert draft_of(plan).version == draft.version


def test_the_size_limit_is_20_mb(office, plan):
    before = counts()
    response = upload(office, plan, b"a" * (MAX_DOCUMENT_BYTES + 1), "big.txt")
    assert response.status_code == 400
    assert "文件超过 20 MB。" in response.content.decode()
    assert counts() == before


def test_empty_paste_is_refused(office, plan):
    before = counts()
    response = paste(office, plan, "  \n ")
    assert response.status_code == 400
    assert counts() == before


ZH_DOCUMENT_ERRORS = {
    "not_docx": "文件不是有效的 .docx Word 文档（不是 zip 包）。",
    "pdf_no_text": "PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）或粘贴文字。",
}


def test_document_messages_are_chinese():
    with translation.override("zh-hans"):
        shown = {code: document_error(code) for code in ZH_DOCUMENT_ERRORS}
    assert shown == ZH_DOCUMENT_ERRORS


def test_the_page_offers_the_plan_text_when_there_is_no_draft(office, demo_plan):
    page = office.get(url(demo_plan)).content.decode()
    assert 'name="text"' in page and "1月底前完成“一环十横十纵”二期3条道路" in page


# --- editing ---------------------------------------------------------------------------------------


def test_an_edited_cell_is_saved_and_survives_a_reload(office, plan):
    paste(office, plan)
    row_id = draft_of(plan).commitments[2]["id"]
    response = office.post(url(plan, "row/"), {"row": row_id, "deadline": "2021-02-28"}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="st-{row_id}"' in response.content.decode()
    row = draft_of(plan).row(row_id)[1]
    assert row["deadline"] == "2021-02-28"
    assert 'value="2021-02-28"' in office.get(url(plan)).content.decode()
    event = AuditEvent.objects.filter(verb="decomposition.row_update").latest("id")
    assert (event.before["deadline"], event.after["deadline"]) == ("2021-01-31", "2021-02-28")


def test_a_bad_cell_is_refused_with_its_message(office, plan):
    paste(office, plan)
    draft = draft_of(plan)
    row_id = draft.commitments[0]["id"]
    response = office.post(url(plan, "row/"), {"row": row_id, "target_value": "十个"}, headers=HTMX)
    assert response.status_code == 422
    assert 'class="row-status err"' in response.content.decode()
    assert draft_of(plan).commitments == draft.commitments


def test_achievement_cells_and_the_estimate_box(office, plan):
    paste(office, plan)
    row = draft_of(plan).achievements[0]
    assert row["estimate"] is True
    response = office.post(url(plan, "row/"), {"row": row["id"], "fields": "estimate"}, headers=HTMX)
    assert response.status_code == 200
    response = office.post(url(plan, "row/"), {"row": row["id"], "value": "78000000000"}, headers=HTMX)
    assert "780亿元" in response.content.decode()
    row = draft_of(plan).row(row["id"])[1]
    assert (row["estimate"], row["value"]) == (False, "78000000000")


def test_dropping_a_false_positive_removes_row_and_highlight(office, plan):
    paste(office, plan)
    row = draft_of(plan).commitments[1]
    response = office.post(url(plan, "row/delete/"), {"row": row["id"]}, headers=HTMX)
    assert response.status_code == 200
    assert f'<span id="hl-{row["id"]}"' in response.content.decode()
    draft = draft_of(plan)
    assert len(draft.commitments) == 9 and draft.row(row["id"]) is None
    assert f'id="hl-{row["id"]}"' not in office.get(url(plan)).content.decode()


def test_a_missed_item_is_added_by_selecting_text(office, plan):
    paste(office, plan)
    missed = "加快推进学前教育公办园新增项目建设"  # no figure in the text: the office adds one
    start = draft_of(plan).text.index(missed)
    response = office.post(url(plan, "row/add/"), {"kind": "commitment", "start": start, "end": start + len(missed)})
    assert response.status_code == 302
    draft = draft_of(plan)
    added = next(r for r in draft.commitments if r["origin"] == "added")
    assert response["Location"].endswith(f"#row-{added['id']}")
    assert (added["quote"], added["target_value"], added["deadline"]) == (missed, None, "2021-12-31")
    assert added["area"] == "在美丽田园打造上争先出彩"  # the nearest commitment above it
    assert [r["start"] for r in draft.commitments] == sorted(r["start"] for r in draft.commitments)
    fill = {"row": added["id"], "target_value": "5", "unit": "所", "area": "在美好生活创造上争先出彩"}
    office.post(url(plan, "row/"), fill)
    assert f'class="hl hl-commitment" data-row="{added["id"]}"' in office.get(url(plan)).content.decode()
    assign_all(office, plan)
    office.post(url(plan, "accept/"))
    task = Task.objects.get(plan=plan, source_quote=missed)
    assert (task.target_value, task.target_unit, task.source_offset) == (5, "所", start)
    assert PlanNode.objects.get_parent(task.node).title == "在美好生活创造上争先出彩"
    response = office.post(url(plan, "row/add/"), {"kind": "commitment", "start": 10, "end": 10})
    assert response.status_code == 302 and len(draft_of(plan).commitments) == 11


def test_sanding_for_all_rows_at_once_and_for_one_row(office, plan):
    paste(office, plan)
    response = assign_all(office, plan, co=("区城管局", "区住建局"))
    assert response.status_code == 302
    draft = draft_of(plan)
    zjj, cgj = Unit.objects.get(name="区住建局"), Unit.objects.get(name="区城管局")
    assert {(r["lead"], tuple(r["co_units"])) for r in draft.commitments} == {(zjj.pk, (cgj.pk,))}
    row_id = draft.commitments[0]["id"]
    gxj, fgw = Unit.objects.get(name="区工信局"), Unit.objects.get(name="区发改委")
    post = LeaderPost.objects.get(title="分管经济副区长")
    response = office.post(
        url(plan, "row/assign/"), {"row": row_id, "post": post.pk, "lead": gxj.pk, "co_units": [fgw.pk]}, headers=HTMX
    )
    assert response.status_code == 200 and "区发改委" in response.content.decode()
    row = draft_of(plan).row(row_id)[1]
    assert (row["post"], row["lead"], row["co_units"]) == (post.pk, gxj.pk, [fgw.pk])
    response = office.post(
        url(plan, "row/assign/"), {"row": row_id, "post": post.pk, "lead": gxj.pk, "co_units": [gxj.pk]}, headers=HTMX
    )
    assert response.status_code == 422


# --- accepting -------------------------------------------------------------------------------------


def test_accepting_with_no_complete_row_names_the_rows_and_changes_nothing(office, plan):
    paste(office, plan, "二、2021年重点任务\n新建学校5所,新增学位2000个。\n")
    before = counts()
    response = office.post(url(plan, "accept/"))
    assert response.status_code == 400
    assert response.content.decode().count('class="row-problems"') == 2
    assert counts() == before


def test_accepting_creates_tasks_under_their_areas_and_indicator_values_once(office, plan):
    paste(office, plan)
    assign_all(office, plan)
    response = office.post(url(plan, "accept/"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.source_text == SEED.lstrip("\n")  # the plan had no text: it takes the document's
    tasks = Task.objects.filter(plan=plan).select_related("node", "lead_unit", "responsible_post")
    assert tasks.count() == 10
    areas = {n.path: n.title for n in plan.nodes.filter(kind="area")}
    for task, quote, gold in zip(tasks.order_by("code"), QUOTES, GOLD["commitments"], strict=True):
        assert task.source_quote == quote and task.node.title == quote
        assert areas[task.node.path[:-4]] == gold["area"] and task.node.kind == "key_task"
        assert plan.source_text[task.source_offset : task.source_offset + len(quote)] == quote
        assert (task.target_value, task.target_unit) == (pytest.approx(gold["target_value"]), gold["unit"])
        assert (task.deadline, task.modality) == (date.fromisoformat(gold["deadline"]), gold["modality"])
        assert (task.lead_unit.name, task.responsible_post.title) == ("区住建局", "分管城建副区长")
        assert [u.name for u in task.co_units.all()] == ["区城管局"]
    gdp = IndicatorValue.objects.get(indicator__name="地区生产总值")
    assert (gdp.value, gdp.indicator.unit, gdp.period, gdp.is_estimate) == (77300000000, "元", "2020", True)
    assert IndicatorValue.objects.filter(plan=plan).count() == 19
    assert draft_of(plan).state == "accepted"

    before = counts()
    response = office.post(url(plan, "accept/"))  # nothing left to accept
    assert counts() == {**before, "AuditEvent": before["AuditEvent"] + 1}
    # The same document again (other line breaks): recognised, nothing created twice.
    paste(office, plan, SEED.replace("\n", "\n\n"))
    draft = draft_of(plan)
    assert all(r["task"] for r in draft.commitments) and all(r["value_id"] for r in draft.achievements)
    office.post(url(plan, "accept/"))
    assert Task.objects.filter(plan=plan).count() == 10 and IndicatorValue.objects.count() == 19
    page = office.get(url(plan)).content.decode()
    assert page.count('class="hl hl-accepted" data-row=') == 29


def test_accepting_twice_in_a_row_after_a_fresh_extract_creates_no_duplicates(office, plan):
    paste(office, plan)
    assign_all(office, plan)
    office.post(url(plan, "accept/"))
    AcceptedItem.objects.filter(plan=plan, kind="commitment").delete()  # even without the memory …
    paste(office, plan)
    assign_all(office, plan)
    office.post(url(plan, "accept/"))
    assert Task.objects.filter(plan=plan).count() == 10  # … the tasks' quotes are recognised


def test_a_different_figure_for_a_recorded_indicator_stops_the_accept(office, plan, users):
    paste(office, plan)
    assign_all(office, plan)
    office.post(url(plan, "accept/"))
    other = plan_create(actor=users["office"], year=2021, title="另一份报告")
    paste(office, other, "2020年,二七区预计实现地区生产总值780亿元。")
    before = counts()
    response = office.post(url(other, "accept/"))
    assert response.status_code == 400
    assert 'class="row-problems"' in response.content.decode()
    assert counts() == before
    row = draft_of(other).achievements[0]
    office.post(url(other, "row/"), {"row": row["id"], "estimate": "", "fields": "estimate"})
    assert office.post(url(other, "accept/")).status_code == 302  # a final figure is another value
    assert IndicatorValue.objects.filter(indicator__name="地区生产总值").count() == 2


def test_a_heading_that_is_not_an_area_yet_becomes_one(office, plan):
    text = "在社会治理强化上争先出彩\n\n年内新建智慧社区12个。"
    paste(office, plan, text)
    assign_all(office, plan)
    office.post(url(plan, "accept/"))
    task = Task.objects.get(plan=plan)
    area = PlanNode.objects.get(plan=plan, title="在社会治理强化上争先出彩")
    assert area.kind == "area" and task.node.path.startswith(area.path)


def test_the_demo_plan_recognises_its_own_tasks(office, demo_plan):
    before = Task.objects.filter(plan=demo_plan).count()
    paste(office, demo_plan, demo_plan.source_text)
    draft = draft_of(demo_plan)
    assert all(r["task"] for r in draft.commitments)  # 10 of 10, one with a quote cut differently
    response = office.post(url(demo_plan, "accept/"))
    assert response.status_code == 302
    assert Task.objects.filter(plan=demo_plan).count() == before
    assert IndicatorValue.objects.filter(plan=demo_plan).count() == 19


def test_a_closed_plan_cannot_be_decomposed(office, plan):
    Plan.objects.filter(pk=plan.pk).update(status="closed")
    before = counts()
    assert paste(office, plan).status_code == 400
    assert counts() == before


# --- export and the sentence link ------------------------------------------------------------------


def test_the_proposal_exports_as_the_ledger(office, plan):
    paste(office, plan)
    assign_all(office, plan)
    response = office.get(url(plan, "export.xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "任务分解表"
    assert [c.value for c in ws[2]] == [header for _key, header, _width in COLUMNS]
    data = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[2]]
    assert len(data) == 10
    assert data[2][2:12] == (
        "1月底前完成“一环十横十纵”二期3条道路",
        3,
        "条",
        "分管城建副区长",
        "区住建局",
        "区城管局",
        data[2][8],
        None,
        "在城市品质提升上争先出彩",
        "确保",
    )
    assert data[2][8].date() == date(2021, 1, 31)


def test_the_plan_text_page_links_each_task_to_its_sentence(client_as, office, plan):
    paste(office, plan)
    assign_all(office, plan)
    office.post(url(plan, "accept/"))
    task = Task.objects.get(plan=plan, target_value=248)
    page = client_as("leader").get(f"/plans/{plan.pk}/text/").content.decode()
    assert f'id="t-{task.pk}"' in page
    assert f'href="/tasks/{task.pk}/" title="{task.code} ' in page
    assert page.count('class="hl hl-accepted"') == 10
    # A unit reporter sees the sentences of its own unit's tasks linked, and no others.
    page = client_as("fgw_reporter").get(f"/plans/{plan.pk}/text/").content.decode()
    assert 'class="hl hl-accepted"' not in page
