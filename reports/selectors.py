"""Reads on reports, statuses, rollups and the cockpit, shared by pages, API and exports."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast
from django.http import Http404

from accounts.roles import Perm
from core.workcalendar import work_calendar
from org.models import LeaderPost, Unit
from plans.models import PlanNode, Task
from plans.selectors import STEPLEN, task_area_titles, task_scope
from reports import engine, rollup_cache
from reports.models import EvidenceFile, ProgressReport
from reports.snapshots import ensure_stored, statuses_stored
from reports.status import DueDates, task_levels, task_statuses


def _readable_reports(user) -> Q:
    """Reports in the user's task scope; a draft only by its own unit (until submitted it is the unit's
    working copy: the office and co-operating units see it only once submitted, as task_reports does)."""
    return Q(task__in=task_scope(user)) & (~Q(state=ProgressReport.State.DRAFT) | Q(unit_id=user.unit_id))


def report_get_for_user(user, pk: int) -> ProgressReport:
    """A report the user may read (else 404, no existence leak)."""
    try:
        return (
            ProgressReport.objects.select_related(
                "task", "task__node", "task__plan", "unit", "created_by", "approved_by"
            )
            .filter(_readable_reports(user))
            .get(pk=pk)
        )
    except ProgressReport.DoesNotExist as exc:
        raise Http404 from exc


def evidence_get_for_user(user, pk: int) -> EvidenceFile:
    """Evidence of a report the user may read (else 404)."""
    readable = ProgressReport.objects.filter(_readable_reports(user)).values("pk")
    try:
        return EvidenceFile.objects.select_related("report").filter(report__in=readable).get(pk=pk)
    except EvidenceFile.DoesNotExist as exc:
        raise Http404 from exc


def task_reports(task: Task, *, people: bool = True) -> QuerySet[ProgressReport]:
    """The report history of a task, every unit, newest period first, with evidence (and with who
    wrote and approved each report, unless `people=False`: the API does not show them)."""
    related = ("unit", "created_by", "approved_by") if people else ("unit",)
    return (
        task.reports.exclude(state=ProgressReport.State.DRAFT)
        .select_related(*related)
        .prefetch_related("evidence")
        .order_by("-period_end", "-is_lead", "unit__sort_key")
    )


@dataclass
class InboxRow:
    """One line of 我的填报: a task, the period to report, its due date and my unit's report for it."""

    task: Task
    period: engine.ReportingPeriod
    report: ProgressReport | None
    is_lead: bool
    overdue: bool  # the due date has passed without a submission


def reporting_inbox(user, today: date, *, look_back: int = 4) -> list[InboxRow]:
    """Tasks my unit reports on: the current period, and recent past periods still not submitted."""
    if not user.unit_id or not (user.has_luoshi_perm(Perm.REPORT_DRAFT) or user.has_luoshi_perm(Perm.REPORT_APPROVE)):
        return []
    tasks = list(
        Task.objects.alive()
        .filter(
            Q(lead_unit_id=user.unit_id) | Q(co_units=user.unit_id), verified_on__isnull=True, plan__status="active"
        )
        .distinct()
        .with_plan("node", "lead_unit")
        .order_by("deadline", "code")
    )
    reports = {
        (r.task_id, r.period_end): r
        for r in ProgressReport.objects.filter(
            task__in=tasks, unit_id=user.unit_id, period_end__gte=date(today.year - 1, 1, 1)
        )
    }
    dues = DueDates(work_calendar())
    levels = task_levels(tasks)
    rows: list[InboxRow] = []
    for task in tasks:
        periods = dues.periods(task.plan, levels[task.pk], min(task.start_date, task.deadline), task.deadline)
        past = [p for p in periods if p.due < today][-look_back:]
        for period in past:
            report = reports.get((task.pk, period.end))
            if report is None or report.first_submitted_at is None:
                rows.append(InboxRow(task, period, report, task.lead_unit_id == user.unit_id, True))
        upcoming = next((p for p in periods if p.due >= today), None)
        if upcoming is not None:
            rows.append(
                InboxRow(task, upcoming, reports.get((task.pk, upcoming.end)), task.lead_unit_id == user.unit_id, False)
            )
    rows.sort(key=lambda r: (r.period.due, r.task.code))
    return rows


