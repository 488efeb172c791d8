"""Computed measures (计算指标) over tasks and progress reports, registered in ReportsConfig.ready().

A computed indicator names one of these by key and takes its values from the records: "老旧小区改造
完成N个" is the number of tasks verified done, and links to them (core.measures).
"""

from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.measures import Measure, MeasureScope, register_measure
from plans.models import Task
from plans.selectors import _tag_filter
from reports.models import ProgressReport


def _tasks(scope: MeasureScope) -> QuerySet[Task]:
    tasks = Task.objects.filter(is_deleted=False)
    if scope.plan_id:
        tasks = tasks.filter(plan_id=scope.plan_id)
    if scope.unit_id:
        tasks = tasks.filter(lead_unit_id=scope.unit_id)
    if scope.tag_id:
        tasks = tasks.filter(_tag_filter(scope.tag_id))
    if scope.param("object"):
        tasks = tasks.filter(object__contains=scope.param("object"))
    return tasks


def done_rows(scope: MeasureScope) -> QuerySet[Task]:
    """Tasks verified complete (验收完成) within the period."""
    return _tasks(scope).filter(verified_on__gte=scope.start, verified_on__lte=scope.end).order_by("code")


def done_count(scope: MeasureScope) -> Decimal:
    return Decimal(done_rows(scope).count())


def reported_rows(scope: MeasureScope) -> QuerySet[ProgressReport]:
    """Each task's latest approved lead-unit report of the period (its cumulative value as known at the end)."""
    latest = (
        ProgressReport.objects.filter(
            task=OuterRef("pk"), is_lead=True, state=ProgressReport.State.APPROVED, value__isnull=False,
            period_end__gte=scope.start, period_end__lte=scope.end,
        )
        .order_by("-period_end", "-pk")
        .values("pk")[:1]
    )  # fmt: skip
    ids = _tasks(scope).annotate(report_id=Subquery(latest)).exclude(report_id=None).values("report_id")
    return ProgressReport.objects.filter(pk__in=ids).select_related("task").order_by("task__code")


def reported_sum(scope: MeasureScope) -> Decimal:
    return reported_rows(scope).aggregate(total=Sum("value"))["total"] or Decimal(0)


def register() -> None:
    register_measure(
        Measure(
            key="tasks.done",
            label=str(_("Tasks verified done")),
            unit="个",
            value=done_count,
            rows=done_rows,
            row_url=lambda task: reverse("plans:task_detail", args=[task.pk]),
            row_label=lambda task: f"{task.code} {task.object}",
            description=str(_("Tasks verified complete in the period; narrow by plan, lead unit, tag, object.")),
            params=("object",),
        )
    )
    register_measure(
        Measure(
            key="reports.approved_value",
            label=str(_("Sum of approved report values")),
            unit="",
            value=reported_sum,
            rows=reported_rows,
            row_url=lambda report: reverse("reports:report_detail", args=[report.pk]),
            row_label=lambda report: f"{report.task.code} {report.period_end}: {report.value}",
            description=str(_("Each task's latest approved cumulative value in the period, summed.")),
            params=("object",),
        )
    )
