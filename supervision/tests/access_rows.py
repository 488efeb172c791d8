"""Access-matrix rows for the supervision routes (merged by core/tests/test_access_matrix.py).

Objects are made through the services, each addressed to 区住建局 (zjj), so:
the office and leaders read them, zjj's head and reporter read them, 区发改委's
reporter (fgw_reporter) gets 404 (no existence leak), everyone else 403, and
the anonymous visitor the login page (pages) or 401 (API).

API paths. The matrix fills only {plan_id}, {task_id} and {report_id}; an
`ApiRoute` fills this app's own placeholders ({order_id} …) with a fresh object
when the matrix fills its own, through the same `str.replace` call. (Proposed
for the matrix itself: an `API_FILLERS = {"{order_id}": builder}` dict per app.)

API writes. The matrix posts one generic JSON body to every write route (a task
body; `{"reason": …}` to paths ending in /return) and expects 201 (200 for
/return). Where that body cannot succeed here (no response text, an order not
yet responded), the writer's expected status is the service's 400: a caller
reaches that refusal only after the permission and unit-scope checks, which is
what the matrix is about. The success paths are in supervision/tests/test_api.py.
"""

import io
from collections.abc import Callable

from django.utils import timezone

ROLES_BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
OFFICE = {"office"}
READ_ALL = {"office", "leader", "leader_cj"}
ZJJ_READERS = READ_ALL | {"zjj_head", "zjj_reporter"}
UNIT_WRITERS = {"zjj_head", "zjj_reporter", "fgw_reporter"}  # hold a unit role; fgw's is another unit
NOT_IN_SCOPE = {"fgw_reporter": 404}
ZJJ_UNIT_400 = {"zjj_head": 400, "zjj_reporter": 400, "fgw_reporter": 404}


def _user(username: str):
    from accounts.models import User

    return User.objects.get(username=username)


def _task():
    from plans.models import Task

    return Task.objects.get(object="老旧小区改造提升", node__kind="key_task")


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_order(state: str = "issued"):
    """An order on the 区住建局 task, taken through the services to `state`."""
    from supervision import services

    task = _task()
    order = services.order_issue(
        actor=_user("office"), tasks=[task], unit=task.lead_unit, kind="reminder", content="矩阵测试督办"
    )
    steps = ["acknowledged", "responded", "verified", "closed"]
    for step in steps[: steps.index(state) + 1] if state in steps else []:
        if step == "acknowledged":
            services.order_acknowledge(actor=_user("zjj_reporter"), order=order)
        elif step == "responded":
            services.order_respond(
                actor=_user("zjj_reporter"), order=order, text="已整改", files=[services.Upload(png(), "现场.png")]
            )
        elif step == "verified":
            services.order_verify(actor=_user("office"), order=order)
        elif step == "closed":
            services.order_close(actor=_user("office"), order=order)
    order.refresh_from_db()
    return order


def make_instruction():
    from core.workcalendar import work_calendar
    from supervision import services

    due = work_calendar().add_workdays(timezone.localdate(), 5)
    return services.instruction_create(actor=_user("leader_cj"), text="请加快进度", due_date=due, task=_task())


def make_inspection():
    from supervision import services

    return services.inspection_record(
        actor=_user("office"),
        inspected_on=timezone.localdate(),
        inspectors="督查室",
        place="现场",
        tasks=[_task()],
        photos=[services.Upload(png(), "现场.png")],
    )


def make_finding():
    from supervision import services

    return services.finding_add(actor=_user("office"), inspection=make_inspection(), text="围挡破损", task=_task())


def make_rectification(state: str = "open"):
    from core.workcalendar import work_calendar
    from supervision import services

    task = _task()
    item = services.rectification_open(
        actor=_user("office"),
        finding=make_finding(),
        unit=task.lead_unit,
        deadline=work_calendar().add_workdays(timezone.localdate(), 10),
        requirement="修复围挡",
        photos=[services.Upload(png(), "整改前.png")],
    )
    if state == "reported":
        services.rectification_report(actor=_user("zjj_reporter"), item=item, text="已修复")
    return item


def _response_file() -> int:
    return make_order("responded").responses.get().attachments.get().pk


