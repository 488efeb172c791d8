"""Reads on reports, statuses, rollups and the cockpit, shared by pages, API and exports."""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import cast

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Length, Substr

from accounts.roles import Perm
from core import rows
from core.access import out_of_scope
from core.workcalendar import work_calendar
from org.models import LeaderPost, Unit
from plans import treepath
from plans.models import Milestone, Plan, PlanNode, Task, TaskQuerySet
from plans.selectors import plans_choose, task_scope
from reports import engine, intervals, rollup_cache
from reports.models import EvidenceFile, ProgressReport, StatusSnapshot
from reports.snapshots import ensure_stored, statuses_on
from reports.status import DueDates, current_period, task_input, task_levels, task_periods


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
        raise out_of_scope(ProgressReport, pk) from exc


def evidence_get_for_user(user, pk: int) -> EvidenceFile:
    """Evidence of a report the user may read (else 404)."""
    readable = ProgressReport.objects.filter(_readable_reports(user)).values("pk")
    try:
        return EvidenceFile.objects.select_related("report").filter(report__in=readable).get(pk=pk)
    except EvidenceFile.DoesNotExist as exc:
        raise out_of_scope(EvidenceFile, pk) from exc


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


@dataclass(frozen=True)
class ReportContext:
    """What the reporter and the head need beside a report: the plan for its period, the last approved
    value of the same unit before it, and the change between them (None where there is nothing to compare).
    `planned` is the task's planned cumulative value (engine.trajectory) at the period end: lead reports only,
    a co-operating unit reports its own contribution."""

    planned: float | None
    previous: Decimal | None
    previous_period_end: date | None
    change: Decimal | None


def report_contexts(reports: list[ProgressReport]) -> dict[int, ReportContext]:
    """ReportContext per report, in two queries for any number of reports (milestones, earlier approvals)."""
    if not reports:
        return {}
    task_ids = {r.task_id for r in reports}
    milestones: dict[int, list[engine.Milestone]] = defaultdict(list)
    rows = Milestone.objects.filter(task_id__in=task_ids, planned_value__isnull=False)
    for task_id, day, value in rows.values_list("task_id", "date", "planned_value"):
        assert value is not None  # the query excludes milestones without a planned value
        milestones[task_id].append(engine.Milestone(day, value))
    approved: dict[tuple[int, int], list[tuple[date, Decimal | None]]] = defaultdict(list)
    earlier = ProgressReport.objects.filter(
        task_id__in=task_ids,
        unit_id__in={r.unit_id for r in reports},
        state=ProgressReport.State.APPROVED,
        period_end__lt=max(r.period_end for r in reports),
    ).order_by("period_end")
    for task_id, unit_id, end, value in earlier.values_list("task_id", "unit_id", "period_end", "value"):
        approved[(task_id, unit_id)].append((end, value))
    result = {}
    for report in reports:
        task = report.task
        planned = None
        if report.is_lead:
            # A derived figure: two decimals are what anyone compares against.
            planned = round(engine.planned_on(task_input(task, milestones=milestones[task.pk]), report.period_end), 2)
        before = [(end, value) for end, value in approved[(report.task_id, report.unit_id)] if end < report.period_end]
        previous_end, previous = before[-1] if before else (None, None)
        change = report.value - previous if report.value is not None and previous is not None else None
        result[report.pk] = ReportContext(planned, previous, previous_end, change)
    return result


@dataclass
class InboxRow:
    """One line of 我的填报: a task, the period to report, its due date and my unit's report for it."""

    task: Task
    period: engine.ReportingPeriod
    report: ProgressReport | None
    is_lead: bool
    overdue: bool  # the due date has passed and nothing is with the head or approved

    @property
    def to_do(self) -> bool:
        """Something for my unit to write: no report yet, a draft, or a report the head returned."""
        return self.report is None or self.report.is_editable


