"""Access-matrix rows for the notification routes (merged by core/tests/test_access_matrix.py).

Every logged-in person has an inbox (their own only); following needs read access to the task; robots
and the delivery log are the system admin's (org.manage). Role sets are built from the shared demo
people (conftest.NAMED), as the matrix's are, so this module imports nothing from the matrix.

`{notification_id}` is a notification of zjj_reporter's: only zjj_reporter may mark it read; anyone
else gets 404 (no existence leak).
"""

from conftest import NAMED

ROLES = ["anonymous", *NAMED, "outsider"]
LOGGED_IN = set(ROLES) - {"anonymous", "kiosk"}  # the kiosk reaches only the wall (conftest.NAMED)
BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
ZJJ_TASK_READERS = BUSINESS - {"fgw_reporter"}
SYSADMIN = {"sysadmin"}


def _webhook() -> int:
    from notifications.models import UnitWebhook
    from org.models import Unit

    return UnitWebhook.objects.get_or_create(
        unit=Unit.objects.get(code="zjj"),
        kind="wecom",
        defaults={"url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix"},
    )[0].pk


PAGES = {
    "notifications:inbox": (LOGGED_IN, None, "", {}),
    "notifications:webhook_list": (SYSADMIN, None, "", {}),
    "notifications:webhook_create": (SYSADMIN, None, "", {}),
    "notifications:webhook_edit": (SYSADMIN, lambda: {"pk": _webhook()}, "", {}),
    "notifications:delivery_list": (SYSADMIN, None, "", {}),
}
POST_ONLY = {
    "notifications:read",
    "notifications:read_all",
    "plans:follow",
    "notifications:webhook_delete",
    "notifications:webhook_test",
    "notifications:delivery_retry",
}
POST_ONLY_KWARGS = {
    "notifications:read": "pk",
    "plans:follow": "task_pk",
    "notifications:webhook_delete": "pk",
    "notifications:webhook_test": "pk",
    "notifications:delivery_retry": "pk",
}
POST_WRITERS = {
    # Anyone logged in may mark their own notifications read (someone else's is 404: test_pages.py).
    "notifications:read": LOGGED_IN,
    "notifications:read_all": LOGGED_IN,
    "plans:follow": BUSINESS,
    "notifications:webhook_delete": SYSADMIN,
    "notifications:webhook_test": SYSADMIN,
    "notifications:delivery_retry": SYSADMIN,
}
API_GET = {
    "/api/v1/notifications": (LOGGED_IN, {}),
    "/api/v1/tasks/{task_id}/follow": (ZJJ_TASK_READERS, {"fgw_reporter": 404}),
}


def _zjj_reporter_notification() -> int:
    from accounts.models import User
    from notifications.services import notify

    reporter = User.objects.get(username="zjj_reporter")
    return notify(recipients=[reporter], kind="report.due", title="矩阵测试", dedupe_key="matrix")[0].pk


API_PATH_PARAMS = {"{notification_id}": _zjj_reporter_notification}
API_WRITE_OK = {
    ("post", "/api/v1/notifications/read-all"): 200,
    ("post", "/api/v1/notifications/{notification_id}/read"): 200,
}
API_WRITE_BODIES = {
    ("post", "/api/v1/notifications/read-all"): {},
    ("post", "/api/v1/notifications/{notification_id}/read"): {},
}
API_WRITE = {
    ("post", "/api/v1/notifications/read-all"): (LOGGED_IN, {}),
    ("post", "/api/v1/notifications/{notification_id}/read"): (
        {"zjj_reporter"},
        {r: 404 for r in LOGGED_IN - {"zjj_reporter"}},
    ),
    ("post", "/api/v1/tasks/{task_id}/follow"): (ZJJ_TASK_READERS, {"fgw_reporter": 404}),
    ("delete", "/api/v1/tasks/{task_id}/follow"): (ZJJ_TASK_READERS, {"fgw_reporter": 404}),
}
