"""The report form and the approval pages show the plan for the period, the last approved value, the change
and the stale flags; values read without trailing zeros."""

from decimal import Decimal

import pytest

from plans.models import Task
from reports import engine, services
from reports.models import ProgressReport
from reports.status import engine_inputs, task_periods

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_compounds(task_by_object) -> Task:
    return task_by_object("老旧小区改造提升")


def last_approved(task: Task) -> ProgressReport:
    return ProgressReport.objects.filter(task=task, is_lead=True, state="approved").latest("period_end")


def next_period(task: Task):
    after = last_approved(task).period_end
    return next(p for p in task_periods(task) if p.end > after)


def start(users, task: Task, period) -> ProgressReport:
    return services.report_start(actor=users["zjj_reporter"], task=task, period_end=period.end, due_date=period.due)


def test_the_form_shows_planned_previous_and_change_and_the_value_without_trailing_zeros(
    client_as, users, old_compounds
):
    period = next_period(old_compounds)
    previous = last_approved(old_compounds)
    report = start(users, old_compounds, period)
    report = services.report_save(actor=users["zjj_reporter"], report=report, value=Decimal("226"), narrative="草稿")
    response = client_as("zjj_reporter").get(f"/reports/{report.pk}/edit/")
    ctx = response.context["ctx"]
    planned = engine.planned_on(engine_inputs([old_compounds])[old_compounds.pk], period.end)
    assert ctx.planned == round(planned, 2)
    assert ctx.previous == previous.value and ctx.previous_period_end == previous.period_end
    assert ctx.change == Decimal("226") - previous.value
    page = response.content.decode()
    assert 'value="226"' in page and "226.0000" not in page
    assert 'data-testid="planned"' in page and 'data-testid="previous"' in page
    assert f"+{Decimal('226') - previous.value:f}".rstrip("0").rstrip(".") in page


def test_the_head_sees_the_change_and_a_copied_narrative_before_approving(client_as, users, old_compounds):
    previous = last_approved(old_compounds)
    report = start(users, old_compounds, next_period(old_compounds))
    services.report_save(
        actor=users["zjj_reporter"], report=report, value=previous.value + 5, narrative=previous.narrative, submit=True
    )
    response = client_as("zjj_head").get("/reports/approvals/")
    (row, ctx) = next((r, c) for r, c in response.context["rows"] if r.pk == report.pk)
    assert ctx.change == 5 and ctx.planned is not None
    page = response.content.decode()
    assert f'data-testid="flag-{old_compounds.code}"' in page  # flagged on submission, not only on approval
    detail = client_as("zjj_head").get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="stale-flags"' in detail and 'data-testid="planned"' in detail


def test_a_co_operating_units_report_shows_no_task_plan(users):
    from reports.selectors import report_contexts

    unit = users["zjj_reporter"].unit
    task = Task.objects.filter(co_units=unit).exclude(lead_unit=unit).first()  # 区住建局 co-operates on it
    report = start(users, task, task_periods(task)[-1])
    assert not report.is_lead
    assert report_contexts([report])[report.pk].planned is None