def approval_queue(user) -> QuerySet[ProgressReport]:
    if not user.has_luoshi_perm(Perm.REPORT_APPROVE) or not user.unit_id:
        return ProgressReport.objects.none()
    return (
        ProgressReport.objects.filter(unit_id=user.unit_id, state=ProgressReport.State.SUBMITTED)
        .select_related("task", "task__node", "created_by")
        .prefetch_related("evidence")
        .order_by("due_date", "task__code")
    )


# --- statuses in lists -----------------------------------------------------------------------------


def statuses_for(tasks: list[Task], as_of: date) -> dict[int, engine.StatusResult]:
    """Statuses of a page of tasks, from stored rows (reports.snapshots), computed where missing."""
    return statuses_stored(tasks, as_of)


def filter_by_status(
    tasks: list[Task], statuses: dict[int, engine.StatusResult], *, status: str = "", light: str = ""
) -> list[Task]:
    return [
        t
        for t in tasks
        if (not status or statuses[t.pk].status.value == status) and (not light or statuses[t.pk].light.value == light)
    ]


def tasks_with_status(tasks: QuerySet[Task], as_of: date, *, status: str = "", light: str = "") -> QuerySet[Task]:
    """The tasks whose status (and/or shown light) as of the date is the one asked for, filtered in SQL.

    The day's stored rows of these tasks are filled first where missing, so the filter is exact.
    Served by the index (day, status, light) of reports.StatusSnapshot.
    """
    if not status and not light:
        return tasks
    ensure_stored(tasks, as_of)
    condition = {"stored_statuses__day": as_of}
    if status:
        condition["stored_statuses__status"] = status
    if light:
        condition["stored_statuses__light"] = light
    return tasks.filter(**condition)


# --- rollups and the cockpit -------------------------------------------------------------------------

ROLLUP_KINDS = ("unit", "area", "leader", "block", "industry")
# Rollups grouped in SQL over the stored rows; the others need each task's place in the plan tree.
SQL_KEYS = {"unit": ("lead_unit_id", Unit, "name"), "leader": ("responsible_post_id", LeaderPost, "title")}


def _all_tasks(user) -> list[Task]:
    return list(
        task_scope(user)
        .filter(plan__status__in=["active", "closed"])
        .with_plan("node", "lead_unit", "responsible_post")
        .prefetch_related(Prefetch("node__tags"))
    )


def _rollup_scope(user) -> QuerySet[Task]:
    """The tasks rollups count: the user's scope in active and closed plans, one row per task."""
    return task_scope(user).filter(plan__status__in=["active", "closed"]).order_by()


def _tag_paths(kind: str) -> dict[str, list[str]]:
    """Tag name → paths of the nodes carrying it (a tag applies to the whole subtree)."""
    paths: dict[str, list[str]] = defaultdict(list)
    for path, name in PlanNode.objects.filter(tags__kind=kind).values_list("path", "tags__name"):
        paths[name].append(path)
    return paths


def group_keys(tasks: list[Task], by: str) -> dict[int, list[str]]:
    """The groups each task belongs to under a rollup dimension (a task may sit in several blocks)."""
    if by == "unit":
        return {t.pk: [t.lead_unit.name if t.lead_unit else "—"] for t in tasks}
    if by == "leader":
        return {t.pk: [t.responsible_post.title if t.responsible_post else "—"] for t in tasks}
    if by == "area":
        areas = task_area_titles(tasks)
        return {t.pk: [areas.get(t.pk, "—")] for t in tasks}
    if by in ("block", "industry"):
        kind = {"block": "block", "industry": "industry"}[by]
        tagged = _tag_paths(kind)
        return {
            t.pk: [name for name, paths in tagged.items() if any(t.node.path.startswith(p) for p in paths)]
            for t in tasks
        }
    raise ValueError(by)


@dataclass
class RollupRow:
    key: str
    rollup: engine.GroupRollup
    late_reports: int = 0

    @property
    def lagging(self) -> int:
        return self.rollup.by_status[engine.Status.LAGGING] + self.rollup.by_status[engine.Status.OVERDUE]


def _with_day(tasks: QuerySet[Task], as_of: date) -> QuerySet[Task]:
    return tasks.annotate(s=FilteredRelation("stored_statuses", condition=Q(stored_statuses__day=as_of)))


