"""Reads on major projects shared by pages, API, exports and measures (one set of numbers everywhere).

Access: leaders and the office (business.read_all) see every project; a unit's reporter and head
(business.read_unit) see the projects their unit leads or co-operates on; anyone else sees none.
Outside scope is 404, never 403, so existence does not leak.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.roles import Perm
from core.access import out_of_scope
from plans.models import DimensionTag
from projects import status as project_status
from projects.models import Project, ProjectProblem, ProjectReport, ProjectStatus

PAGE_SIZE = 50


def sees_all(user: User) -> bool:
    return user.is_authenticated and user.has_luoshi_perm(Perm.BUSINESS_READ_ALL)


def _ensure(user: User, projects: QuerySet[Project], day: date) -> None:
    """The day's stored statuses exist for these (visible, unfiltered) projects (projects.status.ensure_stored)."""
    project_status.ensure_stored(projects, day, every_project=sees_all(user))


def projects_for_user(user: User) -> QuerySet[Project]:
    if not user.is_authenticated:
        return Project.objects.none()
    if user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):
        return Project.objects.all()
    if user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and user.unit_id:
        cooperating = Project.co_units.through.objects.filter(project_id=OuterRef("pk"), unit_id=user.unit_id)
        return Project.objects.filter(Q(lead_unit_id=user.unit_id) | Exists(cooperating))
    return Project.objects.none()


def project_get_for_user(user: User, pk: int) -> Project:
    """The project if the user may see it, else 404 (no existence leak)."""
    project = projects_for_user(user).select_related("type", "lead_unit", "leader_post").filter(pk=pk).first()
    if project is None:
        raise out_of_scope(Project, pk)
    return project


def report_get_for_user(user: User, pk: int) -> ProjectReport:
    report = ProjectReport.objects.select_related("project", "project__type", "unit").filter(pk=pk).first()
    if report is None or not projects_for_user(user).filter(pk=report.project_id).exists():
        raise out_of_scope(ProjectReport, pk)
    return report


def problem_get_for_user(user: User, pk: int) -> ProjectProblem:
    problem = ProjectProblem.objects.select_related("project", "unit").filter(pk=pk).first()
    if problem is None:
        raise out_of_scope(ProjectProblem, pk)
    visible = projects_for_user(user).filter(pk=problem.project_id).exists()
    if not visible and not (user.unit_id and user.unit_id == problem.unit_id):
        raise out_of_scope(ProjectProblem, pk)
    return problem


@dataclass(frozen=True)
class ProjectFilters:
    q: str = ""
    type_id: int | None = None
    block_id: int | None = None
    industry_id: int | None = None
    stage: int | None = None
    light: str = ""
    unit_id: int | None = None
    leader_id: int | None = None
    level: str = ""


def project_list(user: User, filters: ProjectFilters, day: date) -> QuerySet[Project]:
    """Visible projects matching the filters as of `day`; a light or stage filter reads the stored statuses."""
    projects = projects_for_user(user)
    if filters.q:
        projects = projects.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    if filters.type_id:
        projects = projects.filter(type_id=filters.type_id)
    if filters.level:
        projects = projects.filter(level=filters.level)
    for tag_id in (filters.block_id, filters.industry_id):
        if tag_id:
            projects = projects.filter(tags__id=tag_id)
    if filters.unit_id:
        projects = projects.filter(lead_unit_id=filters.unit_id)
    if filters.leader_id:
        projects = projects.filter(leader_post_id=filters.leader_id)
    if filters.light or filters.stage is not None:
        _ensure(user, projects_for_user(user), day)
        stored = ProjectStatus.objects.filter(project_id=OuterRef("pk"), day=day)
        if filters.light:
            stored = stored.filter(light=filters.light)
        if filters.stage is not None:
            stored = stored.filter(stage_index=filters.stage)
        projects = projects.filter(Exists(stored))
    return projects.select_related("type", "lead_unit", "leader_post").order_by("code")


# === rollups ====================================================================================

GROUPS = {
    "block": "tags__name",
    "industry": "tags__name",
    "type": "type__name",
    "level": "level",
    "unit": "lead_unit__name",
    "leader": "leader_post__title",
}


@dataclass
class ProjectRollup:
    key: str
    count: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    started: int = 0
    start_due: int = 0
    finished: int = 0
    finish_due: int = 0
    planned: float = 0.0
    actual: float = 0.0
    by_stage: dict[int, int] | None = None

    @property
    def start_rate(self) -> float | None:
        """开工率: started / planned to start by now."""
        return self.started / self.start_due if self.start_due else None

    @property
    def finish_rate(self) -> float | None:
        """投产率: finished / planned to finish by now."""
        return self.finished / self.finish_due if self.finish_due else None

    @property
    def investment_rate(self) -> float | None:
        """Investment completion rate: completed / planned by now."""
        return self.actual / self.planned if self.planned else None


