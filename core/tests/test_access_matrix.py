"""Every page and API route × every demo role → the expected status (STYLE.md §10).

A new route without a row here fails `test_every_route_has_a_row`, so access
is decided on purpose for each route, never by omission.
"""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import NAMED
from org.models import LeaderPost, Unit
from workbench.api import api

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", *NAMED, "outsider"]
# The kiosk (大屏) is logged in but held to the wall screen: its default everywhere is 403 (404 never
# applies: the middleware refuses before any lookup); rows that allow it say so.
LOGGED_IN = set(ROLES) - {"anonymous", "kiosk"}
BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
ORG_READERS = BUSINESS | {"sysadmin"}
OFFICE = {"office"}
# A task led by 区住建局: other units' people get 404 (no existence leak), not 403.
ZJJ_TASK_READERS = BUSINESS - {"fgw_reporter"}
UNIT_PEOPLE = {"zjj_head", "zjj_reporter", "fgw_reporter"}
HEADS = {"zjj_head"}
REPORTERS = {"zjj_reporter", "fgw_reporter"}
NOT_IN_SCOPE = {"fgw_reporter": 404}


def _user_pk(username: str) -> int:
    from accounts.models import User

    return User.objects.get(username=username).pk


def _zjj_task() -> int:
    from plans.models import Task

    return Task.objects.get(object="老旧小区改造提升", node__kind="key_task").pk


def _plan() -> int:
    from plans.models import Plan

    return Plan.objects.get().pk


def _area_node() -> int:
    from plans.models import PlanNode

    return PlanNode.objects.filter(kind="area").first().pk


def _tag() -> int:
    from plans.models import DimensionTag

    return DimensionTag.objects.first().pk


def _zjj_report() -> int:
    from reports.models import ProgressReport

    return ProgressReport.objects.get_or_create(
        task_id=_zjj_task(),
        unit=Unit.objects.get(code="zjj"),
        period_end="2021-12-26",
        defaults={"due_date": "2021-12-28", "created_by_id": _user_pk("zjj_reporter"), "narrative": "x"},
    )[0].pk


def _zjj_evidence() -> int:
    from PIL import Image

    from accounts.models import User
    from core.uploads import Upload
    from reports.models import ProgressReport
    from reports.services import evidence_add

    buffer = __import__("io").BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
    report = ProgressReport.objects.get(pk=_zjj_report())
    return evidence_add(
        actor=User.objects.get(username="zjj_reporter"), report=report, file=Upload(buffer.getvalue(), "现场.png")
    ).pk


def _submitted_zjj_evidence() -> int:
    pk = _zjj_evidence()
    _submitted_zjj_report()
    return pk


def _change_request_with_evidence() -> int:
    from accounts.models import User
    from plans.models import Task, TaskChangeRequest

    task = Task.objects.get(pk=_zjj_task())
    cr = TaskChangeRequest(
        task=task,
        old_deadline=task.deadline,
        new_deadline=task.deadline,
        reason="x",
        requested_by=User.objects.get(username="zjj_reporter"),
    )
    cr.evidence.save("proof.pdf", ContentFile(b"%PDF-1.4 proof"), save=True)
    return cr.pk


