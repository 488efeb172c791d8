"""A past day nobody stored: the cockpit page hands the fill to the queue (reports/fill.py)."""

import datetime as dt

import pytest

from core import jobs
from core.models import BackgroundJob
from plans.models import Task
from reports import intervals
from reports.models import StatusInterval
from reports.status import task_statuses

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 7, 20)
URL = f"/cockpit/?as_of={DAY.isoformat()}"
POLL = {"HX-Request": "true", "HX-Target": "cockpit-fill"}


def _covered():
    return StatusInterval.objects.filter(valid_from__lte=DAY, valid_to__gt=DAY)


def test_an_unstored_day_is_filled_in_the_queue_and_the_page_shows_it_when_done(client_as, monkeypatch):
    monkeypatch.setattr(intervals, "INLINE_FILL_LIMIT", 3)  # the demo city is small: any day is "many"
    office = client_as("office")
    page = office.get(URL)
    assert page.status_code == 200
    assert 'data-testid="cockpit-fill"' in page.content.decode() and 'hx-trigger="every 2s"' in page.content.decode()
    assert not _covered().exists()  # nothing computed in the request
    office.get(URL)
    job = BackgroundJob.objects.get(kind="status_fill")  # the second viewer joined the first fill
    assert job.params == {"day": DAY.isoformat()}
    polled = office.get(URL, headers=POLL)
    assert 'id="cockpit-fill"' in polled.content.decode() and "<html" not in polled.content.decode()

    assert jobs.job_run(job.pk) == "done"
    job.refresh_from_db()
    tasks = list(Task.objects.alive().select_related("plan", "node"))
    assert job.done == job.total == len(tasks) and not job.result
    stored = {iv.task_id: (iv.status, iv.light, iv.computed_light, iv.late, iv.completion) for iv in _covered()}
    assert stored == {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, DAY).items()}

    assert office.get(URL, headers=POLL)["HX-Refresh"] == "true"
    shown = office.get(URL).content.decode()
    assert 'data-testid="count-total"' in shown and "cockpit-fill" not in shown


def test_a_small_scope_still_computes_inline(client_as):
    page = client_as("office").get(URL).content.decode()
    assert 'data-testid="count-total"' in page
    assert _covered().exists() and not BackgroundJob.objects.exists()


def test_status_history_fills_the_last_days_for_a_timer():
    from io import StringIO

    from django.core.management import call_command

    call_command("status_history", "--last", "2", "--to", DAY.isoformat(), stdout=StringIO())
    live = Task.objects.alive().count()
    for back in (1, 2):
        day = DAY - dt.timedelta(days=back)
        assert StatusInterval.objects.filter(valid_from__lte=day, valid_to__gt=day).count() == live
    assert not _covered().exists()  # --to is the day after the last


def test_status_history_all_starts_at_the_earliest_task():
    from io import StringIO

    from django.core.management import call_command
    from django.db.models import Min

    earliest = Task.objects.alive().aggregate(first=Min("start_date"))["first"]
    call_command("status_history", "--all", "--to", (earliest + dt.timedelta(days=3)).isoformat(), stdout=StringIO())
    live = Task.objects.alive().count()
    for back in range(3):
        day = earliest + dt.timedelta(days=back)
        assert StatusInterval.objects.filter(valid_from__lte=day, valid_to__gt=day).count() == live


def test_a_calendar_change_refills_the_stored_history_in_the_queue(client_as):
    """A working-day override cuts every task's history from its day; the queue refills those days."""
    from django.utils import timezone

    from reports import fill

    today = timezone.localdate()
    day = today - dt.timedelta(days=6)
    office = client_as("office")
    tasks = list(Task.objects.alive().select_related("plan", "node"))
    intervals.history_fill(today - dt.timedelta(days=10), today)
    response = office.post("/calendar/", {"date": day.isoformat(), "is_workday": "on", "name": "测试调休"}, follow=True)
    job = BackgroundJob.objects.get(kind=fill.HISTORY_KIND)
    assert f"后台任务 #{job.pk}" in response.content.decode()  # the office is told what runs now
    probe = today - dt.timedelta(days=2)
    assert not StatusInterval.objects.filter(valid_from__lte=probe, valid_to__gt=probe).exists()  # cut
    assert job.params == {"from": day.isoformat(), "to": today.isoformat()}
    assert jobs.job_run(job.pk) == "done"
    stored = {
        iv.task_id: (iv.status, iv.light, iv.computed_light, iv.late, iv.completion)
        for iv in StatusInterval.objects.filter(valid_from__lte=probe, valid_to__gt=probe)
    }
    assert stored == {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, probe).items()}
    # A change of a day long past refills only as far back as the weekly timer keeps (HISTORY_DAYS).
    old = fill.history_refill_start(actor=office_user(), since=dt.date(2021, 5, 6))
    assert old is not None and old.params["from"] == (today - dt.timedelta(days=fill.HISTORY_DAYS)).isoformat()
    assert fill.history_refill_start(actor=office_user(), since=today + dt.timedelta(days=3)) is None


def office_user():
    from accounts.models import User

    return User.objects.get(username="office")
