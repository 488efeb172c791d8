"""Writes of the decomposition (分解): extract a document into a draft, edit it, accept it into the plan.

Keyword-only, atomic, audited. Every draft write locks the draft row first (SELECT … FOR UPDATE), so
two office users editing different cells of one draft never overwrite each other's JSON rows.
"""

import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from decomposition import proposal as rows_mod
from decomposition.extractor import extract
from decomposition.messages import row_error
from decomposition.models import AcceptedItem, DecompositionDraft
from indicators.services import DocumentFigure, figure_accept
from org.models import LeaderPost, Unit
from plans.milestones import MilestoneLine
from plans.models import Plan, PlanNode, Task
from plans.services import TaskData, node_add, plan_update, task_create

COMMITMENT, ACHIEVEMENT = rows_mod.COMMITMENT, rows_mod.ACHIEVEMENT
# What extracting another document replaces in a plan's draft.
REPLACED_FIELDS = ["source_name", "source_kind", "text", "commitments", "achievements", "next_row", "extract_ms",
                   "updated_by", "state"]  # fmt: skip


def _require(actor: User | None) -> None:
    if actor is not None and not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


def _require_open(plan: Plan) -> None:
    if plan.status == Plan.Status.CLOSED:
        raise ServiceError(_("The plan is closed."), code="plan_closed")


def _locked(draft: DecompositionDraft) -> DecompositionDraft:
    return DecompositionDraft.objects.select_for_update().select_related("plan").get(pk=draft.pk)


def _save(draft: DecompositionDraft, actor: User | None, *fields: str) -> None:
    draft.version += 1
    draft.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    draft.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def _row_error(exc: rows_mod.RowError) -> ServiceError:
    return ServiceError(row_error(exc.code), field=exc.field or None, code=exc.code)


# --- extracting ------------------------------------------------------------------------------------


def _recognise_accepted(plan: Plan, commitments: list[dict], achievements: list[dict]) -> None:
    """Mark rows that are already in the plan: accepted before, or matching a live task of the plan."""
    accepted = {
        (item.kind, item.key): item
        for item in AcceptedItem.objects.filter(plan=plan).select_related("task", "indicator_value")
    }
    tasks = _plan_tasks(plan)
    for kind, rows in ((COMMITMENT, commitments), (ACHIEVEMENT, achievements)):
        keys = rows_mod.item_keys(rows, kind)
        for row in rows:
            item = accepted.get((kind, keys[row["id"]]))
            if kind == COMMITMENT:
                task = item.task if item and item.task and not item.task.is_deleted else None
                task = task or _matching_task(row, tasks)
                if task is not None:
                    row["task"] = task.pk
            elif item is not None and item.indicator_value_id:
                row["value_id"] = item.indicator_value_id


def _plan_tasks(plan: Plan) -> list[tuple[str, Task]]:
    """The plan's live tasks with a source quote, as (quote key, task), higher levels first.

    A task and its sub-tasks may share a quote (the sub-tasks split the parent's target): the
    parent comes first, so a row matches the parent.
    """
    tasks = Task.objects.alive().filter(plan=plan).exclude(source_quote="").select_related("node")
    return [(rows_mod.quote_key(t.source_quote), t) for t in sorted(tasks, key=lambda t: (len(t.node.path), t.code))]


def _matching_task(row: dict, tasks: list[tuple[str, Task]]) -> Task | None:
    """A task of the plan for this row: the same quote, else one quote inside the other with the same target.

    The second rule finds tasks entered by hand or by ledger import whose quote was cut a little
    differently (「樱桃沟社区等4个精品村」 for 「全力推进樱桃沟社区等4个精品村」).
    """
    key = rows_mod.quote_key(row["quote"])
    for quote, task in tasks:
        if quote == key:
            return task
    target = Decimal(row["target_value"]) if row.get("target_value") is not None else None
    for quote, task in tasks:
        if (quote in key or key in quote) and task.target_value == target and task.target_unit == row.get("unit"):
            return task
    return None