def reporting_inbox(user, today: date, *, look_back: int = 4) -> list[InboxRow]:
    """Tasks my unit reports on: the current period (whatever its report's state), past periods not
    reported in the last `look_back` periods, and every draft or returned report whatever its age
    (the head sent it back: it stays until resubmitted). Submitted and approved past periods leave."""
    if not user.unit_id or not (user.has_luoshi_perm(Perm.REPORT_DRAFT) or user.has_luoshi_perm(Perm.REPORT_APPROVE)):
        return []
    tasks = list(
        Task.objects.alive()
        .filter(
            Q(lead_unit_id=user.unit_id) | Q(co_units=user.unit_id),
            verified_on__isnull=True,
            plan__status=Plan.Status.ACTIVE,
        )
        .distinct()
        .with_plan("node", "lead_unit")
        .order_by("deadline", "code")
    )
    dues = DueDates(work_calendar())
    levels = task_levels(tasks)
    periods = {t.pk: task_periods(t, levels[t.pk], dues) for t in tasks}
    recent = {pk: [p for p in ps if p.due < today][-look_back:] for pk, ps in periods.items()}
    ends = [p.end for ps in recent.values() for p in ps]
    ends += [p.end for pk, ps in periods.items() if (p := current_period(ps, today))]
    # Reports of the periods listed by date, plus open ones of any age (a period listed for its report).
    wanted = Q(state__in=[ProgressReport.State.DRAFT, ProgressReport.State.RETURNED])
    if ends:
        wanted |= Q(period_end__gte=min(ends))
    reports = {
        (r.task_id, r.period_end): r
        for r in ProgressReport.objects.filter(wanted, task__in=tasks, unit_id=user.unit_id)
    }
    rows: list[InboxRow] = []
    for task in tasks:
        is_lead = task.lead_unit_id == user.unit_id
        upcoming = current_period(periods[task.pk], today)
        recent_ends = {p.end for p in recent[task.pk]}
        for period in periods[task.pk]:
            if period is upcoming:
                rows.append(InboxRow(task, period, reports.get((task.pk, period.end)), is_lead, False))
                break
            report = reports.get((task.pk, period.end))
            if (report is None and period.end in recent_ends) or (report is not None and report.is_editable):
                rows.append(InboxRow(task, period, report, is_lead, True))
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


def filter_by_status(
    tasks: list[Task], statuses: dict[int, engine.StatusResult], *, status: str = "", light: str = ""
) -> list[Task]:
    return [
        t
        for t in tasks
        if (not status or statuses[t.pk].status.value == status) and (not light or statuses[t.pk].light.value == light)
    ]


def tasks_with_status(tasks: TaskQuerySet, as_of: date, *, status: str = "", light: str = "") -> TaskQuerySet:
    """The tasks whose status (and/or shown light) as of the date is the one asked for, filtered in SQL.

    The day's stored rows of these tasks are filled first where missing, so the filter is exact.
    Served by the index (day, status, light) of reports.StatusSnapshot.
    """
    if not status and not light:
        return tasks
    ensure_stored(tasks, as_of)
    return _status_filtered(tasks, as_of, status=status, light=light)


def tasks_with_status_counted(
    tasks: TaskQuerySet, as_of: date, *, status: str = "", light: str = ""
) -> tuple[TaskQuerySet, int]:
    """`tasks_with_status` (status or light given) and how many tasks it holds: the count and the
    missing-row check in one aggregate over the day's rows, so a list page whose rows are all stored
    (the usual case) pays one query for both instead of two."""
    assert status or light
    matching, missing = _day_counts(tasks, as_of, status=status, light=light)
    if missing:
        ensure_stored(tasks, as_of)
        matching, missing = _day_counts(tasks, as_of, status=status, light=light)
    return _status_filtered(tasks, as_of, status=status, light=light), matching


