"""Writes on plans, plan nodes, tasks, milestones and change requests. Keyword-only, atomic, audited."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.roles import Perm
from audit.models import AuditEvent
from audit.services import audit_record, audit_record_many, snapshot
from core import uploads
from core.errors import ServiceError
from core.workcalendar import refuse_outside_range
from org.models import LeaderPost, Unit
from plans import ledger
from plans.messages import ledger_error_line, task_dates_text
from plans.milestones import MilestoneLine, date_order_problem
from plans.models import DimensionTag, Milestone, Plan, PlanNode, Task, TaskChangeRequest
from reports.snapshots import status_refresh

PLAN_FIELDS = ["year", "title", "status"]
# What an edit may change (the title lives on the node); the audit snapshot adds code, version, deletion.
EDITABLE_TASK_FIELDS = ["object", "target_value", "target_unit", "start_date", "deadline", "modality", "measures",
                        "source_quote", "responsible_post", "lead_unit", "weight"]  # fmt: skip
TASK_FIELDS = ["code", *EDITABLE_TASK_FIELDS, "version", "is_deleted"]
STATUS_FLOW = {
    Plan.Status.DRAFT: {Plan.Status.DRAFT, Plan.Status.ACTIVE},
    Plan.Status.ACTIVE: {Plan.Status.ACTIVE, Plan.Status.CLOSED},
    Plan.Status.CLOSED: {Plan.Status.CLOSED},
}


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


def _require(actor, perm: Perm) -> None:
    if actor is not None and not actor.has_luoshi_perm(perm):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


# --- plans and nodes -------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, year: int, title: str, source_text: str = "", status: str = Plan.Status.DRAFT) -> Plan:
    _require(actor, Perm.PLAN_EDIT)
    plan = Plan.objects.create(year=year, title=title, source_text=source_text, status=status)
    audit_record(actor=actor, verb="plan.create", obj=plan, after=snapshot(plan, PLAN_FIELDS))
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, title: str, source_text: str, status: str) -> Plan:
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
    *, actor, plan: Plan, cadence: str, stagger_workdays: int, lag_yellow_percent: Decimal, lag_red_percent: Decimal
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
    }.get(parent.kind, PlanNode.Kind.SUB_TASK)


@transaction.atomic
def node_add(
    *,
    actor,
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
def node_update(*, actor, node: PlanNode, title: str, tags: Iterable[DimensionTag]) -> PlanNode:
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
def node_move(*, actor, node: PlanNode, direction: str) -> PlanNode:
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
def node_delete(*, actor, node: PlanNode) -> None:
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
    *, actor, tag: DimensionTag | None = None, kind: str, name: str, rank: int = 100, is_active: bool = True
) -> DimensionTag:
    _require(actor, Perm.PLAN_EDIT)
    if DimensionTag.objects.filter(kind=kind, name=name).exclude(pk=tag.pk if tag else None).exists():
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


# --- tasks -----------------------------------------------------------------------------------------


def task_snapshot(task: Task) -> dict:
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
    *, actor, plan: Plan, parent: PlanNode, data: TaskData, code: str = "", source_offset: int | None = None
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
def task_update(*, actor, task: Task, data: TaskData, expected_version: int) -> Task:
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
    fields = [*EDITABLE_TASK_FIELDS, "updated_at"]
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
def task_delete(*, actor, task: Task, expected_version: int) -> None:
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
def task_move(*, actor, task: Task, area: PlanNode) -> Task:
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


# --- change requests (rebaselining) ----------------------------------------------------------------


@uploads.atomic
def change_request_create(
    *,
    actor,
    task: Task,
    new_target_value: Decimal | None,
    new_deadline: date,
    reason: str,
    evidence: uploads.Upload | File | None = None,
) -> TaskChangeRequest:
    """申请调整: the office, or the lead unit's head or reporter, asks to change target or deadline."""
    from plans.selectors import task_can_request_change

    if not task_can_request_change(actor, task):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    if not reason.strip():
        raise ServiceError(_("Give the reason for the change."), field="reason")
    if new_target_value is not None and new_target_value < 0:
        raise ServiceError(_("The target cannot be negative."), field="new_target_value")
    refuse_outside_range(new_deadline, field="new_deadline")
    if new_target_value == task.target_value and new_deadline == task.deadline:
        raise ServiceError(_("The request changes neither the target nor the deadline."), field="new_deadline")
    if task.change_requests.filter(status=TaskChangeRequest.Status.PENDING).exists():
        raise ServiceError(_("This task already has a pending change request."), code="pending_exists")
    _check_new_deadline(task, new_deadline)
    checked = uploads.validate_upload(evidence, field="evidence") if evidence else None
    stored_evidence = uploads.store_upload(checked, folder="change-requests").name if checked else ""
    request = TaskChangeRequest.objects.create(
        task=task,
        old_target_value=task.target_value,
        old_deadline=task.deadline,
        new_target_value=new_target_value,
        new_deadline=new_deadline,
        reason=reason.strip(),
        requested_by=actor,
        evidence=stored_evidence,
    )
    audit_record(
        actor=actor,
        verb="change_request.create",
        obj=task,
        after={
            "request": request.pk,
            "target_value": new_target_value,
            "deadline": new_deadline,
            "reason": request.reason,
        },
    )
    return request


