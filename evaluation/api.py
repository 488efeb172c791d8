"""REST API of evaluation: periods, a period's league table, appeals, bulletins. Same selectors and services
as the pages; a unit head sees published periods and appeals only his own unit's score."""

from datetime import date, datetime

from django.urls import reverse
from ninja import Field, Router, Status

from accounts.roles import Perm
from core.api import In, Out, require_api_perm
from evaluation import selectors, services

router = Router(tags=["evaluation"])
READ = (Perm.BUSINESS_READ_ALL, Perm.REPORT_APPROVE)


class ErrorOut(Out):
    detail: str
    field: str | None = None


class PeriodOut(Out):
    id: int
    label: str
    kind: str
    start: date
    end: date
    scheme: str
    version: int
    published_at: datetime | None


class ComponentOut(Out):
    key: str
    label: str
    weight: str
    points: str
    input: str | None
    detail: str
    rows: list[dict[str, str]]


class ScoreOut(Out):
    group: str
    unit_id: int
    unit: str
    rank: int
    rank_change: int | None
    total: str
    adjusted_by_appeal: bool
    components: list[ComponentOut]


class AppealIn(In):
    component_key: str = Field("", max_length=40)
    reason: str = Field("", max_length=2000)
    unit_id: int | None = None


class AppealOut(Out):
    id: int
    period_id: int
    unit_id: int
    component_key: str
    state: str
    version: int


class BulletinOut(Out):
    id: int
    number: str
    title: str
    month: date
    issued_on: date
    download_url: str


def _period(p) -> dict:
    return {"id": p.pk, "label": p.label, "kind": p.kind, "start": p.start, "end": p.end, "scheme": str(p.scheme),
            "version": p.version, "published_at": p.published_at}  # fmt: skip


@router.get("/evaluations", response=list[PeriodOut])
def evaluations(request):
    """Evaluation periods: published ones (the office also sees those not yet published)."""
    require_api_perm(request, *READ)
    return [_period(p) for p in selectors.periods_for_user(request.user)[:200]]


@router.get("/evaluations/{period_id}/scores", response=list[ScoreOut])
def evaluation_scores(request, period_id: int, version: int | None = None):
    """The published league table (latest version unless `version`), each point with the rows behind it."""
    require_api_perm(request, *READ)
    period = selectors.period_get_for_user(request.user, period_id)
    if not period.is_published:
        return []
    chosen = version if version and 0 < version <= period.version else None
    return [
        {"group": g.name, "unit_id": r.unit_id, "unit": r.unit.name, "rank": r.rank, "rank_change": r.rank_change,
         "total": str(r.total), "adjusted_by_appeal": r.adjusted_by_appeal, "components": r.components}
        for g in selectors.league_table(period, version=chosen)
        for r in g.rows
    ]  # fmt: skip


@router.post("/evaluations/{period_id}/appeals", response={201: AppealOut, 400: ErrorOut, 403: ErrorOut})
def evaluation_appeal(request, period_id: int, payload: AppealIn):
    """申诉 by a unit head on his unit's score within the appeal window (evidence files: through the page)."""
    require_api_perm(request, Perm.REPORT_APPROVE)
    period = selectors.period_get_for_user(request.user, period_id)
    appeal = services.appeal_create(actor=request.user, period=period, component_key=payload.component_key,
                                    reason=payload.reason, unit_id=payload.unit_id)  # fmt: skip
    out = {"id": appeal.pk, "period_id": period.pk, "unit_id": appeal.unit_id, "component_key": appeal.component_key,
           "state": appeal.state, "version": appeal.version}  # fmt: skip
    return Status(201, out)


@router.get("/bulletins", response=list[BulletinOut])
def bulletins(request):
    """Issued 督查通报: leaders and the office all; a unit those that name it."""
    require_api_perm(request, *READ)
    return [
        {"id": b.pk, "number": str(b), "title": b.title, "month": b.month, "issued_on": b.issued_on,
         "download_url": reverse("evaluation:bulletin_download", args=[b.pk])}
        for b in selectors.bulletins_for_user(request.user)[:200]
    ]  # fmt: skip
