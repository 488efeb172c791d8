"""The escalation rule, with plain data: the real calendar (2021 holidays, 2027 Monday–Friday) and thresholds."""

import datetime as dt

import pytest

from core.workdays import WorkCalendar
from supervision.escalation import Decision, Kind, Rung, Thresholds, decide, due_soon, stronger

CAL = WorkCalendar()
T = Thresholds()  # reporter 1, unit head 3, leader 5, office 8; 督办 from 3, 通报 from 8


def at(due: dt.date, today: dt.date, kind: Kind = Kind.REMINDER, thresholds: Thresholds = T) -> Decision:
    return decide(issued_kind=kind, due=due, today=today, calendar=CAL, thresholds=thresholds)


def test_not_late_on_or_before_the_due_date():
    due = dt.date(2021, 10, 13)
    for today in (dt.date(2021, 9, 30), dt.date(2021, 10, 12), due):
        decision = at(due, today)
        assert decision == Decision(0, Kind.REMINDER, None, ())
        assert not decision.is_late


def test_the_chain_is_climbed_in_working_days_across_national_day():
    # Due Thursday 2021-09-30; 10-01..07 are National Day; Friday 10-08 and Saturday 10-09 are working days.
    due = dt.date(2021, 9, 30)
    assert at(due, dt.date(2021, 10, 7)).workdays_late == 0  # only days off so far: nobody is chased
    first = at(due, dt.date(2021, 10, 8))
    assert (first.workdays_late, first.rung, first.level) == (1, Rung.REPORTER, Kind.REMINDER)
    assert first.recipients == (Rung.REPORTER,)
    assert at(due, dt.date(2021, 10, 9)).workdays_late == 2  # the make-up Saturday counts
    assert at(due, dt.date(2021, 10, 10)).workdays_late == 2  # Sunday 10-10 does not
    third = at(due, dt.date(2021, 10, 11))
    assert (third.workdays_late, third.rung, third.level) == (3, Rung.UNIT_HEAD, Kind.ORDER)
    assert third.recipients == (Rung.REPORTER, Rung.UNIT_HEAD)
    fifth = at(due, dt.date(2021, 10, 13))
    assert (fifth.workdays_late, fifth.rung, fifth.level) == (5, Rung.LEADER, Kind.ORDER)
    eighth = at(due, dt.date(2021, 10, 18))
    assert (eighth.workdays_late, eighth.rung, eighth.level) == (8, Rung.OFFICE, Kind.NOTICE)
    assert eighth.recipients == (Rung.REPORTER, Rung.UNIT_HEAD, Rung.LEADER, Rung.OFFICE)


def test_spring_festival_2021_counts_the_make_up_saturday():
    # Due Wednesday 2021-02-10; 02-11..17 off; Saturday 02-20 is worked: 18, 19, 20 → 3 working days late.
    decision = at(dt.date(2021, 2, 10), dt.date(2021, 2, 20))
    assert (decision.workdays_late, decision.rung, decision.level) == (3, Rung.UNIT_HEAD, Kind.ORDER)
    assert at(dt.date(2021, 2, 10), dt.date(2021, 2, 17)).workdays_late == 0


def test_2027_falls_back_to_monday_to_friday():
    # The package does not know 2027: Monday–Friday, so Friday 2027-01-01 counts as a working day.
    decision = at(dt.date(2026, 12, 31), dt.date(2027, 1, 6))
    assert decision.workdays_late == 4  # Fri 1, Mon 4, Tue 5, Wed 6
    assert decision.rung is Rung.UNIT_HEAD


def test_the_level_never_drops_below_the_issued_kind():
    assert at(dt.date(2021, 3, 1), dt.date(2021, 3, 2), kind=Kind.NOTICE).level is Kind.NOTICE
    assert at(dt.date(2021, 3, 1), dt.date(2021, 3, 4), kind=Kind.ORDER).level is Kind.ORDER
    assert at(dt.date(2021, 3, 1), dt.date(2021, 3, 11), kind=Kind.ORDER).level is Kind.NOTICE
    assert stronger(Kind.REMINDER, Kind.NOTICE) is Kind.NOTICE
    assert stronger(Kind.ORDER, Kind.REMINDER) is Kind.ORDER


def test_thresholds_are_configurable_and_checked():
    quick = Thresholds(reporter=1, unit_head=1, leader=2, office=2, to_order=1, to_notice=2)
    decision = at(dt.date(2021, 3, 1), dt.date(2021, 3, 2), thresholds=quick)
    assert (decision.rung, decision.level) == (Rung.UNIT_HEAD, Kind.ORDER)
    assert Thresholds.from_mapping({"leader": 6}).leader == 6
    with pytest.raises(ValueError, match="unknown"):
        Thresholds.from_mapping({"leaders": 6})
    with pytest.raises(ValueError, match="non-decreasing"):
        Thresholds(unit_head=6, leader=5)
    with pytest.raises(ValueError, match="≥ 1"):
        Thresholds(reporter=0)
    with pytest.raises(ValueError):
        Thresholds(to_order=9, to_notice=8)


def test_the_due_reminder_starts_one_working_day_before():
    due = dt.date(2021, 10, 8)  # Friday after National Day
    assert due_soon(due=due, today=dt.date(2021, 10, 7), calendar=CAL, thresholds=T)  # (10-7, 10-8]: 1 day
    assert due_soon(due=due, today=due, calendar=CAL, thresholds=T)
    # 9-30 is the last working day before the holiday, so it is one working day before 10-8: reminded then.
    assert due_soon(due=due, today=dt.date(2021, 9, 30), calendar=CAL, thresholds=T)
    assert not due_soon(due=due, today=dt.date(2021, 9, 29), calendar=CAL, thresholds=T)
    assert not due_soon(due=due, today=dt.date(2021, 10, 9), calendar=CAL, thresholds=T)  # past: that is lateness


def test_days_off_are_never_lateness():
    # A response due Friday 2021-04-30 before the Labour Day holiday (05-01..05) is not late until 05-06.
    assert at(dt.date(2021, 4, 30), dt.date(2021, 5, 5)).workdays_late == 0
    assert at(dt.date(2021, 4, 30), dt.date(2021, 5, 6)).workdays_late == 1
