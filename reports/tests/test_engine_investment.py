"""The project investment trajectory and stage milestones as engine inputs (reports.engine.investment)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from reports import engine
from reports.engine import InvestmentInput, Light, Report, StagePlan


def _monthly(values, year=2021, approved=True):
    out = []
    for month, value in enumerate(values, start=1):
        end = engine.month_end(year, month)
        day = end + dt.timedelta(days=5)
        out.append(Report(period_end=end, value=value, submitted_on=day, approved_on=day if approved else None))
    return tuple(out)


def test_linear_plan_on_track_is_green():
    inp = InvestmentInput(year=2021, annual_plan=1200, reports=_monthly([100 * m for m in range(1, 7)]))
    result = engine.project_evaluate(inp, dt.date(2021, 7, 8))
    assert result.light is Light.GREEN
    assert result.actual == 600


def test_lagging_investment_turns_red_at_type_threshold():
    inp = InvestmentInput(year=2021, annual_plan=1200, reports=_monthly([50 * m for m in range(1, 7)]))
    result = engine.project_evaluate(
        inp, dt.date(2021, 7, 8), engine.Thresholds(lag_yellow_percent=10, lag_red_percent=20)
    )
    assert result.light is Light.RED
    lenient = engine.project_evaluate(
        inp,
        dt.date(2021, 7, 8),
        engine.Thresholds(lag_yellow_percent=60, lag_red_percent=80, projection_tolerance_percent=200),
    )
    assert lenient.light is not Light.RED


def test_monthly_profile_bends_the_plan():
    profile = (0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0)
    inp = InvestmentInput(year=2021, annual_plan=1000, monthly_profile=profile)
    planned = dict(engine.planned_by_month(inp))
    assert planned[dt.date(2021, 3, 31)] == 0
    assert round(planned[dt.date(2021, 6, 30)]) == 300
    assert planned[dt.date(2021, 12, 31)] == 1000
    # A slow first quarter is on plan with this profile: nothing was expected yet.
    slow = InvestmentInput(year=2021, annual_plan=1000, monthly_profile=profile, reports=_monthly([0, 0, 0]))
    assert engine.project_evaluate(slow, dt.date(2021, 4, 8)).light is Light.GREEN


def test_late_stage_is_red_even_when_investment_is_on_plan():
    stages = (StagePlan(index=2, planned_on=dt.date(2021, 4, 30)),)
    inp = InvestmentInput(year=2021, annual_plan=1200, reports=_monthly([100 * m for m in range(1, 7)]), stages=stages)
    assert engine.project_evaluate(inp, dt.date(2021, 4, 30)).light is Light.GREEN  # the planned day itself: still time
    result = engine.project_evaluate(inp, dt.date(2021, 7, 8))
    assert result.light is Light.RED and result.late_stages == (2,)
    reached = (StagePlan(index=2, planned_on=dt.date(2021, 4, 30), reached_on=dt.date(2021, 5, 10)),)
    inp2 = InvestmentInput(year=2021, annual_plan=1200, reports=inp.reports, stages=reached)
    assert engine.project_evaluate(inp2, dt.date(2021, 5, 5)).late_stages == (2,)  # not reached yet on that day
    assert engine.project_evaluate(inp2, dt.date(2021, 7, 8)).late_stages == ()


def test_outside_the_plan_year_only_stages_count():
    inp = InvestmentInput(year=2021, annual_plan=1200)
    result = engine.project_evaluate(inp, dt.date(2022, 3, 1))
    assert result.investment is None and result.light is Light.GREEN


def test_unapproved_reports_do_not_count():
    inp = InvestmentInput(year=2021, annual_plan=1200, reports=_monthly([100 * m for m in range(1, 7)], approved=False))
    assert engine.project_evaluate(inp, dt.date(2021, 7, 8)).actual == 0


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=12, max_size=12), st.floats(min_value=1, max_value=1e7))
def test_planned_by_month_never_decreases_and_ends_at_the_plan(shares, annual):
    profile = tuple(sorted(shares[:11])) + (1.0,)
    planned = [
        v for _, v in engine.planned_by_month(InvestmentInput(year=2021, annual_plan=annual, monthly_profile=profile))
    ]
    assert all(a <= b + 1e-6 for a, b in zip(planned, planned[1:], strict=False))
    assert abs(planned[-1] - annual) < 1e-6 * annual


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2023, 12, 31)))
def test_reached_stage_is_never_reported_before_it_happens(as_of):
    stages = (
        StagePlan(0, dt.date(2021, 1, 1), dt.date(2021, 2, 1)),
        StagePlan(1, dt.date(2021, 6, 1), dt.date(2021, 9, 1)),
    )
    reached = engine.stage_reached(stages, as_of)
    if as_of < dt.date(2021, 2, 1):
        assert reached is None
    elif as_of < dt.date(2021, 9, 1):
        assert reached == 0
    else:
        assert reached == 1
