"""Supervision targets any object: the registry, refusals, and a second kind end to end.

The second kind is registered here against an existing model (org.Unit, "a unit as the
supervised object"), exactly as projects and enterprises register theirs in their ready():
orders, instructions, inspections, findings, the panel, the .docx, the API and escalation
all work on it with no code of its own.
"""

import datetime as dt
import io

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from docx import Document

from core.errors import ServiceError
from core.workcalendar import work_calendar
from notifications.models import Notification
from org.models import Unit
from supervision import services
from supervision.models import Finding, Instruction, OrderTarget, SupervisionOrder
from supervision.selectors import supervision_on_target
from supervision.targets import (
    TargetKind,
    parse_target,
    register_target_kind,
    target_get_for_user,
    target_kind,
    target_kind_of,
    target_ref,
    unregister_target_kind,
)
from supervision.tests.test_api import api  # noqa: F401  (the token client fixture)

pytestmark = pytest.mark.django_db

KEY = "test_unit"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def unit_kind(users):
    """A test-only kind: units as supervised objects. Only 区住建局 is visible (to anyone), so 区发改委 is
    "outside the scope" of every user; its responsible leader is 分管城建副区长 (leader_cj)."""
    kind = register_target_kind(
        TargetKind(
            key=KEY,
            model=Unit,
            label="单位事项",
            visible_to=lambda user: Unit.objects.filter(code="zjj"),
            units=lambda unit: [unit],
            title=lambda unit: f"{unit.code} {unit.name}",
            url=lambda unit: reverse("org:unit_edit", kwargs={"pk": unit.pk}),
            leaders=lambda unit: [users["leader_cj"]],
        )
    )
    yield kind
    unregister_target_kind(KEY)


@pytest.fixture
def zjj(db):
    return Unit.objects.get(code="zjj")


@pytest.fixture
def fgw(db):
    return Unit.objects.get(code="fgw")


def test_the_task_kind_is_registered_by_supervision_and_refs_round_trip(task_by_object, users):
    task = task_by_object("老旧小区改造提升")
    kind = target_kind("task")
    assert target_kind_of(task) is kind and target_ref(task) == ("task", task.pk)
    assert kind.units(task)[0] == task.lead_unit and kind.title(task).startswith(task.code)
    assert kind.url(task) == f"/tasks/{task.pk}/"
    assert target_get_for_user(users["zjj_reporter"], "task", task.pk) == task
    # A unit reader of another unit does not see it: 404, as every access helper.
    from django.http import Http404

    with pytest.raises(Http404):
        target_get_for_user(users["fgw_reporter"], "task", task.pk)


def test_an_unknown_kind_is_refused_with_a_clear_message(client_as, api):  # noqa: F811
    with pytest.raises(LookupError, match="unknown target kind 'nope'; known: .*task"):
        target_kind("nope")
    with pytest.raises(LookupError):
        target_kind_of(Notification())
    with pytest.raises(ServiceError) as refused:
        parse_target("nope:3")
    assert refused.value.field == "target" and "nope" in refused.value.message
    with pytest.raises(ServiceError):
        parse_target("task-3")
    # The pages answer 400 with the message, the API 400 naming the field; nothing is created.
    page = client_as("office").get("/supervision/orders/new/?target=nope:3")
    assert page.status_code == 400 and "nope" in page.content.decode()
    leader = client_as("leader").get("/supervision/instructions/new/?target=nope:3")
    assert leader.status_code == 400
    assert zh("Unknown kind of object “%(key)s”; use one of: %(known)s.")[:6] in leader.content.decode()
    refused_api = api.post("/orders", {"targets": [{"kind": "nope", "id": 3}], "content": "x"})
    assert refused_api.status_code == 400 and refused_api.json()["field"] == "targets"
    assert not SupervisionOrder.objects.exists()


