"""A queue worker killed mid-job (core/jobs.py): the job's heartbeat stops, the requeue timer fails it and
deletes its stored upload; a job that still beats is left alone; a worker that comes back late does not
turn the recovered job into "done"."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from core import jobs, uploads
from core.models import BackgroundJob

pytestmark = pytest.mark.django_db
INTERRUPTED = "后台任务中断（处理进程已停止），请重新提交。"
RUNNING = BackgroundJob.State.RUNNING


def _running(user, *, beat_minutes_ago: int, input_name: str = "") -> BackgroundJob:
    beat = timezone.now() - timedelta(minutes=beat_minutes_ago)
    return BackgroundJob.objects.create(
        kind="x", requested_by=user, state=RUNNING, started_at=beat, heartbeat_at=beat, input=input_name
    )


def test_the_requeue_timer_fails_a_job_whose_worker_stopped_and_deletes_its_upload(
    users, django_capture_on_commit_callbacks
):
    stored = default_storage.save("job-inputs/test/killed.xlsx", ContentFile(b"a queued ledger"))
    stale = _running(users["office"], beat_minutes_ago=45, input_name=stored)
    alive = _running(users["office"], beat_minutes_ago=5)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_requeue", stdout=out)  # the 10-minute timer, default limit 30 minutes
    assert "failed 1 stale background jobs" in out.getvalue()
    stale.refresh_from_db()
    assert (stale.state, stale.message, stale.input.name) == ("failed", INTERRUPTED, "")
    assert stale.finished_at is not None and stale.finished
    assert not default_storage.exists(stored)
    alive.refresh_from_db()
    assert (alive.state, alive.finished_at) == (RUNNING, None)


def test_a_job_that_beat_after_it_was_read_as_stale_is_left_alone(users, monkeypatch):
    job = _running(users["office"], beat_minutes_ago=45)
    seen = BackgroundJob.objects.filter

    def beat_meanwhile(*args, **kwargs):  # the job writes progress between the read and the UPDATE
        if kwargs.get("heartbeat_at") is not None:
            BackgroundJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        return seen(*args, **kwargs)

    monkeypatch.setattr(BackgroundJob.objects, "filter", beat_meanwhile)
    assert jobs.jobs_recover_stale(older_than=timedelta(minutes=30)) == 0
    job.refresh_from_db()
    assert job.state == RUNNING


def test_a_late_worker_does_not_mark_a_recovered_job_done_and_its_file_goes(
    users, monkeypatch, django_capture_on_commit_callbacks
):
    stored: list[str] = []
    store = uploads.store_upload

    def store_and_note(*args, **kwargs):
        result = store(*args, **kwargs)
        stored.append(result.name)
        return result

    monkeypatch.setattr(uploads, "store_upload", store_and_note)

    def run(ctx: jobs.JobContext) -> jobs.JobResult:
        # The worker stalls past the limit, the timer recovers the job, then the worker comes back.
        BackgroundJob.objects.filter(pk=ctx.job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        assert jobs.jobs_recover_stale(older_than=timedelta(minutes=30)) == 1
        book, content = Workbook(), io.BytesIO()
        book.save(content)
        return jobs.JobResult("late.xlsx", content.getvalue(), "application/octet-stream")

    monkeypatch.setitem(jobs._KINDS, "late", jobs.JobKind("late", run, lambda user: True))
    job = BackgroundJob.objects.create(kind="late", requested_by=users["office"])
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.state, job.message, job.result.name) == ("failed", INTERRUPTED, "")
    assert len(stored) == 1 and not default_storage.exists(stored[0])


def test_a_job_starts_with_a_heartbeat_and_progress_renews_it(users, monkeypatch):
    def run(ctx: jobs.JobContext) -> None:
        started = BackgroundJob.objects.values_list("heartbeat_at", flat=True).get(pk=ctx.job.pk)
        assert started is not None
        ctx.progress(1, 2, force=True)
        assert BackgroundJob.objects.values_list("heartbeat_at", flat=True).get(pk=ctx.job.pk) > started

    monkeypatch.setitem(jobs._KINDS, "beat", jobs.JobKind("beat", run, lambda user: True))
    job = BackgroundJob.objects.create(kind="beat", requested_by=users["office"])
    assert jobs.job_run(job.pk) == "done", BackgroundJob.objects.get(pk=job.pk).message