# name → (who gets 200, kwargs builder, query string, {role: status} overrides).
# Everyone else: 302 to login when anonymous, else 403.
PAGES = {
    "workbench:home": (LOGGED_IN, None, "", {"kiosk": 302}),  # the kiosk is sent to the wall
    "accounts:password_change": (LOGGED_IN, None, "", {}),
    "org:unit_list": (ORG_READERS, None, "", {}),
    "org:unit_create": ({"sysadmin"}, None, "", {}),
    "org:unit_edit": ({"sysadmin"}, lambda: {"pk": Unit.objects.get(code="zjj").pk}, "", {}),
    "org:post_list": (ORG_READERS, None, "", {}),
    "org:post_create": ({"sysadmin"}, None, "", {}),
    "org:post_edit": ({"sysadmin"}, lambda: {"pk": LeaderPost.objects.get(title="区长").pk}, "", {}),
    "accounts:user_list": ({"sysadmin", "secadmin"}, None, "", {}),
    "accounts:user_create": ({"sysadmin"}, None, "", {}),
    "accounts:user_edit": ({"sysadmin"}, lambda: {"pk": _user_pk("zjj_reporter")}, "", {}),
    "accounts:user_password": ({"sysadmin"}, lambda: {"pk": _user_pk("zjj_reporter")}, "", {}),
    "accounts:user_roles": ({"secadmin"}, lambda: {"pk": _user_pk("zjj_reporter")}, "", {}),
    "audit:event_list": ({"auditadmin"}, None, "", {}),
    "audit:event_export": ({"auditadmin"}, None, "", {}),
    "plans:plan_list": (BUSINESS, None, "", {}),
    "plans:plan_create": (OFFICE, None, "", {}),
    "plans:plan_detail": (BUSINESS, lambda: {"pk": _plan()}, "", {}),
    "plans:plan_edit": (OFFICE, lambda: {"pk": _plan()}, "", {}),
    "plans:node_create": (OFFICE, lambda: {"plan_pk": _plan()}, "", {}),
    "plans:node_edit": (OFFICE, lambda: {"pk": _area_node()}, "", {}),
    "plans:tag_list": (BUSINESS, None, "", {}),
    "plans:tag_create": (OFFICE, None, "", {}),
    "plans:tag_edit": (OFFICE, lambda: {"pk": _tag()}, "", {}),
    "plans:task_list": (BUSINESS, None, "", {}),
    "plans:task_export": (BUSINESS, None, "", {}),
    "plans:task_pick": (BUSINESS, None, "q=T", {}),
    "plans:task_import": (OFFICE, None, "", {}),
    "plans:task_create": (OFFICE, None, "plan=PLAN", {}),
    "plans:task_detail": (ZJJ_TASK_READERS, lambda: {"pk": _zjj_task()}, "", NOT_IN_SCOPE),
    "plans:task_edit": (OFFICE, lambda: {"pk": _zjj_task()}, "", {}),
    # Only the office and the lead unit may ask to rebaseline; other readers get 404.
    "plans:change_request_create": (
        {"office", "zjj_head", "zjj_reporter"},
        lambda: {"pk": _zjj_task()},
        "",
        {"leader": 404, "leader_cj": 404, "fgw_reporter": 404},
    ),
    "plans:change_request_list": (BUSINESS, None, "", {}),
    "plans:change_request_evidence": (
        ZJJ_TASK_READERS,
        lambda: {"pk": _change_request_with_evidence()},
        "",
        NOT_IN_SCOPE,
    ),
}
PAGES.update(
    {
        "reports:inbox": (UNIT_PEOPLE, None, "", {}),
        "reports:approvals": (HEADS, None, "", {}),
        "reports:cockpit": ({"office", "leader", "leader_cj"}, None, "", {}),
        "reports:calendar": ({"office", "sysadmin"}, None, "", {}),
        # A submitted 区住建局 report: readable with its task; 区发改委 people get 404. A draft is its unit's
        # alone (reports/tests/test_draft_access.py).
        "reports:report_detail": (ZJJ_TASK_READERS, lambda: {"pk": _submitted_zjj_report()}, "", NOT_IN_SCOPE),
        # Only the reporting unit's reporter edits it.
        "reports:report_edit": ({"zjj_reporter"}, lambda: {"pk": _zjj_report()}, "", {"fgw_reporter": 404}),
        "reports:evidence_file": (ZJJ_TASK_READERS, lambda: {"pk": _submitted_zjj_evidence()}, "", NOT_IN_SCOPE),
        "reports:evidence_thumb": (ZJJ_TASK_READERS, lambda: {"pk": _submitted_zjj_evidence()}, "", NOT_IN_SCOPE),
    }
)
# Routes open to everyone, checked separately.
# /metrics: the test client is a direct loopback request (REMOTE_ADDR 127.0.0.1, no proxy header), which
# may read it whoever is logged in; through a proxy or from another host only with the token
# (workbench/tests/test_metrics.py).
# setlang on GET only redirects.
PUBLIC = {"accounts:login": 200, "healthz": 200, "set_language": 302, "favicon": 301, "metrics": 200}
# Views that only accept POST (GET → 405 for everyone), with their own tests.
POST_ONLY = {
    "accounts:logout",
    "plans:node_move",
    "plans:node_delete",
    "plans:task_delete",
    "plans:change_request_decide",
    "reports:report_start",
    "reports:evidence_upload",
    "reports:report_return",
    "reports:approve",
    "reports:evidence_remove",
    "reports:judgement",
    "reports:verify",
}
POST_ONLY_KWARGS = {
    "plans:node_move": "pk",
    "plans:node_delete": "pk",
    "plans:task_delete": "pk",
    "plans:change_request_decide": "pk",
    "reports:report_start": "task_pk",
    "reports:evidence_upload": "pk",
    "reports:report_return": "pk",
    "reports:evidence_remove": "pk",
    "reports:judgement": "task_pk",
    "reports:verify": "task_pk",
}
# Who may POST to each write route (others get 403 before anything is looked up).
POST_WRITERS = {
    "plans:node_move": OFFICE,
    "plans:node_delete": OFFICE,
    "plans:task_delete": OFFICE,
    "plans:change_request_decide": OFFICE,
    "reports:judgement": OFFICE,
    "reports:verify": OFFICE,
    "reports:report_start": REPORTERS,
    "reports:evidence_upload": REPORTERS,
    "reports:evidence_remove": REPORTERS,
    "reports:report_return": HEADS,
    "reports:approve": HEADS,
}

