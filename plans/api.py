"""REST API for plans and tasks: the same selectors, services and access rules as the pages."""

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from accounts.roles import Perm
from audit.services import audit_record
from core.api import NOT_SENT, Encoded, In, Out, require_api_perm
from core.errors import ServiceError
from core.jobs import JobOut, job_out, job_start
from core.replica import replica_reads
from core.xlsx import XLSX_MIME
from notifications.selectors import followed_ids, follower_count
from org.models import LeaderPost, Unit
from plans import follows, services, treepath
from plans.jobs import KIND, job_params
from plans.ledger import build_task_ledger_xlsx
from plans.milestones import MilestoneLine
from plans.models import Plan, PlanNode, Task
from plans.selectors import (
    TaskFilter,
    area_titles,
    ledger_stream,
    plan_get_for_user,
    plan_list,
    plan_tree,
    task_get_for_user,
    task_history_rows,
    task_list,
    task_relations,
)
from reports.api import ReportOut, StatusOut, report_out, status_out
from reports.selectors import DAY_STATUS_FIELDS, task_reports, tasks_with_status, tasks_with_status_counted
from reports.snapshots import lights_on, statuses_on

router = Router(tags=["plans and tasks"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


class PlanOut(Out):
    id: int
    year: int
    title: str
    status: str
    task_count: int = 0


class NodeOut(Out):
    id: int
    parent_path: str
    path: str
    depth: int
    kind: str
    title: str
    task_id: int | None
    task_count: int
    tags: list[str]


class Ref(Out):
    id: int
    name: str


class MilestoneIO(Out):
    """Read and written: as input its lengths are the Milestone columns'; In's rules check it inside TaskIn."""

    date: date
    planned_value: float | None = None
    description: str = Field("", max_length=200)


class TaskOut(Out):
    id: int
    plan_id: int
    code: str
    title: str
    object: str
    target_value: float | None
    target_unit: str
    start_date: date
    deadline: date
    modality: str
    source_quote: str
    measures: str
    responsible_post: Ref | None
    lead_unit: Ref | None
    co_units: list[Ref]
    area: str
    milestones: list[MilestoneIO]
    baseline_target_value: float | None
    baseline_deadline: date | None
    version: int


class TaskListItem(TaskOut):
    status: str
    light: str


class TaskPage(Out):
    count: int
    page: int
    page_size: int
    as_of: date
    results: list[TaskListItem]


class HistoryChangeOut(Out):
    field: str
    old: str
    new: str


class HistoryOut(Out):
    at: datetime
    user: str
    verb: str
    changes: list[HistoryChangeOut]


class TaskDetailOut(TaskOut):
    """The task page's content: the task, where it stands, its report history and change history."""

    status: StatusOut
    reports: list[ReportOut]
    history: list[HistoryOut]


class TaskFilterIn(In):
    plan: int | None = None
    node: int | None = None
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
    status: str = Field(
        "", description="Status as of `as_of` (not_started, on_track, lagging, overdue, done, missing)."
    )
    light: str = Field("", description="Shown light as of `as_of` (green, yellow, red).")
    as_of: date | None = Field(None, description="Default: today.")
    page: int = Field(1, ge=1)
    page_size: int = Field(50, ge=1, le=200)


class TaskIn(In):
    plan_id: int
    parent_id: int
    title: str = Field(..., min_length=1, max_length=300)
    code: str = Field("", max_length=30)
    target_value: Decimal | None = Field(None, ge=0)
    target_unit: str = Field("", max_length=20)
    object: str = Field("", max_length=200)
    start_date: date | None = None
    deadline: date
    modality: Task.Modality = Task.Modality.MUST
    responsible_post_id: int
    lead_unit_id: int
    co_unit_ids: list[int] = []
    milestones: list[MilestoneIO] = []
    measures: str = ""
    source_quote: str = ""


class TaskPatch(In):
    """Only the fields sent change. Columns that cannot be empty are typed without None: `null` is a 422."""

    version: int = Field(..., description="The version you read; a stale version is refused with 409.")
    title: str = Field(NOT_SENT, min_length=1, max_length=300)
    target_value: Decimal | None = Field(None, ge=0)
    target_unit: str = Field(NOT_SENT, max_length=20)
    object: str = Field(NOT_SENT, max_length=200)
    start_date: date | None = None
    deadline: date = NOT_SENT
    modality: Task.Modality = NOT_SENT
    responsible_post_id: int | None = None
    lead_unit_id: int | None = None
    co_unit_ids: list[int] = NOT_SENT
    milestones: list[MilestoneIO] = NOT_SENT
    measures: str = NOT_SENT
    source_quote: str = NOT_SENT


class ChangeRequestIn(In):
    new_target_value: Decimal | None = Field(None, ge=0)
    new_deadline: date
    reason: str = Field(..., min_length=1, max_length=2000)


class ChangeRequestOut(Out):
    id: int
    task_id: int
    status: str
    old_target_value: float | None
    new_target_value: float | None
    old_deadline: date
    new_deadline: date
    reason: str


class ErrorOut(Out):
    detail: str
    field: str | None = None


class ConflictOut(Out):
    detail: str
    changes: list[dict]


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


_TASK_FIELDS = (
    "pk", "plan_id", "node__path", "code", "node__title", "object", "target_value", "target_unit", "start_date",
    "deadline", "modality", "source_quote", "measures", "responsible_post_id", "responsible_post__title",
    "lead_unit_id", "lead_unit__name", "baseline_target_value", "baseline_deadline", "version",
)  # fmt: skip


def task_outs(tasks: QuerySet[Task], *, extra: dict[str, str] | None = None) -> list[dict]:
    """TaskOut dicts for the tasks, in the queryset's order, from value rows: no model instances
    (building and prefetching them was half the time of a 50-task page). Four queries.
    `extra`: output key → annotation of the queryset, added to each dict."""
    keys, annotations = zip(*extra.items(), strict=True) if extra else ((), ())
    values = list(tasks.prefetch_related(None).values_list(*_TASK_FIELDS, *annotations))
    rows = [row[: len(_TASK_FIELDS)] for row in values]
    extras = [dict(zip(keys, row[len(_TASK_FIELDS) :], strict=True)) for row in values]
    co_units, milestones = task_relations([r[0] for r in rows])
    areas = area_titles([(r[0], r[1], r[2]) for r in rows])
    return [
        {
            "id": pk,
            "plan_id": plan_id,
            "code": code,
            "title": title,
            "object": obj,
            "target_value": _float(target_value),
            "target_unit": target_unit,
            "start_date": start_date,
            "deadline": deadline,
            "modality": modality,
            "source_quote": source_quote,
            "measures": measures,
            "responsible_post": {"id": post_id, "name": post_title} if post_id else None,
            "lead_unit": {"id": unit_id, "name": unit_name} if unit_id else None,
            "co_units": [{"id": unit_id, "name": name} for unit_id, name in co_units[pk]],
            "area": areas.get(pk, ""),
            "milestones": [
                {"date": m.date, "planned_value": _float(m.planned_value), "description": m.description}
                for m in milestones[pk]
            ],
            "baseline_target_value": _float(baseline_target),
            "baseline_deadline": baseline_deadline,
            "version": version,
            **more,
        }
        for (pk, plan_id, _path, code, title, obj, target_value, target_unit, start_date, deadline, modality,
             source_quote, measures, post_id, post_title, unit_id, unit_name, baseline_target, baseline_deadline,
             version), more in zip(rows, extras, strict=True)
    ]  # fmt: skip


def task_out(task: Task) -> dict:
    """One task as TaskOut (read again, so it shows what was just saved)."""
    return task_outs(Task.objects.filter(pk=task.pk))[0]


def _milestones(items: list[MilestoneIO]) -> list[MilestoneLine]:
    return [
        MilestoneLine(m.date, None if m.planned_value is None else Decimal(str(m.planned_value)), m.description)
        for m in items
    ]


def _get(model, pk: int | None, field: str):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(_("Unknown id %(id)s.") % {"id": pk}, field=field)
    return obj


@router.get("/plans", response=list[PlanOut])
def plans(request):
    require_api_perm(request, *READ)
    return list(plan_list(request.user))


@router.get("/plans/{plan_id}/tree", response=list[NodeOut])
def plan_tree_api(request, plan_id: int):
    """The plan's nodes in tree order, with visible task counts per subtree."""
    require_api_perm(request, *READ)
    plan = plan_get_for_user(request.user, plan_id)
    return [
        {
            "id": r.node.pk,
            "path": r.node.path,
            "parent_path": treepath.parent_path(r.node.path),
            "depth": r.depth,
            "kind": r.node.kind,
            "title": r.node.title,
            "task_id": r.task.pk if r.task else None,
            "task_count": r.task_count,
            "tags": [t.name for t in r.node.tags.all()],
        }
        for r in plan_tree(plan, request.user)
    ]


TASK_PAGE_JSON = Encoded(TaskPage)


@router.get("/tasks", response=TaskPage)
def tasks(request, filters: Query[TaskFilterIn]):
    """Tasks the caller may read, with the task list page's filters; paginated."""
    require_api_perm(request, *READ)
    values = filters.dict()
    page_number, page_size = values.pop("page"), values.pop("page_size")
    as_of = values.pop("as_of") or timezone.localdate()
    wanted = {"status": values.pop("status"), "light": values.pop("light")}
    qs, count = task_list(request.user, TaskFilter(**values)), None
    filtered = bool(wanted["status"] or wanted["light"])
    if filtered:
        qs, count = tasks_with_status_counted(qs, as_of, **wanted)
    paginator = Paginator(qs, page_size)
    if count is not None:
        paginator.count = count  # counted with the missing-row check, one query for both
    page = paginator.get_page(page_number)
    assert isinstance(page.object_list, QuerySet)  # a page of a queryset is a sliced queryset
    # Filtered by status: the page's rows were joined to the day's stored row, which carries both.
    items = task_outs(page.object_list, extra=DAY_STATUS_FIELDS if filtered else {})
    if not filtered:
        lights = lights_on(as_of, [t["id"] for t in items])
        for t in items:
            t["status"], t["light"] = lights[t["id"]]
    body = {"count": paginator.count, "page": page.number, "page_size": page_size, "as_of": as_of, "results": items}
    # ninja's own encoding was ~10 % of the call (core.api.Encoded).
    return HttpResponse(TASK_PAGE_JSON(body), content_type="application/json; charset=utf-8")


@router.get("/tasks/ledger.xlsx")
def task_ledger_export(request, filters: Query[TaskFilterIn]):
    """The task ledger (任务分解表) of the tasks the list would show with these filters, as .xlsx (all pages)."""
    require_api_perm(request, *READ)
    values = filters.dict()
    values.pop("page"), values.pop("page_size")
    as_of = values.pop("as_of") or timezone.localdate()
    wanted = {"status": values.pop("status"), "light": values.pop("light")}
    with replica_reads():  # a read replica when configured (core/replica.py)
        tasks = tasks_with_status(task_list(request.user, TaskFilter(**values)), as_of, **wanted)
        content = build_task_ledger_xlsx(ledger_stream(tasks))
    audit_record(actor=request.user, verb="task.export", object_type="plans.task", after=filters.dict())
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="task-ledger-{stamp}.xlsx"'
    return response


@router.post("/tasks/ledger-jobs", response={202: JobOut, 400: ErrorOut, 403: ErrorOut})
def task_ledger_job(request, filters: Query[TaskFilterIn]):
    """The same ledger as `GET /tasks/ledger.xlsx`, built by a queue worker: 202 with the job; poll
    `GET /jobs/{id}` for its progress, then fetch `file_url` (a city's 20 000 tasks take seconds)."""
    require_api_perm(request, *READ)
    values = filters.dict()
    values.pop("page"), values.pop("page_size")
    as_of, status, light = values.pop("as_of"), values.pop("status"), values.pop("light")
    params = job_params(TaskFilter(**values), as_of=as_of, status=status, light=light)
    job = job_start(actor=request.user, kind=KIND, params=params)
    return Status(202, job_out(job))


@router.get("/tasks/{task_id}", response=TaskDetailOut)
def task_detail(request, task_id: int, as_of: date | None = None):
    """The task with its status as of `as_of` (default today), its report history and its change history."""
    require_api_perm(request, *READ)
    task = task_get_for_user(request.user, task_id)
    day = as_of or timezone.localdate()
    return {
        **task_out(task),
        "status": status_out(task, day, statuses_on(day, [task])[task.pk]),
        "reports": [report_out(r) for r in task_reports(task, people=False)],
        "history": [
            {
                "at": row.event.at,
                "user": row.event.actor_username,
                "verb": row.event.verb,
                "changes": [{"field": f, "old": old, "new": new} for f, old, new in row.changes],
            }
            for row in task_history_rows(task)
        ],
    }


@router.post("/tasks", response={201: TaskOut, 400: ErrorOut, 403: ErrorOut})
def task_create(request, payload: TaskIn):
    require_api_perm(request, Perm.PLAN_EDIT)
    plan = plan_get_for_user(request.user, payload.plan_id, write=True)
    parent = get_object_or_404(PlanNode, pk=payload.parent_id, plan=plan)
    data = services.TaskData(
        title=payload.title,
        deadline=payload.deadline,
        start_date=payload.start_date,
        target_value=payload.target_value,
        target_unit=payload.target_unit,
        object=payload.object,
        modality=payload.modality,
        measures=payload.measures,
        source_quote=payload.source_quote,
        responsible_post=_get(LeaderPost, payload.responsible_post_id, "responsible_post_id"),
        lead_unit=_get(Unit, payload.lead_unit_id, "lead_unit_id"),
        co_units=[_get(Unit, pk, "co_unit_ids") for pk in payload.co_unit_ids],
        milestones=_milestones(payload.milestones),
    )
    task = services.task_create(actor=request.user, plan=plan, parent=parent, data=data, code=payload.code)
    return Status(201, task_out(task))


_PATCH_PLAIN = ("title", "deadline", "start_date", "target_value", "target_unit", "object", "modality", "measures",
               "source_quote")  # fmt: skip


def _task_data(task: Task) -> services.TaskData:
    """The task as it stands, so a PATCH starts from every current value (weight and tags included)."""
    return services.TaskData(
        title=task.node.title,
        deadline=task.deadline,
        start_date=task.start_date,
        target_value=task.target_value,
        target_unit=task.target_unit,
        object=task.object,
        modality=task.modality,
        measures=task.measures,
        source_quote=task.source_quote,
        responsible_post=task.responsible_post,
        lead_unit=task.lead_unit,
        co_units=list(task.co_units.all()),
        milestones=[MilestoneLine(m.date, m.planned_value, m.description) for m in task.milestones.all()],
        tags=None,
        weight=task.weight,
    )


@router.patch("/tasks/{task_id}", response={200: TaskOut, 400: ErrorOut, 409: ConflictOut})
def task_patch(request, task_id: int, payload: TaskPatch):
    """Change some fields; `version` must be the one you read (optimistic concurrency)."""
    require_api_perm(request, Perm.PLAN_EDIT)
    task = task_get_for_user(request.user, task_id, write=True)
    given = payload.dict(exclude_unset=True)
    changes: dict = {key: given[key] for key in _PATCH_PLAIN if key in given}
    if "responsible_post_id" in given:
        changes["responsible_post"] = _get(LeaderPost, given["responsible_post_id"], "responsible_post_id")
    if "lead_unit_id" in given:
        changes["lead_unit"] = _get(Unit, given["lead_unit_id"], "lead_unit_id")
    if "co_unit_ids" in given:
        changes["co_units"] = [_get(Unit, pk, "co_unit_ids") for pk in given["co_unit_ids"]]
    if "milestones" in given:
        changes["milestones"] = _milestones(payload.milestones)
    data = dataclasses.replace(_task_data(task), **changes)
    try:
        task = services.task_update(actor=request.user, task=task, data=data, expected_version=payload.version)
    except services.VersionConflict as exc:
        return Status(409, {"detail": exc.message, "changes": exc.changes})
    return Status(200, task_out(task))


@router.post("/tasks/{task_id}/change-requests", response={201: ChangeRequestOut, 400: ErrorOut, 403: ErrorOut})
def change_request_create(request, task_id: int, payload: ChangeRequestIn):
    """申请调整: ask to change target or deadline of a task in an active plan."""
    require_api_perm(request, *READ)
    task = task_get_for_user(request.user, task_id)
    if task.plan.status == Plan.Status.DRAFT:
        raise ServiceError(_("The plan is still a draft: edit the task directly."), code="draft")
    cr = services.change_request_create(
        actor=request.user,
        task=task,
        new_target_value=payload.new_target_value,
        new_deadline=payload.new_deadline,
        reason=payload.reason,
    )
    return Status(
        201,
        {
            "id": cr.pk,
            "task_id": task.pk,
            "status": cr.status,
            "old_target_value": _float(cr.old_target_value),
            "new_target_value": _float(cr.new_target_value),
            "old_deadline": cr.old_deadline,
            "new_deadline": cr.new_deadline,
            "reason": cr.reason,
        },
    )


class FollowOut(Out):
    task_id: int
    following: bool
    followers: int


# Following a task: tagged and named as when notifications served it, so the API reads the same.
@router.get(
    "/tasks/{task_id}/follow",
    response=FollowOut,
    tags=["notifications"],
    operation_id="notifications_api_follow_state",
)
def follow_state(request, task_id: int):
    require_api_perm(request, *READ)
    task = task_get_for_user(request.user, task_id)
    return {
        "task_id": task.pk,
        "following": task.pk in followed_ids(request.user, Task),
        "followers": follower_count(task),
    }


@router.post(
    "/tasks/{task_id}/follow",
    response={201: FollowOut, 403: ErrorOut, 404: ErrorOut},
    tags=["notifications"],
    operation_id="notifications_api_follow_create",
)
def follow_create(request, task_id: int):
    """Follow the task (idempotent): be notified when its progress, light or judgement changes."""
    require_api_perm(request, *READ)
    task = task_get_for_user(request.user, task_id)
    follows.follow_set(actor=request.user, task=task, follow=True)
    return Status(201, {"task_id": task.pk, "following": True, "followers": follower_count(task)})


@router.delete(
    "/tasks/{task_id}/follow",
    response={200: FollowOut, 403: ErrorOut, 404: ErrorOut},
    tags=["notifications"],
    operation_id="notifications_api_follow_delete",
)
def follow_delete(request, task_id: int):
    """Stop following the task (idempotent)."""
    require_api_perm(request, *READ)
    task = task_get_for_user(request.user, task_id)
    follows.follow_set(actor=request.user, task=task, follow=False)
    return {"task_id": task.pk, "following": False, "followers": follower_count(task)}
