"""Site inspections (实地督查), photos with EXIF GPS, findings and rectifications (整改) with before/after photos."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from core.errors import ServiceError
from core.workcalendar import work_calendar
from notifications.models import Notification
from supervision import services
from supervision.models import Attachment, Inspection, Rectification
from supervision.services import Upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def compounds(task_by_object):
    return task_by_object("老旧小区改造提升")


def photo(gps: tuple[float, float] | None = None, color=(90, 140, 60)) -> bytes:
    image = Image.new("RGB", (800, 600), color)
    exif = Image.Exif()
    if gps:
        lat, lon = gps
        exif[0x8825] = {
            1: "N",
            2: (float(int(lat)), (lat % 1) * 60, 0.0),
            3: "E",
            4: (float(int(lon)), (lon % 1) * 60, 0.0),
        }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_coordinates_come_from_the_first_photo_with_gps_when_not_typed(client_as, compounds):
    response = client_as("office").post(
        "/supervision/inspections/new/",
        {
            "inspected_on": timezone.localdate().isoformat(),
            "inspectors": "督查室两人",
            "place": "淮河路街道某小区",
            "tasks": [compounds.pk],
            "photos": [
                SimpleUploadedFile("全景.jpg", photo()),
                SimpleUploadedFile("围挡.jpg", photo(gps=(34.75, 113.625))),
            ],
        },
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.latitude, inspection.longitude) == (Decimal("34.750000"), Decimal("113.625000"))
    assert inspection.coordinates_source == "photo"
    assert inspection.attachments.count() == 2 and all(a.thumbnail for a in inspection.attachments.all())
    assert inspection.target_objects() == [compounds]


def test_typed_coordinates_win_over_the_photo(users):
    inspection = services.inspection_record(
        actor=users["office"],
        inspected_on=timezone.localdate(),
        inspectors="督查室",
        place="现场",
        latitude=Decimal("34.7"),
        longitude=Decimal("113.6"),
        photos=[Upload(photo(gps=(30.5, 114.25)), "a.jpg")],
    )
    assert (inspection.latitude, inspection.coordinates_source) == (Decimal("34.7"), "typed")
    assert inspection.attachments.get().latitude == Decimal("30.500000")  # the photo keeps its own position


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"latitude": Decimal("34.7")}, "latitude"),  # one without the other
        ({"latitude": Decimal("95"), "longitude": Decimal("113")}, "latitude"),
        ({"inspectors": " "}, "inspectors"),
        ({"inspected_on": dt.date(2099, 1, 1)}, "inspected_on"),
    ],
)
def test_bad_inspections_are_refused(users, kwargs, field):
    values = {"inspected_on": timezone.localdate(), "inspectors": "督查室", "place": "现场"}
    with pytest.raises(ServiceError) as caught:
        services.inspection_record(actor=users["office"], **{**values, **kwargs})
    assert caught.value.field == field
    assert not Inspection.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused_with_a_clear_message(client_as):
    pdf = SimpleUploadedFile("现场.jpg", b"%PDF-1.4 not a photo")
    response = client_as("office").post(
        "/supervision/inspections/new/",
        {"inspected_on": timezone.localdate().isoformat(), "inspectors": "督查室", "place": "现场", "photos": [pdf]},
    )
    assert response.status_code == 400
    assert zh("Only photos (JPEG, PNG, GIF, WebP, HEIC) can be attached here.") in response.content.decode()
    assert not Inspection.objects.exists() and not Attachment.objects.exists()


def test_a_finding_opens_a_rectification_tracked_to_closure(client_as, users, compounds):
    office, head = client_as("office"), client_as("zjj_head")
    inspection = services.inspection_record(
        actor=users["office"], inspected_on=timezone.localdate(), inspectors="督查室", place="现场", tasks=[compounds]
    )
    assert office.post(f"/supervision/inspections/{inspection.pk}/findings/", {"text": ""}).status_code == 400
    office.post(f"/supervision/inspections/{inspection.pk}/findings/", {"text": "围挡破损", "task": compounds.pk})
    finding = inspection.findings.get()
    deadline = work_calendar().add_workdays(timezone.localdate(), 10)
    response = office.post(
        f"/supervision/findings/{finding.pk}/rectification/",
        {
            "unit": compounds.lead_unit_id,
            "deadline": deadline.isoformat(),
            "requirement": "修复围挡",
            "photos": [SimpleUploadedFile("整改前.jpg", photo(color=(150, 90, 70)))],
        },
    )
    assert response.status_code == 302
    item = Rectification.objects.get()
    assert (item.unit, item.state, item.deadline) == (compounds.lead_unit, "open", deadline)
    assert item.attachments.get().stage == "before"
    assert Notification.objects.filter(recipient=users["zjj_head"], kind="rectification.assigned").count() == 1

    # The unit sees its rectification (not the inspection record), reports it done with an after photo.
    assert head.get(f"/supervision/rectifications/{item.pk}/").status_code == 200
    assert head.get(f"/supervision/inspections/{inspection.pk}/").status_code == 403
    assert client_as("fgw_reporter").get(f"/supervision/rectifications/{item.pk}/").status_code == 404
    assert head.post(f"/supervision/rectifications/{item.pk}/report/", {"text": ""}).status_code == 400
    head.post(
        f"/supervision/rectifications/{item.pk}/report/",
        {"text": "已修复", "photos": [SimpleUploadedFile("整改后.jpg", photo(color=(80, 150, 90)))]},
    )
    item.refresh_from_db()
    assert item.state == "reported" and {a.stage for a in item.attachments.all()} == {"before", "after"}

    office.post(f"/supervision/rectifications/{item.pk}/return/", {"reason": "照片不清晰"})
    item.refresh_from_db()
    assert (item.state, item.return_reason) == ("returned", "照片不清晰")
    head.post(f"/supervision/rectifications/{item.pk}/report/", {"text": "已重新拍照"})
    office.post(f"/supervision/rectifications/{item.pk}/verify/")
    office.post(f"/supervision/rectifications/{item.pk}/close/")
    item.refresh_from_db()
    assert item.state == "closed" and item.verified_by == users["office"]
    counts = head.get("/supervision/rectifications/").context["counts"]
    assert (counts["open"], counts["done"]) == (0, 1)


def test_bad_rectifications_are_refused(users, compounds):
    inspection = services.inspection_record(
        actor=users["office"], inspected_on=timezone.localdate(), inspectors="督查室", place="现场"
    )
    finding = services.finding_add(actor=users["office"], inspection=inspection, text="围挡破损")
    for deadline in (timezone.localdate(), dt.date(2031, 10, 4)):  # today; a Saturday
        with pytest.raises(ServiceError) as caught:
            services.rectification_open(
                actor=users["office"], finding=finding, unit=compounds.lead_unit, deadline=deadline, requirement="x"
            )
        assert caught.value.field == "deadline"
    with pytest.raises(ServiceError) as caught:
        services.rectification_open(
            actor=users["office"],
            finding=finding,
            unit=compounds.lead_unit,
            deadline=work_calendar().add_workdays(timezone.localdate(), 3),
            requirement="x",
            photos=[Upload("不是照片".encode(), "before.jpg")],
        )
    assert caught.value.code == "bad_type"
    assert not Rectification.objects.exists() and not Attachment.objects.exists()


def test_files_are_served_only_within_scope(client_as, users, compounds):
    inspection = services.inspection_record(
        actor=users["office"],
        inspected_on=timezone.localdate(),
        inspectors="督查室",
        place="现场",
        photos=[Upload(photo(), "现场.jpg")],
    )
    attachment = inspection.attachments.get()
    full = client_as("leader").get(f"/supervision/files/{attachment.pk}/")
    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    assert full["X-Content-Type-Options"] == "nosniff"
    thumb = client_as("office").get(f"/supervision/files/{attachment.pk}/thumb/")
    assert thumb.status_code == 200 and Image.open(io.BytesIO(b"".join(thumb.streaming_content))).width <= 320
    # Inspection photos are the office's working papers: a unit never gets them, even of its own task.
    assert client_as("zjj_head").get(f"/supervision/files/{attachment.pk}/").status_code == 404
    assert client_as("outsider").get(f"/supervision/files/{attachment.pk}/").status_code == 403
    assert attachment.file.name.startswith(f"supervision/{attachment.sha256[:2]}/")  # no user-chosen path