def project_rollup(user: User, day: date, by: str = "block") -> list[ProjectRollup]:
    """Counts by light and stage, 开工率, 投产率 and investment completion per group, as of `day`."""
    field = GROUPS[by]
    projects = projects_for_user(user)
    _ensure(user, projects, day)
    rows = ProjectStatus.objects.filter(day=day)
    if not sees_all(user):
        rows = rows.filter(project__in=projects)
    if by in ("block", "industry"):
        kind = DimensionTag.Kind.BLOCK if by == "block" else DimensionTag.Kind.INDUSTRY
        rows = rows.filter(project__tags__kind=kind)
    key = f"project__{field}"
    sums = (
        rows.values(key)
        .annotate(
            n=Count("pk"),
            red=Count("pk", filter=Q(light="red")),
            yellow=Count("pk", filter=Q(light="yellow")),
            green=Count("pk", filter=Q(light="green")),
            started_n=Count("pk", filter=Q(started=True)),
            start_due_n=Count("pk", filter=Q(start_due=True)),
            finished_n=Count("pk", filter=Q(finished=True)),
            finish_due_n=Count("pk", filter=Q(finish_due=True)),
            planned_sum=Coalesce(Sum("planned"), 0.0),
            actual_sum=Coalesce(Sum("actual"), 0.0),
        )
        .order_by(key)
    )
    groups = {
        r[key]: ProjectRollup(
            key=r[key] or "—",
            count=r["n"],
            red=r["red"],
            yellow=r["yellow"],
            green=r["green"],
            started=r["started_n"],
            start_due=r["start_due_n"],
            finished=r["finished_n"],
            finish_due=r["finish_due_n"],
            planned=r["planned_sum"],
            actual=r["actual_sum"],
            by_stage={},
        )
        for r in sums
    }
    for r in rows.values(key, "stage_index").annotate(n=Count("pk")).order_by():
        group = groups.get(r[key])
        if group is not None and group.by_stage is not None:
            group.by_stage[r["stage_index"]] = r["n"]
    return list(groups.values())


def stage_counts(user: User, day: date) -> dict[int, int]:
    projects = projects_for_user(user)
    _ensure(user, projects, day)
    stored = ProjectStatus.objects.filter(day=day)
    if not sees_all(user):
        stored = stored.filter(project__in=projects)
    rows = stored.values("stage_index").annotate(n=Count("pk"))
    return {r["stage_index"]: r["n"] for r in rows.order_by("stage_index")}


# === investment by month ========================================================================


def investment_by_month(projects: QuerySet[Project], year: int, day: date) -> list[dict]:
    """Planned vs approved cumulative investment per month end of `year` (万元), as known on `day`."""
    from reports import engine

    planned = [0.0] * 12
    of_year = projects.filter(plan_year=year)
    # The planned curve is linear in the annual plan: the projects without a monthly profile are one curve
    # with their summed plan (one SUM, not a loop over a city's projects); those with a profile each add theirs.
    linear = of_year.filter(monthly_profile=[]).aggregate(total=Sum("annual_plan"))["total"] or 0
    inputs = [engine.InvestmentInput(year=year, annual_plan=float(linear))]
    for plan, profile in of_year.exclude(monthly_profile=[]).values_list("annual_plan", "monthly_profile"):
        shares = tuple(float(x) for x in profile) if isinstance(profile, list) else ()
        inputs.append(engine.InvestmentInput(year=year, annual_plan=float(plan), monthly_profile=shares))
    for inp in inputs:
        for i, (_, value) in enumerate(engine.planned_by_month(inp)):
            planned[i] += value
    # Approved by the end of `day` (local time) as a bound on the instant, which the index can use
    # (approved_at__date__lte casts every row); the whole register needs no join to it.
    reports = ProjectReport.objects.filter(
        month__year=year,
        state=ProjectReport.State.APPROVED,
        approved_at__lt=timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time())),
    )
    if projects.query.where:
        reports = reports.filter(project__in=projects)
    actual_rows = reports.values("month").annotate(total=Sum("amount_month")).order_by("month")
    monthly = {r["month"].month: float(r["total"] or 0) for r in actual_rows}
    out, cumulative = [], 0.0
    for m in range(1, 13):
        end = engine.month_end(year, m)
        cumulative += monthly.get(m, 0.0)
        out.append(
            {
                "month": end.isoformat(),
                "planned": round(planned[m - 1], 2),
                "actual": round(cumulative, 2) if end.replace(day=1) <= day else None,
            }
        )
    return out


def approved_reports(project: Project) -> QuerySet[ProjectReport]:
    return project.reports.filter(state=ProjectReport.State.APPROVED).order_by("month")


def investment_completed(projects: QuerySet[Project], start: date, end: date) -> Decimal:
    """Completed investment (万元) approved by `end` for months within start..end."""
    total = ProjectReport.objects.filter(
        project__in=projects,
        state=ProjectReport.State.APPROVED,
        month__gte=start,
        month__lte=end,
        approved_at__date__lte=end,
    ).aggregate(total=Sum("amount_month"))["total"]
    return total or Decimal(0)


def schedule_list(user: User, day: date) -> QuerySet[Project]:
    """调度清单: visible projects that are red, have a late stage or an open problem past its deadline."""
    projects = projects_for_user(user)
    _ensure(user, projects, day)
    red = ProjectStatus.objects.filter(project_id=OuterRef("pk"), day=day).filter(Q(light="red") | ~Q(late_stages=""))
    blocked = ProjectProblem.objects.filter(
        project_id=OuterRef("pk"), state=ProjectProblem.State.OPEN, deadline__lt=day
    )
    return (
        projects.filter(Q(Exists(red)) | Q(Exists(blocked)))
        .select_related("type", "lead_unit", "leader_post")
        .annotate(open_problems=Count("problems", filter=Q(problems__state="open")))
        .order_by("leader_post__rank", "code")
    )
