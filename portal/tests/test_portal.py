"""民生实事: the office publishes; the public reads only what was written for it."""

import re
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from core.errors import ServiceError
from portal import services
from portal.models import PublicItem, PublicPhoto, PublicUpdate
from portal.photos import has_metadata
from portal.tests.test_photos import photo_with_gps
from supervision.targets import target_content_type

pytestmark = pytest.mark.django_db

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-tests"}}


@pytest.fixture
def task(task_by_object):
    return task_by_object("老旧小区改造提升")


@pytest.fixture
def item(users, task):
    office = users["office"]
    made = services.item_save(
        actor=office, kind="task", object_id=task.pk, title="老旧小区改造", summary="今年改造老旧小区。", year=2021
    )
    services.update_add(actor=office, item=made, day=date(2021, 6, 30), text="已完成首批小区改造。")
    return services.item_publish(actor=office, item=made, publish=True)


def test_a_published_item_is_listed_and_shown(client, item, task):
    index = client.get("/public/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "老旧小区改造" in html and f"/public/tasks/{task.pk}/" in html
    page = client.get(f"/public/tasks/{task.pk}/").content.decode()
    assert "今年改造老旧小区。" in page and "已完成首批小区改造。" in page
    assert re.search(r"已完成|推进中|滞后", page)  # the plain state, in zh-hans by default
    assert "In progress" in client.get(f"/public/tasks/{task.pk}/?lang=en").content.decode() or "Behind" in (
        client.get(f"/public/tasks/{task.pk}/?lang=en").content.decode()
    )


def test_nothing_unpublished_is_reachable(client, users, task, task_by_object):
    other = task_by_object("老旧小区改造提升")
    draft = services.item_save(
        actor=users["office"], kind="task", object_id=task.pk, title="草稿", summary="", year=2021
    )
    assert client.get(f"/public/tasks/{task.pk}/").status_code == 404  # a draft
    from plans.models import Task

    for pk in list(Task.objects.values_list("pk", flat=True)[:50]) + [0, 999999, other.pk]:
        assert client.get(f"/public/tasks/{pk}/").status_code == 404
    assert client.get(f"/public/projects/{task.pk}/").status_code == 404
    assert client.get(f"/public/plans/{task.pk}/").status_code == 404
    assert "草稿" not in client.get("/public/").content.decode()
    services.item_publish(actor=users["office"], item=draft, publish=True)
    services.item_publish(actor=users["office"], item=draft, publish=False)
    assert client.get(f"/public/tasks/{task.pk}/").status_code == 404  # taken off again


def test_no_internal_field_reaches_the_public_pages(client, item, task):
    """Grep the public HTML for every internal text the task carries: report narratives and problems,
    unit and leader names, people, measures, the source quote, the task code."""
    from reports.models import ProgressReport
    from supervision.models import Inspection

    task.refresh_from_db()
    internal = {task.code, task.lead_unit.name, task.responsible_post.title if task.responsible_post else ""}
    if task.measures:
        internal.add(task.measures[:20])
    if task.source_quote:
        internal.add(task.source_quote[:20])
    for r in ProgressReport.objects.filter(task=task).exclude(narrative="")[:30]:
        internal.add(r.narrative[:20])
        if r.problems:
            internal.add(r.problems[:20])
        internal.add(r.created_by.display_name or r.created_by.username)
    internal.update(
        Inspection.objects.filter(
            target_links__target_type=target_content_type(task), target_links__target_id=task.pk
        ).values_list("place", flat=True)
    )
    internal.discard("")
    pages = "".join(
        client.get(url).content.decode()
        for url in ("/public/", f"/public/tasks/{task.pk}/", f"/public/tasks/{task.pk}/?lang=en")
    )
    leaked = {text for text in internal if text in pages}
    assert leaked == set()
    assert "/evidence/" not in pages and "/supervision/" not in pages and "/plans/" not in pages


def test_the_office_publishes_a_photo_and_the_public_copy_has_no_exif(client_as, client, item, task):
    office = client_as("office")
    upload = SimpleUploadedFile("site.jpg", photo_with_gps(), content_type="image/jpeg")
    response = office.post(f"/portal/items/{item.pk}/photos/", {"photo": upload, "caption": "改造后的小区"})
    assert response.status_code == 302
    photo = PublicPhoto.objects.get(item=item)
    page = client.get(f"/public/tasks/{task.pk}/").content.decode()
    assert f"/public/photos/{photo.pk}/thumb/" in page and "改造后的小区" in page
    served = b"".join(client.get(f"/public/photos/{photo.pk}/").streaming_content)
    assert Image.open(BytesIO(served)).format == "JPEG"
    assert not has_metadata(served) and b"DemoCam" not in served


def test_a_photo_of_an_unpublished_item_is_not_served(client, users, item):
    from core.uploads import Upload

    photo = services.photo_publish(
        actor=users["office"], item=item, caption="", upload=Upload(photo_with_gps(), "a.jpg")
    )
    assert client.get(f"/public/photos/{photo.pk}/").status_code == 200
    services.item_publish(actor=users["office"], item=item, publish=False)
    assert client.get(f"/public/photos/{photo.pk}/").status_code == 404
    assert client.get(f"/public/photos/{photo.pk}/thumb/").status_code == 404


def test_the_office_sees_a_selected_photo_before_it_is_public(client_as, users, item):
    """The office page shows the photo it is about to publish from its own URL, not the public one (404 there)."""
    from core.uploads import Upload

    services.item_publish(actor=users["office"], item=item, publish=False)
    photo = services.photo_publish(
        actor=users["office"], item=item, caption="", upload=Upload(photo_with_gps(), "a.jpg")
    )
    office = client_as("office")
    page = office.get(f"/portal/items/{item.pk}/").content.decode()
    assert f"/portal/photos/{photo.pk}/thumb/" in page and f"/public/photos/{photo.pk}/" not in page
    served = b"".join(office.get(f"/portal/photos/{photo.pk}/thumb/").streaming_content)
    assert not has_metadata(served)
    assert client_as("zjj_reporter").get(f"/portal/photos/{photo.pk}/thumb/").status_code == 403


def test_an_evidence_photo_is_published_as_a_clean_copy(users, item, task):
    from core.publishing import get_public_kind
    from core.uploads import Upload
    from reports.models import ProgressReport
    from reports.services import evidence_add

    report = (
        ProgressReport.objects.filter(task=task, state="draft").first()
        or ProgressReport.objects.filter(task=task).first()
    )
    ProgressReport.objects.filter(pk=report.pk).update(state="draft")
    report.refresh_from_db()
    evidence_add(actor=report.created_by, report=report, file=Upload(photo_with_gps(), "现场.jpg"))
    candidates = get_public_kind("task").photos(task.pk)
    assert candidates
    photo = services.photo_publish(actor=users["office"], item=item, caption="现场", source_ref=candidates[-1].ref)
    with photo.file.open("rb") as handle:
        assert not has_metadata(handle.read())
    with pytest.raises(ServiceError):  # the same photo twice
        services.photo_publish(actor=users["office"], item=item, caption="", source_ref=candidates[-1].ref)
    with pytest.raises(ServiceError):  # a photo of another item
        services.photo_publish(actor=users["office"], item=item, caption="", source_ref="evidence:999999")


def test_bad_input_is_refused_with_the_field_named_and_nothing_written(client_as, item, users, task):
    office = client_as("office")
    response = office.post(f"/portal/items/{item.pk}/", {"title": "  ", "summary": "x", "year": 2021})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.title == "老旧小区改造"
    response = office.post(f"/portal/items/{item.pk}/updates/", {"date": "2099-01-01", "text": "未来"})
    assert response.status_code == 400 and "Date" in response.content.decode() or "日期" in response.content.decode()
    assert not PublicUpdate.objects.filter(text="未来").exists()
    response = office.post(
        f"/portal/items/{item.pk}/photos/",
        {"photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"), "caption": ""},
    )
    assert response.status_code == 400 and not PublicPhoto.objects.exists()
    with pytest.raises(ServiceError) as refused:
        services.item_save(actor=users["office"], kind="task", object_id=task.pk, title="再一次", summary="", year=2021)
    assert refused.value.field == "object_id"
    with pytest.raises(ServiceError):
        services.item_save(actor=users["office"], kind="nothing", object_id=1, title="x", summary="", year=2021)


