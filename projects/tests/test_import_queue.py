"""A large 重点项目台账 or 月报 is imported by the queue (core/imports.py): the page starts a job instead of
writing; the job imports every row, or none with every row/column error kept; the permission is checked
when it starts and again when it runs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import BackgroundJob
from projects import ledger
from projects.ledger_io import ledger_rows
from projects.models import Project, ProjectReport
from projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

LARGE = 8  # rows; more than the 5 `queue_small` allows within the request


def _ledger(n: int, changes: dict[int, dict[int, object]] | None = None) -> bytes:
    """The ledger export's row of a test project, `n` times under new codes; `changes` {row index: {column
    index: value}} spoil cells."""
    changes = changes or {}
    if not Project.objects.filter(code="XM-T-001").exists():
        make_project()
    template = next(ledger_rows(Project.objects.filter(code="XM-T-001"), dt.date(2021, 6, 30)))
    rows = []
    for i in range(n):
        row = list(template)
        row[0], row[1] = f"XM-Q-{i:03d}", f"队列项目{i}"
        for column, value in changes.get(i, {}).items():
            row[column] = value
        rows.append(row)
    return ledger.build_ledger_xlsx(rows)


def _post(client, data: bytes, kind: str = "ledger"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("projects:import"), {"file": SimpleUploadedFile("ledger.xlsx", data), "kind": kind})


def _queued(client, data: bytes, kind: str = "ledger") -> BackgroundJob:
    response = _post(client, data, kind)
    assert response.status_code == 302, response.content.decode()[:500]
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_a_large_ledger_starts_a_job_and_the_job_imports_every_row(client_as, queue_small, run_queued, job_progress):
    client = client_as("office")
    job = _queued(client, _ledger(LARGE))
    assert job.kind == "project_ledger_import" and job.input.name.startswith("job-inputs/")
    assert not Project.objects.filter(code__startswith="XM-Q-").exists()  # nothing written by the request
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "文件较大，已转入后台导入" in page and "重点项目台账导入" in page

    assert run_queued(job) == "done"
    assert Project.objects.filter(code__startswith="XM-Q-").count() == LARGE
    assert ("读取并检查各行", LARGE, LARGE) in job_progress and ("写入各行", LARGE, LARGE) in job_progress
    job.refresh_from_db()
    assert (job.done, job.total, job.input.name, job.message) == (LARGE, LARGE, "", f"已导入{LARGE}行。")
    assert job.outcome["link"] == reverse("projects:list")


def test_a_large_ledger_with_bad_cells_writes_nothing_and_the_job_keeps_every_error(client_as, queue_small, run_queued):
    client = client_as("office")
    job = _queued(client, _ledger(LARGE, {1: {14: "不存在的单位"}, 4: {10: "很多"}}))
    assert run_queued(job) == "failed"
    assert not Project.objects.filter(code__startswith="XM-Q-").exists()
    job.refresh_from_db()
    assert job.message == "文件未导入：共 2 处问题。"
    lines = job.outcome["lines"]
    assert len(lines) == 2
    assert any("4" in line and "责任单位" in line for line in lines)
    assert any("7" in line and "总投资" in line for line in lines)
    assert "不存在的单位" in client.get(f"/jobs/{job.pk}/").content.decode()


def test_a_large_monthly_sheet_is_imported_by_the_job(client_as, queue_small, run_queued):
    project = make_project()
    sheet = ledger.build_monthly_xlsx([[project.code, dt.date(2021, m, 28), 10, ""] for m in range(1, LARGE + 1)])
    job = _queued(client_as("office"), sheet, kind="monthly")
    assert job.kind == "project_monthly_import" and not ProjectReport.objects.filter(project=project).exists()
    assert run_queued(job) == "done"
    august = ProjectReport.objects.get(project=project, month=dt.date(2021, LARGE, 31))
    assert august.amount_year == Decimal(10 * LARGE) and august.state == "approved"


def test_without_the_permission_no_job_starts_and_a_revoked_one_fails(client_as, users, queue_small, run_queued):
    from accounts.models import RoleGrant
    from core.errors import ServiceError
    from core.jobs import job_start

    assert _post(client_as("zjj_reporter"), _ledger(LARGE)).status_code == 403
    with pytest.raises(ServiceError):
        job_start(actor=users["zjj_reporter"], kind="project_ledger_import", params={})
    assert not BackgroundJob.objects.exists()

    job = _queued(client_as("office"), _ledger(LARGE))
    RoleGrant.objects.filter(user=users["office"]).delete()  # the office role taken away meanwhile
    assert run_queued(job) == "failed"
    assert not Project.objects.filter(code__startswith="XM-Q-").exists()
    job.refresh_from_db()
    assert job.message == "您无权启动此任务。" and job.input.name == ""
