"""A large 企业名录 or 诉求台账 is imported by the queue (core/imports.py): the page starts a job instead of
writing; the job imports every row, or none with every row/column error kept; the permission is checked
when it starts and again when it runs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import BackgroundJob
from core.xlsx import build_table_xlsx
from enterprises import ledger
from enterprises.creditcode import make_credit_code
from enterprises.models import AssistanceRequest, Enterprise
from enterprises.tests.factories import firm

pytestmark = pytest.mark.django_db

LARGE = 8  # rows; more than the 5 `queue_small` allows within the request


def _firms(n: int, changes: dict[int, dict[int, object]] | None = None) -> bytes:
    rows = []
    for i in range(n):
        row: list[object] = [f"队列企业{i}", make_credit_code(700 + i), "制造业", "小", "", "", "", "", "区住建局"]
        for column, value in (changes or {}).get(i, {}).items():
            row[column] = value
        rows.append(row)
    return build_table_xlsx(title="企业名录", headers=[h for _k, h, _w in ledger.FIRM_COLUMNS], rows=rows)


def _requests(n: int, code: str, changes: dict[int, dict[int, object]] | None = None) -> bytes:
    rows = []
    for i in range(n):
        row: list[object] = ["", code, "", "用工", f"缺焊工{i}", "2021-07-01", "区人社局", "", "", "", ""]
        for column, value in (changes or {}).get(i, {}).items():
            row[column] = value
        rows.append(row)
    return build_table_xlsx(title="诉求台账", headers=[h for _k, h, _w in ledger.REQUEST_COLUMNS], rows=rows)


def _queued(client, url_name: str, data: bytes) -> BackgroundJob:
    response = client.post(reverse(url_name), {"file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 302, response.content.decode()[:500]
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_a_large_enterprise_list_starts_a_job_and_the_job_imports_every_row(
    client_as, queue_small, run_queued, job_progress
):
    client = client_as("office")
    before = Enterprise.objects.count()
    job = _queued(client, "enterprises:import", _firms(LARGE))
    assert job.kind == "enterprise_import" and Enterprise.objects.count() == before  # nothing written yet
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "文件较大，已转入后台导入" in page and "企业名录导入" in page

    assert run_queued(job) == "done"
    assert Enterprise.objects.count() == before + LARGE
    assert ("读取并检查各行", LARGE, LARGE) in job_progress and ("写入各行", LARGE, LARGE) in job_progress
    job.refresh_from_db()
    assert job.message == f"导入完成：新增 {LARGE} 项，更新 0 项，未变 0 项。" and (job.done, job.total) == (
        LARGE,
        LARGE,
    )
    assert job.outcome["link"] == reverse("enterprises:list")


def test_a_large_enterprise_list_with_bad_cells_writes_nothing_and_the_job_keeps_every_error(
    client_as, queue_small, run_queued
):
    before = Enterprise.objects.count()
    job = _queued(client_as("office"), "enterprises:import", _firms(LARGE, {2: {3: "巨"}, 5: {8: "不存在的单位"}}))
    assert run_queued(job) == "failed"
    assert Enterprise.objects.count() == before
    job.refresh_from_db()
    assert job.message == "文件未导入：共 2 处问题。"
    assert job.outcome["lines"][0].startswith("第 5 行“规模”列")
    assert job.outcome["lines"][1].startswith("第 8 行“包联单位”列") and "不存在的单位" in job.outcome["lines"][1]


def test_a_large_request_ledger_is_imported_by_the_job_or_refused_whole(client_as, queue_small, run_queued):
    client = client_as("office")
    e = firm(1)
    before = AssistanceRequest.objects.count()
    bad = _queued(client, "enterprises:ledger_import", _requests(LARGE, e.credit_code, {6: {3: "飞行"}}))
    assert bad.kind == "request_ledger_import"
    assert run_queued(bad) == "failed" and AssistanceRequest.objects.count() == before
    bad.refresh_from_db()
    assert len(bad.outcome["lines"]) == 1 and bad.outcome["lines"][0].startswith("第 9 行“类别”列")

    BackgroundJob.objects.all().delete()
    job = _queued(client, "enterprises:ledger_import", _requests(LARGE, e.credit_code))
    assert AssistanceRequest.objects.count() == before
    assert run_queued(job) == "done"
    assert AssistanceRequest.objects.count() == before + LARGE
    job.refresh_from_db()
    assert job.outcome["link"] == reverse("enterprises:overview")


def test_without_the_permission_no_job_starts_and_a_revoked_one_fails(client_as, users, queue_small, run_queued):
    from accounts.models import RoleGrant
    from core.errors import ServiceError
    from core.jobs import job_start

    response = client_as("zjj_reporter").post(
        reverse("enterprises:import"), {"file": SimpleUploadedFile("a.xlsx", _firms(LARGE))}
    )
    assert response.status_code == 403
    with pytest.raises(ServiceError):
        job_start(actor=users["leader"], kind="request_ledger_import", params={})
    assert not BackgroundJob.objects.exists()

    before = Enterprise.objects.count()
    job = _queued(client_as("office"), "enterprises:import", _firms(LARGE))
    RoleGrant.objects.filter(user=users["office"]).delete()  # the office role taken away meanwhile
    assert run_queued(job) == "failed" and Enterprise.objects.count() == before
    job.refresh_from_db()
    assert job.message == "您无权启动此任务。" and job.input.name == ""
