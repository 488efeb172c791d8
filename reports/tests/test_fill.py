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
    assert job.requested_by is None  # the system's follow-up of the change (reports.snapshots)
    assert office.get(f"/jobs/{job.pk}/").status_code == 200  # who may edit the calendar sees it
    assert client_as("zjj_reporter").get(f"/jobs/{job.pk}/").status_code == 404
    probe = today - dt.timedelta(days=2)
    assert not StatusInterval.objects.filter(valid_from__lte=probe, valid_to__gt=probe).exists()  # cut
    assert job.params == {"from": day.isoformat(), "to": today.isoformat()}
    assert jobs.job_run(job.pk) == "done"
    stored = {
        iv.task_id: (iv.status, iv.light, iv.computed_light, iv.late, iv.completion)
        for iv in StatusInterval.objects.filter(valid_from__lte=probe, valid_to__gt=probe)
    }
    assert stored == {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, probe).items()}
    # A change of a day long past widens the waiting refill back to that day (any past day stays stored).
    old = fill.history_refill_due(since=dt.date(2021, 5, 6))
    assert old is not None and old.params["from"] == "2021-05-06"
    assert fill.history_refill_due(since=today + dt.timedelta(days=3)) is None


def _covered_on(day):
    return {
        iv.task_id: (iv.status, iv.light, iv.computed_light, iv.late, iv.completion)
        for iv in StatusInterval.objects.filter(valid_from__lte=day, valid_to__gt=day)
    }


def test_a_plan_settings_change_of_many_tasks_queues_one_refill_of_their_history(monkeypatch, demo_plan, users):
    """The rule lives in status_refresh: any change cutting past days of more than INLINE_FILL_LIMIT tasks."""
    from django.utils import timezone

    from plans.services import plan_settings
    from reports import fill, snapshots

    monkeypatch.setattr(intervals, "INLINE_FILL_LIMIT", 3)  # the demo plan is small: its tasks are "many"
    today = timezone.localdate()
    tasks = list(Task.objects.alive().select_related("plan", "node"))
    assert len(tasks) > 3 and all(t.plan_id == demo_plan.pk for t in tasks)
    intervals.history_fill(today - dt.timedelta(days=10), today)
    # First a change of many tasks from five days ago, then the plan's thresholds (every day): one
    # refill, widened to every day since the earliest task's start (the demo plan is of 2021).
    snapshots.status_refresh(tasks=Task.objects.alive(), since=today - dt.timedelta(days=5))
    job = BackgroundJob.objects.get(kind=fill.HISTORY_KIND)
    assert job.params["from"] == (today - dt.timedelta(days=5)).isoformat()
    settings = {"cadence": demo_plan.cadence, "stagger_workdays": demo_plan.stagger_workdays}
    plan_settings(actor=users["office"], plan=demo_plan, **settings, lag_yellow_percent=5, lag_red_percent=30)
    plan_settings(actor=users["office"], plan=demo_plan, **settings, lag_yellow_percent=6, lag_red_percent=30)
    job = BackgroundJob.objects.get(kind=fill.HISTORY_KIND)
    bound = min(t.start_date for t in tasks)
    assert job.params == {"from": bound.isoformat(), "to": today.isoformat()} and job.requested_by is None
    probes = [today - dt.timedelta(days=1), today - dt.timedelta(days=8), dt.date(2021, 6, 30), bound]
    # A day five years back, stored again, is cut by a third change, which joins the same refill.
    intervals.history_fill(dt.date(2021, 6, 30), dt.date(2021, 7, 1))
    plan_settings(actor=users["office"], plan=demo_plan, **settings, lag_yellow_percent=7, lag_red_percent=30)
    assert not any(_covered_on(day) for day in probes)  # cut
    assert list(BackgroundJob.objects.filter(kind=fill.HISTORY_KIND)) == [job]

    assert jobs.job_run(job.pk) == "done"
    tasks = list(Task.objects.alive().select_related("plan", "node"))  # the new thresholds
    for day in probes:
        assert _covered_on(day) == {pk: intervals.values_of(r) for pk, r in task_statuses(tasks, day).items()}
    assert not intervals.with_gap(Task.objects.alive(), bound, today).exists()


def test_a_small_change_or_one_of_today_queues_no_refill(monkeypatch):
    from django.utils import timezone

    from reports import snapshots

    monkeypatch.setattr(intervals, "INLINE_FILL_LIMIT", 3)
    today = timezone.localdate()
    few = list(Task.objects.alive()[:3])
    snapshots.status_refresh(tasks=few, since=None)  # not more than the limit: a request fills them
    snapshots.status_refresh(tasks=Task.objects.alive(), since=today)  # no past day cut
    snapshots.status_refresh(everything=True, since=today + dt.timedelta(days=3))
    assert not BackgroundJob.objects.exists()


def test_the_refill_computes_only_the_tasks_that_lack_a_day():
    from django.utils import timezone

    from reports import snapshots

    today = timezone.localdate()
    start = today - dt.timedelta(days=10)
    intervals.history_fill(start, today)
    alive = Task.objects.alive()
    assert not intervals.with_gap(alive, start, today).exists()
    first, second, third = alive.order_by("pk")[:3]
    snapshots.status_refresh(tasks=[first], since=today - dt.timedelta(days=3))  # a hole from that day
    StatusInterval.objects.filter(task=second, valid_from__lte=start, valid_to__gt=start).delete()  # the first day
    # Days before the task's own start do not count.
    begins = today - dt.timedelta(days=2)
    Task.objects.filter(pk=third.pk).update(start_date=begins, deadline=begins + dt.timedelta(days=30))
    StatusInterval.objects.filter(task=third).delete()
    intervals.history_fill(begins, today, list(Task.objects.filter(pk=third.pk).with_plan("node")))
    assert set(intervals.with_gap(alive, start, today)) == {first, second}