# API reads: path → (who gets 200, overrides). Anonymous gets 401, others 403.
API_GET = {
    "/api/v1/me": (LOGGED_IN, {}),
    "/api/v1/units": (ORG_READERS, {}),
    "/api/v1/plans": (BUSINESS, {}),
    "/api/v1/plans/{plan_id}/tree": (BUSINESS, {}),
    "/api/v1/tasks": (BUSINESS, {}),
    "/api/v1/tasks/ledger.xlsx": (BUSINESS, {}),
    "/api/v1/tasks/{task_id}": (ZJJ_TASK_READERS, NOT_IN_SCOPE),
    "/api/v1/tasks/{task_id}/status": (ZJJ_TASK_READERS, NOT_IN_SCOPE),
    "/api/v1/rollups": (BUSINESS, {}),
    "/api/v1/reports/{report_id}": (ZJJ_TASK_READERS, NOT_IN_SCOPE),
}
# API writes: (method, path) → (who may write, overrides); tested with a valid body.
API_WRITE = {
    ("patch", "/api/v1/tasks/{task_id}"): (OFFICE, {}),
    ("post", "/api/v1/tasks/{task_id}/change-requests"): (
        {"office", "zjj_head", "zjj_reporter"},
        {"leader": 403, "leader_cj": 403, "fgw_reporter": 404},
    ),
    ("post", "/api/v1/tasks"): (OFFICE, {}),
    ("post", "/api/v1/tasks/{task_id}/reports"): ({"zjj_reporter"}, {"fgw_reporter": 404}),
    ("post", "/api/v1/reports/{report_id}/approve"): ({"zjj_head"}, {"fgw_reporter": 403}),
    ("post", "/api/v1/reports/{report_id}/return"): ({"zjj_head"}, {"fgw_reporter": 403}),
}
# The docs page and openapi.json need a login too (accounts/tests/test_tokens.py).
API_PUBLIC = {("post", "/api/v1/auth/token")}


# Apps fill their own path placeholders ("{notification_id}" → a builder returning an id), may name a
# write's success status when it is not the default (201 for POST, 200 otherwise), and its JSON body.
API_PATH_PARAMS: dict = {}
API_WRITE_OK: dict = {}
API_WRITE_BODIES: dict = {}


def _merge_app_rows() -> None:
    """Apps may keep their rows in `<app>/tests/access_rows.py` (same dict names, same meaning)."""
    import importlib
    import importlib.util

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.tests.access_rows"
        if not config.path.startswith(str(__import__("pathlib").Path(__file__).resolve().parents[2])):
            continue  # third-party apps
        if importlib.util.find_spec(f"{config.name}.tests") is None or importlib.util.find_spec(name) is None:
            continue
        rows = importlib.import_module(name)
        PAGES.update(getattr(rows, "PAGES", {}))
        POST_ONLY.update(getattr(rows, "POST_ONLY", set()))
        POST_ONLY_KWARGS.update(getattr(rows, "POST_ONLY_KWARGS", {}))
        POST_WRITERS.update(getattr(rows, "POST_WRITERS", {}))
        API_GET.update(getattr(rows, "API_GET", {}))
        API_WRITE.update(getattr(rows, "API_WRITE", {}))
        PUBLIC.update(getattr(rows, "PUBLIC", {}))
        API_PATH_PARAMS.update(getattr(rows, "API_PATH_PARAMS", {}))
        API_WRITE_OK.update(getattr(rows, "API_WRITE_OK", {}))
        API_WRITE_BODIES.update(getattr(rows, "API_WRITE_BODIES", {}))


_merge_app_rows()