def _day_counts(tasks: TaskQuerySet, as_of: date, *, status: str, light: str) -> tuple[int, int]:
    """(tasks whose row for the day has this status/light, tasks with no row for the day).

    The tasks' own query (scope and filters) is compiled by the ORM; the count around it is fixed SQL
    (core.rows): the same aggregate through FilteredRelation and two filtered Counts cost 1.1 ms of
    Django work a call, this 0.4 ms (docs/performance.md, "Fixed-shape reads")."""
    using = tasks.db
    connection = connections[using]
    try:
        inner, inner_params = tasks.order_by().values_list("pk", flat=True).query.get_compiler(using).as_sql()
    except EmptyResultSet:
        return 0, 0
    quote = connection.ops.quote_name
    column = {name: quote(rows.field(StatusSnapshot, name).column) for name in ("id", "task", "day", "status", "light")}
    wanted, wanted_params = [], []
    for name, value in (("status", status), ("light", light)):
        if value:
            wanted.append(f"d.{column[name]} = %s")
            wanted_params.append(value)
    day = rows.field(StatusSnapshot, "day").get_db_prep_value(as_of, connection)
    sql = (
        f"SELECT COUNT(*) FILTER (WHERE {' AND '.join(wanted)}), COUNT(*) FILTER (WHERE d.{column['id']} IS NULL) "  # noqa: S608
        f"FROM ({inner}) t LEFT OUTER JOIN {quote(StatusSnapshot._meta.db_table)} d "
        f"ON d.{column['task']} = t.{quote('pk')} AND d.{column['day']} = %s"
    )
    [(matching, missing)] = rows.select_rows(sql, [*wanted_params, *inner_params, day], [None, None], using=using)
    return matching, missing


def _status_filtered(tasks: TaskQuerySet, as_of: date, *, status: str, light: str) -> TaskQuerySet:
    condition: dict[str, date | str] = {"stored_statuses__day": as_of}
    if status:
        condition["stored_statuses__status"] = status
    if light:
        condition["stored_statuses__light"] = light
    # The day's row is joined for the filter: its status and light come with it (the same join).
    return tasks.filter(**condition).annotate(
        day_status=F("stored_statuses__status"), day_light=F("stored_statuses__light")
    )


# What a list filtered by `tasks_with_status` reads of each task's stored row for the day: its output
# key → the annotation above.
DAY_STATUS_FIELDS = {"status": "day_status", "light": "day_light"}


# --- grouping: one rule for rollups over stored rows and over a given list of tasks -----------------

ROLLUP_KINDS = ("unit", "area", "leader", "block", "industry")
# Rollups grouped in SQL over the stored rows; the others need each task's place in the plan tree.
SQL_KEYS: dict[str, tuple[str, type[Unit] | type[LeaderPost], str]] = {
    "unit": ("lead_unit_id", Unit, "name"),
    "leader": ("responsible_post_id", LeaderPost, "title"),
}
NO_GROUP = "—"


@dataclass(frozen=True)
class Group:
    """A rollup group: its name, and the id a link filters the task list by (unit, leader post, area
    node or tag). Areas are plan nodes, so two plans' same-named areas are two groups, never merged."""

    key: str
    ref: int | None = None
    plan_id: int | None = None  # areas: the plan the area belongs to


def _tree_groups(by: str, plan_ids: Iterable[int]) -> Callable[[str], list[Group]]:
    """Area, block and industry: a task's groups from its node path (paths are unique across plans)."""
    if by == "area":
        areas = {
            path: Group(title, pk, plan_id)
            for pk, plan_id, path, title in PlanNode.objects.filter(
                plan_id__in=set(plan_ids), kind=PlanNode.Kind.AREA
            ).values_list("pk", "plan_id", "path", "title")
        }

        def in_area(path: str) -> list[Group]:
            area = treepath.nearest(path, areas)
            return [areas[area]] if area is not None else [Group(NO_GROUP)]

        return in_area
    if by in ("block", "industry"):
        # A tag on a node applies to its whole subtree; a task may sit in several blocks.
        tagged: dict[Group, list[str]] = defaultdict(list)
        for path, pk, name in PlanNode.objects.filter(tags__kind=by).values_list("path", "tags__pk", "tags__name"):
            tagged[Group(name, pk)].append(path)

        def tagged_with(path: str) -> list[Group]:
            return [group for group, paths in tagged.items() if any(path.startswith(p) for p in paths)]

        return tagged_with
    raise ValueError(by)


