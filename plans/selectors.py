"""Reads on plans and tasks, shared by pages, API and ledger exports (one set of numbers everywhere)."""

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Perm
from audit.models import AuditEvent
from core import rows
from core.access import out_of_scope
from core.replica import read_alias
from org.models import LeaderPost, Unit
from plans import treepath
from plans.ledger import LedgerRowOut
from plans.milestones import MilestoneLine
from plans.models import DimensionTag, Milestone, Plan, PlanNode, Task, TaskChangeRequest, TaskQuerySet


def can_read_business(user) -> bool:
    return user.has_luoshi_perm(Perm.BUSINESS_READ_ALL) or user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT)


def plan_list(user) -> QuerySet[Plan]:
    if not can_read_business(user):
        return Plan.objects.none()
    return Plan.objects.annotate(task_count=Count("tasks", filter=Q(tasks__is_deleted=False))).order_by(
        "-year", "title"
    )


def plan_get_for_user(user, pk: int, *, write: bool = False) -> Plan:
    if not can_read_business(user) or (write and not user.has_luoshi_perm(Perm.PLAN_EDIT)):
        raise out_of_scope(Plan, pk)
    try:
        return Plan.objects.get(pk=pk)
    except Plan.DoesNotExist as exc:
        raise out_of_scope(Plan, pk) from exc


@dataclass(frozen=True)
class PlanChoice:
    """The plans a cockpit, list, rollup, export or picker covers (never several silently mixed),
    and the ones the user could choose instead. Shown on every page that takes it."""

    plans: tuple[Plan, ...]
    available: tuple[Plan, ...]
    chosen: bool  # False: the default (the as-of year's active plans)
    invalid: bool = False  # the request named a plan that does not exist: the default was used

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(p.pk for p in self.plans)

    @property
    def mixed(self) -> bool:
        """Several plans at once: task codes and area names are shown with their plan."""
        return len(self.plans) > 1

    @property
    def query(self) -> str:
        """The choice as URL parameters, so a figure's link lists exactly the tasks it counted."""
        return "&".join(f"plan={pk}" for pk in self.ids)

    @property
    def key(self) -> str:
        """Names the choice in cache keys."""
        return "p" + "-".join(str(pk) for pk in sorted(self.ids))

    def label(self, plan_id: int) -> str:
        """A plan's short name where plans mix: its year, with its title when two chosen plans share a year."""
        plan = next((p for p in self.plans if p.pk == plan_id), None) or next(
            (p for p in self.available if p.pk == plan_id), None
        )
        if plan is None:
            return ""
        same_year = [p.title for p in self.plans if p.year == plan.year]
        if len(same_year) > 1:
            # What tells the titles apart: past their common beginning, without the year ("重点工作").
            start = len(os.path.commonprefix(same_year))
            rest = re.sub(r"\d{4}年?度?", "", plan.title[start:]) or plan.title
            return f"{plan.year}{rest[:4]}"
        return str(plan.year)


def plans_default(plans: Iterable[Plan], as_of: date) -> list[Plan]:
    """The plans shown when none is chosen: the active plans of the as-of date's year; else every
    active plan (the demo plan is 2021); else, with no active plan at all, every plan."""
    plans = list(plans)
    active = [p for p in plans if p.status == Plan.Status.ACTIVE]
    return [p for p in active if p.year == as_of.year] or active or plans


def plans_choose(user, raw: Iterable[str], as_of: date) -> PlanChoice:
    """The plans asked for by `?plan=ID&plan=ID` among those the user may read, or the default."""
    available = tuple(plan_list(user)) if can_read_business(user) else ()
    by_id = {p.pk: p for p in available}
    wanted = [v for v in raw if v != ""]
    chosen = []
    for value in wanted:
        pk = int(value) if value.isdigit() else None
        if pk in by_id and by_id[pk] not in chosen:
            chosen.append(by_id[pk])
    if chosen:
        return PlanChoice(tuple(sorted(chosen, key=available.index)), available, True)
    return PlanChoice(tuple(plans_default(available, as_of)), available, False, invalid=bool(wanted))