class ApiRoute(str):
    """An API path template whose own placeholders are filled with fresh objects when the matrix fills its own."""

    fillers: dict[str, Callable[[], int]]

    def __new__(cls, path: str, **fillers: Callable[[], int]):
        route = super().__new__(cls, path)
        route.fillers = fillers
        return route

    def replace(self, old, new, count=-1):
        text = str(self)
        for placeholder, build in self.fillers.items():
            text = text.replace("{" + placeholder + "}", str(build()))
        return text.replace(old, new, count)


# name → (who gets 200, kwargs builder, query string, {role: status} overrides)
PAGES = {
    "supervision:order_list": (ROLES_BUSINESS, None, "", {}),
    "supervision:order_create": (OFFICE, None, "", {}),
    "supervision:order_detail": (ZJJ_READERS, lambda: {"pk": make_order().pk}, "", NOT_IN_SCOPE),
    "supervision:order_docx": (ZJJ_READERS, lambda: {"pk": make_order("acknowledged").pk}, "", NOT_IN_SCOPE),
    "supervision:instruction_list": (ROLES_BUSINESS, None, "", {}),
    # Leaders write on any item they read; the office and units may not write instructions.
    "supervision:instruction_create": ({"leader", "leader_cj"}, lambda: {"target": "task", "pk": _task().pk}, "", {}),
    # ?target=<kind>:<id> → the form above; the matrix's bare GET names no object: 400 for leaders.
    "supervision:instruction_new": (set(), None, "", {"leader": 400, "leader_cj": 400}),
    "supervision:instruction_detail": (ZJJ_READERS, lambda: {"pk": make_instruction().pk}, "", NOT_IN_SCOPE),
    "supervision:inspection_list": (READ_ALL, None, "", {}),
    "supervision:inspection_create": (OFFICE, None, "", {}),
    # Inspection records are the office's working papers: units get 403 (they see their rectifications).
    "supervision:inspection_detail": (READ_ALL, lambda: {"pk": make_inspection().pk}, "", {}),
    "supervision:rectification_list": (ROLES_BUSINESS, None, "", {}),
    "supervision:rectification_detail": (ZJJ_READERS, lambda: {"pk": make_rectification().pk}, "", NOT_IN_SCOPE),
    "supervision:file": (ZJJ_READERS, lambda: {"pk": _response_file()}, "", NOT_IN_SCOPE),
    "supervision:file_thumb": (ZJJ_READERS, lambda: {"pk": _response_file()}, "", NOT_IN_SCOPE),
}
POST_ONLY = {
    "supervision:order_acknowledge",
    "supervision:order_respond",
    "supervision:order_verify",
    "supervision:order_return",
    "supervision:order_close",
    "supervision:followup_answer",
    "supervision:followup_accept",
    "supervision:followup_return",
    "supervision:inspection_photos",
    "supervision:finding_add",
    "supervision:rectification_open",
    "supervision:rectification_report",
    "supervision:rectification_verify",
    "supervision:rectification_return",
    "supervision:rectification_close",
}
POST_ONLY_KWARGS = {name: "pk" for name in POST_ONLY}
POST_WRITERS = {
    "supervision:order_acknowledge": UNIT_WRITERS,
    "supervision:order_respond": UNIT_WRITERS,
    "supervision:followup_answer": UNIT_WRITERS,
    # The office, or the leader who wrote the instruction (the service refuses other leaders).
    "supervision:followup_accept": READ_ALL,
    "supervision:followup_return": READ_ALL,
    "supervision:rectification_report": UNIT_WRITERS,
    "supervision:order_verify": OFFICE,
    "supervision:order_return": OFFICE,
    "supervision:order_close": OFFICE,
    "supervision:inspection_photos": OFFICE,
    "supervision:finding_add": OFFICE,
    "supervision:rectification_open": OFFICE,
    "supervision:rectification_verify": OFFICE,
    "supervision:rectification_return": OFFICE,
    "supervision:rectification_close": OFFICE,
}