def group_keys(tasks: list[Task], by: str) -> dict[int, list[Group]]:
    """The groups each task belongs to under a rollup dimension."""
    if by == "unit":
        return {t.pk: [Group(t.lead_unit.name, t.lead_unit_id) if t.lead_unit else Group(NO_GROUP)] for t in tasks}
    if by == "leader":
        return {
            t.pk: [Group(t.responsible_post.title, t.responsible_post_id) if t.responsible_post else Group(NO_GROUP)]
            for t in tasks
        }
    groups = _tree_groups(by, {t.plan_id for t in tasks})
    return {t.pk: groups(t.node.path) for t in tasks}


# --- rollups and the cockpit -------------------------------------------------------------------------


@dataclass
class RollupRow:
    key: str
    rollup: engine.GroupRollup
    late_reports: int = 0
    ref: int | None = None  # see Group
    plan_id: int | None = None

    @property
    def lagging(self) -> int:
        return self.rollup.by_status[engine.Status.LAGGING] + self.rollup.by_status[engine.Status.OVERDUE]


def _plan_ids(user, as_of: date, plans: Iterable[int] | None) -> tuple[int, ...]:
    """The plans counted: those given (a PlanChoice's ids), else the default choice."""
    return tuple(sorted(plans)) if plans is not None else tuple(sorted(plans_choose(user, [], as_of).ids))


def _rollup_scope(user, plan_ids: tuple[int, ...]) -> TaskQuerySet:
    """The tasks rollups count: the user's scope in the chosen plans, one row per task."""
    return task_scope(user).filter(plan_id__in=plan_ids).order_by()


def _with_day(tasks: TaskQuerySet, as_of: date) -> TaskQuerySet:
    """Each task with `s`, its status interval covering the day (reports.intervals): one range join."""
    return tasks.annotate(s=FilteredRelation("status_intervals", condition=intervals.covering(as_of)))


# The count columns of `_day_aggregates`, named once (1 000 group rows a city cockpit: iterating the
# enums and formatting the names per row took ~15 ms).
_STATUS_COLUMNS = tuple((v, f"status_{v}") for v in engine.Status)
_LIGHT_COLUMNS = tuple((v, f"light_{v}") for v in engine.Light)
_COMPUTED_COLUMNS = tuple((v, f"computed_{v}") for v in engine.Light)


def _day_aggregates() -> dict:
    """Per group of tasks joined to their day (`_with_day`): counts by status and light, weights, completion."""
    weighted = ExpressionWrapper(Cast("weight", FloatField()) * F("s__completion"), output_field=FloatField())
    counts = {column: Count("pk", filter=Q(s__status=v)) for v, column in _STATUS_COLUMNS}
    counts |= {column: Count("pk", filter=Q(s__light=v)) for v, column in _LIGHT_COLUMNS}
    counts |= {column: Count("pk", filter=Q(s__computed_light=v)) for v, column in _COMPUTED_COLUMNS}
    counts |= {"late": Count("pk", filter=Q(s__late=True)), "missing": Count("pk", filter=Q(s__status__isnull=True))}
    return {"n": Count("pk"), "w": Sum("weight"), "wc": Sum(weighted), "first": Min("code"), **counts}


def _stored_groups(tasks: TaskQuerySet, key: str, as_of: date, inline_limit: int | None = None) -> list[dict]:
    """One SQL GROUP BY over the day's stored rows (see `_stored_groupings`)."""
    return _stored_groupings(tasks, (key,), as_of, inline_limit)[0]