def task_scope_key(user) -> str:
    """Names the set `task_scope(user)` returns ("all", "unit<id>" or "none"): the one place that
    decides a user's scope, so caches shared by users with the same key show each the right tasks."""
    if user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):
        return "all"
    if user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and user.unit_id:
        return f"unit{user.unit_id}"
    return "none"


def task_scope(user) -> TaskQuerySet:
    """Live tasks the user may read: all for office and leaders; lead or co-operating unit for unit roles."""
    qs = Task.objects.alive()
    key = task_scope_key(user)
    if key == "all":
        return qs
    if key == "none":
        return qs.none()
    # A semi-join on the co-unit table, not a join: no duplicate rows, so no DISTINCT over wide rows.
    co_operating = Task.co_units.through.objects.filter(unit_id=user.unit_id).values("task_id")
    return qs.filter(Q(lead_unit_id=user.unit_id) | Q(pk__in=co_operating))


def task_in_scope(user, task: Task) -> bool:
    """`task_scope(user)` for one live task already read: the same rule (lead or co-operating unit for
    unit roles), without compiling the scope's OR and subquery into the read (the submission's path).
    Tested to agree with task_scope for every demo user and task."""
    key = task_scope_key(user)
    if key == "all":
        return True
    if key == "none":
        return False
    return task.lead_unit_id == user.unit_id or (
        Task.co_units.through.objects.filter(task_id=task.pk, unit_id=user.unit_id).exists()
    )


TASK_RELATED = ("node", "lead_unit", "responsible_post")


def task_get_for_user(user, pk: int, *, write: bool = False, related: tuple[str, ...] = TASK_RELATED) -> Task:
    """The task, or 404 when it does not exist, is deleted, or is outside the user's scope.

    `related`: the relations read with it besides the plan (a caller that shows no unit or post can
    skip those joins; the submission API does)."""
    if write and not user.has_luoshi_perm(Perm.PLAN_EDIT):
        raise out_of_scope(Task, pk)
    task = Task.objects.alive().with_plan(*related).filter(pk=pk).first()
    if task is None or not task_in_scope(user, task):
        raise out_of_scope(Task, pk)
    return task


def task_can_request_change(user, task: Task) -> bool:
    if user.has_luoshi_perm(Perm.PLAN_EDIT):
        return True
    return bool(user.unit_id) and user.unit_id == task.lead_unit_id and user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT)


@dataclass(frozen=True)
class TaskFilter:
    plan: int | None = None
    plans: tuple[int, ...] = ()  # a PlanChoice's ids: the tasks of these plans only
    node: int | None = None  # a plan node: the tasks in its subtree
    lead_unit: int | None = None
    co_unit: int | None = None
    leader_post: int | None = None
    block: int | None = None
    industry: int | None = None
    modality: str = ""
    deadline_from: date | None = None
    deadline_to: date | None = None
    q: str = ""
    sort: str = "code"


SORTS = {
    "code": ("plan__year", "code"),
    "-code": ("-plan__year", "-code"),
    "deadline": ("deadline", "code"),
    "-deadline": ("-deadline", "code"),
    "title": ("node__title", "code"),
    "lead_unit": ("lead_unit__sort_key", "code"),
    "target": ("target_value", "code"),
}


def _tag_filter(tag_id: int) -> Q:
    # A tag on an area applies to every task under it: match tasks below any tagged node.
    paths = list(PlanNode.objects.filter(tags=tag_id).values_list("path", flat=True))
    if not paths:
        return Q(pk__in=[])
    condition = Q()
    for path in paths:
        condition |= Q(node__path__startswith=path)
    return condition


