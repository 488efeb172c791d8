"""core.rows.insert_unless_exists: one INSERT … ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest

from core.models import JobRun, WorkdayOverride
from core.rows import insert_unless_exists

pytestmark = pytest.mark.django_db


def test_a_new_row_is_inserted_with_its_key_and_values():
    row = WorkdayOverride(date=dt.date(2031, 2, 1), is_workday=True, name="测试调休", source="演示")
    assert insert_unless_exists(row, unique=("date",)) is True
    assert row.pk is not None and not row._state.adding
    stored = WorkdayOverride.objects.get(pk=row.pk)
    assert (stored.date, stored.is_workday, stored.name, stored.source) == (
        dt.date(2031, 2, 1),
        True,
        "测试调休",
        "演示",
    )


def test_an_existing_key_writes_nothing_and_keeps_the_row():
    WorkdayOverride.objects.create(date=dt.date(2031, 2, 2), is_workday=False, name="原有")
    again = WorkdayOverride(date=dt.date(2031, 2, 2), is_workday=True, name="重复")
    assert insert_unless_exists(again, unique=("date",)) is False
    assert again.pk is None
    assert list(WorkdayOverride.objects.filter(date=dt.date(2031, 2, 2)).values_list("name", "is_workday")) == [
        ("原有", False)
    ]


def test_null_and_datetime_values_are_adapted_as_save_does():
    when = dt.datetime(2031, 2, 3, 8, 30, tzinfo=dt.UTC)
    run = JobRun(name="demo-job", last_started_at=when, last_seconds=None)
    assert insert_unless_exists(run, unique=("name",))
    stored = JobRun.objects.get(name="demo-job")
    assert stored.last_started_at == when and stored.last_seconds is None and stored.last_ok is False


def test_id_chunks_keep_every_id_in_order_in_lists_of_the_size(monkeypatch):
    from core import rows

    monkeypatch.setattr(rows, "IDS_PER_STATEMENT", 3)
    assert list(rows.id_chunks(iter(range(7)))) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(rows.id_chunks([])) == []