def _stored_groupings(
    tasks: TaskQuerySet, keys: tuple[str, ...], as_of: date, inline_limit: int | None = None
) -> list[list[dict]]:
    """The day's stored rows grouped by each key in turn (a list of group rows per key).

    Grouped by an integer id with conditional counts (one output row per group), so PostgreSQL
    hashes ids instead of sorting 20 000 Chinese names; names are looked up afterwards.
    Tasks without the day are computed first, unless more than `inline_limit` lack it
    (intervals.DayNotStored: the caller hands the fill to the queue).
    """
    for _attempt in range(2):
        groupings = _read_groupings(tasks, keys, as_of)
        missing = sum(r["missing"] for r in groupings[0])
        if not missing:
            return groupings
        if inline_limit is not None and missing > inline_limit:
            raise intervals.DayNotStored(as_of, missing)
        intervals.ensure_covered(tasks, as_of)  # a task without the day: compute it, then group again
    return groupings


# The planner guesses ~21 000 area prefixes (there are ~100) and sorts the city's join twice unless
# both hash tables fit its memory (they take ~1 MB): 82 → 65 ms at city scale. For that query only.
GROUPING_SETS_WORK_MEM = "16MB"


def _read_groupings(tasks: TaskQuerySet, keys: tuple[str, ...], as_of: date) -> list[list[dict]]:
    """One query per key; two keys on PostgreSQL: one pass over the join with GROUPING SETS (the
    cockpit's units and areas: the 20 000-task join to the intervals read once, not twice).

    The second key must never be NULL (the area prefix: every task has a node with a path): a row
    with it NULL is a group of the first key, any other row a group of the second.
    """
    query = _with_day(tasks, as_of).values(*keys).annotate(**_day_aggregates()).order_by()
    db = query.db
    if len(keys) == 2 and connections[db].vendor == "postgresql":
        sql, params = query.query.sql_with_params()
        grouped = " GROUP BY 1, 2"  # Django groups by select positions on PostgreSQL
        if sql.endswith(grouped):
            sql = sql[: -len(grouped)] + " GROUP BY GROUPING SETS ((1), (2))"
            first: list[dict] = []
            second: list[dict] = []
            with transaction.atomic(using=db), connections[db].cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{GROUPING_SETS_WORK_MEM}'")
                cursor.execute(sql, params)
                names = [c.name for c in cursor.description]
                for values in cursor.fetchall():
                    row = dict(zip(names, values, strict=True))
                    if row[keys[1]] is None:
                        del row[keys[1]]
                        first.append(row)
                    else:
                        del row[keys[0]]
                        second.append(row)
            return [first, second]
    return [list(_with_day(tasks, as_of).values(key).annotate(**_day_aggregates()).order_by()) for key in keys]


def _rollup_row(group: Group, r: dict) -> RollupRow:
    rollup = engine.GroupRollup(
        count=r["n"],
        by_status={v: r[column] for v, column in _STATUS_COLUMNS},
        by_light={v: r[column] for v, column in _LIGHT_COLUMNS},
        by_computed_light={v: r[column] for v, column in _COMPUTED_COLUMNS},
        total_weight=float(r["w"] or 0),
        weighted_completion_sum=r["wc"] or 0.0,
    )
    return RollupRow(group.key, rollup, r["late"], group.ref, group.plan_id)


def _sql_rollups(tasks: TaskQuerySet, by: str, as_of: date, inline_limit: int | None = None) -> list[RollupRow]:
    return _named_rollups(by, _stored_groups(tasks, SQL_KEYS[by][0], as_of, inline_limit))


def _named_rollups(by: str, rows: list[dict]) -> list[RollupRow]:
    """Group rows by unit or leader post id (`_stored_groups`) as rollup rows with the group's name."""
    key, model, label = SQL_KEYS[by]
    names = dict(model.objects.filter(pk__in=[r[key] for r in rows if r[key]]).values_list("pk", label))
    # Groups in order of their first task code, as the engine's rollup returns them for tasks in code order.
    rows.sort(key=lambda r: (r["first"], names.get(r[key], "")))
    return [_rollup_row(Group(names[r[key]], r[key]) if r[key] in names else Group(NO_GROUP), r) for r in rows]


