"""Reads on supervision: scope and access helpers, lists and counts shared by pages, API and the task page.

Who sees what: the office and leaders (BUSINESS_READ_ALL) see everything; a
unit head or reporter (BUSINESS_READ_UNIT) sees only the orders, follow-ups and
rectifications addressed to their unit, and no inspection records. Everyone
else sees nothing. Outside the scope an object is 404, not 403, so its
existence does not leak.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Prefetch, Q, QuerySet

from accounts.roles import Perm
from core.access import out_of_scope
from core.numbers import plain
from supervision.models import (
    Attachment,
    Finding,
    FollowUp,
    FollowUpAnswer,
    Inspection,
    InspectionTarget,
    Instruction,
    OrderResponse,
    OrderTarget,
    Rectification,
    SupervisionOrder,
)
from supervision.targets import target_content_type, target_querysets


def target_links_prefetch(link_model) -> Prefetch:
    """An order's or inspection's target links with their objects: one query per kind, not per row."""
    return Prefetch(
        "target_links",
        queryset=link_model.objects.prefetch_related(GenericPrefetch("target", target_querysets())),
    )


def _on(obj) -> dict:
    """Filter arguments for rows whose generic target is `obj`."""
    return {"target_type": target_content_type(obj), "target_id": obj.pk}


def reads_all(user) -> bool:
    return user.has_luoshi_perm(Perm.BUSINESS_READ_ALL)


def _unit_reader(user) -> bool:
    return user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and bool(user.unit_id)


# --- orders ---------------------------------------------------------------------------------------


def order_scope(user) -> QuerySet[SupervisionOrder]:
    qs = SupervisionOrder.objects.all()
    if reads_all(user):
        return qs
    if _unit_reader(user):
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def order_get_for_user(user, pk: int) -> SupervisionOrder:
    """The order, or 404 outside the user's scope."""
    try:
        return (
            order_scope(user)
            .select_related("unit", "issued_by", "acknowledged_by", "verified_by", "closed_by")
            .prefetch_related(
                target_links_prefetch(OrderTarget),
                Prefetch(
                    "responses",
                    queryset=OrderResponse.objects.select_related("submitted_by", "decided_by").prefetch_related(
                        "attachments"
                    ),
                ),
            )
            .get(pk=pk)
        )
    except SupervisionOrder.DoesNotExist as exc:
        raise out_of_scope(SupervisionOrder, pk) from exc


ORDER_FILTERS = ("open", "responded", "done", "all")


def order_list(user, *, show: str = "open", unit: int | None = None, kind: str = "") -> QuerySet[SupervisionOrder]:
    """Orders in scope: `open` (waiting for the unit), `responded` (waiting for the office), `done`, `all`."""
    qs = order_scope(user).select_related("unit").prefetch_related(target_links_prefetch(OrderTarget))
    if show == "open":
        qs = qs.filter(state__in=SupervisionOrder.OPEN_STATES)
    elif show == "responded":
        qs = qs.filter(state=SupervisionOrder.State.RESPONDED)
    elif show == "done":
        qs = qs.filter(state__in=[SupervisionOrder.State.VERIFIED, SupervisionOrder.State.CLOSED])
    if unit:
        qs = qs.filter(unit_id=unit)
    if kind:
        qs = qs.filter(level=kind)
    return qs.order_by("due_date", "-seq") if show == "open" else qs.order_by("-issued_on", "-seq")


def order_counts(user) -> dict[str, int]:
    """Counts per list tab, plus how many open orders are past due (one query)."""
    rows = order_scope(user).values_list("state", "due_date")
    from django.utils import timezone

    today = timezone.localdate()
    counts: Counter[str] = Counter()
    for state, due in rows:
        if state in SupervisionOrder.OPEN_STATES:
            counts["open"] += 1
            counts["late"] += int(due < today)
        elif state == SupervisionOrder.State.RESPONDED:
            counts["responded"] += 1
        else:
            counts["done"] += 1
        counts["all"] += 1
    return {key: counts.get(key, 0) for key in (*ORDER_FILTERS, "late")}


def orders_on(user, obj) -> QuerySet[SupervisionOrder]:
    """Orders in scope on one supervised object (of any kind), newest first (index ordertarget_object_idx)."""
    on = OrderTarget.objects.filter(**_on(obj)).values("order_id")
    return order_scope(user).filter(pk__in=on).select_related("unit").order_by("-issued_on", "-seq")


def task_orders(user, task) -> list[SupervisionOrder]:
    return list(orders_on(user, task))