@transaction.atomic
def draft_extract(
    *, actor: User | None, plan: Plan, text: str, source_name: str = "", source_kind: str = "paste"
) -> DecompositionDraft:
    """Run the extractor on a document and make it the plan's draft (replacing any earlier draft)."""
    _require(actor)
    _require_open(plan)
    started = time.perf_counter()
    result = extract(text, plan.year)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    commitments, achievements, next_row = rows_mod.rows_from_proposal(result)
    _recognise_accepted(plan, commitments, achievements)
    user = actor if getattr(actor, "is_authenticated", False) else None
    draft = DecompositionDraft.objects.select_for_update().filter(plan=plan).first()
    before = None
    if draft is None:
        draft = DecompositionDraft(plan=plan, created_by=user)
    else:
        before = {"source": draft.source_name, "commitments": len(draft.commitments)}
        before["achievements"] = len(draft.achievements)
        draft.version += 1
    draft.source_name, draft.source_kind, draft.text = source_name[-200:], source_kind, text
    draft.commitments, draft.achievements, draft.next_row = commitments, achievements, next_row
    draft.extract_ms, draft.updated_by = elapsed_ms, user
    draft.state = _state(draft)
    if draft.pk is None:
        draft.save()
    else:
        draft.save(update_fields=[*REPLACED_FIELDS, "version", "updated_at"])
    audit_record(
        actor=actor,
        verb="decomposition.extract",
        obj=draft,
        before=before,
        after={
            "source": draft.source_name or source_kind,
            "characters": len(text),
            "commitments": len(commitments),
            "achievements": len(achievements),
        },
    )
    return draft


def _state(draft: DecompositionDraft) -> str:
    pending = [r for r in draft.commitments if not r.get("task")] + [
        r for r in draft.achievements if not r.get("value_id")
    ]
    had_any = draft.commitments or draft.achievements
    return DecompositionDraft.State.ACCEPTED if had_any and not pending else DecompositionDraft.State.REVIEW


# --- editing ---------------------------------------------------------------------------------------


def _find(draft: DecompositionDraft, row_id: str) -> tuple[str, dict]:
    found = draft.row(row_id)
    if found is None:
        raise ServiceError(_("This row no longer exists: someone removed it or extracted again."), code="no_row")
    return found


def _replace(draft: DecompositionDraft, kind: str, row: dict) -> None:
    rows = draft.commitments if kind == COMMITMENT else draft.achievements
    rows[:] = [row if r["id"] == row["id"] else r for r in rows]


@transaction.atomic
def draft_row_update(*, actor: User | None, draft: DecompositionDraft, row_id: str, changes: dict[str, object]) -> dict:
    """Edit cells of one row (any of the row's editable fields); all or none."""
    _require(actor)
    draft = _locked(draft)
    kind, row = _find(draft, row_id)
    try:
        updated = rows_mod.apply_edit(row, kind, changes, plan_year=draft.plan.year)
    except rows_mod.RowError as exc:
        raise _row_error(exc)
    changed = {k for k in changes if row.get(k) != updated.get(k)}
    if not changed:
        return row
    _replace(draft, kind, updated)
    _save(draft, actor, "commitments", "achievements")
    audit_record(
        actor=actor,
        verb="decomposition.row_update",
        obj=draft,
        before={"row": row_id, **{k: row.get(k) for k in sorted(changed)}},
        after={"row": row_id, **{k: updated.get(k) for k in sorted(changed)}},
    )
    return updated


def _active_unit(pk) -> Unit:
    unit = Unit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ServiceError(row_error("unknown_unit"), field="lead", code="unknown_unit")
    return unit


