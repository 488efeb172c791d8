"""Access-matrix rows for the evaluation routes (merged by core/tests/test_access_matrix.py).

Readers of evaluation: the office and leaders (every unit) and unit heads (published periods, their own
unit's sheet, appeals). Reporters have no evaluation pages. Schemes, previews, publishing, adjustments
and appeal decisions are the office's.
"""

OFFICE = {"office"}
ALL_READERS = {"office", "leader", "leader_cj"}
READERS = ALL_READERS | {"zjj_head"}
HEADS = {"zjj_head"}


def published_june() -> int:
    """The demo scheme's June 2021, published now (so its appeal window is open)."""
    from accounts.models import User
    from evaluation.demo import load_demo_scheme
    from evaluation.models import Period
    from evaluation.services import period_publish

    office = User.objects.get(username="office")
    scheme = load_demo_scheme(office)
    period = Period.objects.get(scheme=scheme, kind="month", start="2021-06-01")
    if not period.is_published:
        period_publish(actor=office, period=period)
    return period.pk


def _zjj() -> int:
    from org.models import Unit

    return Unit.objects.get(code="zjj").pk


def _scheme() -> int:
    from evaluation.demo import load_demo_scheme

    return load_demo_scheme().pk


def _adjustment() -> int:
    import datetime as dt
    from decimal import Decimal

    from accounts.models import User
    from evaluation.services import adjustment_create
    from org.models import Unit

    return adjustment_create(actor=User.objects.get(username="office"), unit=Unit.objects.get(code="zjj"),
                             kind="bonus", points=Decimal(1), day=dt.date(2021, 6, 5), reason="表彰").pk  # fmt: skip


def _appeal_file() -> int:
    from accounts.models import User
    from core.uploads import Upload
    from evaluation.models import Period
    from evaluation.services import appeal_create
    from supervision.tests.access_rows import png

    period = Period.objects.get(pk=published_june())
    appeal = appeal_create(actor=User.objects.get(username="zjj_head"), period=period, component_key="delivery",
                           reason="矩阵测试", files=[Upload(png(), "佐证.png")])  # fmt: skip
    return appeal.files.get().pk


def _bulletin() -> int:
    """An issued bulletin naming 区住建局 (a stored file; building one is tested in test_bulletin)."""
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from accounts.models import User
    from evaluation.models import Bulletin

    name = default_storage.save("bulletins/matrix.docx", ContentFile(b"PK\x03\x04matrix"))
    bulletin = Bulletin.objects.create(year=2021, seq=99, month=dt.date(2021, 6, 1), issuer="督查室", title="矩阵",
                                       issued_on=dt.date(2021, 7, 5), file=name, sha256="0" * 64,
                                       issued_by=User.objects.get(username="office"))  # fmt: skip
    bulletin.units.set([_zjj()])
    return bulletin.pk


# name → (who gets 200, kwargs builder, query string, {role: status} overrides)
PAGES = {
    "evaluation:periods": (READERS, None, "", {}),
    "evaluation:period": (READERS, lambda: {"pk": published_june()}, "", {}),
    "evaluation:sheet": (READERS, lambda: {"pk": published_june(), "unit_pk": _zjj()}, "", {}),
    "evaluation:appeal_create": (HEADS, lambda: {"pk": published_june()}, "", {}),
    "evaluation:schemes": (OFFICE, None, "", {}),
    "evaluation:scheme": (OFFICE, lambda: {"pk": _scheme()}, "", {}),
    "evaluation:adjustments": (OFFICE, None, "", {}),
    "evaluation:adjustment": (ALL_READERS, lambda: {"pk": _adjustment()}, "", {}),
    "evaluation:file": (READERS, lambda: {"pk": _appeal_file()}, "", {}),
    "evaluation:bulletins": (READERS, None, "", {}),
    "evaluation:bulletin_download": (READERS, lambda: {"pk": _bulletin()}, "", {}),
}
WRITES = {
    "evaluation:publish": "pk",
    "evaluation:scheme_revise": "pk",
    "evaluation:appeal_decide": "pk",
    "evaluation:adjustment_decide": "pk",
}
POST_ONLY = {*WRITES, "evaluation:bulletin_draft"}
POST_ONLY_KWARGS = WRITES
POST_WRITERS = {name: OFFICE for name in POST_ONLY}

API_PATH_PARAMS = {"{period_id}": published_june}
API_GET = {
    "/api/v1/evaluations": (READERS, {}),
    "/api/v1/evaluations/{period_id}/scores": (READERS, {}),
    "/api/v1/bulletins": (READERS, {}),
}
API_WRITE = {("post", "/api/v1/evaluations/{period_id}/appeals"): (HEADS, {})}
API_WRITE_BODIES = {
    ("post", "/api/v1/evaluations/{period_id}/appeals"): {"component_key": "delivery", "reason": "矩阵"}
}
