"""seed_scale: a small city built through the same tables, consistent, deterministic, refused on real data."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit import chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import audit_keyring, event_content
from plans.models import PlanNode, Task
from reports.models import ProgressReport, StatusSnapshot
from reports.status import task_statuses
from scale.generator import Sizes, build_city, path_of

pytestmark = pytest.mark.django_db
SMALL = Sizes(tasks=200, reports=2000, units=30, users=60)
TODAY = dt.date(2026, 11, 25)


def test_paths_are_treebeards():
    assert path_of(1) == "0001" and path_of(36) == "0010" and path_of(2, 11) == "0002000B"


def test_seed_scale_refuses_a_database_with_other_data():
    with pytest.raises(CommandError, match="did not generate"):
        call_command("seed_scale", "--tasks=10", "--reports=10", "--units=10", "--users=10")


def _verify_chain() -> chain.Verdict:
    heads = {
        i: (last_hash, count) for i, last_hash, count in AuditChainHead.objects.values_list("id", "last_hash", "count")
    }
    events = (event_content(e) for e in AuditEvent.objects.order_by("id").iterator())
    return chain.verify(events, keys=audit_keyring().keys, heads=heads)


def test_a_small_city_is_consistent(users):
    before_tasks = Task.objects.count()
    outcome = build_city(sizes=SMALL, seed=1, today=TODAY, orders=2, log=lambda *_: None)
    assert outcome.counts["tasks"] == 200 and Task.objects.count() == before_tasks + 200
    assert outcome.counts["units"] == 30 and outcome.counts["users"] == 60
    assert 1000 < outcome.counts["reports"] <= 2200
    assert PlanNode.objects.find_problems() == ([], [], [], [], [])
    verdict = _verify_chain()
    assert verdict.ok, verdict
    states = set(
        ProgressReport.objects.filter(task__code__startswith="T", task__plan__title__contains="生成").values_list(
            "state", flat=True
        )
    )
    assert {"approved", "submitted"} <= states
    generated = list(Task.objects.filter(plan__title__contains="生成").select_related("plan", "node"))
    assert StatusSnapshot.objects.filter(day=TODAY, task__in=generated).count() == len(generated)
    lights = {s.light.value for s in task_statuses(generated, TODAY).values()}
    assert lights == {"green", "yellow", "red"}


def _digest() -> list:
    rows = ProgressReport.objects.filter(task__plan__title__contains="生成").order_by("pk")
    return list(
        rows.values_list("pk", "task__code", "unit__name", "period_end", "value", "state", "first_submitted_at")
    )


def test_the_same_seed_builds_the_same_city(users):
    digests = []
    for _ in range(2):
        with transaction.atomic():
            build_city(sizes=SMALL, seed=7, today=TODAY, orders=0, log=lambda *_: None)
            digests.append(_digest())
            transaction.set_rollback(True)  # back to the demo database, ids and all
    assert digests[0] and digests[0] == digests[1]


def test_generated_projects_feed_lights_and_rollups(users):
    from projects import selectors
    from projects.models import Project, ProjectReport
    from scale.projects_gen import build_projects

    build_city(sizes=SMALL, seed=1, today=TODAY, orders=0, log=lambda *_: None)
    reports = build_projects(n=40, seed=1, today=TODAY, log=lambda *_: None)
    assert Project.objects.filter(code__startswith="XM-S-").count() == 40
    assert ProjectReport.objects.filter(project__code__startswith="XM-S-").count() == reports > 0
    groups = selectors.project_rollup(users["office"], TODAY, "type")
    assert sum(g.count for g in groups) >= 40 and sum(g.actual for g in groups) > 0
