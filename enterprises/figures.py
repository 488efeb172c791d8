"""The summary figures of enterprise assistance, each a computed measure (core.measures) over records.

One home for each rule: `assistance_summary` calls the very functions registered as measures
(`EnterprisesConfig.ready()` → `register_figures`), so a bulletin's "帮扶企业N家" and the overview show
the same N, and both link to the N rows the figure counts. Definitions (docs/enterprises.md):

- enterprises helped (帮扶企业): distinct firms with at least one request closed in the period, or a
  visit in the period that delivered something (a policy explained, a service or a factor);
- requests (诉求): requests received in the period; closed: requests closed in the period;
- on-time rate: of the requests first answered in the period, the share answered by their due date;
- satisfaction rate: of the requests closed in the period with the firm's feedback, the share satisfied;
- jobs filled, tax relieved, funds provided: sums over outcomes approved (by the handling unit's head)
  in the period.

Scope: `MeasureScope.unit_id` (the handling unit; for visits the officer's unit), `tag_id` (the firm's
block), params `industry` and `subdistrict` (a unit id) narrow the firm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy

from core.measures import Measure, MeasureScope, register_measure
from enterprises.models import AssistanceRequest, Enterprise, Outcome, Visit

PARAMS = ("industry", "subdistrict")
CENT = Decimal("0.01")


def _(text: str) -> str:
    """A lazy label (translated when shown), typed as the str Measure.label is."""
    return cast(str, gettext_lazy(text))


def _firm_q(scope: MeasureScope, prefix: str) -> Q:
    q = Q()
    if scope.tag_id:
        q &= Q(**{f"{prefix}block_id": scope.tag_id})
    industry = scope.param("industry")
    if industry:
        q &= Q(**{f"{prefix}industry": industry})
    subdistrict = scope.param("subdistrict")
    if subdistrict.isdigit():
        q &= Q(**{f"{prefix}subdistrict_id": int(subdistrict)})
    return q


def _requests(scope: MeasureScope) -> QuerySet[AssistanceRequest]:
    qs = AssistanceRequest.objects.filter(_firm_q(scope, "enterprise__"))
    if scope.unit_id:
        qs = qs.filter(unit_id=scope.unit_id)
    return qs


def requests_rows(scope: MeasureScope) -> QuerySet[AssistanceRequest]:
    return _requests(scope).filter(received_on__range=(scope.start, scope.end))


def closed_rows(scope: MeasureScope) -> QuerySet[AssistanceRequest]:
    return _requests(scope).filter(state=AssistanceRequest.State.CLOSED, closed_on__range=(scope.start, scope.end))


def answered_rows(scope: MeasureScope) -> QuerySet[AssistanceRequest]:
    return _requests(scope).filter(first_answered_on__range=(scope.start, scope.end))


def delivered_visits(scope: MeasureScope) -> QuerySet[Visit]:
    qs = Visit.objects.filter(delivered=True, visited_on__range=(scope.start, scope.end)).filter(
        _firm_q(scope, "enterprise__")
    )
    if scope.unit_id:
        qs = qs.filter(officer_unit_id=scope.unit_id)
    return qs


def helped_rows(scope: MeasureScope) -> QuerySet[Enterprise]:
    """帮扶企业: distinct firms with a request closed in the period or a visit in it that delivered something."""
    closed = closed_rows(scope).values("enterprise_id")
    visited = delivered_visits(scope).values("enterprise_id")
    return Enterprise.objects.filter(Q(pk__in=closed) | Q(pk__in=visited))


def outcome_rows(scope: MeasureScope) -> QuerySet[Outcome]:
    qs = Outcome.objects.filter(approved_on__range=(scope.start, scope.end)).filter(
        _firm_q(scope, "request__enterprise__")
    )
    if scope.unit_id:
        qs = qs.filter(request__unit_id=scope.unit_id)
    return qs


def _count(rows) -> Decimal:
    return Decimal(rows.count())


def closed_counts(scope: MeasureScope) -> dict[str, int]:
    """Over `closed_rows`, in one index range: n (closed), fed (with the firm's feedback), satisfied."""
    return closed_rows(scope).aggregate(
        n=Count("pk"),
        fed=Count("pk", filter=~Q(feedback="")),
        satisfied=Count("pk", filter=Q(feedback=AssistanceRequest.Feedback.SATISFIED)),
    )


def answered_counts(scope: MeasureScope) -> dict[str, int]:
    """Over `answered_rows`: n (first answered in the period), on_time (by the due date)."""
    return answered_rows(scope).aggregate(
        n=Count("pk"), on_time=Count("pk", filter=Q(first_answered_on__lte=F("due_date")))
    )


def outcome_sums(scope: MeasureScope) -> dict[str, Decimal]:
    """Over `outcome_rows`, in one index range: jobs, tax_relieved, funds."""
    sums = outcome_rows(scope).aggregate(jobs=Sum("jobs"), tax_relieved=Sum("tax_relieved"), funds=Sum("funds"))
    # Quantized to the columns' 2 places: SQLite sums decimals as floats (noise like .0001 on a city's year).
    return {k: Decimal(v or 0).quantize(CENT) for k, v in sums.items()}


def jobs_rows(scope: MeasureScope) -> QuerySet[Outcome]:
    return outcome_rows(scope).filter(jobs__gt=0)


def tax_rows(scope: MeasureScope) -> QuerySet[Outcome]:
    return outcome_rows(scope).filter(tax_relieved__gt=0)


def funds_rows(scope: MeasureScope) -> QuerySet[Outcome]:
    return outcome_rows(scope).filter(funds__gt=0)


def enterprise_url(e: Enterprise) -> str:
    return reverse("enterprises:detail", kwargs={"pk": e.pk})


def request_url(r: AssistanceRequest) -> str:
    return reverse("enterprises:request_detail", kwargs={"pk": r.pk})


def outcome_url(o: Outcome) -> str:
    return reverse("enterprises:request_detail", kwargs={"pk": o.request_id})


def _outcome_label(o: Outcome) -> str:
    return f"{o.request.enterprise.name} · {o.request.category.name}"


def _request_label(r: AssistanceRequest) -> str:
    return f"{r.enterprise.name} · {r.category.name}"


def helped_value(scope: MeasureScope) -> Decimal:
    """The number of `helped_rows`: the distinct firm ids of the same two row sets (a union of two index ranges,
    not a probe of every firm)."""
    closed = closed_rows(scope).order_by().values("enterprise_id")
    visited = delivered_visits(scope).order_by().values("enterprise_id")
    return Decimal(closed.union(visited).count())


MEASURES = (
    Measure(key="enterprises.helped", label=_("Enterprises helped"), unit="家",
            value=helped_value, rows=helped_rows, row_url=enterprise_url, params=PARAMS),
    Measure(key="enterprises.requests", label=_("Requests received"), unit="件",
            value=lambda s: _count(requests_rows(s)), rows=requests_rows, row_url=request_url,
            row_label=_request_label, params=PARAMS),
    Measure(key="enterprises.closed", label=_("Requests closed"), unit="件",
            value=lambda s: Decimal(closed_counts(s)["n"]), rows=closed_rows, row_url=request_url,
            row_label=_request_label, params=PARAMS),
    Measure(key="enterprises.jobs_filled", label=_("Jobs filled"), unit="人",
            value=lambda s: outcome_sums(s)["jobs"], rows=jobs_rows, row_url=outcome_url, row_label=_outcome_label,
            params=PARAMS),
    Measure(key="enterprises.tax_relieved", label=_("Tax and fees relieved"), unit="元",
            value=lambda s: outcome_sums(s)["tax_relieved"], rows=tax_rows, row_url=outcome_url,
            row_label=_outcome_label, params=PARAMS),
    Measure(key="enterprises.funds_provided", label=_("Funds provided"), unit="元",
            value=lambda s: outcome_sums(s)["funds"], rows=funds_rows, row_url=outcome_url, row_label=_outcome_label,
            params=PARAMS),
)  # fmt: skip


def register_figures() -> None:
    for measure in MEASURES:
        register_measure(measure)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


@dataclass(frozen=True)
class Summary:
    scope: MeasureScope
    enterprises_helped: int
    requests: int
    closed: int
    answered: int
    answered_on_time: int
    closed_with_feedback: int
    satisfied: int
    jobs_filled: int
    tax_relieved_yuan: Decimal
    funds_provided_yuan: Decimal

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.answered_on_time, self.answered)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.closed_with_feedback)