def task_list(user, f: TaskFilter) -> TaskQuerySet:
    qs = task_scope(user)
    if f.plan:
        qs = qs.filter(plan_id=f.plan)
    if f.plans:
        qs = qs.filter(plan_id__in=f.plans)
    if f.node:
        node = PlanNode.objects.filter(pk=f.node).only("path", "plan_id").first()
        qs = qs.filter(plan_id=node.plan_id, node__path__startswith=node.path) if node else qs.none()
    if f.lead_unit:
        qs = qs.filter(lead_unit_id=f.lead_unit)
    if f.co_unit:
        qs = qs.filter(pk__in=Task.co_units.through.objects.filter(unit_id=f.co_unit).values("task_id"))
    if f.leader_post:
        qs = qs.filter(responsible_post_id=f.leader_post)
    for tag in (f.block, f.industry):
        if tag:
            qs = qs.filter(_tag_filter(tag))
    if f.modality:
        qs = qs.filter(modality=f.modality)
    if f.deadline_from:
        qs = qs.filter(deadline__gte=f.deadline_from)
    if f.deadline_to:
        qs = qs.filter(deadline__lte=f.deadline_to)
    if f.q:
        qs = qs.filter(Q(node__title__icontains=f.q) | Q(source_quote__icontains=f.q) | Q(code__istartswith=f.q))
    return (
        qs.with_plan("node", "lead_unit", "responsible_post")
        .prefetch_related("co_units")
        .order_by(*SORTS.get(f.sort, SORTS["code"]))
    )


def task_area_titles(tasks: list[Task]) -> dict[int, str]:
    """Each task's area (the nearest ancestor of kind area), for all tasks in one query."""
    return area_titles([(t.pk, t.plan_id, t.node.path) for t in tasks])


def area_titles(tasks: list[tuple[int, int, str]]) -> dict[int, str]:
    """The same for (task id, plan id, node path) triples: one query for the plans' area nodes, written
    once as SQL like `task_relations`."""
    plan_ids = sorted({plan_id for _pk, plan_id, _path in tasks})
    if not plan_ids:
        return {}
    using = read_alias()
    connection = connections[using]
    where, params = rows.ids_condition(rows.column(PlanNode, "plan", connection), plan_ids, connection)
    path, title, kind = (rows.column(PlanNode, name, connection) for name in ("path", "title", "kind"))
    sql = (
        f"SELECT {path}, {title} FROM {connection.ops.quote_name(PlanNode._meta.db_table)} "  # noqa: S608
        f"WHERE {kind} = %s AND {where}"
    )
    fields = [rows.field(PlanNode, "path"), rows.field(PlanNode, "title")]
    areas = dict(rows.select_rows(sql, [PlanNode.Kind.AREA.value, *params], fields, using=using))
    result = {}
    for pk, _plan_id, node_path in tasks:
        area = treepath.nearest(node_path, areas)
        if area is not None:
            result[pk] = areas[area]
    return result


_LEDGER_FIELDS = (
    "pk", "plan_id", "node__path", "code", "node__title", "target_value", "target_unit",
    "responsible_post__title", "lead_unit__name", "deadline", "modality", "baseline_target_value",
    "baseline_deadline",
)  # fmt: skip


def ledger_stream(tasks: Iterable[Task] | QuerySet[Task], *, chunk: int = 1000) -> Iterator[LedgerRowOut]:
    """Ledger rows for any number of tasks, in the given order, a chunk at a time.

    Plain value rows, not model instances (a 20 000-task export spent half its time building
    instances and prefetching); co-units, milestones and areas are one query each per chunk, so a
    city's export never holds every task with its related rows in memory at once. Pages, API and
    command all export through this.
    """
    if isinstance(tasks, QuerySet):
        rows = tasks.prefetch_related(None).values_list(*_LEDGER_FIELDS).iterator(chunk_size=chunk)
    else:
        order = [t.pk for t in tasks]
        position = {pk: i for i, pk in enumerate(order)}
        rows = (
            row
            for start in range(0, len(order), chunk)
            for row in sorted(
                Task.objects.filter(pk__in=order[start : start + chunk]).values_list(*_LEDGER_FIELDS),
                key=lambda r: position[r[0]],
            )
        )
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            yield from _ledger_chunk(batch)
            batch = []
    if batch:
        yield from _ledger_chunk(batch)