@transaction.atomic
def draft_assign(
    *,
    actor: User | None,
    draft: DecompositionDraft,
    row_ids: list[str],
    post: LeaderPost | None = None,
    lead_unit: Unit | None = None,
    co_units: list[Unit] | None = None,
) -> int:
    """三定 for one or many commitment rows: leader post, lead unit, co-units (None leaves a field as it is).

    Returns the number of rows changed. A lead unit given here is removed from the rows' co-units.
    """
    _require(actor)
    if post is None and lead_unit is None and co_units is None:
        raise ServiceError(_("Choose a leader, a lead unit or co-operating units to assign."), code="nothing")
    if not row_ids:
        raise ServiceError(_("Select the rows to assign first."), field="rows", code="no_rows")
    draft = _locked(draft)
    wanted = set(row_ids)
    changes = []
    for row in draft.commitments:
        if row["id"] not in wanted or row.get("task"):
            continue
        before = {"post": row.get("post"), "lead": row.get("lead"), "co_units": list(row.get("co_units") or [])}
        if post is not None:
            row["post"] = post.pk
        if lead_unit is not None:
            row["lead"] = lead_unit.pk
        if co_units is not None:
            row["co_units"] = sorted({u.pk for u in co_units})
        if row.get("lead") in (row.get("co_units") or []):
            if co_units is not None and lead_unit is None:
                raise ServiceError(row_error("lead_in_co_units"), field="co_units", code="lead_in_co_units")
            row["co_units"] = [pk for pk in row["co_units"] if pk != row["lead"]]
        after = {"post": row.get("post"), "lead": row.get("lead"), "co_units": row["co_units"]}
        if after != before:
            changes.append({"row": row["id"], "before": before, "after": after})
    if changes:
        _save(draft, actor, "commitments")
        audit_record(
            actor=actor,
            verb="decomposition.assign",
            obj=draft,
            before={c["row"]: c["before"] for c in changes},
            after={c["row"]: c["after"] for c in changes},
        )
    return len(changes)


@transaction.atomic
def draft_row_assign(
    *,
    actor: User | None,
    draft: DecompositionDraft,
    row_id: str,
    post: LeaderPost | None,
    lead_unit: Unit | None,
    co_units: list[Unit],
) -> dict:
    """三定 of one row exactly as given (blank clears), as the row's own selects send it."""
    _require(actor)
    draft = _locked(draft)
    kind, row = _find(draft, row_id)
    if kind != COMMITMENT:
        raise ServiceError(row_error("unknown_field"), code="unknown_field")
    if row.get("task"):
        raise ServiceError(row_error("accepted"), code="accepted")
    if lead_unit is not None and lead_unit in co_units:
        raise ServiceError(row_error("lead_in_co_units"), field="co_units", code="lead_in_co_units")
    before = {"post": row.get("post"), "lead": row.get("lead"), "co_units": list(row.get("co_units") or [])}
    after = {
        "post": post.pk if post else None,
        "lead": lead_unit.pk if lead_unit else None,
        "co_units": sorted(u.pk for u in co_units),
    }
    if before == after:
        return row
    row.update(after)
    _save(draft, actor, "commitments")
    audit_record(
        actor=actor,
        verb="decomposition.assign",
        obj=draft,
        before={row_id: before},
        after={row_id: after},
    )
    return row


@transaction.atomic
def draft_row_delete(*, actor: User | None, draft: DecompositionDraft, row_id: str) -> None:
    """Drop a false positive from the proposal."""
    _require(actor)
    draft = _locked(draft)
    kind, row = _find(draft, row_id)
    if row.get("task") or row.get("value_id"):
        raise ServiceError(row_error("accepted"), code="accepted")
    if kind == COMMITMENT:
        draft.commitments = [r for r in draft.commitments if r["id"] != row_id]
    else:
        draft.achievements = [r for r in draft.achievements if r["id"] != row_id]
    draft.state = _state(draft)
    _save(draft, actor, "commitments", "achievements", "state")
    audit_record(
        actor=actor,
        verb="decomposition.row_delete",
        obj=draft,
        before={"row": row_id, "kind": kind, "quote": row["quote"]},
    )