def _check_new_deadline(task: Task, new_deadline: date) -> None:
    """A rebaselined deadline keeps the task's dates in order, or the task could no longer be reported on."""
    code = date_order_problem(task.start_date, new_deadline, task.milestones.values_list("date", flat=True))
    if code == "deadline_before_start":
        raise ServiceError(
            _("The new deadline %(deadline)s is before the task's start date %(start)s.")
            % {
                "deadline": date_format(new_deadline, "DATE_FORMAT"),
                "start": date_format(task.start_date, "DATE_FORMAT"),
            },
            field="new_deadline",
            code="deadline_before_start",
        )
    if code is not None:
        raise ServiceError(
            _("A milestone of the task is after the new deadline %(deadline)s: change the milestones first.")
            % {"deadline": date_format(new_deadline, "DATE_FORMAT")},
            field="new_deadline",
            code=code,
        )


@transaction.atomic
def change_request_decide(*, actor, request: TaskChangeRequest, approve: bool, note: str = "") -> TaskChangeRequest:
    _require(actor, Perm.PLAN_EDIT)
    request = TaskChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != TaskChangeRequest.Status.PENDING:
        raise ServiceError(_("This request was already decided."), code="decided")
    if not approve and not note.strip():
        raise ServiceError(_("Give the reason for rejecting."), field="note")
    request.status = TaskChangeRequest.Status.APPROVED if approve else TaskChangeRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    task = Task.objects.with_plan("node").get(pk=request.task_id)
    if approve:
        # The start or the milestones may have changed since the request was made.
        _check_new_deadline(task, request.new_deadline)
        _claim_version(task, task.version)
        before = {"target_value": task.target_value, "deadline": task.deadline, "version": task.version - 1}
        task.target_value, task.deadline = request.new_target_value, request.new_deadline
        task.save(update_fields=["target_value", "deadline", "updated_at"])
        audit_record(
            actor=actor,
            verb="task.rebaseline",
            obj=task,
            before=before,
            after={
                "target_value": task.target_value,
                "deadline": task.deadline,
                "version": task.version,
                "request": request.pk,
            },
        )
        status_refresh(tasks=[task], since=None)
    else:
        audit_record(actor=actor, verb="change_request.reject", obj=task, after={"request": request.pk, "note": note})
    return request


# --- ledger import ---------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def ledger_vocabulary(plan: Plan) -> ledger.Vocabulary:
    return ledger.Vocabulary(
        units=frozenset(Unit.objects.filter(is_active=True).values_list("name", flat=True)),
        posts=frozenset(LeaderPost.objects.filter(is_active=True).values_list("title", flat=True)),
        areas=frozenset(plan.nodes.filter(kind=PlanNode.Kind.AREA).values_list("title", flat=True)),
    )


# Where a service refusal on a row's data is reported in the spreadsheet.
_LEDGER_COLUMN_OF_FIELD = {"title": "title", "target_value": "target_value", "target_unit": "target_unit",
                           "deadline": "deadline", "start_date": "deadline", "co_units": "co_units",
                           "milestones": "milestones"}  # fmt: skip
# An existing task as the import reads it: plain values, not model instances, so 20 000 of them stay small.
_IMPORT_FIELDS = ("pk", "node_id", "node__title", "node__path", "baseline_target_value",
                  "baseline_deadline", *(f for f in TASK_FIELDS if f not in ("responsible_post", "lead_unit")),
                  "responsible_post_id", "lead_unit_id")  # fmt: skip