def _url_names(patterns, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            if p.namespace == "api":
                continue  # API routes are covered by API_GET / API_WRITE / API_PUBLIC
            names |= _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{prefix}{p.name}")
    return names


def test_every_route_has_a_row():
    names = _url_names(get_resolver().url_patterns)
    assert names - set(PAGES) - set(PUBLIC) - POST_ONLY == set()
    operations = {
        (method.lower(), path.rstrip("/"))
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    listed = {("get", p) for p in API_GET} | set(API_WRITE) | API_PUBLIC
    assert operations - listed == set()


def _expected(role: str, allowed: set, overrides: dict, anonymous: int, denied: int) -> int:
    if role in overrides:
        return overrides[role]
    return 200 if role in allowed else (anonymous if role == "anonymous" else denied)


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_page_access(client, users, name, role):
    allowed, kwargs, query, overrides = PAGES[name]
    url = reverse(name, kwargs=kwargs() if kwargs else None)
    if query:
        url += "?" + query.replace("PLAN", str(_plan()))
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url)
    expected = _expected(role, allowed, overrides, 302, 403)
    assert response.status_code == expected, f"{role} GET {url}"
    if expected == 302:
        assert response["Location"].startswith("/cockpit/wall/" if role == "kiosk" else "/accounts/login/")


def _api_path(path: str) -> str:
    path = path.replace("{plan_id}", str(_plan())).replace("{task_id}", str(_zjj_task()))
    if "{report_id}" in path:
        path = path.replace("{report_id}", str(_submitted_zjj_report()))
    for placeholder, build in API_PATH_PARAMS.items():
        if placeholder in path:
            path = path.replace(placeholder, str(build()))
    return path


def _submitted_zjj_report() -> int:
    from reports.models import ProgressReport

    pk = _zjj_report()
    ProgressReport.objects.filter(pk=pk).update(state="submitted", first_submitted_at="2021-12-27T02:00:00Z")
    return pk


def _headers(users, role: str) -> dict:
    if role == "anonymous":
        return {}
    from accounts.services import token_issue

    return {"Authorization": f"Bearer {token_issue(user=users[role])}"}


@pytest.mark.parametrize("path", sorted(API_GET))
@pytest.mark.parametrize("role", ROLES)
def test_api_read_access(client, users, path, role):
    allowed, overrides = API_GET[path]
    response = client.get(_api_path(path), headers=_headers(users, role))
    assert response.status_code == _expected(role, allowed, overrides, 401, 403), f"{role} GET {path}"
    downloaded = path.endswith((".xlsx", "/file")) and response.status_code == 200  # a file, not JSON
    assert downloaded or response["Content-Type"].startswith("application/json")


def _write_body(method: str, path: str) -> dict:
    from plans.models import Task

    if (method, path) in API_WRITE_BODIES:
        return API_WRITE_BODIES[(method, path)]

    task = Task.objects.get(pk=_zjj_task())
    if path.endswith("/return"):
        return {"reason": "数据有误"}
    if path.endswith("/approve"):
        return {}
    if path.endswith("change-requests"):
        return {"new_deadline": "2022-03-31", "new_target_value": 248, "reason": "冬季停工"}
    if method == "patch":
        return {"version": task.version, "measures": "矩阵测试"}
    return {
        "plan_id": task.plan_id,
        "parent_id": _area_node(),
        "title": "矩阵测试任务",
        "target_value": 1,
        "target_unit": "个",
        "deadline": "2021-12-31",
        "responsible_post_id": task.responsible_post_id,
        "lead_unit_id": task.lead_unit_id,
    }


@pytest.mark.parametrize(("method", "path"), sorted(API_WRITE))
@pytest.mark.parametrize("role", ROLES)
def test_api_write_access(client, users, method, path, role):
    allowed, overrides = API_WRITE[(method, path)]
    ok = API_WRITE_OK.get(
        (method, path), 201 if method == "post" and not path.endswith(("/approve", "/return")) else 200
    )
    if path.endswith("/reports"):
        # multipart, as a phone or a client uploading photos sends it
        response = client.post(
            _api_path(path),
            data=API_WRITE_BODIES.get((method, path), {"value": "120", "narrative": "矩阵测试", "submit": "true"}),
            headers=_headers(users, role),
        )
    else:
        response = getattr(client, method)(
            _api_path(path),
            data=json.dumps(_write_body(method, path)),
            content_type="application/json",
            headers=_headers(users, role),
        )
    expected = _expected(role, allowed, overrides, 401, 403)
    assert response.status_code == (ok if expected == 200 else expected), f"{role} {method} {path}: {response.json()}"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_routes(client, name):
    assert client.get(reverse(name)).status_code == PUBLIC[name]


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_routes_refuse_get(client_as, name):
    kwargs = {POST_ONLY_KWARGS[name]: 1} if name in POST_ONLY_KWARGS else None
    writer = sorted(POST_WRITERS.get(name, {"office"}))[0]
    assert client_as(writer).get(reverse(name, kwargs=kwargs)).status_code == 405


@pytest.mark.parametrize("name", sorted(POST_ONLY - {"accounts:logout"}))
@pytest.mark.parametrize("role", sorted(LOGGED_IN))
def test_post_only_writes_are_refused_to_other_roles(client, users, name, role):
    if role in POST_WRITERS[name]:
        return  # the writers' behaviour is tested in each app
    client.force_login(users[role])
    kwargs = {POST_ONLY_KWARGS[name]: 1} if name in POST_ONLY_KWARGS else None
    response = client.post(reverse(name, kwargs=kwargs), {"direction": "up", "version": 1})
    assert response.status_code == 403