def _stored_groups(tasks: QuerySet[Task], key: str, as_of: date) -> list[dict]:
    """One SQL GROUP BY over the day's stored rows: per group, counts by status and light, weights, completion.

    Grouped by an integer id with conditional counts (one output row per group), so PostgreSQL
    hashes ids instead of sorting 20 000 Chinese names; names are looked up afterwards.
    """
    weighted = ExpressionWrapper(Cast("weight", FloatField()) * F("s__completion"), output_field=FloatField())
    counts = {f"status_{v}": Count("pk", filter=Q(s__status=v)) for v in engine.Status}
    counts |= {f"light_{v}": Count("pk", filter=Q(s__light=v)) for v in engine.Light}
    counts |= {f"computed_{v}": Count("pk", filter=Q(s__computed_light=v)) for v in engine.Light}
    counts |= {"late": Count("pk", filter=Q(s__late=True)), "missing": Count("pk", filter=Q(s__status__isnull=True))}
    for _attempt in range(2):
        rows = list(
            _with_day(tasks, as_of)
            .values(key)
            .annotate(n=Count("pk"), w=Sum("weight"), wc=Sum(weighted), first=Min("code"), **counts)
            .order_by()
        )
        if not any(r["missing"] for r in rows):
            return rows
        ensure_stored(tasks, as_of)  # a task without a row for the day: compute it, then group again
    return rows


def _rollup_row(key: str, r: dict) -> RollupRow:
    group = engine.GroupRollup(
        count=r["n"],
        by_status={v: r[f"status_{v}"] for v in engine.Status},
        by_light={v: r[f"light_{v}"] for v in engine.Light},
        by_computed_light={v: r[f"computed_{v}"] for v in engine.Light},
        total_weight=float(r["w"] or 0),
        weighted_completion_sum=r["wc"] or 0.0,
    )
    return RollupRow(key, group, r["late"])


def _rollup_rows(groups: dict[str, list[dict]]) -> list[RollupRow]:
    result = []
    for key, rows in groups.items():
        group, late = engine.GroupRollup(), 0
        for r in rows:
            group.count += r["n"]
            group.by_status[engine.Status(r["s__status"])] += r["n"]
            group.by_light[engine.Light(r["s__light"])] += r["n"]
            group.by_computed_light[engine.Light(r["s__computed_light"])] += r["n"]
            group.total_weight += float(r["w"] or 0)
            group.weighted_completion_sum += r["wc"] or 0.0
            late += r["n"] if r["s__late"] else 0
        result.append(RollupRow(key, group, late))
    return result


def _sql_rollups(tasks: QuerySet[Task], by: str, as_of: date) -> list[RollupRow]:
    key, model, label = SQL_KEYS[by]
    rows = _stored_groups(tasks, key, as_of)
    names = dict(model.objects.filter(pk__in=[r[key] for r in rows if r[key]]).values_list("pk", label))
    # Groups in order of their first task code, as the engine's rollup returns them for tasks in code order.
    rows.sort(key=lambda r: (r["first"], names.get(r[key], "")))
    # Unit names and post titles are unique, so each id is its own group ("—": no unit or post).
    return [_rollup_row(names.get(r[key], "—"), r) for r in rows]


def _tree_rollups(tasks: QuerySet[Task], by: str, as_of: date) -> list[RollupRow]:
    """Area, block and industry: each task's groups come from its place in the plan tree."""
    ensure_stored(tasks, as_of)
    rows = list(
        _with_day(tasks, as_of)
        .order_by("code", "pk")
        .values_list(
            "pk", "plan_id", "node__path", "weight", "s__status", "s__light", "s__computed_light", "s__late",
            "s__completion",
        )
    )  # fmt: skip
    if by == "area":
        areas = dict(
            PlanNode.objects.filter(plan_id__in={r[1] for r in rows}, kind=PlanNode.Kind.AREA).values_list(
                "path", "title"
            )
        )

        def keys(path: str) -> list[str]:
            for end in range(len(path) - STEPLEN, 0, -STEPLEN):
                if path[:end] in areas:
                    return [areas[path[:end]]]
            return ["—"]
    else:
        tagged = _tag_paths(by)

        def keys(path: str) -> list[str]:
            return [name for name, paths in tagged.items() if any(path.startswith(p) for p in paths)]

    groups: dict[str, list[dict]] = {}
    for _pk, _plan, path, weight, status, light, computed, late, completion in rows:
        w = float(weight)
        row = {"n": 1, "s__status": status, "s__light": light, "s__computed_light": computed, "s__late": late}
        row.update(w=w, wc=w * completion)
        for key in keys(path):
            groups.setdefault(key, []).append(row)
    return _rollup_rows(groups)


