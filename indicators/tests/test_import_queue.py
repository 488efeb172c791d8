"""A large 指标台账 is imported by the queue (core/imports.py): the page starts a job instead of writing; the
job records every value, or none with every row/column error kept; the permission is checked when it
starts and again when it runs, and the importer's own rule (a unit's reporter, the unit's indicators)
still holds in the job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import BackgroundJob
from indicators.models import IndicatorValue
from indicators.services import IndicatorData, indicator_create
from indicators.tests.test_ledger import workbook

pytestmark = pytest.mark.django_db

NAMES = ("队列指标甲", "队列指标乙", "队列指标丙")
KINDS = ("预计", "快报")
LARGE = len(NAMES) * len(KINDS)  # 6 rows; more than the 5 `queue_small` allows within the request


@pytest.fixture
def indicators(users):
    return [
        indicator_create(
            actor=users["office"],
            data=IndicatorData(
                name=name,
                unit="元",
                display_unit="亿元",
                frequency="month",
                accumulation="cumulative",
                source_unit=users["zjj_reporter"].unit,
            ),
        )  # fmt: skip
        for name in NAMES
    ]


def _ledger(changes: dict[int, dict[int, object]] | None = None) -> bytes:
    rows = []
    for i, (name, kind) in enumerate((n, k) for n in NAMES for k in KINDS):
        row: list[object] = [name, "亿元", kind, "", 10 + i, 20 + i, None]
        for column, value in (changes or {}).get(i, {}).items():
            row[column] = value
        rows.append(row)
    return workbook(rows)


def _post(client, data: bytes):
    return client.post(reverse("indicators:ledger_import"), {"file": SimpleUploadedFile("a.xlsx", data)})


def _queued(client, data: bytes) -> BackgroundJob:
    response = _post(client, data)
    assert response.status_code == 302, response.content.decode()[:500]
    job = BackgroundJob.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def _values(indicators) -> int:
    return IndicatorValue.objects.filter(indicator__in=indicators).count()


def test_a_large_ledger_starts_a_job_and_the_job_records_every_value(
    client_as, indicators, queue_small, run_queued, job_progress
):
    client = client_as("zjj_reporter")
    job = _queued(client, _ledger())
    assert job.kind == "indicator_ledger_import" and _values(indicators) == 0  # nothing written by the request
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "文件较大，已转入后台导入" in page and "指标台账导入" in page

    assert run_queued(job) == "done"
    assert _values(indicators) == 2 * LARGE
    assert not IndicatorValue.objects.filter(indicator__in=indicators).exclude(state="pending").exists()
    assert ("读取并检查各行", LARGE, LARGE) in job_progress and ("写入各行", 2 * LARGE, 2 * LARGE) in job_progress
    job.refresh_from_db()
    assert job.message == f"已导入：录入 {2 * LARGE} 个数值，0 个未变。" and (job.done, job.total) == (LARGE, LARGE)
    assert job.outcome["link"] == reverse("indicators:catalogue")


def test_a_large_ledger_with_bad_cells_writes_nothing_and_the_job_keeps_every_error(
    client_as, indicators, queue_small, run_queued
):
    job = _queued(client_as("office"), _ledger({1: {4: "约30"}, 4: {2: "估计"}}))
    assert run_queued(job) == "failed"
    assert _values(indicators) == 0
    job.refresh_from_db()
    assert job.message.startswith("文件未导入")
    lines = job.outcome["lines"]
    assert any(line.startswith("第 4 行“2021-01”列") for line in lines), lines
    assert any(line.startswith("第 7 行“类型”列") for line in lines), lines


def test_another_units_reporter_gets_every_cells_error_in_the_job(client_as, indicators, queue_small, run_queued):
    job = _queued(client_as("fgw_reporter"), _ledger())
    assert run_queued(job) == "failed" and _values(indicators) == 0
    job.refresh_from_db()
    assert len(job.outcome["lines"]) == 2 * LARGE and all("“指标名称”列" in line for line in job.outcome["lines"])


def test_without_the_permission_no_job_starts_and_a_revoked_one_fails(
    client_as, users, indicators, queue_small, run_queued
):
    from accounts.models import RoleGrant
    from core.errors import ServiceError
    from core.jobs import job_start

    assert _post(client_as("leader"), _ledger()).status_code == 403
    with pytest.raises(ServiceError):
        job_start(actor=users["leader"], kind="indicator_ledger_import", params={})
    assert not BackgroundJob.objects.exists()

    job = _queued(client_as("zjj_reporter"), _ledger())
    RoleGrant.objects.filter(user=users["zjj_reporter"]).delete()  # the reporter role taken away meanwhile
    assert run_queued(job) == "failed" and _values(indicators) == 0
    job.refresh_from_db()
    assert job.message == "您无权启动此任务。" and job.input.name == ""