def test_a_kind_cannot_take_a_key_or_model_already_registered(unit_kind):
    from plans.models import Plan, Task

    with pytest.raises(ValueError, match="already registered"):
        register_target_kind(TargetKind("task", Plan, "x", lambda u: Plan.objects.all(), list, str, str))
    with pytest.raises(ValueError, match="already registered"):
        register_target_kind(TargetKind("other", Task, "x", lambda u: Task.objects.all(), list, str, str))
    assert register_target_kind(unit_kind) is unit_kind  # the same again: idempotent


def test_an_object_outside_the_issuers_scope_is_404_on_issue(unit_kind, fgw, client_as, api):  # noqa: F811
    office = client_as("office")
    assert office.get(f"/supervision/orders/new/?target={KEY}:{fgw.pk}").status_code == 404
    posted = office.post(
        "/supervision/orders/new/",
        {"targets": f"{KEY}:{fgw.pk}", "unit": fgw.pk, "kind": "reminder", "content": "x", "response_workdays": 5},
    )
    assert posted.status_code == 404
    assert api.post("/orders", {"targets": [{"kind": KEY, "id": fgw.pk}], "content": "x"}).status_code == 404
    assert client_as("leader").get(f"/supervision/instructions/new/?target={KEY}:{fgw.pk}").status_code == 404
    assert client_as("leader").get(f"/supervision/instructions/new/{KEY}/{fgw.pk}/").status_code == 404
    assert not SupervisionOrder.objects.exists() and not Instruction.objects.exists()


def test_the_service_checks_the_target_again(unit_kind, users, fgw):
    with pytest.raises(ServiceError) as refused:
        services.order_issue(actor=users["office"], targets=[fgw], unit=fgw, kind="reminder", content="x")
    assert refused.value.field == "targets"
    with pytest.raises(ServiceError):  # a model no kind was registered for
        services.order_issue(actor=users["office"], targets=[users["office"]], unit=fgw, kind="reminder", content="x")
    assert not SupervisionOrder.objects.exists()