def task_relations(ids: list[int]) -> tuple[dict[int, list[tuple[int, str]]], dict[int, list[MilestoneLine]]]:
    """Co-operating units (id, name) in name order and milestones in date order, per task: two queries,
    written once as SQL (a page's two querysets compiled on every call were 1.4 ms of a 50-task page's
    ~9 ms; core.rows, docs/performance.md "Fixed-shape reads")."""
    co_units: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    milestones: dict[int, list[MilestoneLine]] = {pk: [] for pk in ids}
    if not ids:
        return co_units, milestones
    link, stone = Task.co_units.through, Milestone
    using = read_alias()  # the replica inside the exports' replica_reads(), as their task rows
    connection = connections[using]
    quote = connection.ops.quote_name

    def col(model, name: str) -> str:
        return rows.column(model, name, connection)

    where, params = rows.ids_condition(col(link, "task"), ids, connection)
    co_sql = (
        f"SELECT {col(link, 'task')}, {col(link, 'unit')}, {col(Unit, 'name')} "  # noqa: S608  (model columns)
        f"FROM {quote(link._meta.db_table)} INNER JOIN {quote(Unit._meta.db_table)} "
        f"ON {col(Unit, 'id')} = {col(link, 'unit')} "
        f"WHERE {where} ORDER BY {col(Unit, 'sort_key')}, {col(link, 'unit')}"
    )
    co_fields = [rows.field(link, "task"), rows.field(link, "unit"), rows.field(Unit, "name")]
    for task_id, unit_id, name in rows.select_rows(co_sql, params, co_fields, using=using):
        co_units[task_id].append((unit_id, name))
    names = ("task", "date", "planned_value", "description")
    where, params = rows.ids_condition(col(stone, "task"), ids, connection)
    stone_sql = (
        f"SELECT {', '.join(col(stone, n) for n in names)} FROM {quote(stone._meta.db_table)} "  # noqa: S608
        f"WHERE {where} ORDER BY {col(stone, 'date')}, {col(stone, 'id')}"
    )
    stone_rows = rows.select_rows(stone_sql, params, [rows.field(stone, n) for n in names], using=using)
    for task_id, day, planned, description in stone_rows:
        milestones[task_id].append(MilestoneLine(day, planned, description))
    return co_units, milestones


def _ledger_chunk(rows: list[tuple]) -> list[LedgerRowOut]:
    co_units, milestones = task_relations([r[0] for r in rows])
    areas = area_titles([(r[0], r[1], r[2]) for r in rows])
    return [
        LedgerRowOut(
            code=code,
            title=title,
            target_value=target_value,
            target_unit=target_unit,
            responsible_post=post or "",
            lead_unit=unit or "",
            co_units=[name for _id, name in co_units[pk]],
            deadline=deadline,
            milestones=milestones[pk],
            area=areas.get(pk, ""),
            modality=modality,
            baseline_target_value=baseline_target,
            baseline_deadline=baseline_deadline,
        )
        for (pk, _plan, _path, code, title, target_value, target_unit, post, unit, deadline, modality, baseline_target,
             baseline_deadline) in rows
    ]  # fmt: skip


@dataclass
class TreeRow:
    node: PlanNode
    depth: int
    task_count: int
    has_children: bool
    task: Task | None = None
    children: list["TreeRow"] = field(default_factory=list)


def plan_tree(plan: Plan, user) -> list[TreeRow]:
    """The plan's nodes in tree order with the number of visible tasks in each subtree (two queries)."""
    nodes = list(plan.nodes.order_by("path").prefetch_related("tags"))
    visible = {t.node_id: t for t in task_scope(user).filter(plan=plan).select_related("lead_unit")}
    hidden_task_nodes = set(Task.objects.filter(plan=plan).values_list("node_id", flat=True)) - set(visible)
    by_path = {n.path: n for n in nodes}
    path_of = {n.pk: n.path for n in nodes}
    counts = {n.path: 0 for n in nodes}
    for node_id in visible:
        for above in treepath.lineage(path_of[node_id]):
            if above in counts:
                counts[above] += 1
    rows = []
    for node in nodes:
        if node.pk in hidden_task_nodes or any(
            above in by_path and by_path[above].pk in hidden_task_nodes for above in treepath.ancestor_paths(node.path)
        ):
            continue  # deleted or out-of-scope tasks, with their sub-tasks
        rows.append(TreeRow(node, node.depth - 1, counts[node.path], node.numchild > 0, visible.get(node.pk)))
    return rows


def plan_areas(plan: Plan) -> QuerySet[PlanNode]:
    return plan.nodes.filter(kind=PlanNode.Kind.AREA).order_by("path")


def task_history(task: Task) -> QuerySet[AuditEvent]:
    """The task's change history, from the audit trail (who, when, before/after)."""
    return AuditEvent.objects.filter(object_type="plans.task", object_id=str(task.pk)).order_by("-id")