def test_the_office_adds_tasks_as_drafts(client_as, task_by_object):
    office = client_as("office")
    task = task_by_object("老旧小区改造提升")
    response = office.post("/portal/", {"tasks": [task.pk]})
    assert response.status_code == 302
    item = PublicItem.objects.get(kind="task", object_id=task.pk)
    assert not item.is_published and item.title == task.node.title[:120]
    assert office.get(f"/portal/items/{item.pk}/").status_code == 200


@override_settings(CACHES=LOCMEM)
def test_the_cached_page_changes_when_published_content_changes(client, users, item, task):
    from django.core.cache import cache

    cache.clear()
    assert "第二条进展" not in client.get(f"/public/tasks/{task.pk}/").content.decode()
    services.update_add(actor=users["office"], item=item, day=date(2021, 9, 30), text="第二条进展")
    assert "第二条进展" in client.get(f"/public/tasks/{task.pk}/").content.decode()
    services.item_save(
        actor=users["office"], kind="task", object_id=task.pk, title="新标题", summary="", year=2021, item=item
    )
    assert "新标题" in client.get("/public/").content.decode()
    services.item_publish(actor=users["office"], item=item, publish=False)
    assert client.get(f"/public/tasks/{task.pk}/").status_code == 404
    assert "新标题" not in client.get("/public/").content.decode()


@override_settings(CACHES=LOCMEM, PORTAL_RATE_LIMIT_PER_MINUTE=5)
def test_anonymous_readers_are_rate_limited(client, item):
    from django.core.cache import cache

    cache.clear()
    codes = [client.get("/public/").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]


def test_the_public_pages_run_no_script_and_need_no_session(client, item, task):
    for url in ("/public/", f"/public/tasks/{task.pk}/"):
        response = client.get(url)
        assert "script-src" not in response["Content-Security-Policy"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "<script" not in response.content.decode()
        assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_filters_by_area(client, item, task):
    from portal.selectors import public_index

    data = public_index(date(2021, 12, 31))
    assert data.rows and data.rows[0].facts.area
    area = data.rows[0].facts.area
    assert f"/public/tasks/{task.pk}/" in client.get("/public/", {"area": area}).content.decode()
    assert f"/public/tasks/{task.pk}/" not in client.get("/public/", {"area": "没有这个领域"}).content.decode()


def test_filters_by_core_block(client, item, task):
    from plans.models import DimensionTag

    block = DimensionTag.objects.get_or_create(kind=DimensionTag.Kind.BLOCK, name="二七商圈")[0]
    other = DimensionTag.objects.get_or_create(kind=DimensionTag.Kind.BLOCK, name="足球小镇")[0]
    task.node.tags.add(block)
    page = client.get("/public/", {"block": "二七商圈"}).content.decode()
    assert f"/public/tasks/{task.pk}/" in page and 'data-testid="filter-block"' in page
    assert f"/public/tasks/{task.pk}/" not in client.get("/public/", {"block": other.name}).content.decode()
    assert "二七商圈" in client.get(f"/public/tasks/{task.pk}/").content.decode()