def assistance_summary(scope: MeasureScope) -> Summary:
    """The figures of a period and scope, from the very functions the registered measures' values are made of
    (`helped_value`, `requests_rows`, `closed_counts`, `outcome_sums`), so a figure here and the measure of the
    same key cannot differ; 5 queries, each one index range for the whole city (docs/enterprises.md)."""
    answered, closed, sums = answered_counts(scope), closed_counts(scope), outcome_sums(scope)
    return Summary(
        scope=scope,
        enterprises_helped=int(helped_value(scope)),
        requests=requests_rows(scope).count(),
        closed=closed["n"],
        answered=answered["n"],
        answered_on_time=answered["on_time"],
        closed_with_feedback=closed["fed"],
        satisfied=closed["satisfied"],
        jobs_filled=int(sums["jobs"]),
        tax_relieved_yuan=sums["tax_relieved"],
        funds_provided_yuan=sums["funds"],
    )


def by_category_month(scope: MeasureScope) -> list[tuple[str, str, int]]:
    """(YYYY-MM, category, requests received) for the chart: the rows of `enterprises.requests` grouped."""
    from django.db.models.functions import TruncMonth

    rows = (
        requests_rows(scope)
        .annotate(month=TruncMonth("received_on"))
        .values("month", "category__name")
        .annotate(n=Count("pk"))
        .order_by("month", "category__name")
    )
    return [(r["month"].strftime("%Y-%m"), r["category__name"], r["n"]) for r in rows]


