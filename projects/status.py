"""Feeds the status engine with projects in bulk and stores its results per project and day (ProjectStatus).

The rules live in `reports.engine.investment` (one engine); this module only reads records as they were
known on the as-of day (reports approved by then, stages recorded by then) and caches the answers, so a
city's filtered list and rollups read rows. Whatever changes a project's inputs calls
`status_refresh(project, since=day)` in the same transaction: its rows from that day on are deleted and
recomputed on the next read (earlier days cannot change: the engine reads nothing dated after its day).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from core.rows import id_chunks
from plans.models import Task
from projects.models import Project, ProjectReport, ProjectStage, ProjectStatus
from reports import engine
from reports.snapshots import status_refresh as task_status_refresh

FILL_BATCH = 2000


def _local(moment, tz) -> date | None:
    # The zone is looked up once per batch: timezone.localdate's per-call lookup was half the fill time.
    return moment.astimezone(tz).date() if moment is not None else None


def project_inputs(projects: list[Project], day: date) -> dict[int, tuple[engine.InvestmentInput, engine.Thresholds]]:
    """The engine's inputs for each project as known on `day` (three queries for any number of projects;
    the two reads of records per `core.rows.IDS_PER_STATEMENT` projects)."""
    ids = [p.pk for p in projects]
    tz = timezone.get_current_timezone()
    reports: dict[int, list[engine.Report]] = defaultdict(list)
    rows = (
        row
        for chunk in id_chunks(ids)
        for row in ProjectReport.objects.filter(project_id__in=chunk, first_submitted_at__isnull=False)
        .values_list("project_id", "month", "amount_year", "first_submitted_at", "approved_at", "state")
        .order_by()
    )
    for project_id, month, amount_year, submitted_at, approved_at, state in rows:
        submitted_on = _local(submitted_at, tz)
        assert submitted_on is not None  # filtered on first_submitted_at above
        approved_on = _local(approved_at, tz) if state == ProjectReport.State.APPROVED else None
        reports[project_id].append(
            engine.Report(
                period_end=month,
                value=float(amount_year),
                submitted_on=submitted_on,
                approved_on=approved_on,
            )
        )
    stages: dict[int, list[engine.StagePlan]] = defaultdict(list)
    for project_id, index, planned_on, reached_on, recorded_on in (
        row
        for chunk in id_chunks(ids)
        for row in ProjectStage.objects.filter(project_id__in=chunk)
        .values_list("project_id", "index", "planned_on", "reached_on", "recorded_on")
        .order_by()
    ):
        known = reached_on if recorded_on is not None and recorded_on <= day else None
        stages[project_id].append(engine.StagePlan(index=index, planned_on=planned_on, reached_on=known))
    inputs = {}
    for p in projects:
        profile = tuple(float(x) for x in p.monthly_profile) if isinstance(p.monthly_profile, list) else ()
        inputs[p.pk] = (
            engine.InvestmentInput(
                year=p.plan_year,
                annual_plan=float(p.annual_plan),
                monthly_profile=profile,
                reports=tuple(reports[p.pk]),
                stages=tuple(sorted(stages[p.pk], key=lambda s: s.index)),
            ),
            engine.Thresholds(
                lag_yellow_percent=p.type.lag_yellow_percent,
                lag_red_percent=max(p.type.lag_red_percent, p.type.lag_yellow_percent),
            ),
        )
    return inputs


def project_results(projects: Iterable[Project], day: date) -> dict[int, engine.ProjectResult]:
    """The engine's result per project as of `day`, computed now (detail pages, tests)."""
    projects = list(projects)
    return {pk: engine.project_evaluate(inp, day, th) for pk, (inp, th) in project_inputs(projects, day).items()}


def _due(planned_on: date | None, day: date) -> bool:
    return planned_on is not None and planned_on <= day


