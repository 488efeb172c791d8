"""Invariants of the status engine, checked on generated tasks (hypothesis).

The generated tasks are deliberately untidy (milestones out of order or over
the target, reports before the start, corrections, late approvals), because
the engine promises that no stored data can crash it or bend its rules.
"""

import dataclasses
import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.engine import (
    REASON_LIGHTS,
    Cadence,
    Judgement,
    Light,
    Likelihood,
    Milestone,
    Reason,
    Report,
    ReportingPeriod,
    Status,
    TaskInput,
    Thresholds,
    Trajectory,
    evaluate,
    rollup,
)

D = dt.date
DAY = dt.timedelta(days=1)
# No per-example deadline: CI machines are small and slow examples are not failures.
PROPERTY = settings(deadline=None, max_examples=150)


@st.composite
def thresholds(draw) -> Thresholds:
    yellow = draw(st.floats(0, 50))
    return Thresholds(
        lag_yellow_percent=yellow,
        lag_red_percent=draw(st.floats(yellow, 80)),
        projection_tolerance_percent=draw(st.floats(0, 50)),
        velocity_window_days=draw(st.integers(1, 200)),
        min_velocity_span_days=draw(st.integers(1, 60)),
    )


def around(start: dt.date, deadline: dt.date):
    """Dates from a month before the start to two months after the deadline."""
    return st.dates(min_value=start - 30 * DAY, max_value=deadline + 60 * DAY)


@st.composite
def reports(draw, start: dt.date, deadline: dt.date, target: float) -> list[Report]:
    rows = []
    for _ in range(draw(st.integers(0, 25))):
        period_end = draw(around(start, deadline))
        submitted_on = period_end + draw(st.integers(-3, 30)) * DAY
        approval_delay = draw(st.none() | st.integers(0, 20))
        approved_on = None if approval_delay is None else submitted_on + approval_delay * DAY
        rows.append(Report(period_end, draw(st.floats(0, target * 1.3)), submitted_on, approved_on))
    return rows


@st.composite
def periods(draw, start: dt.date, deadline: dt.date) -> list[ReportingPeriod]:
    if draw(st.booleans()):
        return []
    step = {Cadence.WEEKLY: 7, Cadence.MONTHLY: 30, Cadence.QUARTERLY: 91}[draw(st.sampled_from(Cadence))]
    grace = draw(st.integers(0, 10))
    ends = [start + offset * DAY for offset in range(step - 1, (deadline - start).days + step, step)]
    return [ReportingPeriod(end, end + grace * DAY) for end in ends]


@st.composite
def untidy_tasks(draw) -> TaskInput:
    start = draw(st.dates(min_value=D(2020, 1, 1), max_value=D(2023, 12, 31)))
    deadline = start + draw(st.integers(0, 500)) * DAY
    target = draw(st.none() | st.floats(1, 10_000))
    scale = 100.0 if target is None else target
    milestones = draw(st.lists(st.builds(Milestone, around(start, deadline), st.floats(-10, scale * 1.5)), max_size=6))
    judgements = draw(
        st.lists(st.builds(Judgement, around(start, deadline), st.sampled_from(Likelihood), st.just("")), max_size=3)
    )
    return TaskInput(
        start=start,
        deadline=deadline,
        target=target,
        milestones=milestones,
        reports=draw(reports(start, deadline, scale)),
        periods=draw(periods(start, deadline)),
        verified_on=draw(st.none() | around(start, deadline)),
        judgements=judgements,
    )


@st.composite
def task_and_dates(draw, count: int = 1):
    task = draw(untidy_tasks())
    dates = sorted(draw(around(task.start, task.deadline)) for _ in range(count))
    return task, *dates


# === the trajectory =============================================================================


@PROPERTY
@given(task_and_dates(count=2))
def test_expected_value_never_falls_and_stays_between_zero_and_target(generated):
    task, earlier, later = generated
    first, second = evaluate(task, earlier), evaluate(task, later)
    assert 0 <= first.expected_value <= second.expected_value <= task.target_value
    plan = Trajectory(task)
    assert all(a[1] <= b[1] and a[0] < b[0] for a, b in zip(plan.points(), plan.points()[1:], strict=False)) or (
        task.start == task.deadline
    )


@PROPERTY
@given(untidy_tasks())
def test_the_plan_starts_at_zero_and_ends_at_the_target(task):
    points = Trajectory(task).points()
    assert points[0] == (task.start, 0)
    assert points[-1] == (task.deadline, task.target_value)


# === status over time ===========================================================================


@PROPERTY
@given(untidy_tasks(), st.integers(1, 60), st.integers(0, 400))
def test_moving_the_as_of_date_forward_never_un_overdues_an_unfinished_task(task, days_late, days_later):
    earlier = task.deadline + days_late * DAY
    if evaluate(task, earlier).status is not Status.OVERDUE:
        return
    after = evaluate(task, earlier + days_later * DAY)
    finished = after.status is Status.DONE or Reason.AWAITING_VERIFICATION in after.reasons
    assert after.status is Status.OVERDUE or finished


