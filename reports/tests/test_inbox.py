"""我的填报 and the home page's 待报送: a period leaves once its report is with the head or approved,
and a returned report stays until it is resubmitted, whatever its age."""

from decimal import Decimal

import pytest

from plans.models import Task
from reports import services
from reports.models import ProgressReport
from reports.status import task_periods

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_compounds(task_by_object) -> Task:
    return task_by_object("老旧小区改造提升")


def rows_for(client, task: Task) -> dict:
    """period end → inbox row of the task on 我的填报."""
    return {r.period.end: r for r in client.get("/reports/").context["rows"] if r.task.pk == task.pk}


def home_due_count(client) -> int:
    """The number on the home page's 待报送 card (it lists the first eight)."""
    return client.get("/").context["due_count"]


def submit(users, task: Task, period, value=Decimal(200)) -> ProgressReport:
    report = services.report_start(actor=users["zjj_reporter"], task=task, period_end=period.end, due_date=period.due)
    return services.report_save(
        actor=users["zjj_reporter"], report=report, value=value, narrative="已完成200个小区", submit=True
    )


def test_a_submitted_then_approved_report_clears_its_period_from_my_reporting_and_home(client_as, users, old_compounds):
    reporter = client_as("zjj_reporter")
    listed = rows_for(reporter, old_compounds)
    end = max(listed)  # the 2021 plan is long past: its last periods are overdue
    assert listed[end].overdue and listed[end].to_do
    due_before = home_due_count(reporter)
    report = submit(users, old_compounds, listed[end].period)
    assert end not in rows_for(reporter, old_compounds)
    assert home_due_count(reporter) == due_before - 1
    services.report_approve(actor=users["zjj_head"], report=report)
    assert end not in rows_for(reporter, old_compounds)
    assert home_due_count(reporter) == due_before - 1


def test_a_returned_report_of_a_past_period_stays_listed_until_resubmitted(client_as, users, old_compounds):
    reporter = client_as("zjj_reporter")
    period = rows_for(reporter, old_compounds)[max(rows_for(reporter, old_compounds))].period
    due_before = home_due_count(reporter)
    report = submit(users, old_compounds, period)
    services.report_return(actor=users["zjj_head"], report=report, reason="请补充照片")
    row = rows_for(reporter, old_compounds)[period.end]
    assert row.report.pk == report.pk and row.report.state == "returned" and row.to_do
    assert home_due_count(reporter) == due_before
    detail = reporter.get(f"/reports/{report.pk}/").content.decode()
    assert f'href="/reports/{report.pk}/edit/"' in detail and 'data-testid="edit-report"' in detail
    report.refresh_from_db()
    services.report_save(
        actor=users["zjj_reporter"], report=report, value=Decimal(210), narrative="已补充照片", submit=True
    )
    assert period.end not in rows_for(reporter, old_compounds)
    assert 'data-testid="edit-report"' not in reporter.get(f"/reports/{report.pk}/").content.decode()


def test_a_returned_report_is_listed_whatever_its_age(client_as, users, old_compounds):
    first = task_periods(old_compounds)[0]  # months before the last four periods the list shows by date
    report = ProgressReport.objects.filter(task=old_compounds, unit=users["zjj_reporter"].unit, period_end=first.end)
    report = report.first() or submit(users, old_compounds, first, value=Decimal(10))
    if report.state == "approved":
        report.state = "submitted"
        report.save(update_fields=["state"])
    elif report.state != "submitted":
        report = services.report_save(
            actor=users["zjj_reporter"], report=report, value=Decimal(10), narrative="x", submit=True
        )
    services.report_return(actor=users["zjj_head"], report=report, reason="数据有误")
    assert rows_for(client_as("zjj_reporter"), old_compounds)[first.end].report.pk == report.pk


def test_a_head_without_the_reporter_role_sees_no_revise_link(client_as, users, old_compounds):
    period = task_periods(old_compounds)[-1]
    report = submit(users, old_compounds, period)
    services.report_return(actor=users["zjj_head"], report=report, reason="请补充")
    assert 'data-testid="edit-report"' not in client_as("zjj_head").get(f"/reports/{report.pk}/").content.decode()
