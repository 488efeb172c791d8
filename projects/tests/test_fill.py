"""A past day whose project statuses nobody stored: the cockpit's projects card hands it to the queue."""

import datetime as dt

import pytest

from core import jobs
from core.models import BackgroundJob
from plans.models import Task
from projects import status as project_status
from projects.demo import load_demo_projects
from projects.models import Project, ProjectStatus
from reports import intervals

pytestmark = pytest.mark.django_db
DAY = dt.date(2021, 7, 20)
URL = f"/cockpit/?as_of={DAY.isoformat()}"


def _row(s: ProjectStatus) -> tuple:
    return (s.light, s.stage_index, s.started, s.finished, s.late_stages, s.planned, s.actual, s.lag_percent)


def test_the_card_queues_a_day_of_many_projects_and_the_job_stores_the_engines_values(client_as, monkeypatch):
    load_demo_projects(DAY)
    office = client_as("office")
    intervals.ensure_covered(Task.objects.alive(), DAY)  # the tasks' day is stored: only projects lack it
    monkeypatch.setattr(intervals, "INLINE_FILL_LIMIT", 3)  # now any day of projects is "many"
    page = office.get(URL).content.decode()
    assert 'data-testid="projects-fill"' in page and 'data-testid="projects-red-total"' not in page
    assert not ProjectStatus.objects.filter(day=DAY).exists()  # nothing computed in the request
    office.get(URL)
    job = BackgroundJob.objects.get(kind="project_status_fill")  # the second view joined the first fill

    assert jobs.job_run(job.pk) == "done"
    job.refresh_from_db()
    projects = list(Project.objects.select_related("type"))
    assert job.done == job.total == len(projects) > 3 and not job.result
    stored = {s.project_id: _row(s) for s in ProjectStatus.objects.filter(day=DAY)}
    # The same rows the inline path stores (one engine): computed afresh for the same projects.
    ProjectStatus.objects.filter(day=DAY).delete()
    computed = {pk: _row(s) for pk, s in project_status.statuses_on(DAY, projects).items()}
    assert stored == computed
    red = sum(1 for row in stored.values() if row[0] == "red")
    shown = office.get(URL).content.decode()
    assert 'data-testid="projects-fill"' not in shown
    assert f'data-testid="projects-red-total">{red}</a>' in shown


def test_a_day_of_few_projects_is_still_computed_inline(client_as):
    load_demo_projects(DAY)
    lacking = project_status.missing_count(Project.objects.all(), DAY, every_project=True)
    assert lacking == Project.objects.count() > 0
    client_as("office").get(URL)
    assert project_status.missing_count(Project.objects.all(), DAY, every_project=True) == 0
    assert not BackgroundJob.objects.filter(kind="project_status_fill").exists()