@transaction.atomic
def draft_row_add(*, actor: User | None, draft: DecompositionDraft, kind: str, start: int, end: int) -> dict:
    """Add an item the extractor missed, from text the office selected in the document."""
    _require(actor)
    draft = _locked(draft)
    row_id = f"{rows_mod.PREFIX.get(kind, 'x')}{draft.next_row}"
    try:
        row = rows_mod.row_from_selection(
            draft.text,
            start,
            end,
            kind=kind,
            plan_year=draft.plan.year,
            row_id=row_id,
            commitments=draft.commitments,
        )
    except rows_mod.RowError as exc:
        raise _row_error(exc)
    rows = draft.commitments if kind == COMMITMENT else draft.achievements
    rows.append(row)
    rows.sort(key=lambda r: (r["start"], r["end"]))
    draft.next_row += 1
    draft.state = DecompositionDraft.State.REVIEW
    _save(draft, actor, "commitments", "achievements", "next_row", "state")
    audit_record(
        actor=actor,
        verb="decomposition.row_add",
        obj=draft,
        after={"row": row_id, "kind": kind, "quote": row["quote"], "start": row["start"]},
    )
    return row


# --- accepting -------------------------------------------------------------------------------------


@dataclass
class AcceptOutcome:
    tasks_created: int = 0
    tasks_existing: int = 0
    values_created: int = 0
    values_existing: int = 0
    areas_created: list[str] = field(default_factory=list)
    # commitment rows left in the draft because they still miss something (三定, target, area …)
    rows_remaining: int = 0
    remaining_problems: list[rows_mod.RowProblem] = field(default_factory=list)


class AcceptRefused(ServiceError):
    """Rows that cannot be accepted as they are; nothing was written."""

    def __init__(self, problems: list[rows_mod.RowProblem]) -> None:
        super().__init__(
            _("Nothing was accepted: %(n)d problems in the rows marked below.") % {"n": len(problems)},
            code="rows_invalid",
        )
        self.problems = problems


def _check_rows(draft: DecompositionDraft) -> list[rows_mod.RowProblem]:
    year = draft.plan.year
    problems: list[rows_mod.RowProblem] = []
    posts = set(LeaderPost.objects.filter(is_active=True).values_list("pk", flat=True))
    units = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
    for row in draft.commitments:
        if row.get("task"):
            continue
        problems += rows_mod.commitment_problems(row, plan_year=year)
        if row.get("post") is not None and row["post"] not in posts:
            problems.append(rows_mod.RowProblem(row["id"], "post", "unknown_post"))
        if any(pk not in units for pk in [row.get("lead"), *(row.get("co_units") or [])] if pk is not None):
            problems.append(rows_mod.RowProblem(row["id"], "lead", "unknown_unit"))
    for row in draft.achievements:
        if not row.get("value_id"):
            problems += rows_mod.achievement_problems(row)
    return problems


def _plan_offsets(plan: Plan, draft: DecompositionDraft, actor: User | None) -> dict[str, int | None]:
    """Each row's offset in plan.source_text, which is what Task.source_offset points into.

    A plan without a text takes the draft's document as its text. A plan whose text is another
    version of the document (other line breaks) gets the offsets of the same quotes there.
    """
    if not plan.source_text.strip():
        plan_update(actor=actor, plan=plan, title=plan.title, source_text=draft.text, status=plan.status)
    offsets: dict[str, int | None] = {}
    for row in [*draft.commitments, *draft.achievements]:
        if plan.source_text == draft.text:
            offsets[row["id"]] = row["start"]
        else:
            offsets[row["id"]] = rows_mod.find_quote(plan.source_text, row["quote"], near=row["start"])
    return offsets