def parse_scope(text: str, start: date, end: date) -> MeasureScope:
    """`district` (or empty), `block:<tag id>`, `industry:<name>`, `unit:<unit id>`, `subdistrict:<unit id>`.
    Raises ValueError naming what is wrong."""
    kind, _sep, value = (text or "district").partition(":")
    if kind == "district" and not value:
        return MeasureScope(start=start, end=end)
    if kind == "block" and value.isdigit():
        return MeasureScope(start=start, end=end, tag_id=int(value))
    if kind == "unit" and value.isdigit():
        return MeasureScope(start=start, end=end, unit_id=int(value))
    if kind == "industry" and value:
        return MeasureScope(start=start, end=end, params=(("industry", value),))
    if kind == "subdistrict" and value.isdigit():
        return MeasureScope(start=start, end=end, params=(("subdistrict", value),))
    raise ValueError(text)


def scope_text(scope: MeasureScope) -> str:
    if scope.unit_id:
        return f"unit:{scope.unit_id}"
    if scope.tag_id:
        return f"block:{scope.tag_id}"
    if scope.param("industry"):
        return f"industry:{scope.param('industry')}"
    if scope.param("subdistrict"):
        return f"subdistrict:{scope.param('subdistrict')}"
    return "district"


FIGURE_KEYS = {
    "enterprises_helped": "enterprises.helped",
    "requests": "enterprises.requests",
    "closed": "enterprises.closed",
    "jobs_filled": "enterprises.jobs_filled",
    "tax_relieved_yuan": "enterprises.tax_relieved",
    "funds_provided_yuan": "enterprises.funds_provided",
}


def figure_links(scope: MeasureScope) -> dict[str, str]:
    """Each figure's link to the rows it counts (the figure rows page)."""
    from urllib.parse import urlencode

    query = urlencode({"from": scope.start.isoformat(), "to": scope.end.isoformat(), "scope": scope_text(scope)})
    return {
        name: reverse("enterprises:figure_rows", kwargs={"key": key}) + "?" + query for name, key in FIGURE_KEYS.items()
    }
