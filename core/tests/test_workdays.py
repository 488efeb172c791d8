"""The working-day calendar, checked against the State Council's 2021 notice and the 2027 fallback."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.workdays import UNCONFIGURED_YEAR_WARNING, DaySource, WorkCalendar

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