def _existing_tasks(plan: Plan, *, lock: bool) -> dict[str, dict]:
    """The plan's live tasks by code, with `co_units` (ids) and `milestones` ((date, value, text)): 3 queries."""
    tasks = Task.objects.alive().filter(plan=plan)
    if lock:
        tasks = tasks.select_for_update(of=("self",))
    existing: dict[str, dict] = {}
    by_pk: dict[int, dict] = {}
    for values in tasks.values(*_IMPORT_FIELDS):
        values.update(responsible_post=values["responsible_post_id"], lead_unit=values["lead_unit_id"])
        values["co_units"], values["milestones"] = set(), []
        existing[values["code"]] = by_pk[values["pk"]] = values
    through = Task.co_units.through.objects.filter(task__plan=plan, task__is_deleted=False)
    for task_id, unit_id in through.values_list("task_id", "unit_id").iterator(chunk_size=5000):
        by_pk[task_id]["co_units"].add(unit_id)
    milestones = Milestone.objects.filter(task__plan=plan, task__is_deleted=False).order_by("task_id", "date", "id")
    for task_id, *line in milestones.values_list("task_id", "date", "planned_value", "description").iterator(
        chunk_size=5000
    ):
        by_pk[task_id]["milestones"].append(tuple(line))
    return existing


def _row_data(
    row: ledger.LedgerRowIn, units: dict[str, Unit], posts: dict[str, LeaderPost], current: dict | None
) -> TaskData:
    return TaskData(
        title=row.title,
        deadline=row.deadline,
        target_value=row.target_value,
        target_unit=row.target_unit,
        modality=row.modality,
        responsible_post=posts[row.responsible_post],
        lead_unit=units[row.lead_unit],
        co_units=[units[n] for n in row.co_units],
        milestones=row.milestones,
        start_date=current["start_date"] if current else None,
        object=current["object"] if current else "",
        measures=current["measures"] if current else "",
        source_quote=current["source_quote"] if current else "",
        # The ledger has no weight column: a re-import keeps the office's weighting.
        weight=current["weight"] if current else Decimal(1),
    )


def _same(task: dict, data: TaskData, area_title: str, row_area: str) -> bool:
    wanted = [(m.date, m.planned_value, m.description) for m in data.milestones]
    return (
        task["node__title"] == data.title
        and task["target_value"] == data.target_value
        and task["target_unit"] == data.target_unit
        and task["deadline"] == data.deadline
        and task["modality"] == data.modality
        and task["responsible_post"] == getattr(data.responsible_post, "pk", None)
        and task["lead_unit"] == getattr(data.lead_unit, "pk", None)
        and task["co_units"] == {u.pk for u in data.co_units}
        and task["milestones"] == wanted
        and area_title == row_area
    )


def ledger_import(*, actor, plan: Plan, data: bytes) -> ImportOutcome:
    """Import a 任务分解表: all rows or none. Matching by 任务编号; empty code → new task.

    Built for 20 000 rows (bench/ledger_import_bench.py): the file is streamed, the plan's units,
    posts, areas and tasks are read in a few queries, and the writes are bulk inserts and updates
    inside one transaction, so a refusal anywhere changes nothing. Each created or updated task
    still gets its own audit event (task.create / task.update, as from the form, so the task's
    history shows the import), appended in bulk (audit_record_many), then one ledger.import event
    sums it up.
    """
    from plans.selectors import area_titles

    _require(actor, Perm.PLAN_EDIT)
    parsed = ledger.parse_task_ledger(data, ledger_vocabulary(plan))
    outcome = ImportOutcome()
    if parsed.errors:
        outcome.errors = [ledger_error_line(e) for e in sorted(parsed.errors, key=lambda e: (e.row, e.column))]
        return outcome
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError(_("The plan is closed."), code="plan_closed")
    units = {u.name: u for u in Unit.objects.filter(is_active=True)}
    posts = {p.title: p for p in LeaderPost.objects.filter(is_active=True)}
    areas: dict[str, PlanNode] = {}
    for node in plan.nodes.filter(kind=PlanNode.Kind.AREA).order_by("path"):
        areas.setdefault(node.title, node)  # two areas with one title: the first in tree order
    with transaction.atomic():
        # Read (and lock) the plan's tasks inside the transaction: nobody edits one between check and write.
        existing = _existing_tasks(plan, lock=True)
        area_of = area_titles([(t["pk"], plan.pk, t["node__path"]) for t in existing.values()])
        errors: list[ledger.LedgerError] = []
        creates: list[tuple[ledger.LedgerRowIn, TaskData]] = []
        updates: list[tuple[ledger.LedgerRowIn, TaskData, dict]] = []
        labels = {key: header for key, header, _width in ledger.COLUMNS}
        for row in parsed.rows:
            task = existing.get(row.code) if row.code else None
            if row.code and task is None:
                errors.append(ledger.LedgerError(row.row, labels["code"], "unknown_code", row.code))
                continue
            if task is not None and plan.is_frozen:
                if row.target_value != task["target_value"]:
                    errors.append(ledger.LedgerError(row.row, labels["target_value"], "frozen_target"))
                if row.deadline != task["deadline"]:
                    errors.append(ledger.LedgerError(row.row, labels["deadline"], "frozen_deadline"))
            data_row = _row_data(row, units, posts, task)
            try:
                start = data_row.start_date or (task["start_date"] if task else date(plan.year, 1, 1))
                _check_task_data(plan, data_row, start)  # the rules a form enforces, per row
            except ServiceError as exc:
                column = labels[_LEDGER_COLUMN_OF_FIELD.get(exc.field or "", "title")]
                errors.append(ledger.LedgerError(row.row, column, "refused", exc.message))
                continue
            if task is None:
                creates.append((row, data_row))
            elif _same(task, data_row, area_of.get(task["pk"], ""), row.area):
                outcome.unchanged += 1
            else:
                updates.append((row, data_row, task))
        if errors:
            outcome.errors = [ledger_error_line(e) for e in sorted(errors, key=lambda e: (e.row, e.column))]
            outcome.unchanged = 0
            return outcome
        # In chunks, so the model instances and audit entries alive at once stay a chunk's worth.
        for start in range(0, len(creates), _BATCH):
            _import_creates(actor, plan, creates[start : start + _BATCH], areas)
        for start in range(0, len(updates), _BATCH):
            _import_updates(actor, plan, updates[start : start + _BATCH], areas, area_of)
        if updates:
            # Start, deadline, target, milestones: every day of their statuses may change.
            status_refresh(tasks=[Task(pk=current["pk"]) for _row, _data, current in updates], since=None)
        outcome.created, outcome.updated = len(creates), len(updates)
        audit_record(
            actor=actor,
            verb="ledger.import",
            obj=plan,
            after={"created": outcome.created, "updated": outcome.updated, "unchanged": outcome.unchanged},
        )
    return outcome


