"""Submitting through the API (`POST /api/v1/tasks/{id}/reports`): one transaction, all or nothing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from reports import snapshots
from reports.models import ProgressReport, StatusGeneration, StatusSnapshot
from reports.snapshots import status_catch_up, statuses_on
from reports.status import task_statuses
from reports.tests.test_snapshots import _open_period_task


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#c33").save(buffer, "PNG")
    return buffer.getvalue()


def _post(client, task, **extra):
    data = {"value": "120", "narrative": "本期完成120个小区改造。", "submit": "true", **extra}
    return client.post(f"/api/v1/tasks/{task.pk}/reports", data)


def test_a_submission_with_a_photo_is_stored_audited_and_counted(users, client_as):
    task = _open_period_task()
    response = _post(client_as("zjj_reporter"), task, evidence=[SimpleUploadedFile("现场.png", _png())])
    assert response.status_code == 201, response.content
    body = response.json()
    report = ProgressReport.objects.get(pk=body["id"])
    assert report.state == ProgressReport.State.SUBMITTED and report.first_submitted_at is not None
    assert [e["name"] for e in body["evidence"]] == ["现场.png"]
    verbs = list(AuditEvent.objects.filter(object_id=str(report.pk)).order_by("id").values_list("verb", flat=True))
    assert verbs == ["report.create", "evidence.add", "report.submit"]
    # The first submission dropped today's stored status and marked the task for the catch-up, which
    # stores what the engine computes (reports.snapshots, "Catch-up").
    today = timezone.localdate()
    assert not StatusSnapshot.objects.filter(task=task, day=today).exists()
    assert StatusGeneration.objects.get(task=task).refresh_due
    assert status_catch_up() == 1
    assert not StatusGeneration.objects.get(task=task).refresh_due
    assert StatusSnapshot.objects.filter(task=task, day=today).exists()  # stored by the catch-up, not the read below
    assert statuses_on(today, [task])[task.pk] == task_statuses([task], today)[task.pk]


def test_submissions_schedule_one_catch_up_per_second(users, client_as, django_capture_on_commit_callbacks):
    """The commit schedules the catch-up in the queue, a second later; the submissions of that second
    share it (one enqueue), and the run computes every marked task."""
    from django_tasks_db.models import DBTaskResult

    from reports import fill

    fill._scheduled = None
    task = _open_period_task()
    reporter = client_as("zjj_reporter")
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(reporter, task).status_code == 201
    queued = DBTaskResult.objects.filter(task_path="reports.tasks.status_catch_up_run")
    assert queued.count() == 1 and queued.get().run_after > timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.status_refresh(tasks=[task], since=timezone.localdate(), defer=True)
    assert queued.count() == 1  # within the second: the scheduled run will see this commit too
    assert StatusGeneration.objects.get(task=task).refresh_due
    assert status_catch_up() == 1 and status_catch_up() == 0


def test_a_rejected_file_rejects_the_whole_submission(users, client_as):
    task = _open_period_task()
    reporter = client_as("zjj_reporter")  # logging in is audited too
    events = AuditEvent.objects.count()
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00 not a document")
    response = _post(reporter, task, evidence=[SimpleUploadedFile("现场.png", _png()), bad])
    assert response.status_code == 400 and response.json()["field"] == "file"
    assert not ProgressReport.objects.filter(task=task, unit__name="区住建局", value=120).exists()
    assert AuditEvent.objects.count() == events


def test_a_returned_report_is_resubmitted_through_the_api(users, client_as):
    task = _open_period_task()
    reporter = client_as("zjj_reporter")
    first = _post(reporter, task).json()
    head = client_as("zjj_head")
    assert (
        head.post(f"/api/v1/reports/{first['id']}/return", {"reason": "请补充照片"}, "application/json").status_code
        == 200
    )
    again = _post(reporter, task, value="121")
    assert again.status_code == 201 and again.json()["id"] == first["id"]
    report = ProgressReport.objects.get(pk=first["id"])
    assert (
        report.state == ProgressReport.State.SUBMITTED
        and report.value == 121
        and report.version == first["version"] + 2
    )
    # An approved report can no longer be changed through a new submission.
    assert head.post(f"/api/v1/reports/{first['id']}/approve").status_code == 200
    refused = _post(reporter, task, value="130")
    assert refused.status_code == 400
    assert ProgressReport.objects.get(pk=first["id"]).value == 121


def test_a_submission_keeps_to_its_query_budget(users, client, django_assert_max_num_queries):
    """The Monday surge is one submission per reporter (docs/performance.md, "Submission and surge"):
    token with roles, task, co-unit check only when not the lead unit, calendar, level, report insert
    (ON CONFLICT DO NOTHING, core.rows), report update, status invalidation (bump and mark for the
    catch-up, then the day rows and intervals dropped from today: one statement on PostgreSQL, three
    on SQLite; today's row is the queue's catch-up's, reports.snapshots), stale check (the history; no
    files to compare), unit heads, notification, webhooks, one audit append (head, insert, head) for
    both events, the epoch after commit; here also the savepoint pair of the service's transaction
    inside the test's. A new query on this path shows up here, not as a slower Monday."""
    from accounts.services import token_issue

    task = _open_period_task()
    headers = {"Authorization": f"Bearer {token_issue(user=users['zjj_reporter'])}"}
    client.get("/api/v1/me", headers=headers)  # the token's once-a-minute "last used" write, out of the way
    data = {"value": "120", "narrative": "本期完成120个小区改造。", "submit": "true"}
    budget = 17 if connection.vendor == "postgresql" else 19  # SQLite drops rows and cuts in 3 statements
    with django_assert_max_num_queries(budget):
        response = client.post(f"/api/v1/tasks/{task.pk}/reports", data, headers=headers)
    assert response.status_code == 201, response.content
    report_id = str(response.json()["id"])
    verbs = list(AuditEvent.objects.filter(object_id=report_id).order_by("id").values_list("verb", flat=True))
    assert verbs == ["report.create", "report.submit"]


def test_a_task_bound_to_records_refuses_a_report_with_a_message(users, client_as):
    """数值来自记录: such a task has no reporting periods; submitting to it is a 400, not a 500."""
    task = _open_period_task()
    type(task).objects.filter(pk=task.pk).update(measure_key="tasks.done")
    response = _post(client_as("zjj_reporter"), task)
    assert response.status_code == 400 and response.json()["detail"]
    assert not ProgressReport.objects.filter(task=task, unit__name="区住建局", value=120).exists()
