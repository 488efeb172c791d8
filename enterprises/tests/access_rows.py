"""Access-matrix rows for the enterprise-assistance routes (merged by core/tests/test_access_matrix.py).

The objects: a firm served by 区住建局 (zjj) with a request assigned to zjj and a visit with a photo.
The office and leaders read everything; zjj's head and reporter read that firm and request;
区发改委's reporter (fgw_reporter) gets 404 on them (no existence leak); the admins and the outsider 403.
Recording visits and requests is for the office and the serving unit (leaders 403); answering for the
handling unit (office and leaders 403).
"""

from enterprises.creditcode import make_credit_code

ROLES_BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
OFFICE = {"office"}
READ_ALL = {"office", "leader", "leader_cj"}
ZJJ_READERS = READ_ALL | {"zjj_head", "zjj_reporter"}
ZJJ_RECORDERS = {"office", "zjj_head", "zjj_reporter"}
NOT_IN_SCOPE = {"fgw_reporter": 404}


def _firm():
    from enterprises.models import Enterprise
    from enterprises.tests.factories import firm

    found = Enterprise.objects.filter(name="矩阵测试企业1").first()
    return found or firm(1, name="矩阵测试企业")


def _request():
    from enterprises.models import AssistanceRequest
    from enterprises.tests.factories import request

    e = _firm()
    return AssistanceRequest.objects.filter(enterprise=e).first() or request(e)


def _photo():
    from django.utils import timezone

    from core.uploads import Upload
    from enterprises import services
    from enterprises.tests.factories import user
    from supervision.tests.access_rows import png

    visit = services.visit_record(
        actor=user("zjj_reporter"),
        enterprise=_firm(),
        visited_on=timezone.localdate(),
        services="协调用工",
        photos=[Upload(png(), "走访.png")],
    )
    return visit.photos.get().pk


PAGES = {
    "enterprises:list": (ROLES_BUSINESS, None, "", {}),
    "enterprises:create": (OFFICE, None, "", {}),
    "enterprises:export": (ROLES_BUSINESS, None, "", {}),
    "enterprises:import": (OFFICE, None, "", {}),
    "enterprises:detail": (ZJJ_READERS, lambda: {"pk": _firm().pk}, "", NOT_IN_SCOPE),
    "enterprises:edit": (OFFICE, lambda: {"pk": _firm().pk}, "", {}),
    "enterprises:visit_create": (ZJJ_RECORDERS, lambda: {"pk": _firm().pk}, "", NOT_IN_SCOPE),
    "enterprises:request_create": (ZJJ_RECORDERS, lambda: {"pk": _firm().pk}, "", NOT_IN_SCOPE),
    "enterprises:photo": (ZJJ_READERS, lambda: {"pk": _photo()}, "", NOT_IN_SCOPE),
    "enterprises:overview": (ROLES_BUSINESS, None, "", {}),
    "enterprises:queue": (ROLES_BUSINESS, None, "", {}),
    "enterprises:lists": (OFFICE, None, "", {}),
    "enterprises:request_detail": (ZJJ_READERS, lambda: {"pk": _request().pk}, "", NOT_IN_SCOPE),
    "enterprises:figure_rows": (ROLES_BUSINESS, lambda: {"key": "enterprises.helped"}, "", {}),
    "enterprises:ledger_export": (ROLES_BUSINESS, None, "", {}),
    "enterprises:ledger_import": (OFFICE, None, "", {}),
    "enterprises:outcome_export": (ROLES_BUSINESS, None, "", {}),
}

API_GET = {
    "/api/v1/enterprises": (ROLES_BUSINESS, {}),
    "/api/v1/enterprises/{enterprise_id}": (ZJJ_READERS, NOT_IN_SCOPE),
    "/api/v1/assistance/summary": (ROLES_BUSINESS, {}),
}

API_WRITE = {
    ("post", "/api/v1/enterprises"): (OFFICE, {}),
    ("post", "/api/v1/assistance/requests"): (ZJJ_RECORDERS, NOT_IN_SCOPE),
    ("post", "/api/v1/assistance/requests/{request_id}/answer"): ({"zjj_head", "zjj_reporter"}, NOT_IN_SCOPE),
}


def _with_firm(text: str) -> str:
    _firm()
    return text


API_PATH_PARAMS = {
    "{enterprise_id}": lambda: _firm().pk,
    "{request_id}": lambda: _request().pk,
    # Not a placeholder: the matrix has no per-route setup, and POST /assistance/requests names the firm in its
    # body (by credit code), so the firm must exist before the post; replacing the path by itself makes it.
    "assistance/requests": lambda: _with_firm("assistance/requests"),
}

API_WRITE_OK = {("post", "/api/v1/assistance/requests/{request_id}/answer"): 200}


API_WRITE_BODIES = {
    ("post", "/api/v1/enterprises"): {"name": "矩阵新企业", "credit_code": "91350100M000100Y43", "industry": "制造业"},
    # The matrix firm's code (enterprises.tests.factories.firm(1)): the body cannot name an id made in the test.
    ("post", "/api/v1/assistance/requests"): {
        "credit_code": make_credit_code(900001),
        "category": "用工",
        "description": "招工",
        "received_on": "2021-06-01",
    },
    ("post", "/api/v1/assistance/requests/{request_id}/answer"): {"answer": "已对接招聘", "jobs": 30},
}
