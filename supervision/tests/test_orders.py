"""Supervision orders through the pages and services: proposal, numbering, working days, the cycle, scope."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from docx import Document

from audit.models import AuditEvent
from core.errors import ServiceError
from core.workdays import WorkCalendar
from notifications.models import Notification
from supervision import services
from supervision.models import OrderSequence, SupervisionOrder
from supervision.services import Upload, msg_not_workday
from supervision.tests.access_rows import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(task_by_object):
    return task_by_object("老旧小区改造提升")  # T005, 区住建局, red today (2021 plan long past)


def issue(users, task, **kwargs):
    values = {"kind": "reminder", "content": "进度滞后，请反馈", "issued_on": dt.date(2021, 9, 30)}
    return services.order_issue(actor=users["office"], tasks=[task], unit=task.lead_unit, **{**values, **kwargs})


def zh(msgid: str) -> str:
    """The message as the (Chinese) pages show it, whether or not the catalogue has it yet."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def notes(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def test_the_cockpit_and_task_page_propose_an_order_for_a_red_task(client_as, compounds):
    office = client_as("office")
    cockpit = office.get("/cockpit/").content.decode()
    assert f"/supervision/orders/new/?task={compounds.pk}" in cockpit
    task_page = office.get(f"/tasks/{compounds.pk}/").content.decode()
    assert 'data-testid="propose-order"' in task_page and 'id="order"' in task_page
    form = office.get(f"/supervision/orders/new/?task={compounds.pk}").context["form"]
    assert form.initial["tasks"] == [compounds.pk]
    assert form.initial["unit"] == compounds.lead_unit_id
    assert form.initial["kind"] == "reminder"  # a first order is a 催办
    assert "248个老旧小区" in form.initial["content"] and "逾期" in form.initial["content"]
    # Units and leaders see the panel, not the button.
    assert 'data-testid="propose-order"' not in client_as("zjj_head").get(f"/tasks/{compounds.pk}/").content.decode()


def test_office_issues_a_numbered_order_and_the_unit_is_notified(client_as, users, compounds):
    response = client_as("office").post(
        "/supervision/orders/new/",
        {
            "tasks": [compounds.pk],
            "unit": compounds.lead_unit_id,
            "kind": "order",
            "content": "老旧小区改造进度滞后",
            "requirements": "请反馈整改措施",
            "response_workdays": "5",
        },
    )
    assert response.status_code == 302
    order = SupervisionOrder.objects.get()
    year = timezone.localdate().year
    assert order.number == f"二七督〔{year}〕1号" and (order.year, order.seq) == (year, 1)
    assert order.due_date == WorkCalendar().add_workdays(order.issued_on, 5)
    assert order.state == "issued" and order.level == "order"
    assert order.target_objects() == [compounds]
    for person in ("zjj_reporter", "zjj_head"):
        assert notes(users[person], "order.issued").count() == 1
    assert not notes(users["fgw_reporter"], "order.issued").exists()
    assert AuditEvent.objects.filter(verb="order.issue", object_id=str(order.pk)).exists()


def test_numbers_run_per_year_without_gaps_even_after_a_failed_issue(users, compounds, monkeypatch):
    assert issue(users, compounds).number == "二七督〔2021〕1号"
    assert issue(users, compounds).number == "二七督〔2021〕2号"
    assert issue(users, compounds, issued_on=dt.date(2022, 1, 4)).number == "二七督〔2022〕1号"

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services.orders, "audit_record", broken)
    with pytest.raises(RuntimeError):
        issue(users, compounds)
    monkeypatch.undo()
    # The failed issue rolled its number back with it: the next order takes 3, not 4.
    assert issue(users, compounds).number == "二七督〔2021〕3号"
    assert OrderSequence.objects.get(year=2021).last == 3


def test_the_response_is_due_in_working_days_over_national_day(users, compounds):
    order = issue(users, compounds, response_workdays=5)
    assert order.due_date == dt.date(2021, 10, 13)  # 9-30 + 5 working days: 10-8, 10-9 (Sat, 调休), 10-11, 12, 13
    assert order.response_workdays == 5
    spring = issue(users, compounds, issued_on=dt.date(2021, 2, 10), response_workdays=3)
    assert spring.due_date == dt.date(2021, 2, 20)  # 02-11..17 off: 18, 19, and Saturday 02-20 (调休) is worked
    typed = issue(users, compounds, due_date=dt.date(2021, 10, 9))  # a make-up Saturday is a working day
    assert typed.response_workdays == 2