# path → (who gets 200, overrides)
API_GET = {
    "/api/v1/orders": (ROLES_BUSINESS, {}),
    ApiRoute("/api/v1/orders/{order_id}", order_id=lambda: make_order().pk): (ZJJ_READERS, NOT_IN_SCOPE),
    "/api/v1/instructions": (ROLES_BUSINESS, {}),
    ApiRoute("/api/v1/instructions/{instruction_id}", instruction_id=lambda: make_instruction().pk): (
        ZJJ_READERS,
        NOT_IN_SCOPE,
    ),
    "/api/v1/inspections": (READ_ALL, {}),
    ApiRoute("/api/v1/inspections/{inspection_id}", inspection_id=lambda: make_inspection().pk): (READ_ALL, {}),
    "/api/v1/rectifications": (ROLES_BUSINESS, {}),
    ApiRoute("/api/v1/rectifications/{rectification_id}", rectification_id=lambda: make_rectification().pk): (
        ZJJ_READERS,
        NOT_IN_SCOPE,
    ),
}


def _order_route(action: str, state: str) -> ApiRoute:
    return ApiRoute(f"/api/v1/orders/{{order_id}}/{action}", order_id=lambda: make_order(state).pk)


def _rectification_route(action: str, state: str) -> ApiRoute:
    return ApiRoute(
        f"/api/v1/rectifications/{{rectification_id}}/{action}",
        rectification_id=lambda: make_rectification(state).pk,
    )


# (method, path) → (who may write, overrides); see the module docstring for the 400s.
API_WRITE = {
    # The generic body is ignored: the order takes the red-task proposal's defaults.
    ("post", "/api/v1/tasks/{task_id}/orders"): (OFFICE, {}),
    # No targets in the generic body: the office meets the service's "choose at least one object".
    ("post", "/api/v1/orders"): (set(), {"office": 400}),
    # An order already acknowledged: the unit gets past access and meets the state check.
    ("post", _order_route("acknowledge", "acknowledged")): (set(), ZJJ_UNIT_400),
    # No response text in the generic body.
    ("post", _order_route("respond", "acknowledged")): (set(), ZJJ_UNIT_400),
    # Not responded yet: nothing to verify or close.
    ("post", _order_route("verify", "issued")): (set(), {"office": 400}),
    ("post", _order_route("return", "responded")): (OFFICE, {}),
    ("post", _order_route("close", "issued")): (set(), {"office": 400}),
    # No target in the generic body.
    ("post", "/api/v1/instructions"): (set(), {"leader": 400, "leader_cj": 400}),
    ("post", ApiRoute("/api/v1/followups/{followup_id}/answer", followup_id=lambda: make_instruction().followup.pk)): (
        set(),
        ZJJ_UNIT_400,
    ),
    # Not answered yet: nothing to accept or send back (the matrix's instruction is leader_cj's).
    ("post", ApiRoute("/api/v1/followups/{followup_id}/accept", followup_id=lambda: make_instruction().followup.pk)): (
        set(),
        {"office": 400, "leader": 403, "leader_cj": 400},
    ),
    ("post", ApiRoute("/api/v1/followups/{followup_id}/return", followup_id=lambda: make_instruction().followup.pk)): (
        set(),
        {"office": 400, "leader": 403, "leader_cj": 400},
    ),
    # No date, place or inspectors in the generic body; no files; no finding text; no unit.
    ("post", "/api/v1/inspections"): (set(), {"office": 400}),
    ("post", ApiRoute("/api/v1/inspections/{inspection_id}/photos", inspection_id=lambda: make_inspection().pk)): (
        set(),
        {"office": 400},
    ),
    ("post", ApiRoute("/api/v1/inspections/{inspection_id}/findings", inspection_id=lambda: make_inspection().pk)): (
        set(),
        {"office": 400},
    ),
    ("post", ApiRoute("/api/v1/findings/{finding_id}/rectification", finding_id=lambda: make_finding().pk)): (
        set(),
        {"office": 400},
    ),
    ("post", _rectification_route("report", "open")): (set(), ZJJ_UNIT_400),
    ("post", _rectification_route("verify", "open")): (set(), {"office": 400}),
    ("post", _rectification_route("return", "reported")): (OFFICE, {}),
    ("post", _rectification_route("close", "open")): (set(), {"office": 400}),
}