def open_order_target_ids(model, ids: list[int]) -> set[int]:
    """Of the given objects of one kind, those with an order not yet verified (the cockpit marks them)."""
    return set(
        OrderTarget.objects.filter(
            target_type=target_content_type(model),
            target_id__in=ids,
            order__state__in=[*SupervisionOrder.OPEN_STATES, SupervisionOrder.State.RESPONDED],
        ).values_list("target_id", flat=True)
    )


def open_order_task_ids(task_ids: list[int]) -> set[int]:
    from plans.models import Task

    return open_order_target_ids(Task, task_ids)


# --- instructions and follow-ups ------------------------------------------------------------------


def instruction_scope(user) -> QuerySet[Instruction]:
    qs = Instruction.objects.all()
    if reads_all(user):
        return qs
    if _unit_reader(user):
        return qs.filter(followup__unit_id=user.unit_id)
    return qs.none()


def instruction_get_for_user(user, pk: int) -> Instruction:
    try:
        return (
            instruction_scope(user)
            .select_related(
                "author",
                "followup__unit",
                "followup__answered_by",
                "report__task__node",
                "report__unit",
                "order",
                "finding__inspection",
            )
            .prefetch_related(_answers_prefetch(), GenericPrefetch("target_object", target_querysets()))
            .get(pk=pk)
        )
    except Instruction.DoesNotExist as exc:
        raise out_of_scope(Instruction, pk) from exc


def followup_get_for_user(user, pk: int) -> FollowUp:
    try:
        return FollowUp.objects.filter(instruction__in=instruction_scope(user)).select_related("unit").get(pk=pk)
    except FollowUp.DoesNotExist as exc:
        raise out_of_scope(FollowUp, pk) from exc


def _answers_prefetch() -> Prefetch:
    return Prefetch(
        "followup__answers",
        FollowUpAnswer.objects.select_related("submitted_by", "decided_by").prefetch_related("attachments"),
    )


def followup_history(followup: FollowUp) -> list[FollowUpAnswer]:
    """Every answer to a follow-up in order (Meta.ordering), each with its files and the decision on it.

    Prefetched by `instruction_get_for_user` and `instruction_list`, so lists do not grow queries per row.
    """
    return list(followup.answers.all())


def instruction_list(user, *, mine: bool = False, state: str = "") -> QuerySet[Instruction]:
    """我的批示 for a leader (mine=True), every instruction for the office, the unit's follow-ups for a unit."""
    qs = (
        instruction_scope(user)
        .select_related("author", "followup__unit", "report__task", "report__unit", "order", "finding")
        .prefetch_related(_answers_prefetch(), GenericPrefetch("target_object", target_querysets()))
    )
    if mine:
        qs = qs.filter(author=user)
    if state == FollowUp.State.OPEN:
        qs = qs.filter(followup__state__in=FollowUp.OPEN_STATES)
    elif state:
        qs = qs.filter(followup__state=state)
    return qs.order_by("-created_at", "-id")


def instruction_counts(user, *, mine: bool = False) -> dict[str, int]:
    qs = instruction_scope(user)
    if mine:
        qs = qs.filter(author=user)
    counts = Counter(qs.values_list("followup__state", flat=True))
    return {
        "open": sum(counts.get(s, 0) for s in FollowUp.OPEN_STATES),
        "answered": counts.get(FollowUp.State.ANSWERED, 0),
        "accepted": counts.get(FollowUp.State.ACCEPTED, 0),
        "all": sum(counts.values()),
    }


def instructions_on(user, obj) -> QuerySet[Instruction]:
    """Instructions in scope on one supervised object (of any kind), newest first."""
    return instruction_scope(user).filter(**_on(obj)).select_related("author", "followup").order_by("-created_at")


def task_instructions(user, task) -> list[Instruction]:
    return list(instructions_on(user, task))


# --- inspections and rectifications ---------------------------------------------------------------


def inspection_scope(user) -> QuerySet[Inspection]:
    """Inspection records are the office's working papers: read by the office and leaders only."""
    return Inspection.objects.all() if reads_all(user) else Inspection.objects.none()


def inspection_get_for_user(user, pk: int) -> Inspection:
    try:
        return (
            inspection_scope(user)
            .select_related("recorded_by")
            .prefetch_related(
                target_links_prefetch(InspectionTarget),
                "attachments",
                Prefetch(
                    "findings",
                    queryset=Finding.objects.select_related("rectification__unit")
                    .prefetch_related(GenericPrefetch("target", target_querysets()))
                    .order_by("pk"),
                ),
            )
            .get(pk=pk)
        )
    except Inspection.DoesNotExist as exc:
        raise out_of_scope(Inspection, pk) from exc