def test_a_typed_due_date_on_a_holiday_is_refused_and_changes_nothing(users, compounds):
    with pytest.raises(ServiceError) as caught:
        issue(users, compounds, due_date=dt.date(2021, 10, 4))
    assert caught.value.field == "due_date" and caught.value.code == "not_workday"
    assert caught.value.message == msg_not_workday(dt.date(2021, 10, 4), "国庆节", dt.date(2021, 10, 8))
    assert "国庆节" in caught.value.message
    assert not SupervisionOrder.objects.exists() and not OrderSequence.objects.filter(last__gt=0).exists()


@time_machine.travel(dt.datetime(2021, 9, 30, 9, tzinfo=dt.UTC), tick=False)
def test_the_order_form_says_why_a_holiday_due_date_is_refused(client_as, compounds):
    response = client_as("office").post(
        "/supervision/orders/new/",
        {
            "tasks": [compounds.pk],
            "unit": compounds.lead_unit_id,
            "kind": "reminder",
            "content": "进度滞后",
            "due_date": "2021-10-05",
        },
    )
    assert response.status_code == 400
    assert msg_not_workday(dt.date(2021, 10, 5), "国庆节", dt.date(2021, 10, 8)) in response.content.decode()
    assert not SupervisionOrder.objects.exists()


@time_machine.travel(dt.datetime(2021, 9, 30, 9, tzinfo=dt.UTC), tick=False)
def test_the_order_form_refuses_a_due_date_beyond_the_working_day_calendar(client_as, compounds):
    response = client_as("office").post(
        "/supervision/orders/new/",
        {
            "tasks": [compounds.pk],
            "unit": compounds.lead_unit_id,
            "kind": "reminder",
            "content": "进度滞后",
            "due_date": "9999-12-31",
        },
    )
    assert response.status_code == 400
    assert "超出工作日历的范围" in response.content.decode()
    assert not SupervisionOrder.objects.exists()


def test_issue_refuses_empty_content_and_other_roles(users, compounds):
    with pytest.raises(ServiceError) as caught:
        issue(users, compounds, content="  ")
    assert caught.value.field == "content"
    for person in ("leader", "zjj_head"):
        with pytest.raises(ServiceError) as caught:
            services.order_issue(
                actor=users[person], tasks=[compounds], unit=compounds.lead_unit, kind="reminder", content="x"
            )
        assert caught.value.code == "forbidden"
    assert not SupervisionOrder.objects.exists()


