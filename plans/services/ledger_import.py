"""The ledger import (任务分解表): all rows or none, in bulk, each task audited. Keyword-only, audited."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record, audit_record_many, snapshot
from core.errors import ServiceError
from core.imports import ImportProgress, reading
from org.models import LeaderPost, Unit
from plans import ledger
from plans.messages import ledger_error_line
from plans.models import Milestone, Plan, PlanNode, Task
from plans.services.access import _require
from plans.services.nodes import _child_kind
from plans.services.tasks import EDITABLE_TASK_FIELDS, TASK_FIELDS, TaskData, _check_task_data, _snapshot_of, task_move
from reports.snapshots import status_refresh


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


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


def ledger_import(
    *, actor: User | None, plan: Plan, data: bytes, progress: ImportProgress | None = None
) -> ImportOutcome:
    """Import a 任务分解表: all rows or none. Matching by 任务编号; empty code → new task.

    Built for 20 000 rows (bench/ledger_import_bench.py): the file is streamed, the plan's units,
    posts, areas and tasks are read in a few queries, and the writes are bulk inserts and updates
    inside one transaction, so a refusal anywhere changes nothing. Each created or updated task
    still gets its own audit event (task.create / task.update, as from the form, so the task's
    history shows the import), appended in bulk (audit_record_many), then one ledger.import event
    sums it up.

    The same function runs in the request (a small ledger) and in the queue (plans/jobs.py), where
    `progress` reports the rows read, then the rows written chunk by chunk.
    """
    from plans.selectors import area_titles

    _require(actor, Perm.PLAN_EDIT)
    parsed = ledger.parse_task_ledger(data, ledger_vocabulary(plan), on_row=reading(progress))
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
        writing, written, to_write = _("Writing the tasks"), 0, len(creates) + len(updates)
        if progress:
            progress(writing, 0, to_write)
        for start in range(0, len(creates), _BATCH):
            _import_creates(actor, plan, creates[start : start + _BATCH], areas)
            written += len(creates[start : start + _BATCH])
            if progress:
                progress(writing, written, to_write)
        for start in range(0, len(updates), _BATCH):
            _import_updates(actor, plan, updates[start : start + _BATCH], areas, area_of)
            written += len(updates[start : start + _BATCH])
            if progress:
                progress(writing, written, to_write)
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


def _import_creates(
    actor: User | None, plan: Plan, creates: list[tuple[ledger.LedgerRowIn, TaskData]], areas: dict[str, PlanNode]
) -> None:
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


def _import_updates(
    actor: User | None,
    plan: Plan,
    updates: list[tuple[ledger.LedgerRowIn, TaskData, dict]],
    areas: dict[str, PlanNode],
    area_of: dict[int, str],
) -> None:
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
