"""Long work in the queue with progress (core/jobs.py): the task-ledger export of a whole scope, started
from the API or the task list, built by the real queue worker, fetched by its requester only."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from core import jobs
from core.models import BackgroundJob
from plans.models import Task

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)


@pytest.fixture
def committed_demo(transactional_db):
    """The real worker (`db_worker`) manages its own connection state, which a test's open transaction
    does not survive on PostgreSQL: these tests commit, with the demo loaded by them."""
    call_command("load_demo", stdout=io.StringIO())


def _headers(users, name: str) -> dict:
    from accounts.services import token_issue

    return {"Authorization": f"Bearer {token_issue(user=users[name])}"}


def test_the_api_queues_the_ledger_export_and_the_worker_builds_it_with_progress(committed_demo, users, client):
    office = _headers(users, "office")
    started = client.post("/api/v1/tasks/ledger-jobs", headers=office)  # queued on commit
    assert started.status_code == 202
    job = started.json()
    assert job["state"] == "queued" and job["file_url"] is None
    assert client.get(f"/api/v1/jobs/{job['id']}/file", headers=office).status_code == 404  # not done yet

    run_worker()

    done = client.get(f"/api/v1/jobs/{job['id']}", headers=office).json()
    live = Task.objects.filter(is_deleted=False).count()
    assert (done["state"], done["percent"], done["done"], done["total"]) == ("done", 100, live, live)
    response = client.get(done["file_url"], headers=office)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    codes = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert len(codes) >= live  # every task's row (plus the header rows)

    # Someone else's job does not exist for you, in the API or on the page.
    other = _headers(users, "leader")
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=other).status_code == 404
    assert client.get(done["file_url"], headers=other).status_code == 404


def test_the_task_list_starts_it_and_the_job_page_polls_until_the_file_is_there(committed_demo, users, client_as):
    office = client_as("office")
    response = office.post("/tasks/export/background/?status=on_track")
    assert response.status_code == 302
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["status"] == "on_track"
    page = office.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and 'hx-trigger="every 1s"' in page.content.decode()
    run_worker()
    partial = office.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in partial and "hx-trigger" not in partial and f"/jobs/{job.pk}/file/" in partial
    assert office.get(f"/jobs/{job.pk}/file/").status_code == 200
    assert client_as("zjj_reporter").get(f"/jobs/{job.pk}/").status_code == 404


def test_a_job_runs_once_and_a_requester_who_lost_the_right_gets_a_message_and_no_file(users):
    job = jobs.job_start(actor=users["office"], kind="task_ledger_export", params={"filter": {}, "as_of": None})
    assert jobs.job_run(job.pk) == "done"
    assert jobs.job_run(job.pk) == "skipped"  # a task delivered twice runs once

    second = jobs.job_start(actor=users["office"], kind="task_ledger_export", params={"filter": {}, "as_of": None})
    users["office"].is_active = False
    users["office"].save(update_fields=["is_active"])
    assert jobs.job_run(second.pk) == "failed"
    second.refresh_from_db()
    assert second.message and not second.result


def test_progress_is_written_as_the_rows_go(users, monkeypatch):
    job = BackgroundJob.objects.create(kind="x", requested_by=users["office"])
    context = jobs.JobContext(job)
    monkeypatch.setattr(jobs.JobContext, "PROGRESS_EVERY", 0)
    seen = []
    for n in context.counted(range(5), 5):
        seen.append(BackgroundJob.objects.values_list("done", "total").get(pk=job.pk))
        assert n == len(seen) - 1
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)]
    assert BackgroundJob.objects.values_list("done", flat=True).get(pk=job.pk) == 5


def test_a_role_without_task_reads_cannot_start_it(users, client_as):
    assert client_as("outsider").post("/tasks/export/background/").status_code == 403


def test_a_large_ledger_import_runs_in_the_worker_and_its_progress_shows_while_its_transaction_is_open(
    committed_demo, users, client_as, monkeypatch
):
    """The import writes in one transaction; on PostgreSQL the job's progress is written beside it (its
    own connection), so a poll sees "writing" before the import commits."""
    import importlib

    from django.db import connections

    from core import imports
    from plans.models import Plan
    from plans.tests.test_ledger_import import _new_rows, upload

    monkeypatch.setattr(imports, "IMPORT_SYNC_MAX_ROWS", 5)
    monkeypatch.setattr(jobs.JobContext, "PROGRESS_EVERY", 0)
    plan = Plan.objects.exclude(status=Plan.Status.CLOSED).order_by("pk").first()
    seen_aside: list[tuple] = []
    service = importlib.import_module(
        "plans.services.ledger_import"
    )  # the module (the package re-exports its function)
    original = service._import_creates

    def creates_then_look(*args, **kwargs):
        original(*args, **kwargs)
        if connections["default"].vendor == "postgresql":
            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT message, total, heartbeat_at > started_at FROM core_backgroundjob"
                        " WHERE kind = 'task_ledger_import'"
                    )
                    seen_aside.extend(cursor.fetchall())  # the heartbeat beats beside the transaction too
                    cursor.execute("SELECT count(*) FROM plans_task WHERE plan_id = %s", [plan.pk])
                    seen_aside.append(("tasks", cursor.fetchone()[0]))
            finally:
                other.close()

    monkeypatch.setattr(service, "_import_creates", creates_then_look)
    before = Task.objects.filter(plan=plan).count()
    office = client_as("office")
    response = upload(office, plan, _new_rows(plan, 12))
    job = BackgroundJob.objects.get(kind="task_ledger_import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    run_worker()
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.input.name) == ("done", 12, 12, ""), job.message
    assert Task.objects.filter(plan=plan).count() == before + 12
    if connections["default"].vendor == "postgresql":
        assert seen_aside == [("写入任务", 12, True), ("tasks", before)]  # progress visible, the tasks not yet
