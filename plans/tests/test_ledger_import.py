"""The task ledger through the database: round trip, all-or-nothing, the page and the command."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from plans.models import Milestone, Task

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    tasks = Task.objects.order_by("pk").prefetch_related("co_units")
    return [
        (
            t.pk,
            t.code,
            t.node.title,
            t.target_value,
            t.deadline,
            t.lead_unit_id,
            t.responsible_post_id,
            tuple(sorted(u.pk for u in t.co_units.all())),
            t.version,
            t.node.path,
        )
        for t in tasks
    ] + [tuple(Milestone.objects.order_by("pk").values_list("task_id", "date", "planned_value", "description"))]


def export(client, **params) -> bytes:
    response = client.get("/tasks/export.xlsx", params)
    assert response.status_code == 200
    return response.content


def edit(data: bytes, changes: dict[str, object]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    for ref, value in changes.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, plan, data: bytes, name="ledger.xlsx"):
    return client.post("/tasks/import/", {"plan": plan.pk, "file": _file(data, name)})


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_round_trip_changes_nothing(client_as, demo_plan):
    client = client_as("office")
    before = snapshot()
    response = upload(client, demo_plan, export(client, plan=demo_plan.pk))
    assert response.status_code == 302
    assert snapshot() == before
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["导入完成：新增 0 项，更新 0 项，未变 13 项。"]


def test_import_updates_and_creates(client_as, demo_plan):
    client = client_as("office")
    data = export(client, plan=demo_plan.pk)
    ws = load_workbook(io.BytesIO(data)).active
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value == "T009")
    new_row = ws.max_row + 1
    changed = edit(
        data,
        {
            f"H{row}": "区城管局",
            f"J{row}": "2021年6月30日 6\n2021年9月30日 11",
            f"C{new_row}": "新增口袋公园12个",
            f"D{new_row}": 12,
            f"E{new_row}": "个",
            f"F{new_row}": "分管城建副区长",
            f"G{new_row}": "区城管局",
            f"I{new_row}": "2021/10/31",
            f"K{new_row}": "在城市品质提升上争先出彩",
        },
    )
    response = upload(client, demo_plan, changed)
    assert response.status_code == 302
    task = Task.objects.get(plan=demo_plan, code="T009")
    assert [u.name for u in task.co_units.all()] == ["区城管局"]
    assert [m.planned_value for m in task.milestones.all()] == [6, 11]
    created = Task.objects.get(node__title="新增口袋公园12个")
    assert created.code == "T014" and created.node.kind == "key_task"


BAD_EDITS = {
    "unknown unit": ({"G3": "区住房局"}, "第 3 行“牵头单位”列：单位“区住房局”不存在。"),
    "unknown post": ({"F3": "副市长"}, "第 3 行“责任领导”列：领导职务“副市长”不存在。"),
    "bad date": ({"I3": "2021-02-30"}, "第 3 行“完成时限”列：“2021-02-30”不是有效日期"),
    "negative target": ({"D3": -10}, "第 3 行“目标值”列：目标值不能为负数（“-10”）。"),
    "non-numeric target": ({"D3": "十个"}, "第 3 行“目标值”列：“十个”不是数字。"),
    "duplicate code": ({"B4": "T001"}, "第 4 行“任务编号”列：任务编号“T001”重复出现。"),
    "unknown code": ({"B3": "T999"}, "第 3 行“任务编号”列：任务编号“T999”不在本计划中"),
    "frozen target": ({"D3": 11}, "第 3 行“目标值”列：计划已生效，目标值只能通过审批通过的调整申请修改。"),
    "missing column": ({"G2": "牵头部门"}, "第 2 行“牵头单位”列：表头缺少此必填列。"),
}


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_a_bad_cell_rejects_the_whole_file(client_as, demo_plan, case):
    client = client_as("office")
    cells, message = BAD_EDITS[case]
    data = export(client, plan=demo_plan.pk)
    ws = load_workbook(io.BytesIO(data)).active
    good_change = {f"H{ws.max_row}": "区城管局"}  # a valid edit elsewhere that must not be applied either
    before = snapshot()
    response = upload(client, demo_plan, edit(data, {**good_change, **cells}))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page, page[page.find("import-errors") : page.find("import-errors") + 600]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.xlsx", "文件是空的"),
        (b"\xd0\xcf\x11\xe0 old excel 97", "old.xls", "文件不是 .xlsx 工作簿"),
        ("序号,任务名称\n1,某".encode("gb18030"), "tasks.xlsx", "文件不是 .xlsx 工作簿"),
        (b"PK\x03\x04broken", "broken.xlsx", "文件不是 .xlsx 工作簿"),
    ],
)
def test_files_that_are_not_ledgers(client_as, demo_plan, data, name, message):
    before = snapshot()
    response = upload(client_as("office"), demo_plan, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_import_command_prints_the_same_errors_and_exits_1(tmp_path, client_as, demo_plan, capsys):
    data = edit(export(client_as("office"), plan=demo_plan.pk), {"G3": "区住房局", "I4": "2021-02-30"})
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    before = snapshot()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_tasks", str(path), "--plan", str(demo_plan.pk))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "第 3 行“牵头单位”列：单位“区住房局”不存在。" in err and "第 4 行“完成时限”列" in err
    assert snapshot() == before


def test_import_command_round_trip(tmp_path, demo_plan, capsys):
    path = tmp_path / "ledger.xlsx"
    call_command("export_tasks", "--plan", str(demo_plan.pk), "-o", str(path))
    before = snapshot()
    call_command("import_tasks", str(path), "--plan", str(demo_plan.pk))
    assert "未变 13" in capsys.readouterr().out
    assert snapshot() == before


def test_the_import_command_runs_as_a_process_and_reports_a_missing_file():
    result = subprocess.run(
        [sys.executable, "manage.py", "import_tasks", "/nonexistent.xlsx", "--plan", "1"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1


# --- bulk: bounded queries, audit, the calendar range ----------------------------------------------


def _new_rows(plan, count: int, *, deadline=None) -> bytes:
    import datetime as dt
    from decimal import Decimal

    from plans.ledger import LedgerRowOut, build_task_ledger_xlsx
    from plans.services import ledger_vocabulary

    vocab = ledger_vocabulary(plan)
    units, posts, areas = sorted(vocab.units), sorted(vocab.posts), sorted(vocab.areas)
    return build_task_ledger_xlsx(
        LedgerRowOut(
            code="",
            title=f"新增任务{i}",
            target_value=Decimal(10 + i),
            target_unit="个",
            responsible_post=posts[i % len(posts)],
            lead_unit=units[i % len(units)],
            co_units=[units[(i + 1) % len(units)]],
            deadline=deadline or dt.date(plan.year, 12, 31),
            milestones=[],
            area=areas[i % len(areas)],
            modality="must",
        )
        for i in range(count)
    )


def _import_queries(plan, data: bytes) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plans.services import ledger_import

    with CaptureQueriesContext(connection) as captured:
        outcome = ledger_import(actor=None, plan=plan, data=data)
    assert outcome.ok, outcome.errors
    return len(captured)


def test_the_number_of_queries_of_an_import_does_not_grow_with_its_rows(demo_plan):
    # Both files reach every area of the plan (a query or two per area is fine: areas are few); more
    # rows only add insert batches (SQLite takes some dozens of rows per INSERT), never a query per row.
    few = _import_queries(demo_plan, _new_rows(demo_plan, 30))
    many = _import_queries(demo_plan, _new_rows(demo_plan, 330))
    assert many - few <= 300 // 20


def test_an_import_audits_each_new_task_and_keeps_the_chain_valid(demo_plan):
    from audit.models import AuditEvent

    before = AuditEvent.objects.count()
    _import_queries(demo_plan, _new_rows(demo_plan, 30))
    verbs = list(AuditEvent.objects.filter(pk__gt=0).order_by("id").values_list("verb", flat=True)[before:])
    assert verbs == ["task.create"] * 30 + ["ledger.import"]
    created = Task.objects.get(node__title="新增任务7")
    assert AuditEvent.objects.filter(object_type="plans.task", object_id=str(created.pk), verb="task.create").exists()
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("OK")


def test_a_reimport_keeps_the_weight_the_office_gave_a_task(client_as, demo_plan):
    from decimal import Decimal

    client = client_as("office")
    task = Task.objects.get(plan=demo_plan, code="T009")
    Task.objects.filter(pk=task.pk).update(weight=Decimal("3.00"))
    data = export(client, plan=demo_plan.pk)
    ws = load_workbook(io.BytesIO(data)).active
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value == "T009")
    assert upload(client, demo_plan, edit(data, {f"H{row}": "区城管局"})).status_code == 302
    task.refresh_from_db()
    assert task.weight == Decimal("3.00") and [u.name for u in task.co_units.all()] == ["区城管局"]


def test_a_deadline_beyond_the_working_day_calendar_is_a_row_error_and_nothing_is_imported(demo_plan):
    import datetime as dt

    from plans.services import ledger_import

    before = snapshot()
    outcome = ledger_import(actor=None, plan=demo_plan, data=_new_rows(demo_plan, 2, deadline=dt.date(2999, 12, 31)))
    assert not outcome.ok
    assert any(line.startswith("第 3 行“完成时限”列") and "超出工作日历的范围" in line for line in outcome.errors)
    assert snapshot() == before


# --- a large ledger goes to the queue (core/imports.py): same service, progress, the report kept -------


def _queued(client, plan, data: bytes):
    from core.models import BackgroundJob

    response = upload(client, plan, data)
    assert response.status_code == 302, response.content.decode()[:500]
    job = BackgroundJob.objects.get(kind="task_ledger_import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_a_large_ledger_is_stored_queued_and_imported_by_the_job_with_progress(
    client_as, demo_plan, queue_small, run_queued, job_progress
):
    from django.core.files.storage import default_storage

    client = client_as("office")
    before = Task.objects.count()
    job = _queued(client, demo_plan, _new_rows(demo_plan, 30))
    stored = job.input.name
    assert stored.startswith("job-inputs/") and default_storage.exists(stored)
    assert Task.objects.count() == before  # nothing imported by the request

    seen = job_progress
    assert run_queued(job) == "done"
    assert Task.objects.count() == before + 30
    stages = [s for s, _d, _t in seen if s]
    assert stages[0] == "读取并检查各行" and stages[-1] == "写入任务"
    assert ("读取并检查各行", 30, 30) in seen and ("写入任务", 30, 30) in seen  # rows read, rows written

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.input.name) == ("done", 30, 30, "")
    assert not default_storage.exists(stored)  # the upload goes when the job ends
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "导入完成：新增 30 项，更新 0 项，未变 0 项。" in page and f"/tasks/?plan={demo_plan.pk}" in page
    out = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert out["message"].startswith("导入完成") and out["file_url"] is None and out["lines"] == []


def test_a_queued_ledger_with_bad_cells_writes_nothing_and_the_job_keeps_every_error(
    client_as, demo_plan, queue_small, run_queued
):
    from django.core.files.storage import default_storage

    client = client_as("office")
    data = edit(_new_rows(demo_plan, 30), {"G3": "区住房局", "I5": "2021-02-30"})
    before = snapshot()
    job = _queued(client, demo_plan, data)
    stored = job.input.name
    assert run_queued(job) == "failed"
    assert snapshot() == before
    job.refresh_from_db()
    assert job.message == "文件未导入：共 2 处问题。" and not default_storage.exists(stored)
    assert job.outcome["lines"][0] == "第 3 行“牵头单位”列：单位“区住房局”不存在。"
    assert job.outcome["lines"][1].startswith("第 5 行“完成时限”列")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "第 3 行“牵头单位”列：单位“区住房局”不存在。" in page
    out = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert out["state"] == "failed" and out["lines"] == job.outcome["lines"]
    assert client_as("leader").get(f"/jobs/{job.pk}/").status_code == 404  # the requester's only


def test_a_small_ledger_stays_in_the_request(client_as, demo_plan):
    from core.imports import IMPORT_SYNC_MAX_ROWS, import_in_queue
    from core.models import BackgroundJob

    assert not import_in_queue(_new_rows(demo_plan, 30))
    response = upload(client_as("office"), demo_plan, _new_rows(demo_plan, 30))
    assert response.status_code == 302 and response["Location"] == f"/tasks/?plan={demo_plan.pk}"
    assert not BackgroundJob.objects.exists()
    assert import_in_queue(_new_rows(demo_plan, IMPORT_SYNC_MAX_ROWS + 1))


def test_a_queued_import_refuses_a_plan_closed_meanwhile(client_as, demo_plan, queue_small, run_queued):
    from plans.models import Plan

    job = _queued(client_as("office"), demo_plan, _new_rows(demo_plan, 30))
    Plan.objects.filter(pk=demo_plan.pk).update(status=Plan.Status.CLOSED)
    before = Task.objects.count()
    assert run_queued(job) == "failed"
    assert Task.objects.count() == before
