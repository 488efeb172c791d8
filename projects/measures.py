"""The projects' computed measures (计算指标): counts of projects and sums of investment, from records.

"运作重大项目N个、完成投资N亿元" are these measures, never typed in; each links to the rows it counts.
Params: `type` (a project type's name), `stage` (a stage's name, e.g. 开工: reached by the as-of day),
`level` (province/city/district), `task` (a task code: projects serving that task of the scope's plan, as a
task bound to this measure names itself). The scope's `unit_id` narrows to the lead unit, `tag_id` to a block or
industry; `plan_id` narrows to projects serving tasks of that plan.
"""

from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.urls import reverse

from core.measures import Measure, MeasureScope, register_measure
from projects.models import Project, ProjectReport, ProjectStage

PARAMS = ("type", "stage", "level", "task")


def _projects(scope: MeasureScope) -> QuerySet[Project]:
    # Registration is not dated in business terms (a register is loaded in bulk): as-of is the `stage` param's.
    projects = Project.objects.all()
    if scope.unit_id:
        projects = projects.filter(lead_unit_id=scope.unit_id)
    if scope.tag_id:
        projects = projects.filter(tags__id=scope.tag_id)
    if scope.param("task"):
        # One filter call: the same linked task must have the code and be in the plan.
        linked = {"tasks__code": scope.param("task")}
        projects = projects.filter(**linked, **({"tasks__plan_id": scope.plan_id} if scope.plan_id else {}))
    elif scope.plan_id:
        projects = projects.filter(tasks__plan_id=scope.plan_id)
    if scope.param("type"):
        projects = projects.filter(type__name=scope.param("type"))
    if scope.param("level"):
        projects = projects.filter(level=scope.param("level"))
    stage = scope.param("stage")
    if stage:
        # Reached by the end of the scope, as recorded by then (an approval after it does not count yet).
        reached = ProjectStage.objects.filter(
            project_id=OuterRef("pk"), name=stage, reached_on__lte=scope.end, recorded_on__lte=scope.end
        )
        projects = projects.filter(Exists(reached))
    return projects.distinct().order_by("code")


def count_rows(scope: MeasureScope) -> QuerySet[Project]:
    return _projects(scope)


def count_value(scope: MeasureScope) -> Decimal:
    return Decimal(_projects(scope).count())


def investment_rows(scope: MeasureScope) -> QuerySet[ProjectReport]:
    """The approved monthly reports of the scope's months, as approved by its end."""
    return (
        ProjectReport.objects.filter(
            project__in=_projects(scope),
            state=ProjectReport.State.APPROVED,
            month__gte=scope.start,
            month__lte=scope.end,
            approved_at__date__lte=scope.end,
        )
        .select_related("project")
        .order_by("month", "project__code")
    )


def investment_value(scope: MeasureScope) -> Decimal:
    total = investment_rows(scope).aggregate(total=Sum("amount_month"))["total"]
    return total or Decimal(0)


def project_url(row) -> str:
    project_id = row.project_id if isinstance(row, ProjectReport) else row.pk
    return reverse("projects:detail", args=[project_id])


def row_label(row) -> str:
    if isinstance(row, ProjectReport):
        return f"{row.project.code} {row.project.name} {row.month:%Y-%m}"
    return f"{row.code} {row.name}"


def register() -> None:
    register_measure(
        Measure(
            key="projects.count",
            label="重大项目数",
            unit="个",
            value=count_value,
            rows=count_rows,
            row_url=project_url,
            row_label=row_label,
            description="按类型、级别、板块统计截至日期已达到某一阶段的项目个数",
            params=PARAMS,
        )
    )
    register_measure(
        Measure(
            key="projects.investment_completed",
            label="重大项目完成投资",
            unit="万元",
            value=investment_value,
            rows=investment_rows,
            row_url=project_url,
            row_label=row_label,
            description="期间内已审核月报的完成投资之和",
            params=PARAMS,
        )
    )