def finding_get_for_user(user, pk: int) -> Finding:
    try:
        return Finding.objects.filter(inspection__in=inspection_scope(user)).select_related("inspection").get(pk=pk)
    except Finding.DoesNotExist as exc:
        raise out_of_scope(Finding, pk) from exc


def inspection_list(user) -> QuerySet[Inspection]:
    findings = (
        Finding.objects.select_related("rectification")
        .prefetch_related(GenericPrefetch("target", target_querysets()))
        .order_by("pk")
    )
    return (
        inspection_scope(user)
        .prefetch_related(target_links_prefetch(InspectionTarget), Prefetch("findings", queryset=findings))
        .order_by("-inspected_on", "-id")
    )


def rectification_scope(user) -> QuerySet[Rectification]:
    qs = Rectification.objects.all()
    if reads_all(user):
        return qs
    if _unit_reader(user):
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def rectification_get_for_user(user, pk: int) -> Rectification:
    try:
        return (
            rectification_scope(user)
            .select_related("unit", "opened_by", "reported_by")
            .prefetch_related(
                "attachments",
                Prefetch(
                    "finding",
                    Finding.objects.select_related("inspection").prefetch_related(
                        GenericPrefetch("target", target_querysets())
                    ),
                ),
            )
            .get(pk=pk)
        )
    except Rectification.DoesNotExist as exc:
        raise out_of_scope(Rectification, pk) from exc


def rectification_list(user, *, show: str = "open") -> QuerySet[Rectification]:
    qs = rectification_scope(user).select_related("unit", "finding__inspection")
    if show == "open":
        qs = qs.filter(state__in=Rectification.OPEN_STATES)
    elif show == "reported":
        qs = qs.filter(state=Rectification.State.REPORTED)
    elif show == "done":
        qs = qs.filter(state__in=[Rectification.State.VERIFIED, Rectification.State.CLOSED])
    return qs.order_by("deadline", "pk")


def rectification_counts(user) -> dict[str, int]:
    counts = Counter(rectification_scope(user).values_list("state", flat=True))
    return {
        "open": sum(counts.get(s, 0) for s in Rectification.OPEN_STATES),
        "reported": counts.get(Rectification.State.REPORTED, 0),
        "done": counts.get(Rectification.State.VERIFIED, 0) + counts.get(Rectification.State.CLOSED, 0),
        "all": sum(counts.values()),
    }


# --- everything on one supervised object ------------------------------------------------------------


@dataclass(frozen=True)
class OnTarget:
    """What supervision holds on one object, within the user's scope: the `supervision/_on_target.html` panel."""

    target: object
    kind: str
    label: str
    title: str
    ref: str  # "<kind>:<id>", as `?target=` takes it
    orders: list
    instructions: list
    inspections: list
    findings: list
    rectifications: list
    can_issue: bool
    can_instruct: bool
    issue_url: str
    instruct_url: str


def supervision_on_target(user, obj) -> OnTarget:
    """Orders, instructions, inspections (visits and findings) and rectifications on `obj`, of any kind."""
    from django.urls import reverse

    from supervision.targets import target_kind_of

    kind = target_kind_of(obj)
    ref = f"{kind.key}:{obj.pk}"
    visited = InspectionTarget.objects.filter(**_on(obj)).values("inspection_id")
    found = Finding.objects.filter(**_on(obj))
    return OnTarget(
        target=obj,
        kind=kind.key,
        label=str(kind.label),
        title=kind.title(obj),
        ref=ref,
        orders=list(orders_on(user, obj)),
        instructions=list(instructions_on(user, obj).select_related("followup__unit")),
        inspections=list(
            inspection_scope(user)
            .filter(Q(pk__in=visited) | Q(pk__in=found.values("inspection_id")))
            .order_by("-inspected_on", "-id")
        ),
        findings=list(
            found.filter(inspection__in=inspection_scope(user)).select_related("inspection", "rectification__unit")
        ),
        rectifications=list(
            rectification_scope(user).filter(finding__in=found).select_related("unit").order_by("deadline", "pk")
        ),
        can_issue=user.has_luoshi_perm(Perm.PLAN_EDIT),
        can_instruct=user.has_luoshi_perm(Perm.INSTRUCTION_WRITE),
        issue_url=f"{reverse('supervision:order_create')}?target={ref}",
        instruct_url=f"{reverse('supervision:instruction_new')}?target={ref}",
    )