def test_an_order_on_another_kind_goes_round_the_whole_cycle(unit_kind, zjj, users, client_as):
    office = client_as("office")
    form = office.get(f"/supervision/orders/new/?target={KEY}:{zjj.pk}")
    assert form.status_code == 200
    assert form.context["form"].initial["unit"] == zjj.pk  # the kind's lead unit
    assert f'data-testid="order-target-{KEY}-{zjj.pk}"' in form.content.decode()
    response = office.post(
        "/supervision/orders/new/",
        {
            "targets": f"{KEY}:{zjj.pk}",
            "unit": zjj.pk,
            "kind": "reminder",
            "content": "单位事项推进滞后，请反馈。",
            "response_workdays": 5,
        },
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/orders/{order.pk}/"
    assert order.target_objects() == [zjj]
    link = OrderTarget.objects.get()
    assert (link.target_type.model, link.target_id) == ("unit", zjj.pk)
    # The unit is notified as for a task; the page, the list and the .docx name the object.
    assert Notification.objects.filter(recipient=users["zjj_reporter"], kind="order.issued").exists()
    page = client_as("zjj_reporter").get(f"/supervision/orders/{order.pk}/").content.decode()
    assert f"zjj {zjj.name}" in page and "单位事项" in page
    assert f"zjj {zjj.name}" in office.get("/supervision/orders/?show=all").content.decode()
    docx = Document(io.BytesIO(office.get(f"/supervision/orders/{order.pk}/docx/").content))
    assert any(f"zjj {zjj.name}" in cell.text for t in docx.tables for row in t.rows for cell in row.cells)
    # The unit acknowledges and responds, the office verifies: the same cycle as on a task.
    unit = client_as("zjj_reporter")
    unit.post(f"/supervision/orders/{order.pk}/acknowledge/")
    unit.post(f"/supervision/orders/{order.pk}/respond/", {"text": "已整改"})
    office.post(f"/supervision/orders/{order.pk}/verify/", {"note": "同意"})
    order.refresh_from_db()
    assert order.state == "verified"


def test_escalation_reaches_the_kinds_responsible_leader(unit_kind, zjj, users):
    order = services.order_issue(
        actor=users["office"],
        targets=[zjj],
        unit=zjj,
        kind="reminder",
        content="x",
        issued_on=dt.date(2021, 9, 30),
    )
    assert order.due_date == dt.date(2021, 10, 13)
    result = services.order_escalate(order=order, today=dt.date(2021, 10, 20))  # 5 working days late
    assert result is not None and result.decision.workdays_late == 5
    assert Notification.objects.filter(recipient=users["leader_cj"], kind="order.late", object_id=str(order.pk))


def test_the_api_issues_and_reads_an_order_on_any_kind(unit_kind, zjj, task_by_object, api):  # noqa: F811
    task = task_by_object("老旧小区改造提升")
    created = api.post(
        "/orders",
        {"targets": [{"kind": KEY, "id": zjj.pk}], "task_ids": [task.pk], "content": "合并督办", "kind": "order"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["unit_id"] == zjj.pk and body["task_ids"] == [task.pk]
    assert [(t["kind"], t["id"]) for t in body["targets"]] == [(KEY, zjj.pk), ("task", task.pk)]
    assert body["targets"][0]["title"] == f"zjj {zjj.name}" and body["targets"][1]["url"] == f"/tasks/{task.pk}/"
    # The task route keeps its fields, and adds the targets.
    on_task = api.post(f"/tasks/{task.pk}/orders", {"kind": "order", "response_workdays": 3}).json()
    assert on_task["task_ids"] == [task.pk] and on_task["targets"][0]["kind"] == "task"


def test_instructions_inspections_and_findings_on_another_kind(unit_kind, zjj, users, client_as, api):  # noqa: F811
    leader = client_as("leader_cj")
    redirect = leader.get(f"/supervision/instructions/new/?target={KEY}:{zjj.pk}")
    assert redirect.status_code == 302 and redirect["Location"] == f"/supervision/instructions/new/{KEY}/{zjj.pk}/"
    form = leader.get(redirect["Location"])
    assert form.context["form"].initial["unit"] == zjj and "单位事项" in form.content.decode()
    due = work_calendar().add_workdays(timezone.localdate(), 5)
    leader.post(redirect["Location"], {"text": "请抓紧", "due_date": due.isoformat(), "unit": zjj.pk})
    instruction = Instruction.objects.get()
    assert instruction.target == zjj and instruction.followup.unit == zjj
    body = api.get(f"/instructions/{instruction.pk}").json()
    assert (body["target_type"], body["target_id"], body["target"]["kind"]) == (KEY, zjj.pk, KEY)
    # The office visits the object and records a finding about it.
    api.as_user = "office"
    visit = api.post(
        "/inspections",
        {
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": "督查室",
            "place": "现场",
            "targets": [{"kind": KEY, "id": zjj.pk}],
        },
    ).json()
    assert [t["kind"] for t in visit["targets"]] == [KEY]
    finding = api.post(
        f"/inspections/{visit['id']}/findings", {"text": "台账不全", "target": {"kind": KEY, "id": zjj.pk}}
    ).json()
    assert finding["target"]["id"] == zjj.pk and finding["task_id"] is None
    assert Finding.objects.get().target == zjj
    # Everything shows on the object's own panel, with buttons prefilled with the target.
    on = supervision_on_target(users["office"], zjj)
    assert [i.pk for i in on.instructions] == [instruction.pk] and len(on.inspections) == 1
    assert on.issue_url == f"/supervision/orders/new/?target={KEY}:{zjj.pk}"
    request = RequestFactory().get("/")
    request.user = users["office"]
    html = Template("{% load supervision %}{% supervision_on obj %}").render(Context({"request": request, "obj": zjj}))
    assert f'data-testid="on-target-{KEY}"' in html and f"?target={KEY}:{zjj.pk}" in html
    # A unit reader sees the orders and instructions addressed to it, not the office's inspection records.
    assert supervision_on_target(users["zjj_reporter"], zjj).inspections == []
