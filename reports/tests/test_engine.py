"""The status engine with plain data: every status, light and reason, rollups, stale detection, periods.

Most tests use a 100-day task with target 100 and no milestones, so the plan
expects exactly k done on day k and the arithmetic can be read off the test.
The worked example at the end is the one in docs/status-engine.md.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from core.workdays import WorkCalendar
from reports.engine import (
    DEFAULT_THRESHOLDS,
    Cadence,
    GroupRollup,
    Judgement,
    Light,
    Likelihood,
    Milestone,
    Reason,
    Report,
    ReportingPeriod,
    ReportSnapshot,
    StaleKind,
    StaleRules,
    Status,
    StatusResult,
    TaskInput,
    Thresholds,
    Trajectory,
    detect_stale_reports,
    evaluate,
    narrative_similarity,
    normalise_narrative,
    periods_without_movement,
    reporting_periods,
    rollup,
    trajectory,
)

D = dt.date
START = D(2021, 1, 1)
DEADLINE = START + dt.timedelta(days=100)  # 2021-04-11


def day(k: int) -> dt.date:
    """The k-th day of the 100-day task; the plan expects k done by then."""
    return START + dt.timedelta(days=k)


def report(k: int, value: float, *, submitted: int | None = None, approved: int | None = None) -> Report:
    """A report for the period ending on day k, submitted and approved that day unless told otherwise."""
    submitted_day = day(k if submitted is None else submitted)
    return Report(period_end=day(k), value=value, submitted_on=submitted_day, approved_on=day(approved or k))


def period(k: int, grace: int = 3) -> ReportingPeriod:
    return ReportingPeriod(end=day(k), due=day(k + grace))


def task(**changes) -> TaskInput:
    return dataclasses.replace(TaskInput(start=START, deadline=DEADLINE, target=100), **changes)


# The default 90-day velocity window covers most of a 100-day task; some tests look at the last 30 days only.
LAST_30_DAYS = Thresholds(velocity_window_days=30)


# === the trajectory ==========================================================================


def test_without_milestones_the_plan_is_linear_from_start_to_deadline():
    plan = Trajectory(task())
    assert plan.value_at(day(-5).toordinal()) == 0
    assert plan.value_at(day(0).toordinal()) == 0
    assert plan.value_at(day(37).toordinal()) == pytest.approx(37)
    assert plan.value_at(day(100).toordinal()) == 100
    assert plan.value_at(day(150).toordinal()) == 100


def test_milestones_bend_the_plan():
    milestones = [Milestone(day(50), 20), Milestone(day(80), 90)]
    plan = Trajectory(task(milestones=milestones))
    assert plan.value_at(day(25).toordinal()) == pytest.approx(10)
    assert plan.value_at(day(65).toordinal()) == pytest.approx(55)
    assert plan.value_at(day(90).toordinal()) == pytest.approx(95)


def test_a_task_without_a_numeric_target_is_measured_in_percent():
    result = evaluate(task(target=None, reports=[report(40, 40)]), day(40))
    assert result.target == 100
    assert result.expected_value == pytest.approx(40)


def test_untidy_milestones_are_repaired_not_rejected():
    milestones = [
        Milestone(day(80), 500),  # above the target: clipped to 100
        Milestone(day(60), 70),
        Milestone(day(70), 50),  # below an earlier milestone: raised to 70
        Milestone(day(60), 65),  # same date, lower: the higher one wins
        Milestone(day(0), 30),  # on the start: dropped, the plan starts at 0
        Milestone(day(100), 90),  # on the deadline: the target wins
        Milestone(day(120), 100),  # after the deadline: dropped
    ]
    points = trajectory(task(milestones=milestones))
    assert points == [(day(0), 0), (day(60), 70), (day(70), 70), (day(80), 100), (day(100), 100)]


def test_schedule_position_inside_a_flat_stretch_is_on_schedule():
    plan = Trajectory(task(milestones=[Milestone(day(40), 40), Milestone(day(70), 40)]))
    assert plan.schedule_position(40, day(55).toordinal()) == day(55).toordinal()
    assert plan.schedule_position(40, day(90).toordinal()) == day(70).toordinal()
    assert plan.schedule_position(20, day(90).toordinal()) == day(20).toordinal()


def test_a_one_day_task_expects_everything_on_its_day():
    one_day = task(deadline=START)
    assert evaluate(one_day, START).expected_value == 100
    assert evaluate(one_day, START - dt.timedelta(days=1)).expected_value == 0


# === not started ==============================================================================


def test_before_the_start_a_task_is_not_started_and_green():
    result = evaluate(task(), day(-3))
    assert result.status is Status.NOT_STARTED
    assert result.light is Light.GREEN
    assert result.reasons == (Reason.BEFORE_START,)


def test_nothing_reported_and_nothing_due_is_not_started():
    result = evaluate(task(periods=[period(30)]), day(10))
    assert result.status is Status.NOT_STARTED
    assert Reason.NOTHING_EXPECTED_YET in result.reasons
    assert result.measured_on == START
    assert result.expected_value == pytest.approx(10)  # the plan moves on; the comparison waits for the first figure
    assert result.lag == 0
    assert result.light is Light.GREEN


def test_without_a_reporting_calendar_the_comparison_is_at_the_as_of_date():
    result = evaluate(task(), day(20))
    assert result.measured_on == day(20)
    assert result.lag_percent == pytest.approx(20)
    assert result.status is Status.LAGGING
    assert result.light is Light.YELLOW


# === on track, lagging =========================================================================


def test_on_plan_is_on_track_and_green():
    reports = [report(30, 30), report(60, 60)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(64))
    assert result.status is Status.ON_TRACK
    assert result.light is Light.GREEN
    assert result.actual == 60
    assert result.actual_period_end == day(60)
    assert result.expected_value == pytest.approx(64)
    assert result.expected_at_measurement == pytest.approx(60)
    assert result.lag == pytest.approx(0)
    assert result.completion == pytest.approx(0.6)


def test_lag_over_ten_percent_is_lagging_and_yellow():
    reports = [report(30, 14), report(60, 48)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(64), LAST_30_DAYS)
    assert result.status is Status.LAGGING
    assert result.light is Light.YELLOW
    assert result.lag == pytest.approx(12)
    assert result.lag_percent == pytest.approx(12)
    assert result.reasons == (Reason.LAG_OVER_YELLOW,)
    assert result.pace_ratio == pytest.approx(34 / 30)  # catching up: 52 plan-days left at 1.13 → day 106
    assert result.projected_slip_days == 6


def test_behind_and_not_catching_up_is_red_by_the_projection():
    reports = [report(30, 30), report(60, 48)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(64))
    assert result.pace_ratio == pytest.approx(0.8)  # 48 plan-days in 60 days
    assert result.projected_completion == day(125)
    assert result.reasons == (Reason.LAG_OVER_YELLOW, Reason.PROJECTION_MISSES_DEADLINE)
    assert result.light is Light.RED


def test_lag_over_twenty_five_percent_is_red():
    reports = [report(30, 20), report(60, 30)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(64))
    assert result.status is Status.LAGGING
    assert result.light is Light.RED
    assert Reason.LAG_OVER_RED in result.reasons
    assert Reason.LAG_OVER_YELLOW not in result.reasons


def test_a_lag_exactly_at_the_threshold_is_not_over_it():
    reports = [report(30, 30), report(60, 50)]
    result = evaluate(
        task(reports=reports, periods=[period(30), period(60)]), day(64), Thresholds(lag_yellow_percent=10)
    )
    assert result.lag_percent == pytest.approx(10)
    assert Reason.LAG_OVER_YELLOW not in result.reasons


def test_thresholds_are_per_plan():
    reports = [report(30, 30), report(60, 55)]
    strict = Thresholds(lag_yellow_percent=2, lag_red_percent=4)
    assert evaluate(task(reports=reports, periods=[period(60)]), day(64)).light is Light.GREEN
    assert evaluate(task(reports=reports, periods=[period(60)]), day(64), strict).light is Light.RED


@pytest.mark.parametrize(
    "changes",
    [{"lag_yellow_percent": 30, "lag_red_percent": 20}, {"lag_yellow_percent": -1}, {"velocity_window_days": 0}],
)
def test_inconsistent_thresholds_are_refused(changes):
    with pytest.raises(ValueError):
        Thresholds(**changes)


# === projection ================================================================================


def test_a_steady_task_on_plan_is_projected_to_finish_on_the_deadline():
    reports = [report(20, 20), report(50, 50), report(80, 80)]
    result = evaluate(task(reports=reports, periods=[period(80)]), day(84))
    assert result.velocity_per_day == pytest.approx(1)
    assert result.pace_ratio == pytest.approx(1)
    assert result.projected_completion == DEADLINE
    assert result.projected_slip_days == 0


def test_a_slowing_task_turns_red_by_its_projection_before_its_lag_does():
    reports = [report(20, 20), report(50, 50), report(80, 72)]
    result = evaluate(task(reports=reports, periods=[period(80)]), day(84))
    assert result.lag_percent == pytest.approx(8)  # under the yellow threshold
    assert result.pace_ratio == pytest.approx(0.9)
    assert result.projected_completion == day(112)  # 28 plan-days left at 0.9 a day: 31.1 days after day 80
    assert result.projected_slip_days == 12  # more than 10 % of the 100-day duration
    assert result.status is Status.LAGGING
    assert result.light is Light.RED
    assert result.reasons == (Reason.PROJECTION_MISSES_DEADLINE,)


def test_a_small_slip_within_the_tolerance_stays_green():
    reports = [report(20, 20), report(50, 50), report(80, 77)]
    result = evaluate(task(reports=reports, periods=[period(80)]), day(84))
    assert result.projected_slip_days is not None and 0 < result.projected_slip_days <= 10
    assert result.light is Light.GREEN


def test_the_velocity_window_looks_at_recent_reports_only():
    # Fast at first, then slow: over the last 30 days the pace is half the plan's.
    reports = [report(20, 40), report(50, 55), report(80, 70)]
    result = evaluate(task(reports=reports, periods=[period(80)]), day(84), Thresholds(velocity_window_days=30))
    assert result.velocity_per_day == pytest.approx(0.5)
    assert result.pace_ratio == pytest.approx(0.5)
    assert Reason.PROJECTION_MISSES_DEADLINE in result.reasons


def test_a_task_ahead_of_plan_is_not_judged_by_its_projection():
    reports = [report(30, 60), report(60, 62)]  # far ahead, then nearly stopped
    result = evaluate(task(reports=reports, periods=[period(60)]), day(64), LAST_30_DAYS)
    assert result.lag < 0
    assert result.projected_slip_days is not None and result.projected_slip_days > 10
    assert result.light is Light.GREEN
    assert result.status is Status.ON_TRACK


def test_no_progress_while_behind_is_stalled_and_red():
    reports = [report(30, 25), report(60, 25)]
    result = evaluate(task(reports=reports, periods=[period(60)]), day(64), LAST_30_DAYS)
    assert result.projected_completion is None
    assert result.velocity_per_day == 0
    assert Reason.STALLED in result.reasons
    assert Reason.PROJECTION_MISSES_DEADLINE in result.reasons
    assert result.light is Light.RED


def test_one_report_is_not_enough_history_for_a_projection():
    result = evaluate(task(reports=[report(30, 25)], periods=[period(30)]), day(34))
    assert result.velocity_per_day is None
    assert result.projected_completion is None
    assert result.reasons == (Reason.INSUFFICIENT_HISTORY,)
    assert result.light is Light.GREEN


def test_reports_spanning_less_than_the_minimum_are_not_enough_history():
    reports = [report(10, 10), report(17, 17)]
    result = evaluate(task(reports=reports, periods=[period(17)]), day(21))
    assert result.pace_ratio is None
    assert Reason.INSUFFICIENT_HISTORY in result.reasons


def test_an_accelerating_plan_met_exactly_is_not_red():
    """A plan that is meant to speed up is not late merely because it has not sped up yet."""
    milestones = [Milestone(day(50), 20)]  # 20 in the first half, 80 in the second
    reports = [report(25, 10), report(50, 20)]
    result = evaluate(task(milestones=milestones, reports=reports, periods=[period(50)]), day(54))
    assert result.pace_ratio == pytest.approx(1)
    assert result.projected_completion == DEADLINE
    assert result.light is Light.GREEN


# === overdue, done, reached ===================================================================


def test_after_the_deadline_an_unfinished_task_is_overdue_and_red():
    result = evaluate(task(reports=[report(90, 95)]), day(101))
    assert result.status is Status.OVERDUE
    assert result.light is Light.RED
    assert Reason.OVERDUE in result.reasons
    assert Reason.PROJECTION_MISSES_DEADLINE not in result.reasons  # overdue already says it


def test_on_the_deadline_itself_a_task_is_not_yet_overdue():
    result = evaluate(task(reports=[report(90, 95)]), DEADLINE)
    assert result.status is not Status.OVERDUE


def test_verified_completion_is_done_and_green():
    result = evaluate(task(reports=[report(90, 100)], verified_on=day(95)), day(96))
    assert result.status is Status.DONE
    assert result.light is Light.GREEN
    assert result.reasons == (Reason.VERIFIED_DONE,)
    assert result.completion == 1


def test_verification_after_the_as_of_date_does_not_count_yet():
    result = evaluate(task(reports=[report(90, 100)], verified_on=day(120)), day(110))
    assert result.status is Status.ON_TRACK
    assert Reason.AWAITING_VERIFICATION in result.reasons


def test_verification_is_what_makes_a_task_done_even_below_the_reported_target():
    result = evaluate(task(reports=[report(90, 97)], verified_on=day(99)), day(99))
    assert result.status is Status.DONE
    assert result.completion == 1


def test_reaching_the_target_without_verification_is_green_awaiting_verification():
    result = evaluate(task(reports=[report(80, 100)]), day(130))
    assert result.status is Status.ON_TRACK
    assert result.light is Light.GREEN
    assert result.reasons == (Reason.AWAITING_VERIFICATION,)
    assert result.projected_completion is None


def test_reaching_the_target_after_the_deadline_is_marked_late():
    result = evaluate(task(reports=[report(80, 90), report(110, 100)]), day(115))
    assert result.reasons == (Reason.AWAITING_VERIFICATION, Reason.COMPLETED_LATE)
    verified = evaluate(task(reports=[report(110, 100)], verified_on=day(120)), day(121))
    assert verified.reasons == (Reason.VERIFIED_DONE, Reason.COMPLETED_LATE)


def test_a_correction_below_the_target_reopens_the_task():
    reports = [report(80, 100, approved=81), Report(day(80), 90, day(80), day(85))]
    result = evaluate(task(reports=reports), day(86))
    assert result.actual == 90
    assert Reason.AWAITING_VERIFICATION not in result.reasons


# === reporting discipline ======================================================================


def test_no_report_after_the_due_date_is_missing_and_yellow():
    reports = [report(30, 40), report(50, 62)]  # ahead of plan, so the silence alone decides
    result = evaluate(task(reports=reports, periods=[period(30), period(50), period(60)]), day(64))
    assert result.status is Status.MISSING
    assert result.light is Light.YELLOW
    assert Reason.REPORT_MISSING in result.reasons
    assert result.current_period == period(60)
    assert result.missing_periods == 1


def test_on_the_due_date_itself_the_report_is_not_yet_missing():
    result = evaluate(task(reports=[report(30, 30)], periods=[period(30), period(60)]), day(63))
    assert result.status is not Status.MISSING
    assert result.current_period == period(30)


def test_consecutive_missed_periods_are_counted_and_the_silence_counts_as_no_progress():
    periods = [period(20), period(40), period(60), period(80)]
    result = evaluate(task(reports=[report(20, 20)], periods=periods), day(84))
    assert result.missing_periods == 3
    assert result.measured_on == day(80)  # the latest period the unit owed a figure for
    assert result.lag_percent == pytest.approx(60)
    assert result.pace_ratio == pytest.approx(20 / 80)  # day 0 to day 80, only 20 plan-days earned
    assert Reason.PROJECTION_MISSES_DEADLINE in result.reasons
    assert result.light is Light.RED


def test_silence_looks_no_better_than_honestly_reporting_no_progress():
    periods = [period(30), period(60)]
    silent = evaluate(task(reports=[report(30, 25)], periods=periods), day(64))
    honest = evaluate(task(reports=[report(30, 25), report(60, 25)], periods=periods), day(64))
    assert silent.computed_light.severity >= honest.computed_light.severity
    assert silent.lag == honest.lag
    assert silent.projected_completion == honest.projected_completion


def test_a_report_submitted_but_not_approved_by_the_due_date_is_late():
    reports = [report(30, 30), report(60, 60, submitted=61, approved=70)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(65))
    assert result.status is Status.ON_TRACK
    assert result.light is Light.YELLOW
    assert Reason.REPORT_LATE in result.reasons
    assert result.actual == 30  # not approved yet, so it does not count
    assert result.measured_on == day(30)  # and the comparison waits for it


def test_a_report_approved_after_its_due_date_stays_late_for_its_period():
    reports = [report(30, 30), report(60, 60, submitted=62, approved=66)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(70))
    assert result.actual == 60
    assert Reason.REPORT_LATE in result.reasons


def test_a_report_approved_by_its_due_date_is_on_time():
    reports = [report(30, 30), report(60, 60, submitted=62, approved=63)]
    result = evaluate(task(reports=reports, periods=[period(30), period(60)]), day(70))
    assert Reason.REPORT_LATE not in result.reasons
    assert result.light is Light.GREEN


def test_periods_before_the_start_are_not_owed():
    result = evaluate(task(reports=[report(4, 5)], periods=[ReportingPeriod(day(-10), day(-7))]), day(5))
    assert result.status is Status.ON_TRACK
    assert result.current_period is None
    assert result.missing_periods == 0


def test_reports_approved_after_the_as_of_date_are_ignored():
    reports = [report(30, 30), report(60, 60, approved=70)]
    result = evaluate(task(reports=reports, periods=[period(30)]), day(65))
    assert result.actual == 30
    assert result.actual_period_end == day(30)


# === judgements ================================================================================


@pytest.mark.parametrize(
    ("likelihood", "shown"),
    [
        (Likelihood.HIGHLY_LIKELY, Light.GREEN),
        (Likelihood.LIKELY, Light.GREEN),
        (Likelihood.UNLIKELY, Light.YELLOW),
        (Likelihood.HIGHLY_UNLIKELY, Light.RED),
    ],
)
def test_a_judgement_overrides_the_shown_light_and_keeps_the_computed_one(likelihood, shown):
    judgements = [Judgement(day(50), likelihood, "已约谈，下月集中开工")]
    reports = [report(30, 20), report(60, 30)]  # red by lag
    result = evaluate(task(reports=reports, periods=[period(60)], judgements=judgements), day(64))
    assert result.computed_light is Light.RED
    assert result.light is shown
    assert result.judgement == judgements[0]
    assert (Reason.JUDGEMENT_OVERRIDE in result.reasons) == (shown is not Light.RED)
    assert result.status is Status.LAGGING  # the status is the engine's; only the light is the office's


def test_the_latest_judgement_recorded_by_the_as_of_date_applies():
    judgements = [
        Judgement(day(10), Likelihood.HIGHLY_UNLIKELY),
        Judgement(day(40), Likelihood.LIKELY),
        Judgement(day(70), Likelihood.UNLIKELY),
    ]
    result = evaluate(task(reports=[report(30, 30)], judgements=judgements), day(50))
    assert result.judgement == judgements[1]


def test_a_judgement_does_not_recolour_a_done_task():
    judgements = [Judgement(day(50), Likelihood.HIGHLY_UNLIKELY)]
    result = evaluate(task(reports=[report(90, 100)], verified_on=day(95), judgements=judgements), day(96))
    assert result.light is Light.GREEN


def test_red_items_are_proposed_for_a_supervision_order():
    red = evaluate(task(reports=[report(90, 50)]), day(101))
    assert red.needs_supervision_order
    assert not evaluate(task(), day(-1)).needs_supervision_order


# === input handling ============================================================================


def test_a_deadline_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before start"):
        TaskInput(start=START, deadline=START - dt.timedelta(days=1))


def test_a_non_positive_target_is_refused():
    with pytest.raises(ValueError, match="positive"):
        TaskInput(start=START, deadline=DEADLINE, target=0)


def test_decimal_values_from_the_database_are_accepted():
    reports = [Report(day(30), Decimal("30.5"), day(30), day(30))]
    result = evaluate(
        task(target=Decimal("100"), reports=reports, milestones=[Milestone(day(50), Decimal("50"))]), day(31)
    )
    assert result.actual == pytest.approx(30.5)


def test_late_reports_are_the_missing_and_the_late_ones():
    periods = [period(30), period(50), period(60)]
    missing = evaluate(task(reports=[report(30, 40), report(50, 62)], periods=periods), day(64))
    late_reports = [report(30, 30), report(60, 60, submitted=62, approved=66)]
    late = evaluate(task(reports=late_reports, periods=[period(30), period(60)]), day(70))
    on_time = evaluate(task(reports=[report(30, 30)], periods=[period(30), period(60)]), day(63))
    assert Reason.REPORT_MISSING in missing.reasons and missing.report_late
    assert Reason.REPORT_LATE in late.reasons and late.report_late
    assert not on_time.report_late


def test_the_engine_holds_codes_and_no_words():
    """Its words live once, in reports/labels.py (translated); the pure engine has none to drift from them."""
    assert not any(hasattr(member, "label") for vocabulary in (Status, Light, Likelihood) for member in vocabulary)


def test_default_thresholds_are_the_specs():
    assert (DEFAULT_THRESHOLDS.lag_yellow_percent, DEFAULT_THRESHOLDS.lag_red_percent) == (10, 25)


# === rollups ===================================================================================


def _results() -> dict[str, StatusResult]:
    return {
        "done": evaluate(task(reports=[report(90, 100)], verified_on=day(95)), day(96)),
        "half": evaluate(task(reports=[report(50, 50)]), day(50)),
        "red": evaluate(task(reports=[report(90, 20)]), day(101)),
        "overridden": evaluate(
            task(reports=[report(90, 20)], judgements=[Judgement(day(95), Likelihood.LIKELY)]), day(101)
        ),
    }


def test_rollup_counts_statuses_and_lights_per_group():
    results = _results()
    groups = rollup(
        [("区住建局", results["done"], None), ("区住建局", results["red"], None), ("区发改委", results["half"], None)]
    )
    housing = groups["区住建局"]
    assert list(groups) == ["区住建局", "区发改委"]
    assert housing.count == 2
    assert housing.by_status[Status.DONE] == 1
    assert housing.by_status[Status.OVERDUE] == 1
    assert housing.by_status[Status.MISSING] == 0
    assert housing.by_light == {Light.GREEN: 1, Light.YELLOW: 0, Light.RED: 1}
    assert housing.weighted_completion == pytest.approx((1 + 0.2) / 2)
    assert groups["区发改委"].weighted_completion == pytest.approx(0.5)


def test_rollup_weights_completion():
    results = _results()
    groups = rollup([("区", results["done"], 3), ("区", results["half"], 1)])
    assert groups["区"].weighted_completion == pytest.approx((3 * 1 + 1 * 0.5) / 4)


def test_rollup_counts_shown_and_computed_lights():
    groups = rollup([("区", _results()["overridden"], None)])
    assert groups["区"].by_light[Light.GREEN] == 1
    assert groups["区"].by_computed_light[Light.RED] == 1


def test_an_empty_or_weightless_group_has_no_completion():
    assert GroupRollup().weighted_completion is None
    assert rollup([("区", _results()["half"], 0)])["区"].weighted_completion is None


def test_a_negative_weight_is_refused():
    with pytest.raises(ValueError):
        rollup([("区", _results()["half"], -1)])


# === stale and copied reports =================================================================


def snapshot(task_key, k, narrative="", value=None, evidence=(), report_key=None) -> ReportSnapshot:
    return ReportSnapshot(task_key, day(k), narrative, value, frozenset(evidence), report_key)


NARRATIVE = "本月完成老旧小区改造12个，累计完成40个；正在推进管网改造和外立面整治。"


def test_normalising_removes_punctuation_spaces_and_width_and_masks_numbers():
    assert normalise_narrative("完成　１２个， OK!") == "完成0个ok"
    assert normalise_narrative("累计1,234户") == "累计0户"
    assert normalise_narrative("完成12个", ignore_numbers=False) == "完成12个"


def test_similarity_of_a_copy_with_new_figures_is_one():
    assert narrative_similarity(NARRATIVE, NARRATIVE.replace("12", "9").replace("40", "49")) == 1
    assert narrative_similarity(NARRATIVE, "召开专题会议研究征迁安置方案，完成入户调查。") < 0.2


def test_a_narrative_copied_from_the_previous_period_is_flagged():
    snapshots = [
        snapshot("T1", 30, NARRATIVE, 40, report_key=1),
        snapshot("T1", 60, NARRATIVE.replace("40", "52"), 52, report_key=2),
        snapshot("T1", 90, "完成验收8个，剩余小区进入扫尾阶段，群众满意度调查已启动。", 60, report_key=3),
    ]
    flags = detect_stale_reports(snapshots)
    assert [(flag.kind, flag.report_key, flag.earlier_period_end) for flag in flags] == [
        (StaleKind.NARRATIVE_REPEATED, 2, day(30))
    ]
    assert flags[0].similarity == 1


def test_short_narratives_are_not_compared():
    assert detect_stale_reports([snapshot("T1", 30, "正常推进"), snapshot("T1", 60, "正常推进")]) == []


def test_numbers_can_count_as_changes_when_the_office_says_so():
    snapshots = [snapshot("T1", 30, "完成12个"), snapshot("T1", 60, "完成40个")]
    assert detect_stale_reports(snapshots, StaleRules(min_narrative_chars=2)) != []
    assert detect_stale_reports(snapshots, StaleRules(min_narrative_chars=2, ignore_numbers=False)) == []


def test_a_value_that_does_not_move_for_three_periods_is_flagged():
    snapshots = [snapshot("T1", k, value=v) for k, v in [(10, 5), (20, 8), (30, 8), (40, 8), (50, 8), (60, 9)]]
    flags = detect_stale_reports(snapshots)
    assert [(flag.kind, flag.period_end, flag.unchanged_periods, flag.earlier_period_end) for flag in flags] == [
        (StaleKind.VALUE_UNCHANGED, day(50), 3, day(20))
    ]


def test_periods_without_movement_counts_back_from_the_latest():
    assert periods_without_movement([1, 2, 2, 2]) == 2
    assert periods_without_movement([2, 2, 3]) == 0
    assert periods_without_movement([2, None, None]) == 0
    assert periods_without_movement([]) == 0


def test_evidence_reused_in_a_later_period_or_another_task_is_flagged():
    snapshots = [
        snapshot("T1", 30, evidence={"aaa", "bbb"}, report_key=1),
        snapshot("T1", 60, evidence={"aaa"}, report_key=2),
        snapshot("T2", 30, evidence={"bbb"}, report_key=3),
        snapshot("T2", 60, evidence={"ccc"}, report_key=4),
    ]
    flags = detect_stale_reports(snapshots)
    assert sorted((flag.report_key, flag.evidence_hash, flag.earlier_task_key) for flag in flags) == [
        (2, "aaa", "T1"),
        (3, "bbb", "T1"),
    ]
    assert {flag.kind for flag in flags} == {StaleKind.EVIDENCE_REUSED}


def test_the_same_file_twice_in_one_report_is_not_reuse():
    snapshots = [snapshot("T1", 30, evidence={"aaa"}), snapshot("T1", 30, evidence={"aaa"})]
    assert detect_stale_reports(snapshots) == []


# === the reporting calendar ====================================================================


def test_monthly_periods_are_due_in_working_days():
    calendar = WorkCalendar()
    periods = reporting_periods(
        D(2021, 1, 1), D(2021, 12, 31), Cadence.MONTHLY, lambda end: calendar.add_workdays(end, 5)
    )
    assert len(periods) == 12
    assert periods[0] == ReportingPeriod(D(2021, 1, 31), D(2021, 2, 5))
    assert periods[1] == ReportingPeriod(D(2021, 2, 28), D(2021, 3, 5))
    assert periods[8] == ReportingPeriod(D(2021, 9, 30), D(2021, 10, 13))  # the National Day week is skipped
    assert periods[-1] == ReportingPeriod(D(2021, 12, 31), D(2022, 1, 10))


def test_weekly_periods_end_on_sundays_and_cover_the_deadline():
    periods = reporting_periods(D(2021, 3, 3), D(2021, 3, 24), Cadence.WEEKLY, lambda end: end + dt.timedelta(days=1))
    assert [p.end for p in periods] == [D(2021, 3, 7), D(2021, 3, 14), D(2021, 3, 21), D(2021, 3, 28)]
    assert periods[0].due == D(2021, 3, 8)


def test_quarterly_periods_end_on_quarter_ends():
    periods = reporting_periods(D(2021, 2, 10), D(2022, 1, 5), Cadence.QUARTERLY, lambda end: end)
    assert [p.end for p in periods] == [D(2021, 3, 31), D(2021, 6, 30), D(2021, 9, 30), D(2021, 12, 31), D(2022, 3, 31)]


# === the worked example (docs/status-engine.md) ================================================


def renovation_task(**changes) -> TaskInput:
    """二七区 2021: renovate 248 old residential compounds (老旧小区改造) by 31 December, reporting monthly."""
    calendar = WorkCalendar()
    start, deadline = D(2021, 1, 1), D(2021, 12, 31)
    quarters = [(D(2021, 3, 31), 40), (D(2021, 6, 30), 100), (D(2021, 9, 30), 180), (D(2021, 12, 31), 248)]
    milestones = [Milestone(due, planned) for due, planned in quarters]
    rows = [  # period end, cumulative value, submitted on, approved on
        (D(2021, 1, 31), 12, D(2021, 2, 2), D(2021, 2, 3)),
        (D(2021, 2, 28), 25, D(2021, 3, 3), D(2021, 3, 4)),
        (D(2021, 3, 31), 41, D(2021, 4, 2), D(2021, 4, 6)),
        (D(2021, 4, 30), 55, D(2021, 5, 6), D(2021, 5, 7)),
        (D(2021, 5, 31), 68, D(2021, 6, 4), D(2021, 6, 7)),
        (D(2021, 6, 30), 84, D(2021, 7, 6), D(2021, 7, 9)),
        (D(2021, 7, 31), 105, D(2021, 8, 4), D(2021, 8, 5)),
        (D(2021, 8, 31), 128, D(2021, 9, 3), D(2021, 9, 6)),
        (D(2022, 1, 31), 248, D(2022, 2, 7), D(2022, 2, 8)),
    ]
    renovation = TaskInput(
        start=start,
        deadline=deadline,
        target=248,
        milestones=milestones,
        reports=[Report(end, value, submitted, approved) for end, value, submitted, approved in rows],
        periods=reporting_periods(start, deadline, Cadence.MONTHLY, lambda end: calendar.add_workdays(end, 5)),
    )
    return dataclasses.replace(renovation, **changes)


def test_worked_example_before_any_report_is_due():
    result = evaluate(renovation_task(), D(2021, 1, 20))
    assert (result.status, result.light) == (Status.NOT_STARTED, Light.GREEN)


def test_worked_example_april_ahead_of_plan():
    result = evaluate(renovation_task(), D(2021, 4, 10))
    assert (result.status, result.light) == (Status.ON_TRACK, Light.GREEN)
    assert result.measured_on == D(2021, 3, 31)
    assert (result.expected_at_measurement, result.actual) == (40, 41)
    assert result.projected_completion == D(2021, 12, 25)


def test_worked_example_june_red_by_projection_while_the_lag_is_small():
    result = evaluate(renovation_task(), D(2021, 6, 30))
    assert result.expected_value == pytest.approx(100)
    assert result.measured_on == D(2021, 5, 31)  # June's report is not due until 7 July
    assert result.expected_at_measurement == pytest.approx(80.22, abs=0.01)
    assert result.actual == 68
    assert result.lag_percent == pytest.approx(4.93, abs=0.01)
    assert result.velocity_per_day == pytest.approx(43 / 92)
    assert result.pace_ratio == pytest.approx(0.824, abs=0.001)
    assert result.projected_completion == D(2022, 3, 10)
    assert (result.status, result.light) == (Status.LAGGING, Light.RED)
    assert result.reasons == (Reason.PROJECTION_MISSES_DEADLINE,)


def test_worked_example_july_the_june_report_is_approved_late():
    result = evaluate(renovation_task(), D(2021, 7, 8))
    assert result.current_period == ReportingPeriod(D(2021, 6, 30), D(2021, 7, 7))
    assert Reason.REPORT_LATE in result.reasons
    assert result.actual == 68  # submitted on 6 July, approved only on 9 July


def test_worked_example_the_office_judges_delivery_likely():
    judgement = Judgement(D(2021, 7, 12), Likelihood.LIKELY, "三季度集中开工58个小区，已落实施工队伍")
    result = evaluate(renovation_task(judgements=[judgement]), D(2021, 7, 12))
    assert (result.computed_light, result.light) == (Light.RED, Light.GREEN)
    assert Reason.JUDGEMENT_OVERRIDE in result.reasons


def test_worked_example_october_the_september_report_is_missing():
    result = evaluate(renovation_task(), D(2021, 10, 15))
    assert result.current_period == ReportingPeriod(D(2021, 9, 30), D(2021, 10, 13))
    assert result.status is Status.MISSING
    assert result.measured_on == D(2021, 9, 30)
    assert result.lag_percent == pytest.approx((180 - 128) / 248 * 100)
    assert result.light is Light.RED


def test_worked_example_january_overdue_then_done_late():
    overdue = evaluate(renovation_task(), D(2022, 1, 11))
    assert (overdue.status, overdue.light) == (Status.OVERDUE, Light.RED)
    awaiting = evaluate(renovation_task(), D(2022, 2, 9))
    assert awaiting.reasons == (Reason.AWAITING_VERIFICATION, Reason.COMPLETED_LATE)
    done = evaluate(renovation_task(verified_on=D(2022, 2, 15)), D(2022, 2, 15))
    assert (done.status, done.light, done.completion) == (Status.DONE, Light.GREEN, 1)
    assert Reason.COMPLETED_LATE in done.reasons
