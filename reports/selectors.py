"""Reads on reports, statuses, rollups and the cockpit, shared by pages, API and exports."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.roles import Perm
from core.workcalendar import work_calendar
from plans.models import PlanNode, Task
from plans.selectors import task_area_titles, task_scope
from reports import engine
from reports.models import EvidenceFile, ProgressReport
from reports.status import DueDates, task_levels, task_statuses


def report_get_for_user(user, pk: int) -> ProgressReport:
    """A report the user may read: its task must be in the user's scope (else 404)."""
    try:
        return (
            ProgressReport.objects.select_related(
                "task", "task__node", "task__plan", "unit", "created_by", "approved_by"
            )
            .filter(task__in=task_scope(user))
            .get(pk=pk)
        )
    except ProgressReport.DoesNotExist as exc:
        raise Http404 from exc


def evidence_get_for_user(user, pk: int) -> EvidenceFile:
    try:
        return EvidenceFile.objects.select_related("report").filter(report__task__in=task_scope(user)).get(pk=pk)
    except EvidenceFile.DoesNotExist as exc:
        raise Http404 from exc


def task_reports(task: Task) -> QuerySet[ProgressReport]:
    """The report history of a task, every unit, newest period first, with evidence."""
    return (
        task.reports.exclude(state=ProgressReport.State.DRAFT)
        .select_related("unit", "created_by", "approved_by")
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
        .select_related("node", "plan", "lead_unit")
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
    return task_statuses(tasks, as_of)


def filter_by_status(
    tasks: list[Task], statuses: dict[int, engine.StatusResult], *, status: str = "", light: str = ""
) -> list[Task]:
    return [
        t
        for t in tasks
        if (not status or statuses[t.pk].status.value == status) and (not light or statuses[t.pk].light.value == light)
    ]


# --- rollups and the cockpit -------------------------------------------------------------------------

ROLLUP_KINDS = ("unit", "area", "leader", "block", "industry")


def _all_tasks(user) -> list[Task]:
    return list(
        task_scope(user)
        .filter(plan__status__in=["active", "closed"])
        .select_related("node", "plan", "lead_unit", "responsible_post")
        .prefetch_related(Prefetch("node__tags"))
    )


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


def rollups(
    user,
    by: str,
    as_of: date,
    *,
    tasks: list[Task] | None = None,
    statuses: dict[int, engine.StatusResult] | None = None,
) -> list[RollupRow]:
    """Counts per status and light, and weighted completion (equal weights), per group."""
    tasks = tasks if tasks is not None else _all_tasks(user)
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


def cockpit(user, as_of: date) -> Cockpit:
    """领导驾驶舱: lights by area and unit, the unit league table, the red and overdue lists."""
    tasks = _all_tasks(user)
    statuses = task_statuses(tasks, as_of)
    areas = rollups(user, "area", as_of, tasks=tasks, statuses=statuses)
    units = rollups(user, "unit", as_of, tasks=tasks, statuses=statuses)
    # League table: completion first, then fewer lagging tasks, then fewer late reports.
    units.sort(key=lambda r: (-(r.rollup.weighted_completion or 0), r.lagging, r.late_reports, r.key))
    by_light = Counter(statuses[t.pk].light.value for t in tasks)
    by_status = Counter(statuses[t.pk].status.value for t in tasks)
    ordered = sorted(tasks, key=lambda t: (t.deadline, t.code))
    return Cockpit(
        as_of=as_of,
        total=len(tasks),
        by_light={light.value: by_light.get(light.value, 0) for light in engine.Light},
        by_status={status.value: by_status.get(status.value, 0) for status in engine.Status},
        areas=areas,
        units=units,
        red=[(t, statuses[t.pk]) for t in ordered if statuses[t.pk].light is engine.Light.RED],
        overdue=[(t, statuses[t.pk]) for t in ordered if statuses[t.pk].status is engine.Status.OVERDUE],
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
