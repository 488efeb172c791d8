"""The working-day calendar, checked against the State Council's 2021 notice and the 2027 fallback."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.workdays import UNCONFIGURED_YEAR_WARNING, DaySource, OutsideCalendar, WorkCalendar

D = dt.date


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


# --- 2021, known to the package -------------------------------------------------------------


def test_a_sunday_make_up_day_is_a_workday(calendar):
    day = calendar.day(D(2021, 2, 7))
    assert day.is_workday
    assert day.is_makeup_workday
    assert day.name == "春节"
    assert day.source is DaySource.PACKAGE
    assert calendar.day(D(2021, 2, 20)).is_makeup_workday  # a Saturday, also for the Spring Festival


def test_spring_festival_2021_is_eleventh_to_seventeenth_of_february(calendar):
    festival = [D(2021, 2, d) for d in range(11, 18)]
    assert not any(calendar.is_workday(day) for day in festival)
    assert {calendar.holiday_name(day) for day in festival} == {"春节"}
    assert calendar.is_workday(D(2021, 2, 10))
    assert calendar.is_workday(D(2021, 2, 18))


def test_national_day_2021_and_its_two_make_up_days(calendar):
    assert not any(calendar.is_workday(D(2021, 10, d)) for d in range(1, 8))
    assert calendar.holiday_name(D(2021, 10, 1)) == "国庆节"
    assert calendar.is_workday(D(2021, 9, 26))  # Sunday
    assert calendar.is_workday(D(2021, 10, 9))  # Saturday
    assert calendar.day(D(2021, 10, 9)).is_makeup_workday


def test_an_ordinary_weekend_and_weekday_have_no_name(calendar):
    assert not calendar.is_workday(D(2021, 3, 6))
    assert calendar.holiday_name(D(2021, 3, 6)) is None
    assert calendar.is_workday(D(2021, 3, 8))
    assert not calendar.day(D(2021, 3, 8)).is_makeup_workday


# --- counting -------------------------------------------------------------------------------


def test_next_workday_skips_the_national_day_week(calendar):
    assert calendar.next_workday(D(2021, 9, 30)) == D(2021, 10, 8)
    assert calendar.next_workday(D(2021, 10, 8)) == D(2021, 10, 9)  # Saturday make-up day


def test_next_workday_lands_on_a_sunday_make_up_day(calendar):
    assert calendar.next_workday(D(2021, 9, 24)) == D(2021, 9, 26)


def test_previous_workday_skips_back_over_the_spring_festival(calendar):
    assert calendar.previous_workday(D(2021, 2, 18)) == D(2021, 2, 10)


def test_add_workdays_counts_from_the_day_after(calendar):
    # Issued on Thursday 2021-09-30 with 5 working days to answer: 10-08, 10-09, 10-11, 10-12, 10-13.
    assert calendar.add_workdays(D(2021, 9, 30), 5) == D(2021, 10, 13)
    assert calendar.add_workdays(D(2021, 2, 5), 1) == D(2021, 2, 7)


def test_add_workdays_backwards(calendar):
    assert calendar.add_workdays(D(2021, 10, 8), -1) == D(2021, 9, 30)
    assert calendar.add_workdays(D(2021, 10, 8), -2) == D(2021, 9, 29)


def test_add_zero_workdays_keeps_a_workday_and_moves_a_holiday_forward(calendar):
    assert calendar.add_workdays(D(2021, 9, 29), 0) == D(2021, 9, 29)
    assert calendar.add_workdays(D(2021, 10, 3), 0) == D(2021, 10, 8)


def test_workdays_between_excludes_the_start_and_includes_the_end(calendar):
    assert calendar.workdays_between(D(2021, 9, 30), D(2021, 10, 13)) == 5
    assert calendar.workdays_between(D(2021, 10, 1), D(2021, 10, 7)) == 0
    assert calendar.workdays_between(D(2021, 3, 8), D(2021, 3, 8)) == 0


def test_workdays_between_is_negative_backwards(calendar):
    assert calendar.workdays_between(D(2021, 10, 13), D(2021, 9, 30)) == -5


@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2028, 12, 31)),
    count=st.integers(min_value=-40, max_value=40).filter(lambda n: n != 0),
)
def test_workdays_between_undoes_add_workdays(start, count):
    calendar = WorkCalendar()
    end = calendar.add_workdays(start, count)
    assert calendar.is_workday(end)
    assert calendar.workdays_between(start, end) == count


# --- years the package does not know --------------------------------------------------------


def test_2027_falls_back_to_monday_to_friday_without_crashing(calendar):
    assert calendar.is_workday(D(2027, 2, 8))  # a Monday, probably in next year's Spring Festival
    assert not calendar.is_workday(D(2027, 2, 6))
    assert calendar.day(D(2027, 2, 8)).source is DaySource.WEEKDAY_FALLBACK
    assert calendar.holiday_name(D(2027, 10, 1)) is None
    assert calendar.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)  # a Friday: New Year's Day unknown


def test_unknown_years_are_reported_as_unconfigured(calendar):
    assert calendar.is_configured(2021)
    assert calendar.is_configured(2026)
    assert not calendar.is_configured(2027)
    assert not calendar.is_configured(2003)
    assert calendar.unconfigured_years(range(2025, 2029)) == [2027, 2028]
    assert UNCONFIGURED_YEAR_WARNING == "该年度法定节假日未配置"


# --- overrides ------------------------------------------------------------------------------


def test_an_override_beats_the_package():
    calendar = WorkCalendar({D(2021, 2, 7): (False, "更正"), D(2021, 3, 8): (False, "测试休息日")})
    assert not calendar.is_workday(D(2021, 2, 7))
    assert calendar.holiday_name(D(2021, 2, 7)) == "更正"
    assert not calendar.is_workday(D(2021, 3, 8))
    assert calendar.day(D(2021, 3, 8)).source is DaySource.OVERRIDE
    assert calendar.is_workday(D(2021, 3, 9))  # untouched dates still come from the package


def test_overrides_configure_a_new_year():
    overrides = {D(2027, 1, 1): (False, "元旦"), D(2027, 2, 6): (True, "春节"), D(2027, 2, 8): (False, "春节")}
    calendar = WorkCalendar(overrides)
    assert calendar.is_configured(2027)
    assert calendar.unconfigured_years([2027, 2028]) == [2028]
    assert calendar.is_workday(D(2027, 2, 6))  # Saturday make-up day
    assert calendar.day(D(2027, 2, 6)).is_makeup_workday
    assert not calendar.is_workday(D(2027, 2, 8))
    assert calendar.next_workday(D(2026, 12, 31)) == D(2027, 1, 4)


def test_an_empty_override_name_means_no_name():
    calendar = WorkCalendar({D(2027, 3, 1): (False, "")})
    assert calendar.holiday_name(D(2027, 3, 1)) is None


def test_a_calendar_with_no_workdays_at_all_says_so_instead_of_looping():
    every_day_off = {D(2027, 1, 1) + dt.timedelta(days=offset): (False, "停工") for offset in range(120)}
    with pytest.raises(ValueError, match="no working day"):
        WorkCalendar(every_day_off).next_workday(D(2027, 1, 1))


# --- arithmetic, not a walk over days -------------------------------------------------------

_ONE_DAY = dt.timedelta(days=1)


def _slow_between(calendar: WorkCalendar, start: dt.date, end: dt.date) -> int:
    """The old day-by-day count, kept as the reference the arithmetic must equal."""
    if end >= start:
        return sum(1 for n in range(1, (end - start).days + 1) if calendar.is_workday(start + n * _ONE_DAY))
    return -sum(1 for n in range((start - end).days) if calendar.is_workday(end + n * _ONE_DAY))


def _slow_add(calendar: WorkCalendar, day: dt.date, count: int) -> dt.date:
    step = _ONE_DAY if count > 0 else -_ONE_DAY
    for _ in range(abs(count)):
        day += step
        while not calendar.is_workday(day):
            day += step
    return day


_overrides = st.dictionaries(
    st.dates(min_value=D(2020, 6, 1), max_value=D(2028, 6, 30)),
    st.tuples(st.booleans(), st.sampled_from(["", "调休", "更正"])),
    max_size=40,
)
_dates = st.dates(min_value=D(2019, 1, 1), max_value=D(2029, 12, 31))


@given(overrides=_overrides, start=_dates, end=_dates)
def test_the_arithmetic_count_equals_the_day_by_day_count(overrides, start, end):
    calendar = WorkCalendar(overrides)
    assert calendar.workdays_between(start, end) == _slow_between(calendar, start, end)


@given(overrides=_overrides, start=_dates, count=st.integers(min_value=-300, max_value=300).filter(bool))
def test_the_arithmetic_nth_workday_equals_the_day_by_day_walk(overrides, start, count):
    calendar = WorkCalendar(overrides)
    assert calendar.add_workdays(start, count) == _slow_add(calendar, start, count)


def test_make_up_days_and_weekday_holidays_are_counted_in_2021():
    calendar = WorkCalendar()
    # 2021-02-01 .. 02-28: 20 weekdays, 5 of them Spring Festival days off, 2 weekend make-up days (02-07, 02-20).
    assert calendar.workdays_between(D(2021, 1, 31), D(2021, 2, 28)) == 20 - 5 + 2
    assert calendar.add_workdays(D(2021, 9, 24), 1) == D(2021, 9, 26)


def test_an_override_that_makes_a_package_holiday_a_workday_counts_it():
    calendar = WorkCalendar({D(2021, 10, 4): (True, "更正")})  # a Monday in the National Day week
    assert calendar.workdays_between(D(2021, 9, 30), D(2021, 10, 8)) == 2  # 10-04 and 10-08
    assert calendar.next_workday(D(2021, 9, 30)) == D(2021, 10, 4)


def test_a_count_to_the_end_of_the_calendar_is_exact_and_immediate():
    calendar = WorkCalendar()
    tail_days = (D(9999, 12, 31) - D(2026, 12, 31)).days  # 2027 on: no holidays known, Monday–Friday
    tail = tail_days // 7 * 5 + sum(1 for n in range(tail_days % 7) if (D(2027, 1, 1) + n * _ONE_DAY).weekday() < 5)
    expected = _slow_between(calendar, D(2020, 12, 31), D(2026, 12, 31)) + tail
    assert calendar.workdays_between(D(2020, 12, 31), D(9999, 12, 31)) == expected
    assert calendar.add_workdays(D(2020, 12, 31), expected) == D(9999, 12, 31)  # a Friday


# --- the configured range -------------------------------------------------------------------


def test_the_configured_range_says_which_dates_it_covers_and_check_refuses_the_others():
    calendar = WorkCalendar(first=D(2004, 1, 1), last=D(2036, 12, 31))
    assert calendar.covers(D(2036, 12, 31)) and not calendar.covers(D(2037, 1, 1))
    with pytest.raises(OutsideCalendar) as refused:
        calendar.check(D(2021, 9, 1), D(9999, 12, 31))
    assert refused.value.day == D(9999, 12, 31)
    with pytest.raises(OutsideCalendar):
        calendar.check(D(2003, 12, 31))
    # A date the app computes just past the range is still answered: stored data never breaks a page.
    assert calendar.add_workdays(D(2036, 12, 31), 1) == D(2037, 1, 1)


def test_counting_past_the_end_of_the_date_type_is_refused_not_an_overflow():
    with pytest.raises(OutsideCalendar):
        WorkCalendar().add_workdays(D(9999, 12, 30), 5)
    with pytest.raises(OutsideCalendar):
        WorkCalendar().add_workdays(D(1, 1, 3), -5)
