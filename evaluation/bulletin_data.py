"""What a month's 督查通报 says, gathered from the selectors the cockpit and the league table use.

Every figure comes from `reports.selectors.cockpit` (tasks by light, the red list), the stored statuses
(`reports.selectors.tasks_with_status`: lagging and overdue tasks), `evaluation.selectors.league_table`
(the published period), and the supervision records of the month; a test compares them. The result is
plain data (`evaluation.bulletindoc.BulletinData`), stored with the issued bulletin.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from accounts.models import User
from core.measures import MeasureScope, get_measure
from evaluation import selectors
from evaluation.bulletindoc import BulletinData, LeagueGroup, LeagueLine, UnitTasks
from evaluation.models import Period
from plans.models import Task
from reports import engine
from reports.models import ProgressReport
from reports.selectors import cockpit, tasks_with_status
from supervision.models import OrderEscalation, OrderKind, SupervisionOrder

LAGGING_PER_UNIT = 8  # tasks named per unit; the count says how many there are


def month_range(month: date) -> tuple[date, date]:
    return month.replace(day=1), month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_period(month: date) -> Period | None:
    """The published month period of that month (of the newest scheme that has one)."""
    return (
        Period.objects.filter(kind=Period.Kind.MONTH, start=month.replace(day=1), version__gt=0)
        .select_related("scheme")
        .order_by("-scheme__version")
        .first()
    )


def report_counts(plan_ids: tuple[int, ...], start: date, end: date) -> dict[str, int]:
    """Lead reports due in the month: on time, late (submitted after the due day), not submitted by month end."""
    from evaluation.sources import Window, _before, _on_time

    window = Window(start, end, 0, 0)  # type: ignore[arg-type]
    counts = {"due": 0, "on_time": 0, "late": 0, "missing": 0}
    rows = ProgressReport.objects.filter(
        task__plan_id__in=plan_ids, is_lead=True, due_date__gte=start, due_date__lte=end, task__is_deleted=False
    ).values_list("due_date", "first_submitted_at")
    for due, submitted in rows:
        counts["due"] += 1
        if _on_time(submitted, due, window):
            counts["on_time"] += 1
        elif _before(submitted, window):
            counts["late"] += 1
        else:
            counts["missing"] += 1
    return counts


def project_figures(user: User, month: date) -> dict[str, str] | None:
    """The projects paragraph, from the selectors of the cockpit's projects card and the rollup page
    (`projects.selectors`): projects by light and 开工率 as of the month end (the rollup, summed over
    types: each project has one), investment completed vs planned this year (the card's chart, its point
    at the month end). None when the viewer sees no project planned in that year."""
    from projects import selectors as projects

    visible = projects.projects_for_user(user)
    if not visible.filter(plan_year=month.year).exists():
        return None
    _start, end = month_range(month)
    groups = projects.project_rollup(user, end, by="type")
    point = projects.investment_by_month(visible, month.year, end)[month.month - 1]
    started, start_due = sum(g.started for g in groups), sum(g.start_due for g in groups)
    # Year to date, the registered measure (the same sum the card's cumulative line draws).
    year_to_date = MeasureScope(start=end.replace(month=1, day=1), end=end)
    completed = get_measure("projects.investment_completed").value(year_to_date)
    return {
        "count": str(sum(g.count for g in groups)),
        "green": str(sum(g.green for g in groups)),
        "yellow": str(sum(g.yellow for g in groups)),
        "red": str(sum(g.red for g in groups)),
        "started": str(started),
        "start_due": str(start_due),
        "start_rate": f"{started / start_due * 100:.1f}" if start_due else "",
        "planned": f"{point['planned']:.2f}",
        "completed": f"{completed:.2f}",
        "completion_rate": f"{float(completed) / point['planned'] * 100:.1f}" if point["planned"] else "",
    }


def enterprise_figures(month: date) -> dict[str, str] | None:
    """The enterprise-assistance paragraph for the district, from `enterprises.figures.assistance_summary` (what
    the enterprises overview and API show, made of the registered measures). None when the month has none."""
    from enterprises.figures import assistance_summary

    start, end = month_range(month)
    s = assistance_summary(MeasureScope(start=start, end=end))
    if not (s.enterprises_helped or s.requests or s.closed or s.answered):
        return None
    rate = s.on_time_rate
    satisfied = s.satisfaction_rate
    return {
        "helped": str(s.enterprises_helped),
        "requests": str(s.requests),
        "closed": str(s.closed),
        "answered": str(s.answered),
        "on_time_rate": f"{rate * 100:.1f}" if rate is not None else "",
        "satisfaction_rate": f"{satisfied * 100:.1f}" if satisfied is not None else "",
        "jobs": str(s.jobs_filled),
        "tax_wan": f"{s.tax_relieved_yuan / 10000:.2f}",
        "funds_wan": f"{s.funds_provided_yuan / 10000:.2f}",
    }


def bulletin_data(
    *, user: User, month: date, plan_ids: tuple[int, ...] | None, issuer: str, title: str = "",
    opening: str = "", remarks: str = "", seq: int = 0, issued_on: date | None = None,
) -> BulletinData:  # fmt: skip
    start, end = month_range(month)
    cp = cockpit(user, end, plans=plan_ids)
    plans = cp.plan_ids
    scope = Task.objects.alive().filter(plan_id__in=plans)
    lagging: dict[str, list[str]] = defaultdict(list)
    lag_count: dict[str, int] = defaultdict(int)
    named: set[int] = set()
    for status in (engine.Status.OVERDUE, engine.Status.LAGGING):
        label = "逾期" if status == engine.Status.OVERDUE else "滞后"
        chosen = tasks_with_status(scope, end, status=status.value).select_related("lead_unit").order_by("code")
        for t in chosen:
            unit = t.lead_unit.name if t.lead_unit else "—"
            lag_count[unit] += 1
            if t.lead_unit_id:
                named.add(t.lead_unit_id)
            if len(lagging[unit]) < LAGGING_PER_UNIT:
                lagging[unit].append(f"{t.code} {t.object}（{label}）")
    units = [UnitTasks(u, lag_count[u], lagging[u]) for u in sorted(lagging, key=lambda u: (-lag_count[u], u))]
    period = month_period(month)
    league: list[LeagueGroup] = []
    if period is not None:
        for group in selectors.league_table(period):
            league.append(LeagueGroup(group.name, [
                LeagueLine(r.rank, r.unit.name, str(r.total), r.rank_change, r.adjusted_by_appeal) for r in group.rows
            ]))  # fmt: skip
            named.update(r.unit_id for r in group.rows)
    # Orders about the plans' tasks (orders link their objects generically: supervision.targets).
    plan_tasks = Task.objects.filter(plan_id__in=plans).values("pk")
    orders = SupervisionOrder.objects.filter(
        target_links__target_type=ContentType.objects.get_for_model(Task), target_links__target_id__in=plan_tasks
    ).distinct()
    notices = (
        OrderEscalation.objects.filter(level=OrderKind.NOTICE, day__gte=start, day__lte=end, order__in=orders)
        .select_related("order__unit")
        .order_by("day")
    )
    notice_lines = []
    for e in notices:
        notice_lines.append(
            f"{e.order.number}（{e.order.unit.name}，逾期{e.workdays_late}个工作日，{e.day:%-m月%-d日}升级为通报）"
        )
        named.add(e.order.unit_id)
    red = [(t.code, t.object, t.lead_unit.name if t.lead_unit else "—") for t, _r in cp.red]
    return BulletinData(
        issuer=issuer,
        year=month.year,
        seq=seq,
        month=start,
        issued_on=issued_on or date.today(),
        title=title or f"关于{month.year}年{month.month}月重点工作推进情况的通报",
        opening=opening,
        remarks=remarks,
        total_tasks=cp.total,
        by_light=dict(cp.by_light),
        reports=report_counts(plans, start, end),
        orders_issued=orders.filter(issued_on__gte=start, issued_on__lte=end).count(),
        orders_closed=orders.filter(Q(closed_at__date__gte=start) & Q(closed_at__date__lte=end)).count(),
        lagging=units,
        league=league,
        period_label=period.label if period else "",
        red=red,
        notices=notice_lines,
        projects=project_figures(user, start),
        enterprises=enterprise_figures(start),
        named_unit_ids=sorted(named),
        plan_ids=list(plans),
    )
