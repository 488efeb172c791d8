"""A job the system starts itself (core.jobs.job_schedule): no requester and no permission check, queued
when the change that scheduled it commits; a queue that cannot take it fails the job, not the change."""

from types import SimpleNamespace

import pytest

from core import jobs
from core.errors import ServiceError
from core.models import BackgroundJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def nobody_may_start(monkeypatch):
    ran = []
    monkeypatch.setitem(jobs._KINDS, "sys", jobs.JobKind("sys", lambda ctx: ran.append(ctx.user), lambda user: False))
    return ran


def test_a_scheduled_job_runs_without_a_requester_once_the_change_commits(
    nobody_may_start, users, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("core.tasks.run_job", SimpleNamespace(enqueue=queued.append))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_schedule(kind="sys", params={"n": 1})
        assert not queued  # not before the commit
    assert queued == [job.pk] and job.requested_by is None
    assert jobs.job_run(job.pk) == "done" and nobody_may_start == [None]
    with pytest.raises(ServiceError):  # a person still may not start the kind
        jobs.job_start(actor=users["office"], kind="sys", params={})


def test_a_queue_that_cannot_take_it_fails_the_job_not_the_change(
    nobody_may_start, monkeypatch, django_capture_on_commit_callbacks
):
    def down(job_id):
        raise ConnectionError("queue down")

    monkeypatch.setattr("core.tasks.run_job", SimpleNamespace(enqueue=down))
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_schedule(kind="sys", params={})
    job.refresh_from_db()
    assert job.state == BackgroundJob.State.FAILED and job.message
