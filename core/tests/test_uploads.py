"""Files are never left behind (core/uploads.py, files_gc): refused batches, rollbacks, killed workers."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image

from core import uploads
from core.errors import ServiceError
from core.tests.test_filecheck import png_header
from reports import services as report_services
from reports.models import EvidenceFile, ProgressReport
from reports.tests.test_snapshots import _open_period_task
from supervision import services as supervision_services
from supervision.models import Attachment, Inspection


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test its own storage root, so counting files counts only this test's."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def stored() -> list[str]:
    try:
        return sorted(uploads.stored_names())
    except FileNotFoundError:
        return []


def png(color="#c33") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, "PNG")
    return buffer.getvalue()


def gc(*args) -> str:
    out = io.StringIO()
    call_command("files_gc", *args, stdout=out)
    return out.getvalue()


def draft(users) -> ProgressReport:
    task = _open_period_task()
    return report_services.report_start(
        actor=users["zjj_reporter"], task=task, period_end=task.deadline, due_date=task.deadline
    )


def test_a_refused_batch_stores_nothing(users, client_as):
    task = _open_period_task()
    files = [SimpleUploadedFile(f"现场{i}.png", png()) for i in range(3)]
    bad = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00 not a document")
    response = client_as("zjj_reporter").post(
        f"/api/v1/tasks/{task.pk}/reports", {"value": "1", "narrative": "x", "evidence": [*files, bad]}
    )
    assert response.status_code == 400 and "病毒.exe" in response.json()["detail"]
    assert not EvidenceFile.objects.exists()
    assert stored() == []
    assert "0 orphan files" in gc("--grace-seconds", "0")


def test_a_refused_photo_batch_of_an_inspection_stores_nothing(users):
    with pytest.raises(ServiceError):
        supervision_services.inspection_record(
            actor=users["office"],
            inspected_on=timezone.localdate(),
            inspectors="督查室",
            place="现场",
            photos=[uploads.Upload(png(), "a.png"), uploads.Upload(b"%PDF-1.4 x", "b.pdf")],
        )
    assert not Inspection.objects.exists() and not Attachment.objects.exists() and stored() == []


def test_a_service_that_fails_after_storing_deletes_what_it_stored(users, monkeypatch):
    report = draft(users)

    def audit_down(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(report_services, "audit_record", audit_down)
    with pytest.raises(RuntimeError):
        report_services.evidence_add(actor=users["zjj_reporter"], report=report, file=uploads.Upload(png(), "a.png"))
    assert not EvidenceFile.objects.exists()
    assert stored() == []  # the file and its thumbnail, gone as the service's block rolled back


def test_a_rollback_of_an_enclosing_transaction_deletes_the_files_by_the_end_of_the_request(users):
    report = draft(users)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        report_services.evidence_add(actor=users["zjj_reporter"], report=report, file=uploads.Upload(png(), "a.png"))
        assert len(stored()) == 2  # file and thumbnail, committed with the enclosing block or not at all
        1 / 0  # noqa: B018
    uploads.discard_after_request()  # what request_finished runs
    assert stored() == []


def test_committed_files_stay_and_a_removed_row_takes_its_file_along(users, django_capture_on_commit_callbacks):
    report = draft(users)
    with django_capture_on_commit_callbacks(execute=True):
        evidence = report_services.evidence_add(
            actor=users["zjj_reporter"], report=report, file=uploads.Upload(png(), "a.png")
        )
    uploads.discard_after_request()
    assert stored() == sorted([evidence.file.name, evidence.thumbnail.name])
    assert "0 orphan files" in gc("--grace-seconds", "0")
    with django_capture_on_commit_callbacks(execute=True):
        report_services.evidence_remove(actor=users["zjj_reporter"], evidence=evidence)
    assert stored() == []


def test_a_30000_by_30000_png_is_refused_with_a_message_and_nothing_stored(users, client_as):
    reporter = client_as("zjj_reporter")
    report = draft(users)
    response = reporter.post(
        f"/reports/{report.pk}/evidence/",
        {"file": SimpleUploadedFile("巨图.png", png_header(30_000, 30_000))},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 400
    assert "图片像素过多" in response.content.decode()
    assert not EvidenceFile.objects.exists() and stored() == []


def test_files_gc_removes_what_a_killed_worker_left_only_after_the_grace_period(users, media):
    report = draft(users)
    kept = report_services.evidence_add(actor=users["zjj_reporter"], report=report, file=uploads.Upload(png(), "a.png"))
    # A worker killed between storing and committing: the file is in storage, no row refers to it, and no
    # rollback hook ran (it never got the chance).
    left = default_storage.save("evidence/ab/left-behind.png", ContentFile(png("#3c3")))
    assert "0 orphan files" in gc()  # younger than the grace period: it may be a request still running
    hours_ago = time.time() - 7 * 3600
    os.utime(media / left, (hours_ago, hours_ago))
    listing = gc()
    assert left in listing and "1 orphan files" in listing and "dry run" in listing
    assert left in stored()  # a dry run deletes nothing
    assert "deleted 1 orphan files" in gc("--delete")
    assert stored() == sorted([kept.file.name, kept.thumbnail.name])
    assert "0 orphan files" in gc("--grace-seconds", "0")


def test_storing_outside_a_transaction_is_refused():
    checked = uploads.validate_upload(uploads.Upload(png(), "a.png"))
    with pytest.raises(RuntimeError):
        uploads.store_upload(checked, folder="evidence")
    assert stored() == []