def _row(project: Project, day: date, inp: engine.InvestmentInput, result: engine.ProjectResult) -> ProjectStatus:
    start, finish = project.type.start_stage, project.type.finish_stage
    reached = engine.stage_reached(inp.stages, day)
    planned = {s.index: s.planned_on for s in inp.stages}
    return ProjectStatus(
        project_id=project.pk,
        day=day,
        light=result.light.value,
        stage_index=-1 if reached is None else reached,
        started=reached is not None and reached >= start,
        finished=reached is not None and reached >= finish,
        start_due=_due(planned.get(start), day),
        finish_due=_due(planned.get(finish), day),
        late_stages=",".join(str(i) for i in result.late_stages),
        planned=result.planned,
        actual=result.actual,
        lag_percent=result.lag_percent,
    )


def _missing(projects: QuerySet[Project], day: date) -> QuerySet[Project]:
    return projects.exclude(Exists(ProjectStatus.objects.filter(project_id=OuterRef("pk"), day=day)))


def missing_count(projects: QuerySet[Project], day: date, *, every_project: bool = False) -> int:
    """How many of these projects have no stored status on `day` (what a fill would compute).

    `every_project`: `projects` is the whole register (the office, leaders); then two index counts tell
    whether the day is complete, instead of an anti-join over the city on every read.
    """
    if every_project:
        return max(Project.objects.count() - ProjectStatus.objects.filter(day=day).count(), 0)
    return _missing(projects, day).count()


def ensure_stored(
    projects: QuerySet[Project],
    day: date,
    *,
    every_project: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Compute and store the statuses on `day` of the projects that have none yet; returns how many.

    `progress(done, total)` after each batch of FILL_BATCH (the queued fill, projects/fill.py).
    """
    if every_project and missing_count(projects, day, every_project=True) == 0:
        return 0
    missing = _missing(projects, day)
    total = missing.count() if progress else 0
    stored = 0
    batch: list[Project] = []
    for project in missing.select_related("type").order_by("pk").iterator(chunk_size=FILL_BATCH):
        batch.append(project)
        if len(batch) >= FILL_BATCH:
            stored += _store(batch, day)
            batch = []
            if progress:
                progress(stored, total)
    if batch:
        stored += _store(batch, day)
    if progress:
        progress(stored, total)
    return stored


def _store(batch: list[Project], day: date) -> int:
    inputs = project_inputs(batch, day)
    rows = []
    for p in batch:
        inp, thresholds = inputs[p.pk]
        rows.append(_row(p, day, inp, engine.project_evaluate(inp, day, thresholds)))
    ProjectStatus.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def statuses_on(day: date, projects: Iterable[Project]) -> dict[int, ProjectStatus]:
    """The stored statuses of these projects on `day`, computing the missing ones first."""
    projects = list(projects)
    found = _stored_on(day, [p.pk for p in projects])
    absent = [p for p in projects if p.pk not in found]
    if absent:
        for p in absent:
            if "type" not in p._state.fields_cache:
                p.type  # noqa: B018  (loaded once here, not per row in _row)
        _store(absent, day)
        found.update(_stored_on(day, [p.pk for p in absent]))
    return found


def _stored_on(day: date, ids: list[int]) -> dict[int, ProjectStatus]:
    return {
        s.project_id: s for chunk in id_chunks(ids) for s in ProjectStatus.objects.filter(day=day, project_id__in=chunk)
    }


def status_refresh(*, project: Project, since: date | None) -> None:
    """A change of the project's inputs: forget its stored statuses from `since` (None: every day)."""
    rows = ProjectStatus.objects.filter(project=project)
    if since is not None:
        rows = rows.filter(day__gte=since)
    rows.delete()
    # Tasks bound to a projects measure (数值来自记录) count these records: their stored statuses move too.
    bound = Task.objects.alive().filter(measure_key__startswith="projects.")
    if bound.exists():
        task_status_refresh(tasks=bound, since=since)
