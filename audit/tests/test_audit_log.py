import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from audit.models import AuditEvent
from audit.services import audit_record

pytestmark = pytest.mark.django_db


def run_verify() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return int(exc.code), out.getvalue()
    return 0, out.getvalue()


def test_audit_verify_reports_an_intact_log():
    code, out = run_verify()
    assert code == 0
    assert out.strip() == f"OK {AuditEvent.objects.count()} events"


def test_audit_verify_finds_an_edited_row():
    victim = AuditEvent.objects.order_by("id")[3]
    AuditEvent.objects.filter(pk=victim.pk).update(after={"roles": ["office", "audit_admin"]})
    code, out = run_verify()
    assert code == 1
    assert out.strip() == f"BROKEN {victim.pk}"


def test_audit_verify_finds_a_deleted_row():
    events = list(AuditEvent.objects.order_by("id")[:6])
    AuditEvent.objects.filter(pk=events[4].pk).delete()
    code, out = run_verify()
    assert code == 1
    assert out.strip() == f"BROKEN {events[5].pk}"


def test_audit_verify_finds_a_deleted_newest_row():
    newest = AuditEvent.objects.order_by("-id").first()
    newest.delete()
    code, _ = run_verify()
    assert code == 1


def test_events_record_before_after_and_ip(client_as, users):
    client = client_as("sysadmin")
    target = users["fgw_reporter"]
    response = client.post(
        f"/accounts/users/{target.pk}/edit/",
        {"display_name": "发改委填报员", "unit": target.unit_id, "email": "", "phone": "0371-1", "is_active": "on"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(verb="user.update").latest("id")
    assert event.actor_username == "sysadmin"
    assert event.object_id == str(target.pk)
    assert event.before["display_name"] == "区发改委填报员（演示）"
    assert event.after["display_name"] == "发改委填报员"
    assert event.ip == "10.1.2.3"
    assert run_verify()[0] == 0


def _filter(client, **params):
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_audit_admin_filters_by_person_verb_object_and_dates(client_as, users):
    with time_machine.travel(dt.datetime(2021, 3, 1, 10, 0, tzinfo=dt.UTC)):
        audit_record(actor=users["office"], verb="task.update", object_type="plans.task", object_id="900007")
    with time_machine.travel(dt.datetime(2021, 3, 5, 10, 0, tzinfo=dt.UTC)):
        audit_record(actor=users["leader"], verb="instruction.create", object_type="plans.task", object_id="900007")
    client = client_as("auditadmin")
    assert {e.verb for e in _filter(client, actor="office", verb="task.update")} == {"task.update"}
    by_object = _filter(client, object_type="plans.task", object_id="900007")
    assert [e.verb for e in by_object] == ["instruction.create", "task.update"]
    in_range = _filter(client, object_type="plans.task", date_from="2021-03-01", date_to="2021-03-01")
    assert [e.verb for e in in_range] == ["task.update"]


def test_bad_date_range_shows_a_chinese_field_error(client_as):
    response = client_as("auditadmin").get("/audit/", {"date_from": "2021-03-05", "date_to": "2021-03-01"})
    assert response.status_code == 200
    assert "截止日期早于起始日期" in response.content.decode()
    response = client_as("auditadmin").get("/audit/", {"date_from": "2021-02-30"})
    assert response.status_code == 200
    assert "有效的日期" in response.content.decode()


def test_export_is_a_real_xlsx_with_the_filtered_rows_and_is_itself_audited(client_as, users):
    audit_record(actor=users["office"], verb="task.update", object_type="plans.task", object_id="9")
    response = client_as("auditadmin").get("/audit/export.xlsx", {"actor": "office", "verb": "task.update"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "审计日志"
    assert [c.value for c in ws[2]][:4] == ["序号", "时间", "用户", "操作"]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert data and all(row[2] == "office" and row[3] == "task.update" for row in data)
    assert AuditEvent.objects.filter(verb="audit.export", actor_username="auditadmin").exists()
