"""Access-matrix rows for the projects routes (merged by core/tests/test_access_matrix.py).

The project under test is led by 区住建局 with no co-operating unit: 区发改委's reporter gets 404 on it
(no existence leak); lists are every business role's (each sees its own scope).
"""

OFFICE = {"office"}
BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
ZJJ_READERS = BUSINESS - {"fgw_reporter"}
NOT_IN_SCOPE = {"fgw_reporter": 404}


def _project() -> int:
    from projects.models import Project
    from projects.tests.factories import make_project

    existing = Project.objects.filter(code="XM-MATRIX").first()
    return (existing or make_project(code="XM-MATRIX")).pk


def _type() -> int:
    from projects.models import ProjectType

    return ProjectType.objects.get_or_create(name="矩阵类型")[0].pk


def _photo() -> int:
    import io

    from PIL import Image

    from accounts.models import User
    from core.uploads import Upload
    from projects.models import ProjectPhoto
    from projects.services import report_file

    existing = ProjectPhoto.objects.filter(report__project__code="XM-MATRIX").first()
    if existing:
        return existing.pk
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    from projects.models import Project

    report = report_file(
        actor=User.objects.get(username="zjj_reporter"), project=Project.objects.get(pk=_project()),
        month=__import__("datetime").date(2021, 3, 31), amount_month=10, progress_text="矩阵",
        files=[Upload(data=buffer.getvalue(), name="site.jpg")],
    )  # fmt: skip
    return report.photos.get().pk


PAGES = {
    "projects:list": (BUSINESS, None, "", {}),
    "projects:schedule": (BUSINESS, None, "", {}),
    "projects:rollup": (BUSINESS, None, "by=unit", {}),
    "projects:export": (BUSINESS, None, "", {}),
    "projects:import": (OFFICE, None, "", {}),
    "projects:types": (OFFICE, None, "", {}),
    "projects:type_edit": (OFFICE, lambda: {"pk": _type()}, "", {}),
    "projects:meetings": ({"office", "leader", "leader_cj"}, None, "", {}),
    "projects:meeting_create": ({"office", "leader", "leader_cj"}, None, "", {}),
    "projects:create": (OFFICE, None, "", {}),
    "projects:update": (OFFICE, lambda: {"pk": _project()}, "", {}),
    "projects:detail": (ZJJ_READERS, lambda: {"pk": _project()}, "", NOT_IN_SCOPE),
    "projects:report_form": ({"zjj_reporter"}, lambda: {"pk": _project()}, "", NOT_IN_SCOPE),
    "projects:photo": (ZJJ_READERS, lambda: {"pk": _photo()}, "", NOT_IN_SCOPE),
}
WRITES = {
    "projects:problem_add": BUSINESS,
    "projects:problem_resolve": BUSINESS,
    "projects:report_approve": {"zjj_head"},
    "projects:report_return": {"zjj_head"},
}
POST_ONLY = set(WRITES)
POST_ONLY_KWARGS = dict.fromkeys(WRITES, "pk")
POST_WRITERS = WRITES

API_GET = {
    "/api/v1/projects": (BUSINESS, {}),
    "/api/v1/projects/ledger.xlsx": (BUSINESS, {}),
    "/api/v1/projects/{project_id}": (ZJJ_READERS, NOT_IN_SCOPE),
}
API_WRITE = {
    ("post", "/api/v1/projects/{project_id}/reports"): ({"zjj_reporter"}, NOT_IN_SCOPE),
}
API_PATH_PARAMS = {"{project_id}": _project}
API_WRITE_BODIES = {
    ("post", "/api/v1/projects/{project_id}/reports"): {
        "month": "2021-04-30",
        "amount_month": "12.5",
        "progress_text": "矩阵",
    },
}
