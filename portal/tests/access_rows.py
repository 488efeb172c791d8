"""Access-matrix rows for the portal (merged by core/tests/test_access_matrix.py).

/public/ is for everyone, logged in or not (no login, no session needed); what it shows is only what
the office published. The editing pages are the office's (plan.edit).
"""

OFFICE = {"office"}
EVERYONE = {
    "anonymous",
    "office",
    "leader",
    "leader_cj",
    "zjj_head",
    "zjj_reporter",
    "fgw_reporter",
    "sysadmin",
    "secadmin",
    "auditadmin",
    "outsider",
    "kiosk",
}


def _published_item():
    from accounts.models import User
    from plans.models import Task
    from portal import services
    from portal.models import PublicItem

    task = Task.objects.get(object="老旧小区改造提升", node__kind="key_task")
    item = PublicItem.objects.filter(kind="task", object_id=task.pk).first()
    if item is None:
        office = User.objects.get(username="office")
        item = services.item_save(
            actor=office, kind="task", object_id=task.pk, title="老旧小区改造", summary="", year=2021
        )
        item = services.item_publish(actor=office, item=item, publish=True)
    return item


def _photo() -> int:
    from accounts.models import User
    from core.uploads import Upload
    from portal import services
    from portal.tests.test_photos import photo_with_gps

    item = _published_item()
    office = User.objects.get(username="office")
    return services.photo_publish(actor=office, item=item, caption="", upload=Upload(photo_with_gps(), "a.jpg")).pk


PAGES = {
    "portal:index": (EVERYONE, None, "", {}),
    "portal:item": (EVERYONE, lambda: {"kinds": "tasks", "pk": _published_item().object_id}, "", {}),
    "portal:photo": (EVERYONE, lambda: {"pk": _photo()}, "", {}),
    "portal:photo_thumb": (EVERYONE, lambda: {"pk": _photo()}, "", {}),
    "portal:office_photo_thumb": (OFFICE, lambda: {"pk": _photo()}, "", {}),
    "portal:office_list": (OFFICE, None, "", {}),
    "portal:office_item": (OFFICE, lambda: {"pk": _published_item().pk}, "", {}),
}
WRITES = ["publish", "update_add", "update_remove", "photo_add", "photo_remove"]
POST_ONLY = {f"portal:{name}" for name in WRITES} | {"portal:add_by_code"}
POST_ONLY_KWARGS = {f"portal:{name}": "pk" for name in WRITES}
POST_WRITERS = {f"portal:{name}": OFFICE for name in [*WRITES, "add_by_code"]}
