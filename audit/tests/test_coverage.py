"""What else leaves an audit event (issue 12 §2): exports and downloads, reading the audit log, and
access refused (403, and 404 on another unit's object, but not on an unknown id or URL)."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from core.uploads import Upload
from plans.models import Task
from reports import services as report_services
from reports.models import EvidenceFile
from supervision import services as supervision_services

pytestmark = pytest.mark.django_db


def events(verb: str, **filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb, **filters).order_by("id"))


def image(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 140, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def compounds(task_by_object) -> Task:
    return task_by_object("老旧小区改造提升")  # 区住建局's task


@pytest.fixture
def evidence(client_as, users, compounds) -> EvidenceFile:
    from reports.tests.test_reporting import open_report

    report = open_report(client_as("zjj_reporter"), compounds)
    return report_services.evidence_add(actor=users["zjj_reporter"], report=report, file=Upload(image(), "现场.png"))


def test_downloading_evidence_is_audited_and_its_thumbnail_is_not(client_as, evidence):
    reporter = client_as("zjj_reporter")  # the report is still a draft: only its own unit reads it
    assert reporter.get(f"/evidence/{evidence.pk}/thumb/").status_code == 200
    assert events("evidencefile.download") == []
    response = reporter.get(f"/evidence/{evidence.pk}/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200
    [event] = events("evidencefile.download")
    assert (event.actor_username, event.object_id, event.ip) == ("zjj_reporter", str(evidence.pk), "10.9.8.7")


def test_downloading_an_inspection_photo_is_audited(client_as, users):
    inspection = supervision_services.inspection_record(
        actor=users["office"],
        inspected_on=timezone.localdate(),
        inspectors="督查室",
        place="现场",
        photos=[Upload(image("JPEG"), "现场.jpg")],
    )
    attachment = inspection.attachments.get()
    assert client_as("leader").get(f"/supervision/files/{attachment.pk}/").status_code == 200
    assert [e.object_id for e in events("attachment.download", actor_username="leader")] == [str(attachment.pk)]


def test_the_order_docx_download_is_audited(client_as, users, compounds):
    order = supervision_services.order_issue(
        actor=users["office"],
        tasks=[compounds],
        unit=compounds.lead_unit,
        kind="reminder",
        content="进度滞后，请反馈",
        issued_on=dt.date(2021, 9, 30),
    )
    assert client_as("zjj_reporter").get(f"/supervision/orders/{order.pk}/docx/").status_code == 200
    [event] = events("supervisionorder.download")
    assert (event.actor_username, event.object_id) == ("zjj_reporter", str(order.pk))


def test_ledger_exports_from_the_page_and_the_api_are_audited_with_their_filters(client_as):
    office = client_as("office")
    assert office.get("/tasks/export.xlsx", {"q": "小区"}).status_code == 200
    assert office.get("/api/v1/tasks/ledger.xlsx", {"q": "改造"}).status_code == 200
    page, api = events("task.export", actor_username="office")
    assert page.after["q"] == "小区" and api.after["q"] == "改造"


def test_viewing_the_audit_log_is_audited(client_as):
    response = client_as("auditadmin").get("/audit/", {"verb": "task.update"})
    assert response.status_code == 200
    [event] = events("audit.view")
    assert event.actor_username == "auditadmin" and event.after["verb"] == "task.update"


def test_a_403_is_audited_as_access_refused(client_as):
    assert client_as("office").get("/audit/").status_code == 403
    [event] = events("access.refused")
    assert event.actor_username == "office"
    assert event.after == {"status": 403, "method": "GET", "path": "/audit/"}


def test_another_units_task_by_id_is_audited_as_access_refused(client_as, compounds):
    assert client_as("fgw_reporter").get(f"/tasks/{compounds.pk}/").status_code == 404
    assert client_as("fgw_reporter").get(f"/api/v1/tasks/{compounds.pk}").status_code == 404
    refused = events("access.refused", actor_username="fgw_reporter")
    assert [(e.object_type, e.object_id, e.after["status"]) for e in refused] == [
        ("plans.task", str(compounds.pk), 404),
        ("plans.task", str(compounds.pk), 404),
    ]


def test_another_units_evidence_is_audited_as_access_refused(client_as, evidence):
    assert client_as("fgw_reporter").get(f"/evidence/{evidence.pk}/").status_code == 404
    [event] = events("access.refused")
    assert (event.object_type, event.object_id) == ("reports.evidencefile", str(evidence.pk))
    assert events("evidencefile.download") == []


def test_an_unknown_id_or_url_is_not_audited(client_as):
    client = client_as("fgw_reporter")
    before = AuditEvent.objects.count()
    assert client.get("/tasks/987654321/").status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    assert AuditEvent.objects.count() == before


def test_an_anonymous_visitor_is_not_audited(client):
    before = AuditEvent.objects.count()
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.get("/audit/").status_code == 302
    assert AuditEvent.objects.count() == before