def _prefix_areas(prefixes: Iterable[str]) -> dict[str, Group]:
    """The area group of the tasks whose path starts with each prefix (see `_area_rollups`)."""
    prefixes = set(prefixes)
    wanted = {p for prefix in prefixes for p in treepath.lineage(prefix)}
    areas = {
        path: Group(title, pk, plan_id)
        for pk, plan_id, path, title in PlanNode.objects.filter(kind=PlanNode.Kind.AREA, path__in=wanted).values_list(
            "pk", "plan_id", "path", "title"
        )
    }
    found = {}
    for prefix in prefixes:
        # The prefix is an ancestor of the task's node, or the node itself (never an area), whose
        # nearest area above is then the task's.
        area = prefix if prefix in areas else treepath.nearest(prefix, areas)
        found[prefix] = areas[area] if area is not None else Group(NO_GROUP)
    return found


def _with_area_prefix(tasks: TaskQuerySet) -> TaskQuerySet:
    """Each task with `area_prefix`: the start of its node's path as long as the deepest area's path."""
    deepest = PlanNode.objects.filter(kind=PlanNode.Kind.AREA).aggregate(n=Max(Length("path")))["n"] or 0
    return tasks.annotate(area_prefix=Substr("node__path", 1, deepest) if deepest else Value(""))


def _area_rollups(tasks: TaskQuerySet, as_of: date, inline_limit: int | None = None) -> list[RollupRow]:
    """Areas in SQL: one GROUP BY a prefix of the task node's path over the intervals covering the
    day, then each prefix mapped to its area and the prefixes' sums added.

    The prefix is as long as the deepest area's path: every area a task lies under is a prefix of
    it, so tasks with the same prefix share their nearest area (in the seeded city: ~100 groups for
    20 000 tasks). Nothing to maintain: a moved task or node is grouped by where it is now. The old
    grouping in Python read one row per task and looked each up in the tree: 443 ms of a cold
    past-day cockpit at city scale.
    """
    return _merged_areas(_stored_groups(_with_area_prefix(tasks), "area_prefix", as_of, inline_limit))


def _unit_area_rollups(
    tasks: TaskQuerySet, as_of: date, inline_limit: int | None = None
) -> tuple[list[RollupRow], list[RollupRow]]:
    """The cockpit's units and areas: the same rows as `_sql_rollups(…, "unit", …)` and
    `_area_rollups`, read in one pass on PostgreSQL (`_read_groupings`)."""
    keys = (SQL_KEYS["unit"][0], "area_prefix")
    unit_rows, prefix_rows = _stored_groupings(_with_area_prefix(tasks), keys, as_of, inline_limit)
    return _named_rollups("unit", unit_rows), _merged_areas(prefix_rows)


def _merged_areas(rows: list[dict]) -> list[RollupRow]:
    """Group rows by area prefix as rollup rows by area: each prefix mapped to its area, sums added."""
    area_of = _prefix_areas(r["area_prefix"] for r in rows)
    merged: dict[Group, dict] = {}
    for r in rows:
        group = area_of[r["area_prefix"]]
        into = merged.get(group)
        if into is None:
            merged[group] = dict(r)
            continue
        for name, value in r.items():
            if name == "first":
                into[name] = min(into[name], value)
            elif name != "area_prefix":
                into[name] = (into[name] or 0) + (value or 0)
    # Groups in order of their first task code, as the Python grouping over tasks in code order gave
    # them; same-named areas of plans whose tasks share codes by plan, not in the database's row order.
    ordered = sorted(
        merged.items(), key=lambda item: (item[1]["first"], item[0].key, item[0].plan_id or 0, item[0].ref or 0)
    )
    return [_rollup_row(group, r) for group, r in ordered]