HISTORY_FIELDS = {
    "title": _("Task"),
    "target_value": _("Target value"),
    "target_unit": _("Unit of measure"),
    "deadline": _("Deadline"),
    "start_date": _("Start date"),
    "modality": _("Modality"),
    "object": _("Object"),
    "responsible_post": _("Responsible leader"),
    "lead_unit": _("Lead unit"),
    "co_units": _("Co-operating units"),
    "milestones": _("Milestones"),
    "measures": _("Measures"),
    "source_quote": _("Source quote"),
    "weight": _("Weight"),
    "is_deleted": _("Deleted"),
    "parent": _("Under"),
    "reason": _("Reason"),
    "note": _("Note"),
}


@dataclass
class HistoryRow:
    event: AuditEvent
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def _value_shower(value_dicts: list[dict]):
    """A function showing a snapshot value readably: ids as unit and post names (two queries for all)."""
    # Only the units and posts these values name (a city has a thousand units).
    unit_ids: set[int] = set()
    post_ids: set[int] = set()
    for values in value_dicts:
        unit_ids.update(v for v in [values.get("lead_unit"), *(values.get("co_units") or [])] if isinstance(v, int))
        if isinstance(values.get("responsible_post"), int):
            post_ids.add(values["responsible_post"])
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    posts = dict(LeaderPost.objects.filter(pk__in=post_ids).values_list("pk", "title"))

    def show(name: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if name == "lead_unit":
            return units.get(value, str(value))
        if name == "responsible_post":
            return posts.get(value, str(value))
        if name == "co_units":
            return "、".join(units.get(v, str(v)) for v in value)
        if name == "milestones":
            return "；".join(" ".join(str(p) for p in m if p) for m in value)
        return str(value)

    return show


@dataclass(frozen=True)
class ConflictRow:
    label: str
    old: str
    new: str
    by: str
    at: datetime | None  # local time


def conflict_rows(changes: list[dict]) -> list[ConflictRow]:
    """`VersionConflict.changes` for the edit page: field labels, names for ids, local times."""
    show = _value_shower([{c["field"]: c["old"]} for c in changes] + [{c["field"]: c["new"]} for c in changes])
    rows = []
    for c in changes:
        try:
            at = timezone.localtime(datetime.fromisoformat(c["at"]))
        except (TypeError, ValueError):
            at = None
        label = str(HISTORY_FIELDS.get(c["field"], c["field"]))
        rows.append(ConflictRow(label, show(c["field"], c["old"]), show(c["field"], c["new"]), c["by"], at))
    return rows


def task_history_rows(task: Task, *, limit: int = 100) -> list[HistoryRow]:
    """The history as readable changes: only fields that changed, ids shown as names (three queries)."""
    events = list(task_history(task)[:limit])
    show = _value_shower([v for e in events for v in (e.before or {}, e.after or {})])

    rows = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = [
            (str(HISTORY_FIELDS[name]), show(name, before.get(name)), show(name, after.get(name)))
            for name in HISTORY_FIELDS
            if name in after
            and (not before or before.get(name) != after.get(name))
            and (before or name in ("title", "target_value", "deadline", "lead_unit"))
        ]
        rows.append(HistoryRow(event, changes))
    return rows


def tags_by_kind() -> dict[str, list[DimensionTag]]:
    grouped: dict[str, list[DimensionTag]] = {k: [] for k in DimensionTag.Kind.values}
    for tag in DimensionTag.objects.filter(is_active=True):
        grouped[tag.kind].append(tag)
    return grouped


def change_requests_pending(user) -> QuerySet[TaskChangeRequest]:
    """Change requests waiting for the office's decision, oldest first, on tasks the user may read."""
    return (
        TaskChangeRequest.objects.filter(status=TaskChangeRequest.Status.PENDING, task__in=task_scope(user))
        .select_related("task__node", "task__plan", "requested_by")
        .order_by("requested_at", "pk")
    )


def posts_held(user) -> list[LeaderPost]:
    """The active leader posts the user holds (责任领导 is a post, the person holds it)."""
    return list(LeaderPost.objects.filter(holder=user, is_active=True).order_by("rank", "title"))
