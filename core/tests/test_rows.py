"""core.rows: insert_unless_exists (one INSERT … ON CONFLICT DO NOTHING), and select_rows and ids_condition
(hand-written reads converted as the ORM converts), on SQLite and PostgreSQL alike."""

import datetime as dt

import pytest
from django.db import connection

from accounts.models import ApiToken, User
from core.models import JobRun, WorkdayOverride
from core.rows import columns_sql, ids_condition, insert_unless_exists, instance, select_rows
from plans.models import Plan

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


def test_select_rows_converts_every_column_as_the_orm_does():
    """Aware datetimes, dates, booleans, nulls, decimals, JSON: what a values_list of the same fields gives
    (the demo plans hold decimals and dates)."""
    user = User.objects.create(username="rows-demo", display_name="演示")
    when = dt.datetime(2031, 2, 3, 8, 30, 15, 123456, tzinfo=dt.UTC)
    ApiToken.objects.create(user=user, key_hash="a" * 64, expires_at=when, revoked=True, revoked_at=None)
    insert_unless_exists(
        JobRun(name="rows-job", last_started_at=when, last_seconds=1.25, last_ok=True), unique=("name",)
    )
    assert Plan.objects.exists()
    for model in (ApiToken, JobRun, Plan):
        cols, fields = columns_sql(model, connection)
        table = connection.ops.quote_name(model._meta.db_table)
        got = select_rows(f"SELECT {cols} FROM {table} ORDER BY 1", [], fields)  # noqa: S608
        expected = list(model.objects.order_by("pk").values_list(*[f.attname for f in fields]))
        assert got == expected
        assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in expected]
    cols, fields = columns_sql(ApiToken, connection)
    table = connection.ops.quote_name(ApiToken._meta.db_table)
    token = instance(ApiToken, select_rows(f"SELECT {cols} FROM {table}", [], fields)[0])  # noqa: S608
    assert (token.expires_at, token.revoked, token.user_id, token._state.adding) == (when, True, user.pk, False)


def test_ids_condition_matches_exactly_the_ids_and_an_empty_list_nothing():
    ids = [User.objects.create(username=f"ids-{i}", display_name="演示").pk for i in range(5)]
    column = f"{connection.ops.quote_name(User._meta.db_table)}.{connection.ops.quote_name('id')}"
    table = connection.ops.quote_name(User._meta.db_table)
    for chosen in ([ids[1], ids[3]], ids, [], [ids[0], ids[0]]):
        where, params = ids_condition(column, chosen, connection)
        found = select_rows(f"SELECT {column} FROM {table} WHERE {where} ORDER BY 1", params, [None])  # noqa: S608
        assert [pk for (pk,) in found] == sorted(set(chosen))


def test_id_chunks_keep_every_id_in_order_in_lists_of_the_size(monkeypatch):
    from core import rows

    monkeypatch.setattr(rows, "IDS_PER_STATEMENT", 3)
    assert list(rows.id_chunks(iter(range(7)))) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(rows.id_chunks([])) == []