def _areas(plan: Plan, rows: list[dict], actor: User | None, outcome: AcceptOutcome) -> dict[str, PlanNode]:
    """Each new row's area node, by row id.

    An area the plan already has (by title, the first in tree order) is used as it is. A missing one is
    created along the row's heading path (一、… > (一)… > 1.…), reusing the levels that exist, so the
    plan tree keeps the document's hierarchy; a row whose area was chosen by hand and has no path
    gets a new top-level area.
    """
    by_title: dict[str, PlanNode] = {}
    children: dict[tuple[str, str], PlanNode] = {}  # (parent's tree path, title) → node

    def parent_path(node: PlanNode) -> str:
        return node.path[: -PlanNode.steplen]

    for node in plan.nodes.filter(kind=PlanNode.Kind.AREA).order_by("path"):
        by_title.setdefault(node.title.strip(), node)
        children.setdefault((parent_path(node), node.title.strip()), node)
    result: dict[str, PlanNode] = {}
    for row in sorted(rows, key=lambda r: r["start"]):
        title = row["area"].strip()
        if title in by_title:
            result[row["id"]] = by_title[title]
            continue
        path = [t.strip() for t in row.get("areas") or [] if t.strip()]
        if not path or path[-1] != title:
            path = [title]
        parent: PlanNode | None = None
        for level in path:
            found = children.get((parent.path if parent else "", level))
            found = found or (by_title.get(level) if parent is None else None)
            if found is None:
                found = node_add(actor=actor, plan=plan, parent=parent, title=level, kind=PlanNode.Kind.AREA)
                children[(parent.path if parent else "", level)] = found
                by_title.setdefault(level, found)
                outcome.areas_created.append(level)
            parent = found
        assert parent is not None  # the path has at least the row's own area
        result[row["id"]] = parent
    return result


def _milestone_lines(row: dict) -> list[MilestoneLine]:
    """A qualitative row (「上半年完成干熄焦改造」) is a task with one 节点: done or not done by its deadline."""
    if not row.get("milestone") or row.get("target_value") is not None:
        return []
    text = (row.get("object") or row["title"]).strip()[:200]
    return [MilestoneLine(date=date.fromisoformat(row["deadline"]), planned_value=None, description=text)]


