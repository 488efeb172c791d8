"""Writes on tasks and their milestones, with optimistic versioning. Keyword-only, atomic, audited."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.models import AuditEvent
from audit.services import audit_record, snapshot
from core.errors import ServiceError
from core.measures import get_measure
from core.workcalendar import refuse_outside_range
from org.models import LeaderPost, Unit
from plans import ledger
from plans.messages import task_dates_text
from plans.milestones import MilestoneLine, date_order_problem
from plans.models import DimensionTag, Milestone, Plan, PlanNode, Task
from plans.services.access import _require
from plans.services.nodes import _child_kind
from reports.snapshots import status_refresh

# What an edit may change (the title lives on the node); the audit snapshot adds code, version, deletion.
EDITABLE_TASK_FIELDS = ["object", "target_value", "target_unit", "start_date", "deadline", "modality", "measures",
                        "source_quote", "responsible_post", "lead_unit", "weight"]  # fmt: skip
TASK_FIELDS = ["code", *EDITABLE_TASK_FIELDS, "version", "is_deleted"]


class VersionConflict(ServiceError):
    """The task changed since the form (or API client) read it."""

    def __init__(self, message: str, changes: list[dict]) -> None:
        super().__init__(message, code="version_conflict")
        self.changes = changes


@dataclass
class TaskData:
    """What a task form, the API and the ledger import all provide."""

    title: str
    deadline: date
    start_date: date | None = None
    target_value: Decimal | None = None
    target_unit: str = ""
    object: str = ""
    modality: str = Task.Modality.MUST
    measures: str = ""
    source_quote: str = ""
    responsible_post: LeaderPost | None = None
    lead_unit: Unit | None = None
    co_units: Sequence[Unit] = ()
    milestones: Sequence[MilestoneLine] = ()
    tags: Sequence[DimensionTag] | None = None  # None: leave the node's tags as they are
    weight: Decimal = Decimal(1)
    # 数值来自记录: None leaves the task's binding as it is (the ledger and the API do not carry it).
    measure_key: str | None = None
    measure_params: dict[str, str] | None = None


def task_snapshot(task: Task) -> dict:
    return {"measure_key": task.measure_key, "measure_params": task.measure_params, **_task_snapshot(task)}


def _task_snapshot(task: Task) -> dict:
    return _snapshot_of(
        snapshot(task, TASK_FIELDS),
        title=task.node.title,
        co_unit_ids=[u.pk for u in task.co_units.all()],
        milestones=[(m.date, m.planned_value, m.description) for m in task.milestones.all()],
    )


def _snapshot_of(values: dict, *, title: str, co_unit_ids: Iterable[int], milestones: Iterable[tuple]) -> dict:
    """The audit snapshot of a task from its field values (TASK_FIELDS), co-units and (date, value, text)s."""
    return {
        **{name: values[name] for name in TASK_FIELDS},
        "title": title,
        "co_units": sorted(co_unit_ids),
        "milestones": [[d.isoformat(), ledger.format_number(v) or None, text] for d, v, text in milestones],
    }


def _next_code(plan: Plan) -> str:
    existing = set(Task.objects.filter(plan=plan).values_list("code", flat=True))
    n = len(existing) + 1
    while f"T{n:03d}" in existing:
        n += 1
    return f"T{n:03d}"


def _task_start(plan: Plan, data: TaskData, task: Task | None = None) -> date:
    """The start a write keeps: the one given, else the task's own, else 1 January of the plan's year.

    Checked and stored from this one value, so a write cannot validate one start and keep another.
    """
    return data.start_date or (task.start_date if task is not None else date(plan.year, 1, 1))


def task_dates_error(start: date, deadline: date, milestone_dates=()) -> ServiceError | None:
    """`milestones.date_order_problem` as the ServiceError the task form, API and change requests show."""
    code = date_order_problem(start, deadline, milestone_dates)
    if code is None:
        return None
    return ServiceError(task_dates_text(code), field="deadline" if code == "deadline_before_start" else "milestones")


def _check_task_data(plan: Plan, data: TaskData, start: date) -> None:
    if not data.title.strip():
        raise ServiceError(_("This field is required."), field="title")
    if data.target_value is not None and data.target_value < 0:
        raise ServiceError(_("The target cannot be negative."), field="target_value")
    if data.target_value is None and not data.milestones:
        raise ServiceError(_("Give a target value or at least one milestone."), field="target_value")
    if data.target_value is not None and not data.target_unit.strip():
        raise ServiceError(_("Give the unit of measure of the target (个, 条, 亿元, %…)."), field="target_unit")
    refuse_outside_range(data.deadline, field="deadline")  # due dates are counted from it in working days
    refuse_outside_range(data.start_date, field="start_date")
    error = task_dates_error(start, data.deadline, [m.date for m in data.milestones])
    if error is not None:
        raise error
    if data.lead_unit is not None and data.lead_unit in data.co_units:
        raise ServiceError(_("The lead unit cannot also be a co-operating unit."), field="co_units")
    if data.measure_key is not None:
        binding_error = measure_binding_error(data.measure_key, data.measure_params or {})
        if binding_error is not None:
            raise binding_error


def measure_binding_error(key: str, params: dict) -> ServiceError | None:
    """Why a binding to a computed measure is refused (unknown key, a param the measure does not take), or None."""
    if not key:
        return (
            ServiceError(_("Choose a measure before giving its parameters."), field="measure_key") if params else None
        )
    try:
        measure = get_measure(key)
    except LookupError:
        return ServiceError(_("Measure: no measure “%(key)s” is registered.") % {"key": key}, field="measure_key")
    for name, value in params.items():
        if not isinstance(name, str) or not isinstance(value, str):
            return ServiceError(_("Measure parameters: give each one as name=value text."), field="measure_params")
        if name not in measure.params:
            return ServiceError(
                _("Measure parameters: “%(name)s” is not a parameter of %(measure)s (it takes: %(known)s).")
                % {"name": name, "measure": measure.label, "known": "、".join(measure.params) or "—"},
                field="measure_params",
            )
    return None


def _apply_binding(task: Task, data: TaskData) -> list[str]:
    """Set the binding the data carries on the task (not saved); the fields it changed."""
    if data.measure_key is None:
        return []
    task.measure_key, task.measure_params = data.measure_key, dict(data.measure_params or {})
    return ["measure_key", "measure_params"]


def _write_milestones(task: Task, milestones: Sequence[MilestoneLine]) -> None:
    task.milestones.all().delete()
    Milestone.objects.bulk_create(
        [
            Milestone(task=task, date=m.date, planned_value=m.planned_value, description=m.description)
            for m in milestones
        ]
    )


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    plan: Plan,
    parent: PlanNode,
    data: TaskData,
    code: str = "",
    source_offset: int | None = None,
) -> Task:
    """A new task as a child node of `parent` (an area → key task; a task → sub-task)."""
    _require(actor, Perm.PLAN_EDIT)
    if parent.plan_id != plan.pk:
        raise ServiceError(_("The parent node belongs to another plan."), field="parent")
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError(_("The plan is closed."), code="plan_closed")
    start = _task_start(plan, data)
    _check_task_data(plan, data, start)
    code = code or _next_code(plan)
    if Task.objects.filter(plan=plan, code=code).exists():
        raise ServiceError(_("Task code “%(code)s” is already used in this plan.") % {"code": code}, field="code")
    node = PlanNode.objects.add_child(
        parent, create_kwargs={"plan": plan, "kind": _child_kind(parent), "title": data.title.strip()}
    )
    if data.tags is not None:
        node.tags.set(list(data.tags))
    task = Task.objects.create(
        node=node,
        plan=plan,
        code=code,
        object=data.object,
        target_value=data.target_value,
        target_unit=data.target_unit.strip(),
        start_date=start,
        deadline=data.deadline,
        modality=data.modality,
        measures=data.measures,
        source_quote=data.source_quote,
        source_offset=source_offset,
        responsible_post=data.responsible_post,
        lead_unit=data.lead_unit,
        baseline_target_value=data.target_value,
        baseline_deadline=data.deadline,
        weight=data.weight,
        measure_key=data.measure_key or "",
        measure_params=dict(data.measure_params or {}),
    )
    task.co_units.set(list(data.co_units))
    _write_milestones(task, data.milestones)
    audit_record(actor=actor, verb="task.create", obj=task, after=task_snapshot(task))
    return task


def _conflict_changes(task: Task, since_version: int) -> list[dict]:
    """What changed after `since_version`, read from the audit trail (who, when, field, old → new)."""
    changes = []
    events = AuditEvent.objects.filter(object_type="plans.task", object_id=str(task.pk)).order_by("id")
    for event in events:
        before, after = event.before or {}, event.after or {}
        if not after or after.get("version", 0) <= since_version:
            continue
        for name in sorted(set(before) | set(after)):
            if name != "version" and before.get(name) != after.get(name):
                changes.append(
                    {
                        "field": name,
                        "old": before.get(name),
                        "new": after.get(name),
                        "by": event.actor_username,
                        "at": event.at.isoformat(),
                    }
                )
    return changes


def _claim_version(task: Task, expected_version: int) -> None:
    # One conditional UPDATE decides which of two concurrent writers wins; the loser sees what changed.
    claimed = Task.objects.filter(pk=task.pk, version=expected_version, is_deleted=False).update(
        version=F("version") + 1
    )
    if not claimed:
        current = Task.objects.get(pk=task.pk)
        if current.is_deleted:
            raise ServiceError(_("The task was deleted meanwhile."), code="deleted")
        raise VersionConflict(
            _("Someone else changed this task after you opened it. Review their changes and edit again."),
            _conflict_changes(task, expected_version),
        )
    task.version = expected_version + 1


@transaction.atomic
def task_update(*, actor: User | None, task: Task, data: TaskData, expected_version: int) -> Task:
    _require(actor, Perm.PLAN_EDIT)
    plan = task.plan
    start = _task_start(plan, data, task)
    _check_task_data(plan, data, start)
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError(_("The plan is closed."), code="plan_closed")
    if plan.is_frozen:
        if data.target_value != task.target_value:
            raise ServiceError(
                _("The plan is active: the target changes only through an approved change request."),
                field="target_value",
            )
        if data.deadline != task.deadline:
            raise ServiceError(
                _("The plan is active: the deadline changes only through an approved change request."),
                field="deadline",
            )
    _claim_version(task, expected_version)
    before = task_snapshot(task)
    before["version"] = expected_version
    task.object, task.target_value, task.target_unit = data.object, data.target_value, data.target_unit.strip()
    task.start_date = start
    task.deadline, task.modality, task.measures = data.deadline, data.modality, data.measures
    task.source_quote, task.responsible_post, task.lead_unit = data.source_quote, data.responsible_post, data.lead_unit
    task.weight = data.weight
    fields = [*EDITABLE_TASK_FIELDS, *_apply_binding(task, data), "updated_at"]
    if not plan.is_frozen:
        # Before the plan is active the commitment is still being drafted: the baseline follows it.
        task.baseline_target_value, task.baseline_deadline = data.target_value, data.deadline
        fields += ["baseline_target_value", "baseline_deadline"]
    task.save(update_fields=fields)
    if task.node.title != data.title.strip():
        task.node.title = data.title.strip()
        task.node.save(update_fields=["title"])
    if data.tags is not None:
        task.node.tags.set(list(data.tags))
    task.co_units.set(list(data.co_units))
    _write_milestones(task, data.milestones)
    after = task_snapshot(task)
    audit_record(actor=actor, verb="task.update", obj=task, before=before, after=after)
    status_refresh(tasks=[task], since=None)  # start, deadline, target, milestones: every day may change
    return task


@transaction.atomic
def task_bind_measure(*, actor: User | None, task: Task, measure_key: str, measure_params: dict[str, str]) -> Task:
    """Bind a task to a computed measure (数值来自记录), or unbind it with an empty key; its statuses follow."""
    _require(actor, Perm.PLAN_EDIT)
    error = measure_binding_error(measure_key, measure_params)
    if error is not None:
        raise error
    before = {"measure_key": task.measure_key, "measure_params": task.measure_params}
    task.measure_key, task.measure_params = measure_key, dict(measure_params)
    task.save(update_fields=["measure_key", "measure_params", "updated_at"])
    audit_record(
        actor=actor,
        verb="task.bind_measure",
        obj=task,
        before=before,
        after={"measure_key": task.measure_key, "measure_params": task.measure_params},
    )
    status_refresh(tasks=[task], since=None)  # every day's actual now comes from elsewhere
    return task


@transaction.atomic
def task_delete(*, actor: User | None, task: Task, expected_version: int) -> None:
    """Soft delete: the row stays for the audit trail and the ledger's history."""
    _require(actor, Perm.PLAN_EDIT)
    _claim_version(task, expected_version)
    task.is_deleted, task.deleted_at = True, timezone.now()
    task.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    audit_record(
        actor=actor,
        verb="task.delete",
        obj=task,
        before={"is_deleted": False, "version": expected_version},
        after={"is_deleted": True, "version": task.version},
    )
    status_refresh(tasks=[task], since=None)


@transaction.atomic
def task_move(*, actor: User | None, task: Task, area: PlanNode) -> Task:
    """Put a task (with its sub-tasks) under another area of the same plan."""
    _require(actor, Perm.PLAN_EDIT)
    if area.plan_id != task.plan_id or area.kind != PlanNode.Kind.AREA:
        raise ServiceError(_("Choose an area of the same plan."), field="area")
    node = PlanNode.objects.get(pk=task.node_id)
    old_parent = PlanNode.objects.get_parent(node)
    PlanNode.objects.move(node, area, pos="last-child")
    audit_record(
        actor=actor,
        verb="task.move",
        obj=task,
        before={"parent": old_parent.pk if old_parent else None},
        after={"parent": area.pk},
    )
    task.node = PlanNode.objects.get(pk=task.node_id)
    # Its level (and its sub-tasks') may change, and with it the staggered due dates.
    status_refresh(tasks=Task.objects.filter(plan_id=task.plan_id, node__path__startswith=task.node.path), since=None)
    return task
