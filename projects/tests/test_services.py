"""Projects: register, monthly report life cycle, lights as of a date, problems, measures, rollups."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ServiceError
from core.measures import MeasureScope, get_measure
from org.models import Unit
from projects import selectors, services
from projects import status as project_status
from projects.demo import load_demo_projects
from projects.models import Project, ProjectProblem, ProjectReport
from projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _file(project, users, month, amount, *, stage=None, on=None):
    return services.report_file(
        actor=users["zjj_reporter"], project=project, month=month, amount_month=Decimal(amount),
        progress_text=f"{month:%m}月施工推进", submit=True, stage_index=stage, stage_reached_on=on,
        stage_evidence="开工令" if stage is not None else "",
    )  # fmt: skip


def test_report_life_cycle_feeds_the_light(users):
    today = timezone.localdate()
    year = today.year
    project = make_project(year=year, annual=Decimal("1200"), stage_dates=[None, None, None, None, None])
    month = dt.date(year, 1, 31)
    report = _file(project, users, month, 100)
    assert report.state == ProjectReport.State.SUBMITTED and report.amount_year == 100
    # Not counted before the head approves.
    assert project_status.project_results([project], today)[project.pk].actual == 0
    with pytest.raises(ServiceError):
        services.report_approve(actor=users["fgw_reporter"], report=report)
    services.report_return(actor=users["zjj_head"], report=report, reason="数据有误")
    report.refresh_from_db()
    assert report.state == ProjectReport.State.RETURNED
    report = _file(project, users, month, 150)
    services.report_approve(actor=users["zjj_head"], report=report)
    assert project_status.project_results([project], today)[project.pk].actual == 150
    # The cumulative of the year is the sum of the months, whatever the unit types.
    second = _file(project, users, dt.date(year, 2, 28), 50)
    assert second.amount_year == 200


def test_only_the_lead_units_reporter_files(users):
    project = make_project(co_unit_codes=["fgw"])
    with pytest.raises(ServiceError):
        _file(project, {"zjj_reporter": users["fgw_reporter"]}, dt.date(2021, 3, 31), 10)
    assert not ProjectReport.objects.filter(project=project).exists()


def test_bad_values_are_refused_with_the_field(users):
    project = make_project()
    with pytest.raises(ServiceError) as err:
        _file(project, users, dt.date(2021, 3, 31), -5)
    assert err.value.field == "amount_month"
    with pytest.raises(ServiceError) as err:
        _file(project, users, dt.date(2021, 3, 31), 5, stage=9, on=dt.date(2021, 3, 1))
    assert err.value.field == "stage_index"
    assert not ProjectReport.objects.filter(project=project, state="submitted").exists()


def test_stage_reached_is_recorded_on_approval_and_read_as_of(users):
    year = timezone.localdate().year
    project = make_project(year=year, stage_dates=[None, None, dt.date(year, 1, 10), None, None])
    report = _file(project, users, dt.date(year, 1, 31), 10, stage=2, on=dt.date(year, 1, 20))
    before = project_status.project_results([project], timezone.localdate())[project.pk]
    assert before.late_stages == (2,)  # submitted, not yet approved: not known
    services.report_approve(actor=users["zjj_head"], report=report)
    project.refresh_from_db()
    assert project.stage_index == 2
    after = project_status.project_results([project], timezone.localdate())[project.pk]
    assert after.late_stages == ()
    # Earlier stages are implied.
    assert project.stages.filter(index__lt=2, reached_on=dt.date(year, 1, 20)).count() == 2


def test_access_unit_scope(users):
    project = make_project(co_unit_codes=["fgw"])
    other = make_project(code="XM-T-002", unit_code="jyj")
    assert set(selectors.projects_for_user(users["zjj_head"])) == {project}
    assert set(selectors.projects_for_user(users["fgw_reporter"])) == {project}
    assert {project, other} <= set(selectors.projects_for_user(users["leader"]))
    assert not selectors.projects_for_user(users["outsider"]).exists()
    assert not selectors.projects_for_user(users["sysadmin"]).exists()


def test_problem_deadline_in_working_days_and_escalation(users, client_as):
    project = make_project()
    unit = Unit.objects.get(code="fgw")
    problem = services.problem_raise(
        actor=users["zjj_reporter"], project=project, category="land", description="用地手续", unit=unit, workdays=5,
        raised_on=dt.date(2021, 9, 30),
    )  # fmt: skip
    # 2021-10-01..07 is the National Day holiday: five working days from 30 Sep end on 14 Oct (9 Oct is a make-up day).
    assert problem.deadline > dt.date(2021, 10, 7)
    assert services.problems_escalate(today=problem.deadline) == 0
    assert services.problems_escalate(today=problem.deadline + dt.timedelta(days=1)) == 1
    assert services.problems_escalate(today=problem.deadline + dt.timedelta(days=1)) == 0  # once a day
    problem.refresh_from_db()
    assert problem.escalation_level == 1
    from notifications.models import Notification

    for days in (2, 3):
        services.problems_escalate(today=problem.deadline + dt.timedelta(days=days))
    proposal = Notification.objects.get(kind="project_problem.order_proposed", recipient=users["office"])
    assert proposal.url.endswith(f"?target=project_problem:{problem.pk}")
    page = client_as("office").get(proposal.url)
    assert page.status_code == 200 and "用地手续" in page.content.decode()
    with pytest.raises(ServiceError):
        services.problem_resolve(actor=users["zjj_reporter"], problem=problem, resolution="已办结")
    services.problem_resolve(actor=users["fgw_reporter"], problem=problem, resolution="已办结")
    problem.refresh_from_db()
    assert problem.state == ProjectProblem.State.RESOLVED


def test_register_refuses_bad_input_by_field():
    with pytest.raises(ServiceError) as err:
        make_project(annual=Decimal("20000"))
    assert err.value.field == "annual_plan"
    with pytest.raises(ServiceError) as err:
        make_project(stage_dates=[dt.date(2021, 5, 1), dt.date(2021, 1, 1)])
    assert err.value.field == "stage_dates"
    assert not Project.objects.filter(code="XM-T-001").exists()


def test_demo_measures_rollups_and_schedule(users):
    today = timezone.localdate()
    assert load_demo_projects(today) >= 55
    assert load_demo_projects(today) == 0
    office = users["office"]
    year_start = dt.date(today.year, 1, 1)
    count = get_measure("projects.count")
    started = count.value(MeasureScope(start=year_start, end=today, params=(("stage", "开工"),)))
    assert started == count.rows(MeasureScope(start=year_start, end=today, params=(("stage", "开工"),))).count()
    assert 0 < started < Project.objects.count()
    invest = get_measure("projects.investment_completed")
    scope = MeasureScope(start=year_start, end=today)
    assert invest.value(scope) == sum(r.amount_month for r in invest.rows(scope)) > 0
    rollup = selectors.project_rollup(office, today, "block")
    assert sum(g.count for g in rollup) == Project.objects.filter(tags__kind="block").count()
    assert all(g.start_rate is None or 0 <= g.start_rate <= 1 for g in rollup)
    assert any(g.red for g in rollup)
    schedule = list(selectors.schedule_list(office, today))
    assert schedule and ProjectProblem.objects.filter(escalation_level__gte=2, project__in=schedule).exists()
    # As of the first day of the year nothing was started this year and nothing invested yet.
    early = selectors.project_rollup(office, year_start, "type")
    assert sum(g.actual for g in early) == 0
    # Lights filter agrees with the stored statuses.
    red = selectors.project_list(office, selectors.ProjectFilters(light="red"), today)
    results = project_status.project_results(red, today)
    assert results and all(r.light.value == "red" for r in results.values())


def test_investment_by_month_sums_linear_and_profiled_plans(users):
    year = 2021
    make_project(code="XM-L1", annual=Decimal("1200"))
    make_project(code="XM-L2", annual=Decimal("2400"))
    profiled = make_project(code="XM-P1", annual=Decimal("1000"))
    profile = [0, 0, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0]
    Project.objects.filter(pk=profiled.pk).update(monthly_profile=profile)
    rows = selectors.investment_by_month(Project.objects.filter(code__startswith="XM-"), year, dt.date(2021, 12, 31))
    from reports import engine

    expected = [
        a + b + c
        for (_, a), (_, b), (_, c) in zip(
            engine.planned_by_month(engine.InvestmentInput(year=year, annual_plan=1200)),
            engine.planned_by_month(engine.InvestmentInput(year=year, annual_plan=2400)),
            engine.planned_by_month(
                engine.InvestmentInput(year=year, annual_plan=1000, monthly_profile=tuple(profile))
            ),
            strict=True,
        )
    ]
    assert [r["planned"] for r in rows] == [round(x, 2) for x in expected]
    assert rows[2]["planned"] < rows[3]["planned"] and rows[-1]["planned"] == 4600