@transaction.atomic
def draft_accept(*, actor: User | None, draft: DecompositionDraft) -> AcceptOutcome:
    """Create the tasks (under their areas, with quote and offset) and the indicator values.

    Partial: the commitment rows that are complete become tasks; the others stay in the draft and are
    counted in ``rows_remaining`` with what they miss. Nothing is written when no row is complete, or
    when an achievement row has a problem (achievements are still all or nothing).
    Idempotent: an item accepted before (same quote and occurrence, `AcceptedItem`) or a live task
    of the plan with the same quote is linked, never created again.
    """
    _require(actor)
    draft = _locked(draft)
    plan = Plan.objects.select_for_update().get(pk=draft.plan_id)
    _require_open(plan)
    problems = _check_rows(draft)
    commitment_ids = {row["id"] for row in draft.commitments}
    waiting = [p for p in problems if p.row_id in commitment_ids]
    incomplete = {p.row_id for p in waiting}
    open_rows = [r for r in draft.commitments if not r.get("task")]
    open_values = [r for r in draft.achievements if not r.get("value_id")]
    if len(waiting) < len(problems) or (incomplete and len(incomplete) == len(open_rows) and not open_values):
        raise AcceptRefused(problems)
    outcome = AcceptOutcome(rows_remaining=len(incomplete), remaining_problems=waiting)
    user = actor if getattr(actor, "is_authenticated", False) else None
    offsets = _plan_offsets(plan, draft, actor)
    accepted = {(i.kind, i.key): i for i in AcceptedItem.objects.filter(plan=plan).select_related("task")}
    tasks = _plan_tasks(plan)
    keys = rows_mod.item_keys(draft.commitments, COMMITMENT)
    # Each open row: the task it already is (accepted before, or entered another way), else None.
    found: dict[str, Task | None] = {}
    for row in draft.commitments:
        if not row.get("task") and row["id"] not in incomplete:
            item = accepted.get((COMMITMENT, keys[row["id"]]))
            task = item.task if item and item.task and not item.task.is_deleted else None
            found[row["id"]] = task or _matching_task(row, tasks)
    new_rows = [r for r in draft.commitments if r["id"] in found and found[r["id"]] is None]
    areas = _areas(plan, new_rows, actor, outcome)
    posts = {p.pk: p for p in LeaderPost.objects.all()}
    units = {u.pk: u for u in Unit.objects.all()}

    for row in draft.commitments:
        if row["id"] not in found:
            continue
        key = keys[row["id"]]
        item = accepted.get((COMMITMENT, key))
        task = found[row["id"]]
        if task is not None:
            outcome.tasks_existing += 1
        else:
            task = task_create(
                actor=actor,
                plan=plan,
                parent=areas[row["id"]],
                source_offset=offsets[row["id"]],
                data=TaskData(
                    title=row["title"],
                    deadline=date.fromisoformat(row["deadline"]),
                    target_value=None if row["target_value"] is None else Decimal(row["target_value"]),
                    target_unit=row["unit"],
                    object=row["object"],
                    modality=row["modality"],
                    source_quote=row["quote"],
                    responsible_post=posts[row["post"]],
                    lead_unit=units[row["lead"]],
                    co_units=[units[pk] for pk in row.get("co_units") or []],
                    milestones=_milestone_lines(row),
                ),
            )
            outcome.tasks_created += 1
        if item is None:
            AcceptedItem.objects.create(
                plan=plan, kind=COMMITMENT, key=key, quote=row["quote"], task=task, accepted_by=user
            )
        elif item.task_id != task.pk:
            item.task = task
            item.save(update_fields=["task"])
        row["task"] = task.pk

    conflicts: list[rows_mod.RowProblem] = []
    keys = rows_mod.item_keys(draft.achievements, ACHIEVEMENT)
    for row in draft.achievements:
        if row.get("value_id"):
            continue
        key = keys[row["id"]]
        value = _indicator_value(row, plan, offsets[row["id"]], actor, outcome)
        if value is None:
            conflicts.append(rows_mod.RowProblem(row["id"], "value", "value_conflict"))
            continue
        AcceptedItem.objects.update_or_create(
            plan=plan,
            kind=ACHIEVEMENT,
            key=key,
            defaults={"quote": row["quote"], "indicator_value": value, "accepted_by": user},
        )
        row["value_id"] = value.pk
    if conflicts:
        raise AcceptRefused(conflicts)  # rolls back the whole accept

    draft.state = _state(draft)
    _save(draft, actor, "commitments", "achievements", "state")
    audit_record(
        actor=actor,
        verb="decomposition.accept",
        obj=plan,
        after={
            "tasks_created": outcome.tasks_created,
            "tasks_existing": outcome.tasks_existing,
            "values_created": outcome.values_created,
            "values_existing": outcome.values_existing,
            "areas_created": outcome.areas_created,
            "rows_remaining": outcome.rows_remaining,
        },
    )
    return outcome


def _indicator_value(row: dict, plan: Plan, offset: int | None, actor: User | None, outcome: AcceptOutcome):
    """The indicator value for an achievement row (the series is extended by indicators.figure_accept):
    created, or the same one found; None on a different value."""
    figure = DocumentFigure(
        name=row["indicator"],
        unit=row["unit"],
        value=Decimal(row["value"]),
        period=row["period"],
        estimate=bool(row["estimate"]),
        quote=row["quote"],
        plan=plan,
        offset=offset,
    )
    result = figure_accept(actor=actor, figure=figure)
    if result.value is not None:
        if result.created:
            outcome.values_created += 1
        else:
            outcome.values_existing += 1
    return result.value