def _tree_rollups(tasks: TaskQuerySet, by: str, as_of: date) -> list[RollupRow]:
    """Block and industry: each task's groups come from its place in the plan tree (a tag on a node
    applies to its subtree, the task's own node included, and a task may be in several blocks)."""
    for _attempt in range(2):
        # django-stubs cannot see the FilteredRelation alias `s` that _with_day annotates.
        rows = list(
            _with_day(tasks, as_of)  # type: ignore[misc]
            .order_by("code", "pk")
            .values_list("plan_id", "node__path", "weight", "s__status", "s__light", "s__computed_light", "s__late",
                         "s__completion")
        )  # fmt: skip
        # Read first, fill only when a task has no interval for the day: the NOT EXISTS probe of a
        # whole city took seconds on PostgreSQL even when every task was covered.
        if all(r[3] is not None for r in rows):
            break
        intervals.ensure_covered(tasks, as_of)
    groups_of = _tree_groups(by, {r[0] for r in rows})
    sums: dict[Group, tuple[engine.GroupRollup, list[int]]] = {}
    for _plan, path, weight, status, light, computed, late, completion in rows:
        w = float(weight)
        for group in groups_of(path):
            rollup, late_count = sums.setdefault(group, (engine.GroupRollup(), [0]))
            rollup.count += 1
            rollup.by_status[engine.Status(status)] += 1
            rollup.by_light[engine.Light(light)] += 1
            rollup.by_computed_light[engine.Light(computed)] += 1
            rollup.total_weight += w
            rollup.weighted_completion_sum += w * completion
            late_count[0] += 1 if late else 0
    return [RollupRow(g.key, rollup, late[0], g.ref, g.plan_id) for g, (rollup, late) in sums.items()]


def _scope_rollups(
    user, by: str, as_of: date, plan_ids: tuple[int, ...], inline_limit: int | None = None
) -> list[RollupRow]:
    """The rollup of the user's scope in the chosen plans, cached until the status epoch moves
    (reports.rollup_cache); the plans are part of the key. `inline_limit`: see `_stored_groups`."""

    def compute() -> list[RollupRow]:
        scope = _rollup_scope(user, plan_ids)
        if by in SQL_KEYS:
            return _sql_rollups(scope, by, as_of, inline_limit)
        return _area_rollups(scope, as_of, inline_limit) if by == "area" else _tree_rollups(scope, by, as_of)

    return rollup_cache.cached(rollup_cache.scope_key(user, as_of, plan_ids, by), compute)


def _unit_area_scope_rollups(
    user, as_of: date, plan_ids: tuple[int, ...], inline_limit: int | None = None
) -> tuple[list[RollupRow], list[RollupRow]]:
    """`_scope_rollups` by unit and by area, read together; cached under the same keys."""
    keys = [rollup_cache.scope_key(user, as_of, plan_ids, by) for by in ("unit", "area")]
    units, areas = rollup_cache.cached_together(
        keys, lambda: list(_unit_area_rollups(_rollup_scope(user, plan_ids), as_of, inline_limit))
    )
    return units, areas


def rollups(
    user,
    by: str,
    as_of: date,
    *,
    plans: Iterable[int] | None = None,
    tasks: list[Task] | None = None,
    statuses: dict[int, engine.StatusResult] | None = None,
) -> list[RollupRow]:
    """Counts per status and light, weighted completion and late reports, per group.

    Over the user's tasks in `plans` (plan ids; default: the default PlanChoice), from the stored
    statuses of the day (reports.snapshots): one GROUP BY for units and leaders, one row per task
    for the tree-based groupings. Given `tasks` (and optionally their `statuses`), it computes over
    exactly those instead, with the engine's rollup.
    """
    if tasks is None:
        return _scope_rollups(user, by, as_of, _plan_ids(user, as_of, plans))
    statuses = statuses if statuses is not None else statuses_on(as_of, tasks)
    keys = group_keys(tasks, by)
    # The engine groups by whatever hashable keys it is given: here Groups.
    groups = cast(
        dict[Group, engine.GroupRollup],
        engine.rollup((key, statuses[t.pk], float(t.weight)) for t in tasks for key in keys[t.pk]),
    )
    late: Counter[Group] = Counter()
    for t in tasks:
        if statuses[t.pk].report_late:
            for key in keys[t.pk]:
                late[key] += 1
    return [RollupRow(g.key, rollup, late[g], g.ref, g.plan_id) for g, rollup in groups.items()]


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
    plan_ids: tuple[int, ...] = ()