@PROPERTY
@given(task_and_dates(), st.data())
def test_only_reports_approved_by_the_as_of_date_affect_the_figures(generated, data):
    task, as_of = generated
    baseline = evaluate(task, as_of)
    # Reports not yet approved on the as-of date may say anything: nothing changes.
    rewritten = [
        report
        if report.approved_on is not None and report.approved_on <= as_of
        else dataclasses.replace(report, value=data.draw(st.floats(0, task.target_value * 2)))
        for report in task.reports
    ]
    # Reports submitted after the as-of date did not exist yet: adding more changes nothing.
    future = [
        Report(as_of + offset * DAY, data.draw(st.floats(0, task.target_value * 2)), as_of + DAY, as_of + DAY)
        for offset in range(-2, 3)
    ]
    assert evaluate(dataclasses.replace(task, reports=rewritten + future), as_of) == baseline


@PROPERTY
@given(task_and_dates(), st.randoms(use_true_random=False))
def test_the_order_of_reports_does_not_matter(generated, shuffler: random.Random):
    task, as_of = generated
    distinct = list({report.period_end: report for report in task.reports}.values())
    shuffled = distinct.copy()
    shuffler.shuffle(shuffled)
    assert evaluate(dataclasses.replace(task, reports=distinct), as_of) == evaluate(
        dataclasses.replace(task, reports=shuffled), as_of
    )


# === lights and reasons =========================================================================


@PROPERTY
@given(task_and_dates(), thresholds())
def test_the_computed_light_is_the_most_severe_reason_and_the_figures_are_consistent(generated, limits):
    task, as_of = generated
    result = evaluate(task, as_of, limits)
    worst = max((REASON_LIGHTS.get(reason, Light.GREEN).severity for reason in result.reasons), default=0)
    assert result.computed_light.severity == worst
    assert result.lag == result.expected_at_measurement - result.actual
    assert result.measured_on <= max(as_of, task.start)
    assert 0 <= result.completion <= 1
    assert len(set(result.reasons)) == len(result.reasons)
    if result.status is Status.DONE:
        assert result.light is Light.GREEN and result.completion == 1
    if result.judgement is None or result.status is Status.DONE:
        assert result.light is result.computed_light
    else:
        assert (Reason.JUDGEMENT_OVERRIDE in result.reasons) == (result.light is not result.computed_light)


@st.composite
def tasks_meeting_every_milestone(draw):
    """A clean plan, reported at every milestone at or above the planned value, approved by each due date."""
    start = draw(st.dates(min_value=D(2020, 1, 1), max_value=D(2023, 12, 31)))
    duration = draw(st.integers(30, 730))
    deadline = start + duration * DAY
    target = draw(st.floats(1, 10_000))
    offsets = sorted(draw(st.sets(st.integers(1, duration - 1), max_size=8)))
    fractions = sorted(draw(st.lists(st.floats(0, 1), min_size=len(offsets), max_size=len(offsets))))
    milestones = [Milestone(start + offset * DAY, target * f) for offset, f in zip(offsets, fractions, strict=True)]
    plan = Trajectory(TaskInput(start=start, deadline=deadline, target=target, milestones=milestones))
    grace = draw(st.integers(0, 15))
    periods, rows, best = [], [], 0.0
    for end in [milestone.due for milestone in milestones] + [deadline]:
        periods.append(ReportingPeriod(end, end + grace * DAY))
        best = max(best, plan.value_at(end.toordinal()) + draw(st.floats(0, target * 0.2)))
        submitted = end + draw(st.integers(0, grace)) * DAY
        approved = min(submitted + draw(st.integers(0, grace)) * DAY, end + grace * DAY)
        rows.append(Report(end, best, submitted, approved))
    task = TaskInput(
        start=start, deadline=deadline, target=target, milestones=milestones, reports=rows, periods=periods
    )
    as_of = draw(st.dates(min_value=start - 10 * DAY, max_value=deadline))
    return task, as_of


@PROPERTY
@given(tasks_meeting_every_milestone(), thresholds())
def test_a_task_meeting_every_milestone_on_time_is_never_red(generated, limits):
    task, as_of = generated
    result = evaluate(task, as_of, limits)
    assert result.computed_light is not Light.RED, result.reasons
    assert result.lag <= 1e-9 * task.target_value


# === rollups ====================================================================================


@settings(deadline=None, max_examples=50)
@given(st.lists(task_and_dates(), min_size=1, max_size=5), st.data())
def test_rollup_counts_add_up_and_completion_stays_within_bounds(generated, data):
    items = [
        (data.draw(st.sampled_from("AB")), evaluate(task, as_of), data.draw(st.none() | st.floats(0, 5)))
        for task, as_of in generated
    ]
    groups = rollup(items)
    assert sum(group.count for group in groups.values()) == len(items)
    for group in groups.values():
        assert sum(group.by_status.values()) == sum(group.by_light.values()) == group.count
        assert group.weighted_completion is None or 0 <= group.weighted_completion <= 1 + 1e-9
