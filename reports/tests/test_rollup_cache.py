"""The rollup cache (reports.rollup_cache): hits while nothing changed, misses once a change commits.

The suite runs with a dummy cache; these tests switch a real one on and run the on-commit hooks
that a real commit would run (django_capture_on_commit_callbacks(execute=True)).
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from org.models import Unit
from plans.models import Task
from reports import rollup_cache, services
from reports.models import StatusInterval, StatusSnapshot
from reports.selectors import cockpit, rollups
from reports.status import task_statuses
from reports.tests.test_snapshots import _open_period_task


@pytest.fixture
def real_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield
    cache.clear()


def _unit_row(rows, name):
    return next(r for r in rows if r.key == name)


def test_a_repeated_rollup_is_served_from_the_cache(real_cache, users, django_assert_max_num_queries):
    today = timezone.localdate()
    first = rollups(users["office"], "unit", today)
    # Changed behind the services' back (no epoch move): the cached answer proves the cache served it.
    StatusSnapshot.objects.filter(day=today).update(status="overdue")
    with django_assert_max_num_queries(4):  # the epoch, the role grants; not the 20 000-row GROUP BY
        second = rollups(users["office"], "unit", today)
    assert [(r.key, r.rollup.by_status) for r in second] == [(r.key, r.rollup.by_status) for r in first]


def test_an_approval_moves_the_epoch_and_the_next_rollup_sees_it(real_cache, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = _open_period_task()
    today = timezone.localdate()
    office, reporter, head = users["office"], users["zjj_reporter"], users["zjj_head"]
    before = cockpit(office, today)
    epoch = rollup_cache.epoch_current()
    period = task_statuses([task], today)[task.pk].current_period
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_start(actor=reporter, task=task, period_end=period.end, due_date=period.due)
        report = services.report_save(
            actor=reporter, report=report, value=task.target_value, narrative="全部完成，待核验。", submit=True
        )
        services.report_approve(actor=head, report=report)
    assert rollup_cache.epoch_current() != epoch
    after = cockpit(office, today)
    name = task.lead_unit.name
    assert (
        _unit_row(after.units, name).rollup.weighted_completion
        > _unit_row(before.units, name).rollup.weighted_completion
    )


def test_a_transaction_moves_the_epoch_once_and_only_when_it_commits(users, django_capture_on_commit_callbacks):
    before = rollup_cache.epoch_current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rollup_cache.epoch_touch()
        rollup_cache.epoch_touch()
    assert len(callbacks) == 1
    moved = rollup_cache.epoch_current()
    assert moved != before
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            rollup_cache.epoch_touch()
            raise RuntimeError("rolled back")
    assert callbacks == []
    assert rollup_cache.epoch_current() == moved


@pytest.mark.parametrize("change", ["unit_name", "task_unit", "co_units"])
def test_changes_of_what_rollups_group_by_move_the_epoch(change, real_cache, users, django_capture_on_commit_callbacks):
    task = Task.objects.alive().select_related("lead_unit").filter(lead_unit__isnull=False).first()
    other = Unit.objects.exclude(pk=task.lead_unit_id).first()
    before = rollup_cache.epoch_current()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "unit_name":
            unit = task.lead_unit
            unit.name = unit.name + "（新）"
            unit.save()
        elif change == "task_unit":
            task.lead_unit = other
            task.save()
        else:
            task.co_units.add(other)
    assert rollup_cache.epoch_current() != before


def test_scopes_are_cached_apart(real_cache, users):
    today = timezone.localdate()
    city = rollups(users["office"], "unit", today)
    unit = rollups(users["zjj_reporter"], "unit", today)
    assert sum(r.rollup.count for r in unit) < sum(r.rollup.count for r in city)
    assert rollups(users["office"], "unit", today)[0].rollup.count == city[0].rollup.count
    past = rollups(users["office"], "unit", dt.date(2021, 6, 30))
    assert [r.rollup.by_status for r in past] != [r.rollup.by_status for r in city]


def test_the_api_serves_cached_json_until_a_change_commits(
    real_cache, users, client_as, django_capture_on_commit_callbacks
):
    client = client_as("office")
    first = client.get("/api/v1/rollups?by=unit").json()
    task = Task.objects.alive().select_related("lead_unit").filter(lead_unit__isnull=False).first()
    row = next(r for r in first if r["key"] == task.lead_unit.name)
    assert client.get("/api/v1/rollups?by=unit").json() == first
    with django_capture_on_commit_callbacks(execute=True):
        unit = task.lead_unit
        unit.name = unit.name + "（新）"
        unit.save()
    renamed = {r["key"]: r for r in client.get("/api/v1/rollups?by=unit").json()}
    assert unit.name in renamed and renamed[unit.name]["count"] == row["count"]


def test_the_cockpit_lists_the_earliest_red_and_overdue_tasks_and_links_to_all(users, client_as, monkeypatch):
    from reports import selectors

    today = timezone.localdate()
    full = cockpit(users["office"], today)
    assert len(full.red) == full.by_light["red"] >= 2  # the demo has several red tasks today
    monkeypatch.setattr(selectors, "COCKPIT_LIST_LIMIT", 1)
    short = cockpit(users["office"], today)
    assert [t.pk for t, _s in short.red] == [full.red[0][0].pk]  # the earliest deadline first
    assert short.by_light == full.by_light  # the counts still count every task
    page = client_as("office").get("/cockpit/").content.decode()
    assert 'data-testid="red-more"' in page and "&amp;light=red&amp;sort=deadline" in page


def test_the_cockpit_shows_the_units_needing_attention_and_links_to_all_of_them(users, client_as, monkeypatch):
    import re

    from reports import selectors

    day = "2021-07-20"
    full = cockpit(users["office"], dt.date.fromisoformat(day))
    assert len(full.units) >= 3
    monkeypatch.setattr(selectors, "COCKPIT_UNITS_SHOWN", 2)
    office = client_as("office")
    row = re.compile(r'<tr><td class="num">(\d+)</td><td><a href="[^"]*lead_unit=(\d+)">')
    short = office.get(f"/cockpit/?as_of={day}").content.decode()
    everyone = office.get(f"/cockpit/?as_of={day}&units=all").content.decode()
    shown, ranked = row.findall(short), row.findall(everyone)
    # All: the league in rank order; short: the 2 with the most red, then yellow tasks, ranks as in the league.
    assert [int(n) for n, _ in ranked] == list(range(1, len(full.units) + 1))
    lights = {str(r.ref): (r.rollup.by_light["red"], r.rollup.by_light["yellow"]) for r in full.units}
    worst = sorted(ranked, key=lambda p: (-lights[p[1]][0], -lights[p[1]][1], int(p[0])))[:2]
    assert shown == worst and lights[worst[0][1]][0] > 0
    assert 'data-testid="units-all"' in short and "units=all" in short and f"as_of={day}" in short
    assert "{#" not in short and "{% comment" not in short  # template comments stay comments
    assert 'data-testid="units-all"' not in everyone and 'data-testid="units-attention"' in everyone


def test_the_cockpit_caches_units_and_areas_under_the_keys_rollups_read(real_cache, users):
    today = timezone.localdate()
    c = cockpit(users["office"], today)
    StatusInterval.objects.update(status="overdue")  # behind the services' back: only a cache hit ignores it
    for by, rows in (("unit", c.units), ("area", c.areas)):
        cached = rollups(users["office"], by, today)
        assert sorted((r.key, r.ref or 0, list(r.rollup.by_status.values())) for r in cached) == sorted(
            (r.key, r.ref or 0, list(r.rollup.by_status.values())) for r in rows
        )