def _scope_rollups(user, by: str, as_of: date) -> list[RollupRow]:
    """The rollup of the user's whole scope, cached until the status epoch moves (reports.rollup_cache)."""

    def compute() -> list[RollupRow]:
        scope = _rollup_scope(user)
        return _sql_rollups(scope, by, as_of) if by in SQL_KEYS else _tree_rollups(scope, by, as_of)

    return rollup_cache.cached(rollup_cache.scope_key(user, as_of, by), compute)


def rollups(
    user,
    by: str,
    as_of: date,
    *,
    tasks: list[Task] | None = None,
    statuses: dict[int, engine.StatusResult] | None = None,
) -> list[RollupRow]:
    """Counts per status and light, weighted completion and late reports, per group.

    From the stored statuses of the day (reports.snapshots): one GROUP BY for units and leaders,
    one row per task for the tree-based groupings. Given `tasks` (and optionally their
    `statuses`), it computes over exactly those instead, with the engine's rollup.
    """
    if tasks is None:
        return _scope_rollups(user, by, as_of)
    statuses = statuses if statuses is not None else task_statuses(tasks, as_of)
    keys = group_keys(tasks, by)
    groups = engine.rollup((key, statuses[t.pk], float(t.weight)) for t in tasks for key in keys[t.pk])
    late = Counter()
    for t in tasks:
        result = statuses[t.pk]
        if engine.Reason.REPORT_LATE in result.reasons or engine.Reason.REPORT_MISSING in result.reasons:
            for key in keys[t.pk]:
                late[key] += 1
    return [RollupRow(str(key), group, late[key]) for key, group in groups.items()]


@dataclass
class Cockpit:
    as_of: date
    total: int
    by_light: dict[str, int]
    by_status: dict[str, int]
    areas: list[RollupRow]
    units: list[RollupRow]
    red: list[tuple[Task, engine.StatusResult]] = field(default_factory=list)
    overdue: list[tuple[Task, engine.StatusResult]] = field(default_factory=list)


# The cockpit lists the most pressing tasks (earliest deadlines); its counts link to the full task list.
# A city has thousands of red tasks: listing all of them took the page 5 s to build.
COCKPIT_LIST_LIMIT = 50


def _listed(tasks: QuerySet[Task], as_of: date, **condition) -> list[tuple[Task, engine.StatusResult]]:
    """Tasks whose stored row for the day matches, earliest deadline first, with their full results."""
    chosen = list(
        tasks.filter(stored_statuses__day=as_of, **{f"stored_statuses__{k}": v for k, v in condition.items()})
        .with_plan("node", "lead_unit")
        .order_by("deadline", "code")[:COCKPIT_LIST_LIMIT]
    )
    statuses = statuses_stored(chosen, as_of)
    return [(t, statuses[t.pk]) for t in chosen]


def cockpit(user, as_of: date) -> Cockpit:
    """领导驾驶舱: lights by area and unit, the unit league table, the red and overdue lists.

    Read from the day's stored statuses: a city's 20 000 tasks are grouped in SQL, not recomputed.
    """
    scope = _rollup_scope(user)
    units = list(_scope_rollups(user, "unit", as_of))  # fills the day's missing rows first
    areas = _scope_rollups(user, "area", as_of)
    # League table: completion first, then fewer lagging tasks, then fewer late reports.
    units.sort(key=lambda r: (-(r.rollup.weighted_completion or 0), r.lagging, r.late_reports, r.key))
    by_light, by_status = Counter(), Counter()
    for r in units:
        by_light.update({k.value: v for k, v in r.rollup.by_light.items()})
        by_status.update({k.value: v for k, v in r.rollup.by_status.items()})
    return Cockpit(
        as_of=as_of,
        total=sum(r.rollup.count for r in units),
        by_light={light.value: by_light.get(light.value, 0) for light in engine.Light},
        by_status={status.value: by_status.get(status.value, 0) for status in engine.Status},
        areas=areas,
        units=units,
        red=_listed(scope, as_of, light=engine.Light.RED.value),
        overdue=_listed(scope, as_of, status=engine.Status.OVERDUE.value),
    )


def node_rollups(nodes: list[PlanNode], tasks: list[Task], statuses: dict[int, engine.StatusResult]
                 ) -> dict[int, engine.GroupRollup]:  # fmt: skip
    """Per plan node: counts per status and light and weighted completion of the tasks in its subtree."""
    paths = [(t.node.path, statuses[t.pk], float(t.weight)) for t in tasks]
    result = {}
    for node in nodes:
        result[node.pk] = engine.rollup(("", s, w) for path, s, w in paths if path.startswith(node.path)).get(
            "", engine.GroupRollup()
        )
    return result
