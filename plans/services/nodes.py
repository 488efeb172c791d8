"""Writes on plans, their node tree (vision, path, area) and dimension tags. Keyword-only, atomic, audited."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record, snapshot
from core.errors import ServiceError
from plans.models import DimensionTag, Plan, PlanNode, Task
from plans.services.access import _require
from reports.snapshots import status_refresh

PLAN_FIELDS = ["year", "title", "status"]
STATUS_FLOW = {
    Plan.Status.DRAFT: {Plan.Status.DRAFT, Plan.Status.ACTIVE},
    Plan.Status.ACTIVE: {Plan.Status.ACTIVE, Plan.Status.CLOSED},
    Plan.Status.CLOSED: {Plan.Status.CLOSED},
}


# --- plans and nodes -------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, actor: User | None, year: int, title: str, source_text: str = "", status: str = Plan.Status.DRAFT
) -> Plan:
    _require(actor, Perm.PLAN_EDIT)
    plan = Plan.objects.create(year=year, title=title, source_text=source_text, status=status)
    audit_record(actor=actor, verb="plan.create", obj=plan, after=snapshot(plan, PLAN_FIELDS))
    return plan


@transaction.atomic
def plan_update(*, actor: User | None, plan: Plan, title: str, source_text: str, status: str) -> Plan:
    _require(actor, Perm.PLAN_EDIT)
    if status not in STATUS_FLOW[Plan.Status(plan.status)]:
        raise ServiceError(
            _("A plan goes from draft to active to closed, never back."), field="status", code="bad_transition"
        )
    before = snapshot(plan, PLAN_FIELDS)
    plan.title, plan.source_text, plan.status = title, source_text, status
    plan.save(update_fields=["title", "source_text", "status", "updated_at"])
    audit_record(actor=actor, verb="plan.update", obj=plan, before=before, after=snapshot(plan, PLAN_FIELDS))
    return plan


@transaction.atomic
def plan_settings(
    *,
    actor: User | None,
    plan: Plan,
    cadence: str,
    stagger_workdays: int,
    lag_yellow_percent: Decimal,
    lag_red_percent: Decimal,
) -> Plan:
    """Reporting cadence, stagger and warning thresholds (预警阈值) of a plan."""
    _require(actor, Perm.PLAN_EDIT)
    if not 0 <= lag_yellow_percent <= lag_red_percent <= 100:
        raise ServiceError(_("Thresholds must satisfy 0 ≤ yellow ≤ red ≤ 100."), field="lag_red_percent")
    fields = ["cadence", "stagger_workdays", "lag_yellow_percent", "lag_red_percent"]
    before = snapshot(plan, fields)
    plan.cadence, plan.stagger_workdays = cadence, stagger_workdays
    plan.lag_yellow_percent, plan.lag_red_percent = lag_yellow_percent, lag_red_percent
    plan.save(update_fields=[*fields, "updated_at"])
    after = snapshot(plan, fields)
    if before != after:
        audit_record(actor=actor, verb="plan.settings", obj=plan, before=before, after=after)
        status_refresh(tasks=Task.objects.filter(plan=plan), since=None)  # due dates and thresholds: every day
    return plan


def _child_kind(parent: PlanNode | None) -> str:
    if parent is None:
        return PlanNode.Kind.VISION
    return {
        PlanNode.Kind.VISION: PlanNode.Kind.PATH,
        PlanNode.Kind.PATH: PlanNode.Kind.AREA,
        PlanNode.Kind.AREA: PlanNode.Kind.KEY_TASK,
    }.get(PlanNode.Kind(parent.kind), PlanNode.Kind.SUB_TASK)


@transaction.atomic
def node_add(
    *,
    actor: User | None,
    plan: Plan,
    parent: PlanNode | None,
    title: str,
    kind: str | None = None,
    tags: Iterable[DimensionTag] = (),
) -> PlanNode:
    """Add a heading node (vision, path, area) as the last child of `parent` (or as a root)."""
    _require(actor, Perm.PLAN_EDIT)
    if parent is not None and parent.plan_id != plan.pk:
        raise ServiceError(_("The parent node belongs to another plan."), field="parent")
    kind = kind or _child_kind(parent)
    values = {"plan": plan, "kind": kind, "title": title}
    nodes = PlanNode.objects
    node = nodes.add_child(parent, create_kwargs=values) if parent is not None else nodes.add_root(create_kwargs=values)
    node.tags.set(list(tags))
    audit_record(actor=actor, verb="node.create", obj=node, after={"title": title, "kind": kind, "path": node.path})
    return node


@transaction.atomic
def node_update(*, actor: User | None, node: PlanNode, title: str, tags: Iterable[DimensionTag]) -> PlanNode:
    _require(actor, Perm.PLAN_EDIT)
    before = {"title": node.title, "tags": sorted(node.tags.values_list("pk", flat=True))}
    node.title = title
    node.save(update_fields=["title"])
    node.tags.set(list(tags))
    after = {"title": node.title, "tags": sorted(t.pk for t in tags)}
    if before != after:
        audit_record(actor=actor, verb="node.update", obj=node, before=before, after=after)
    return node


@transaction.atomic
def node_move(*, actor: User | None, node: PlanNode, direction: str) -> PlanNode:
    """Swap a node with its previous or next sibling (reordering within the same parent)."""
    _require(actor, Perm.PLAN_EDIT)
    node = PlanNode.objects.get(pk=node.pk)
    if direction == "up":
        sibling = PlanNode.objects.get_prev_sibling(node)
        if sibling is not None:
            PlanNode.objects.move(node, sibling, pos="left")
    elif direction == "down":
        sibling = PlanNode.objects.get_next_sibling(node)
        if sibling is not None:
            PlanNode.objects.move(node, sibling, pos="right")
    else:
        raise ServiceError(_("Unknown direction."), field="direction")
    if sibling is not None:
        audit_record(actor=actor, verb="node.move", obj=node, after={"direction": direction, "beside": sibling.pk})
    return PlanNode.objects.get(pk=node.pk)


@transaction.atomic
def node_delete(*, actor: User | None, node: PlanNode) -> None:
    """Delete an empty heading node. Tasks are never deleted this way: they are soft-deleted."""
    _require(actor, Perm.PLAN_EDIT)
    if node.is_task or Task.objects.filter(node=node).exists():
        raise ServiceError(_("A task node is removed by deleting the task."), code="is_task")
    if PlanNode.objects.get_children_count(node):
        raise ServiceError(_("Only a node without children can be deleted."), code="has_children")
    audit_record(actor=actor, verb="node.delete", obj=node, before={"title": node.title, "path": node.path})
    node.delete()


# --- tags ------------------------------------------------------------------------------------------


@transaction.atomic
def tag_save(
    *,
    actor: User | None,
    tag: DimensionTag | None = None,
    kind: str,
    name: str,
    rank: int = 100,
    is_active: bool = True,
) -> DimensionTag:
    _require(actor, Perm.PLAN_EDIT)
    same_name = DimensionTag.objects.filter(kind=kind, name=name)
    if tag is not None:
        same_name = same_name.exclude(pk=tag.pk)
    if same_name.exists():
        raise ServiceError(_("This tag already exists."), field="name")
    creating = tag is None
    tag = tag or DimensionTag()
    before = None if creating else snapshot(tag, ["kind", "name", "rank", "is_active"])
    tag.kind, tag.name, tag.rank, tag.is_active = kind, name, rank, is_active
    tag.save()
    audit_record(
        actor=actor,
        verb="tag.create" if creating else "tag.update",
        obj=tag,
        before=before,
        after=snapshot(tag, ["kind", "name", "rank", "is_active"]),
    )
    return tag
