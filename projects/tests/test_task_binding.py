"""A task bound to a projects measure (数值来自记录): its actual and light follow the project records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from plans import services as plan_services
from plans.models import Task
from projects import services
from projects.tests.factories import make_project
from reports.selectors import reporting_inbox
from reports.snapshots import statuses_on
from reports.status import measured_rows, task_periods, task_statuses

pytestmark = pytest.mark.django_db

ROADS = "“一环十横十纵”二期道路"  # a demo key task led by 区住建局 (zjj)


def _bind(task, users, **params):
    return plan_services.task_bind_measure(
        actor=users["office"], task=task, measure_key="projects.count", measure_params={"task": task.code, **params}
    )


def _started_project(task, users, code: str):
    """A project serving `task` whose report, filed for January, says it started (开工) on 20 January."""
    project = make_project(code=code, year=2021, tasks=[task])
    report = services.report_file(
        actor=users["zjj_reporter"], project=project, month=dt.date(2021, 1, 31), amount_month=Decimal(10),
        progress_text="1月开工", submit=True, stage_index=2, stage_reached_on=dt.date(2021, 1, 20),
        stage_evidence="开工令",
    )  # fmt: skip
    return project, report


def test_binding_is_validated_against_the_registry(users, task_by_object):
    task = task_by_object(ROADS)
    with pytest.raises(ServiceError) as err:
        plan_services.task_bind_measure(actor=users["office"], task=task, measure_key="no.such", measure_params={})
    assert err.value.field == "measure_key" and "no.such" in err.value.message
    with pytest.raises(ServiceError) as err:
        plan_services.task_bind_measure(
            actor=users["office"], task=task, measure_key="projects.count", measure_params={"colour": "red"}
        )
    assert err.value.field == "measure_params" and "colour" in err.value.message
    with pytest.raises(ServiceError) as err:
        plan_services.task_bind_measure(actor=users["zjj_reporter"], task=task, measure_key="", measure_params={})
    assert err.value.code == "forbidden"
    task.refresh_from_db()
    assert task.measure_key == "" and task.measure_params == {}


def test_bound_task_follows_project_records_as_of_a_date(users, task_by_object):
    task = task_by_object(ROADS)
    _bind(task, users, stage="开工")
    task = Task.objects.with_plan("node").get(pk=task.pk)
    today = timezone.localdate()
    assert task_statuses([task], today)[task.pk].actual == 0
    assert statuses_on(today, [task])[task.pk].actual == 0  # stored now, must move with the records
    project, report = _started_project(task, users, "XM-B-001")
    # Submitted, not approved: the start is not known yet.
    assert task_statuses([task], today)[task.pk].actual == 0
    services.report_approve(actor=users["zjj_head"], report=report)
    assert task_statuses([task], today)[task.pk].actual == 1
    assert statuses_on(today, [task])[task.pk].actual == 1
    # A project serving another task does not count.
    other = task_by_object("小微企业园新启动建设")
    _, other_report = _started_project(other, users, "XM-B-002")
    services.report_approve(actor=users["zjj_head"], report=other_report)
    assert task_statuses([task], today)[task.pk].actual == 1
    # As of yesterday the approval (today) was not recorded: the record after the as-of date is ignored.
    yesterday = today - dt.timedelta(days=1)
    assert task_statuses([task], yesterday)[task.pk].actual == 0
    shown = measured_rows(task, today)
    assert shown is not None and shown.count == 1 and shown.value == 1
    assert shown.rows == [(f"{project.code} {project.name}", reverse("projects:detail", args=[project.pk]))]
    assert measured_rows(task, yesterday).count == 0


def test_bound_task_is_not_due_for_reports(users):
    day = dt.date(2021, 6, 10)
    due = reporting_inbox(users["zjj_reporter"], day)
    assert due  # the unit has tasks due for reports that day
    task = due[0].task
    assert task_periods(task)
    _bind(task, users)
    task.refresh_from_db()
    assert task_periods(task) == []
    assert task.pk not in {row.task.pk for row in reporting_inbox(users["zjj_reporter"], day)}
    # No reporting calendar: never "missing" however long nobody reports.
    assert task_statuses([task], dt.date(2021, 9, 30))[task.pk].status.value != "missing"


def test_detail_lists_the_rows_and_the_form_binds(users, task_by_object, client_as):
    task = task_by_object(ROADS)
    project, report = _started_project(task, users, "XM-B-003")
    services.report_approve(actor=users["zjj_head"], report=report)
    office = client_as("office")
    edit = reverse("plans:task_edit", args=[task.pk])
    form = office.get(edit).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["co_units"] = [u.pk for u in data["co_units"]]
    data["tags"] = [t.pk for t in data["tags"]]
    data["responsible_post"], data["lead_unit"] = task.responsible_post_id, task.lead_unit_id
    # A parameter the measure does not take: refused, naming the field; nothing written.
    bad = office.post(edit, {**data, "measure_key": "projects.count", "measure_params": "colour=red"})
    assert bad.status_code == 400 and "colour" in bad.content.decode()
    task.refresh_from_db()
    assert task.measure_key == ""
    bad_line = office.post(edit, {**data, "measure_key": "projects.count", "measure_params": "stage"})
    assert bad_line.status_code == 400 and "stage=开工" in bad_line.content.decode()
    ok = office.post(edit, {**data, "measure_key": "projects.count", "measure_params": f"task={task.code}\nstage=开工"})
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.measure_key == "projects.count" and task.measure_params == {"task": task.code, "stage": "开工"}
    response = office.get(reverse("plans:task_detail", args=[task.pk]))
    assert response.context["chart"]["actual"] == [[timezone.localdate().isoformat(), 1.0]]
    page = response.content.decode()
    assert "数值来自记录" in page and project.name in page
    assert reverse("projects:detail", args=[project.pk]) in page