_BATCH = 2000


def _import_creates(actor, plan: Plan, creates: list[tuple[ledger.LedgerRowIn, TaskData]], areas) -> None:
    """New tasks as the last children of their areas: nodes, tasks, co-units and milestones in bulk."""
    if not creates:
        return
    used = set(Task.objects.filter(plan=plan).values_list("code", flat=True))  # deleted tasks keep their codes
    n = len(used)
    codes: list[str] = []
    for row, _data in creates:
        if row.code:
            codes.append(row.code)
            continue
        n += 1
        while f"T{n:03d}" in used:
            n += 1
        codes.append(f"T{n:03d}")
        used.add(codes[-1])
    # Materialised paths (treebeard): each area's new children continue after its last child.
    next_step: dict[int, int] = {}
    for area in {areas[row.area].pk: areas[row.area] for row, _data in creates}.values():
        last = (
            PlanNode.objects.filter(path__startswith=area.path, depth=area.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        next_step[area.pk] = PlanNode._str2int(last[-PlanNode.steplen :]) + 1 if last else 1
    nodes, added = [], dict.fromkeys(next_step, 0)
    for row, data in creates:
        area = areas[row.area]
        step = next_step[area.pk] + added[area.pk]
        added[area.pk] += 1
        path = PlanNode._get_path(area.path, area.depth + 1, step)
        if len(path) != len(area.path) + PlanNode.steplen:
            raise ServiceError(_("The area “%(a)s” has too many tasks.") % {"a": area.title}, code="path_overflow")
        nodes.append(
            PlanNode(
                plan=plan, kind=_child_kind(area), title=data.title.strip(), path=path, depth=area.depth + 1, numchild=0
            )
        )
    PlanNode.objects.bulk_create(nodes, batch_size=_BATCH)
    for area_pk, count in added.items():
        PlanNode.objects.filter(pk=area_pk).update(numchild=F("numchild") + count)
    tasks = [
        Task(
            node=node,
            plan=plan,
            code=code,
            object=data.object,
            target_value=data.target_value,
            target_unit=data.target_unit.strip(),
            start_date=data.start_date or date(plan.year, 1, 1),
            deadline=data.deadline,
            modality=data.modality,
            measures=data.measures,
            source_quote=data.source_quote,
            responsible_post=data.responsible_post,
            lead_unit=data.lead_unit,
            baseline_target_value=data.target_value,
            baseline_deadline=data.deadline,
            weight=data.weight,
        )
        for node, code, (_row, data) in zip(nodes, codes, creates, strict=True)
    ]
    Task.objects.bulk_create(tasks, batch_size=_BATCH)
    _write_relations([(task, data) for task, (_row, data) in zip(tasks, creates, strict=True)], replace=False)
    entries = []
    for task, (_row, data) in zip(tasks, creates, strict=True):
        after = _snapshot_of(
            snapshot(task, TASK_FIELDS),
            title=task.node.title,
            co_unit_ids=[u.pk for u in data.co_units],
            milestones=[(m.date, m.planned_value, m.description) for m in data.milestones],
        )
        entries.append({"verb": "task.create", "obj": task, "after": after})
    audit_record_many(actor=actor, entries=entries)


def _write_relations(pairs: list[tuple[Task, TaskData]], *, replace: bool) -> None:
    """Co-units and milestones of many tasks: delete the old ones (on update), insert the new ones in bulk."""
    through = Task.co_units.through
    ids = [task.pk for task, _data in pairs]
    if replace:
        for start in range(0, len(ids), _BATCH):
            through.objects.filter(task_id__in=ids[start : start + _BATCH]).delete()
            Milestone.objects.filter(task_id__in=ids[start : start + _BATCH]).delete()
    through.objects.bulk_create(
        [through(task_id=task.pk, unit_id=unit.pk) for task, data in pairs for unit in data.co_units],
        batch_size=_BATCH,
    )
    Milestone.objects.bulk_create(
        [
            Milestone(task_id=task.pk, date=m.date, planned_value=m.planned_value, description=m.description)
            for task, data in pairs
            for m in data.milestones
        ],
        batch_size=_BATCH,
    )


def _update_many(model, objs: list, fields: list[str]) -> None:
    """UPDATE … WHERE id = … for each object, sent as one executemany.

    Django's bulk_update writes one CASE per field over the whole batch, which SQLite evaluates row
    by row: 300 updated tasks took 15 s. Values go through each field's own database preparation.
    """
    if not objs:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    # Names come from the model's meta (quoted), values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table), ", ".join(f"{quote(c.column)} = %s" for c in columns), quote(meta.pk.column)
    )
    rows = [[c.get_db_prep_save(getattr(o, c.attname), connection) for c in columns] + [o.pk] for o in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            cursor.executemany(sql, rows[start : start + _BATCH])


def _import_updates(actor, plan: Plan, updates, areas, area_of: dict[int, str]) -> None:
    """Changed tasks: one bulk update of the rows and the node titles, relations replaced, each audited."""
    if not updates:
        return
    now = timezone.now()
    fields = [*EDITABLE_TASK_FIELDS, "version", "updated_at"]
    if not plan.is_frozen:
        # Before the plan is active the commitment is still being drafted: the baseline follows it.
        fields += ["baseline_target_value", "baseline_deadline"]
    tasks, nodes, pairs, audits = [], [], [], []
    for _row, data, current in updates:
        task = Task(
            pk=current["pk"],
            node_id=current["node_id"],
            plan=plan,
            code=current["code"],
            object=data.object,
            target_value=data.target_value,
            target_unit=data.target_unit.strip(),
            start_date=data.start_date or current["start_date"],
            deadline=data.deadline,
            modality=data.modality,
            measures=data.measures,
            source_quote=data.source_quote,
            responsible_post=data.responsible_post,
            lead_unit=data.lead_unit,
            weight=data.weight,
            version=current["version"] + 1,
            is_deleted=False,
            updated_at=now,
            baseline_target_value=data.target_value if not plan.is_frozen else current["baseline_target_value"],
            baseline_deadline=data.deadline if not plan.is_frozen else current["baseline_deadline"],
        )
        tasks.append(task)
        title = data.title.strip()
        if title != current["node__title"]:
            nodes.append(PlanNode(pk=current["node_id"], title=title))
        pairs.append((task, data))
        before = _snapshot_of(
            current, title=current["node__title"], co_unit_ids=current["co_units"], milestones=current["milestones"]
        )
        after = _snapshot_of(
            snapshot(task, TASK_FIELDS),
            title=title,
            co_unit_ids=[u.pk for u in data.co_units],
            milestones=[(m.date, m.planned_value, m.description) for m in data.milestones],
        )
        audits.append(
            {
                "verb": "task.update",
                "obj": task,
                "object_repr": f"{task.code} {title}",
                "before": before,
                "after": after,
            }
        )
    _update_many(Task, tasks, fields)
    _update_many(PlanNode, nodes, ["title"])
    _write_relations(pairs, replace=True)
    audit_record_many(actor=actor, entries=audits)
    for row, _data, current in updates:
        if area_of.get(current["pk"], "") != row.area:  # rare: the tree move stays one task at a time
            task_move(actor=actor, task=Task.objects.get(pk=current["pk"]), area=areas[row.area])