# The cockpit lists the most pressing tasks (earliest deadlines); its counts link to the full task list.
# A city has thousands of red tasks: listing all of them took the page 5 s to build.
COCKPIT_LIST_LIMIT = 50


def _listed(tasks: TaskQuerySet, as_of: date, **condition) -> list[tuple[Task, engine.StatusResult]]:
    """Tasks whose stored interval for the day matches, earliest deadline first, with their full results."""
    # Ids first, from a narrow join (task id, deadline, code): top-N sorting the wide rows of a
    # city's ~5 000 red tasks joined to plan, node and unit took 140 ms; then only the 50 are loaded.
    ids = list(
        tasks.filter(intervals.covering(as_of), **{f"status_intervals__{k}": v for k, v in condition.items()})
        .order_by("deadline", "code")
        .values_list("pk", flat=True)[:COCKPIT_LIST_LIMIT]
    )
    chosen = list(Task.objects.filter(pk__in=ids).with_plan("node", "lead_unit").order_by("deadline", "code"))
    statuses = statuses_on(as_of, chosen)  # full results of the 50 only: day rows, or computed and stored
    return [(t, statuses[t.pk]) for t in chosen]


def cockpit(user, as_of: date, *, plans: Iterable[int] | None = None, inline_limit: int | None = None) -> Cockpit:
    """领导驾驶舱: lights by area and unit, the unit league table, the red and overdue lists, over
    the chosen plans (plan ids; default: the default PlanChoice).

    Read from the day's stored statuses: a city's 20 000 tasks are grouped in SQL, not recomputed.
    A day some tasks lack is computed first, unless more than `inline_limit` lack it: then
    intervals.DayNotStored is raised (the page starts the fill in the queue, reports/fill.py).
    """
    plan_ids = _plan_ids(user, as_of, plans)
    scope = _rollup_scope(user, plan_ids)
    units, areas = _unit_area_scope_rollups(user, as_of, plan_ids, inline_limit)  # fills missing days first
    units = list(units)
    # League table: completion first, then fewer lagging tasks, then fewer late reports.
    units.sort(key=lambda r: (-(r.rollup.weighted_completion or 0), r.lagging, r.late_reports, r.key))
    return Cockpit(
        as_of=as_of,
        total=sum(r.rollup.count for r in units),
        by_light={light.value: sum(r.rollup.by_light.get(light, 0) for r in units) for light in engine.Light},
        by_status={status.value: sum(r.rollup.by_status.get(status, 0) for r in units) for status in engine.Status},
        areas=areas,
        units=units,
        red=_listed(scope, as_of, light=engine.Light.RED.value),
        # Only tasks past their deadline can be overdue (the engine: overdue = as_of > deadline): the
        # bound keeps the deadline-order walk short on days with few overdue tasks (0 in May: 191 ms
        # probing all 20 000 tasks without it).
        overdue=_listed(scope.filter(deadline__lt=as_of), as_of, status=engine.Status.OVERDUE.value),
        plan_ids=plan_ids,
    )


# A city has ~1 000 lead units: the cockpit shows those needing attention, the rest one link away
# (?units=all: the same rows and numbers).
COCKPIT_UNITS_SHOWN = 50


def league_ranked(units: list[RollupRow], *, everything: bool) -> list[tuple[int, RollupRow]]:
    """(league rank, row): every unit in league order when asked or when they fit; else the
    COCKPIT_UNITS_SHOWN needing attention first: the most red tasks, then the most yellow, then by rank."""
    ranked = list(enumerate(units, 1))
    if everything or len(ranked) <= COCKPIT_UNITS_SHOWN:
        return ranked
    red, yellow = engine.Light.RED, engine.Light.YELLOW
    ranked.sort(key=lambda p: (-p[1].rollup.by_light[red], -p[1].rollup.by_light[yellow], p[0]))
    return ranked[:COCKPIT_UNITS_SHOWN]


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