# --- files ----------------------------------------------------------------------------------------


def attachment_get_for_user(user, pk: int) -> Attachment:
    """A file, only when its order response, instruction answer, inspection or rectification is in scope."""
    visible = (
        Q(response__order__in=order_scope(user))
        | Q(answer__followup__instruction__in=instruction_scope(user))
        | Q(inspection__in=inspection_scope(user))
        | Q(rectification__in=rectification_scope(user))
    )
    try:
        return Attachment.objects.filter(visible).get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise out_of_scope(Attachment, pk) from exc


# --- the order document ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderProposal:
    """What the order form is pre-filled with for a red task (one click from the cockpit or task page)."""

    unit_id: int | None
    kind: str
    content: str
    requirements: str


def order_proposal(task, status, as_of: date, *, open_orders: int) -> OrderProposal:
    """A 催办 for a first order, a 督办 when the task already had one; the content from the engine's numbers."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):  # the order is an official document: in Chinese
        return _proposal(task, status, as_of, open_orders=open_orders)


def _proposal(task, status, as_of: date, *, open_orders: int) -> OrderProposal:
    from reports.labels import REASON_LABELS, STATUS_LABELS
    from supervision.orderdoc import cn_date

    unit_name = task.lead_unit.name if task.lead_unit else ""
    reasons = "、".join(str(REASON_LABELS[r]) for r in status.reasons if r in REASON_LABELS)
    content = (
        f"截至{cn_date(as_of)}，{unit_name}牵头的“{task.node.title}”"
        f"应完成{_num(status.expected_at_measurement)}{task.target_unit}，"
        f"实际完成{_num(status.actual)}{task.target_unit}，滞后{_num(status.lag)}{task.target_unit}"
        f"（{status.lag_percent:.1f}%），状态为{STATUS_LABELS[status.status]}"
        + (f"（{reasons}）" if reasons else "")
        + "。"
    )
    return OrderProposal(
        unit_id=task.lead_unit_id,
        kind="order" if open_orders else "reminder",
        content=content,
        requirements="请于反馈时限内书面反馈滞后原因、整改措施和完成时限，并上传佐证材料。",
    )


def _num(value: float) -> str:
    return plain(value, 1)


# --- home cards (工作台) -----------------------------------------------------------------------------

HOME_ROWS = 6


@dataclass(frozen=True)
class HomeList:
    """A few rows for a home card and how many there are in all (the card links to the full list)."""

    rows: list
    count: int


def home_list(qs) -> HomeList:
    rows = list(qs[:HOME_ROWS])
    return HomeList(rows, len(rows) if len(rows) < HOME_ROWS else qs.count())


def awaiting_office(user) -> dict[str, HomeList]:
    """What waits for the office's verification: responded orders, reported rectifications, answered instructions."""
    return {
        "responded_orders": home_list(
            order_scope(user)
            .filter(state=SupervisionOrder.State.RESPONDED)
            .select_related("unit")
            .order_by("responded_at")
        ),
        "reported_rectifications": home_list(
            rectification_scope(user)
            .filter(state=Rectification.State.REPORTED)
            .select_related("unit", "finding")
            .order_by("reported_at")
        ),
        "answered_instructions": home_list(
            instruction_scope(user)
            .filter(followup__state=FollowUp.State.ANSWERED)
            .select_related("author", "followup__unit")
            .order_by("followup__answered_at")
        ),
    }


def leader_instructions(user) -> dict[str, HomeList]:
    """A leader's own instructions: those the units have still to answer, and answers waiting for his review."""
    mine = instruction_scope(user).filter(author=user).select_related("followup__unit")
    return {
        "awaiting_answer": home_list(
            mine.filter(followup__state__in=FollowUp.OPEN_STATES).order_by("followup__due_date", "pk")
        ),
        "to_review": home_list(mine.filter(followup__state=FollowUp.State.ANSWERED).order_by("followup__answered_at")),
    }


def unit_open_items(user) -> dict[str, HomeList]:
    """What the unit owes the office and the leaders: open orders and unanswered instructions."""
    if not user.unit_id:
        return {}
    return {
        "open_orders": home_list(
            order_scope(user)
            .filter(unit_id=user.unit_id, state__in=SupervisionOrder.OPEN_STATES)
            .order_by("due_date", "pk")
        ),
        "open_instructions": home_list(
            instruction_scope(user)
            .filter(followup__unit_id=user.unit_id, followup__state__in=FollowUp.OPEN_STATES)
            .select_related("author", "followup")
            .order_by("followup__due_date", "pk")
        ),
    }