def test_the_full_cycle_through_the_pages(client_as, users, compounds):
    order = issue(users, compounds)
    url = f"/supervision/orders/{order.pk}/"
    reporter, office = client_as("zjj_reporter"), client_as("office")

    # A response before acknowledging is refused; the reporter acknowledges first.
    page = reporter.get(url).content.decode()
    assert 'data-testid="acknowledge"' in page and 'data-testid="respond-form"' not in page
    assert reporter.post(f"{url}acknowledge/").status_code == 302
    order.refresh_from_db()
    assert order.state == "acknowledged" and order.acknowledged_by == users["zjj_reporter"]

    # A response without text gets a clear message and changes nothing.
    empty = reporter.post(f"{url}respond/", {"text": " "})
    assert empty.status_code == 400 and zh("Write the response before sending it.") in empty.content.decode()
    order.refresh_from_db()
    assert order.state == "acknowledged" and not order.responses.exists()

    photo = SimpleUploadedFile("现场.png", png(), content_type="image/png")
    sent = reporter.post(f"{url}respond/", {"text": "已制定赶工计划", "files": [photo]})
    assert sent.status_code == 302
    order.refresh_from_db()
    assert order.state == "responded" and order.responses.get().attachments.count() == 1
    assert notes(users["office"], "order.responded").count() == 1

    # The office sends it back (a reason is required), the unit answers again, the office verifies and closes.
    assert office.post(f"{url}return/", {"reason": ""}).status_code == 400
    assert office.post(f"{url}return/", {"reason": "请补充照片"}).status_code == 302
    order.refresh_from_db()
    assert order.state == "returned" and order.return_reason == "请补充照片"
    assert order.due_date > timezone.localdate()  # a new due date, counted from today
    assert notes(users["zjj_reporter"], "order.returned").count() == 1
    reporter.post(f"{url}respond/", {"text": "已补充照片"})
    office.post(f"{url}verify/", {"note": "同意"})
    order.refresh_from_db()
    assert order.state == "verified" and order.verified_by == users["office"]
    assert [r.decision for r in order.responses.order_by("pk")] == ["returned", "accepted"]
    office.post(f"{url}close/")
    order.refresh_from_db()
    assert order.state == "closed" and order.closed_at is not None
    assert notes(users["zjj_head"], "order.closed").count() == 1
    verbs = list(
        AuditEvent.objects.filter(object_type="supervision.supervisionorder", object_id=str(order.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "order.issue",
        "order.acknowledge",
        "order.respond",
        "order.return",
        "order.respond",
        "order.verify",
        "order.close",
    ]


def test_a_state_changed_meanwhile_is_refused(users, compounds):
    order = issue(users, compounds)
    services.order_acknowledge(actor=users["zjj_head"], order=order)
    with pytest.raises(ServiceError) as caught:
        services.order_acknowledge(actor=users["zjj_reporter"], order=order)  # the stale page's second click
    assert caught.value.code == "wrong_state"
    with pytest.raises(ServiceError):
        services.order_verify(actor=users["office"], order=order)  # nothing responded yet
    with pytest.raises(ServiceError):
        services.order_close(actor=users["office"], order=order)


def test_a_file_that_is_neither_photo_nor_document_refuses_the_whole_response(users, compounds):
    order = issue(users, compounds)
    services.order_acknowledge(actor=users["zjj_reporter"], order=order)
    with pytest.raises(ServiceError) as caught:
        services.order_respond(
            actor=users["zjj_reporter"],
            order=order,
            text="见附件",
            files=[Upload(png(), "ok.png"), Upload(b"MZ\x90\x00 windows program", "photo.jpg")],
        )
    assert caught.value.field == "files" and "photo.jpg" in caught.value.message
    order.refresh_from_db()
    assert order.state == "acknowledged" and not order.responses.exists()


def test_a_unit_sees_only_its_own_orders(client_as, users, compounds, task_by_object):
    zjj_order = issue(users, compounds)
    fgw_task = task_by_object("核心板块打造")  # 区发改委
    fgw_order = issue(users, fgw_task)
    assert client_as("fgw_reporter").get(f"/supervision/orders/{zjj_order.pk}/").status_code == 404
    assert client_as("fgw_reporter").post(f"/supervision/orders/{zjj_order.pk}/acknowledge/").status_code == 404
    listed = client_as("zjj_head").get("/supervision/orders/?show=all").context["page"].object_list
    assert [o.pk for o in listed] == [zjj_order.pk]
    leader = client_as("leader").get("/supervision/orders/?show=all").context["page"].object_list
    assert {o.pk for o in leader} == {zjj_order.pk, fgw_order.pk}
    # Only the office decides; a unit head cannot verify its own unit's response.
    assert client_as("zjj_head").post(f"/supervision/orders/{zjj_order.pk}/verify/").status_code == 403
    with pytest.raises(ServiceError):
        services.order_acknowledge(actor=users["fgw_reporter"], order=zjj_order)


def test_the_list_counts_follow_the_states(client_as, users, compounds):
    order = issue(users, compounds)
    counts = client_as("zjj_reporter").get("/supervision/orders/").context["counts"]
    assert (counts["open"], counts["responded"], counts["done"], counts["late"]) == (1, 0, 0, 1)
    services.order_acknowledge(actor=users["zjj_reporter"], order=order)
    services.order_respond(actor=users["zjj_reporter"], order=order, text="已整改")
    counts = client_as("zjj_reporter").get("/supervision/orders/").context["counts"]
    assert (counts["open"], counts["responded"], counts["done"]) == (0, 1, 0)


def test_the_notice_downloads_as_docx_within_scope(client_as, users, compounds):
    order = issue(users, compounds, kind="order")
    services.order_acknowledge(actor=users["zjj_head"], order=order)
    response = client_as("zjj_reporter").get(f"/supervision/orders/{order.pk}/docx/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[2].text == order.number
    rows = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert rows["督办类别"] == "督办"
    assert rows["主送单位"] == "郑州市二七区住房和城乡建设局"
    assert rows["签收情况"].startswith("签收人：区住建局负责人")
    assert client_as("fgw_reporter").get(f"/supervision/orders/{order.pk}/docx/").status_code == 404


def test_the_task_page_lists_the_task_orders(client_as, users, compounds):
    order = issue(users, compounds)
    page = client_as("zjj_reporter").get(f"/tasks/{compounds.pk}/").content.decode()
    assert order.number in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_gap_free_numbers():
    """Four workers allocating numbers at once (PostgreSQL: real row locks between connections)."""
    from threading import Barrier, Thread

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with IMMEDIATE transactions; the race needs PostgreSQL")
    barrier, numbers, errors = Barrier(4), [], []

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(services.orders._next_sequence(2030))
        except Exception as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 21))


def test_the_lists_do_not_grow_queries_with_rows(client_as, users, compounds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision.tests.access_rows import make_instruction, make_rectification

    def queries(url: str) -> int:
        client = client_as("office")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    urls = ["/supervision/orders/?show=all", "/supervision/instructions/", "/supervision/rectifications/?show=all"]
    issue(users, compounds)
    make_instruction()
    make_rectification()
    few = [queries(url) for url in urls]
    for _ in range(4):
        issue(users, compounds)
        make_instruction()
        make_rectification()
    assert [queries(url) for url in urls] == few
