"""The nightly sweep (`manage.py sweep`): statuses, report reminders, order reminders and escalation.

Idempotent: every reminder is keyed (notify's dedupe keys, one OrderEscalation row
per order, due date and rung), and the day's stored statuses are overwritten
(reports.snapshots.status_refresh), so running it twice, or two sweeps at once,
notifies nobody twice. Each order is
escalated in its own transaction: one order's failure does not undo the others.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from core.workcalendar import work_calendar
from enterprises.escalation import requests_escalate
from plans.models import Plan, Task
from projects import status as project_status
from projects.models import Project
from projects.services import problems_escalate
from reports.reminders import followed_light_changes, report_reminders
from reports.snapshots import status_refresh, statuses_on
from supervision.models import Rectification, SupervisionOrder
from supervision.services import (
    escalation_thresholds,
    order_escalate,
    order_remind_due,
    rectification_remind_late,
)


@dataclass
class SweepResult:
    as_of: date
    tasks: int = 0
    lights: Counter = field(default_factory=Counter)
    projects: int = 0
    report_reminders: int = 0
    light_changes: int = 0
    order_reminders: int = 0
    orders_late: int = 0
    orders_escalated: int = 0
    order_notifications: int = 0
    rectifications_late: int = 0
    project_problems_escalated: int = 0
    requests_late: int = 0
    request_notifications: int = 0

    def lines(self) -> list[str]:
        lights = ", ".join(f"{k} {v}" for k, v in sorted(self.lights.items())) or "-"
        return [
            f"as of {self.as_of.isoformat()}",
            f"statuses: {self.tasks} tasks ({lights})",
            f"project statuses stored: {self.projects}",
            f"report reminders: {self.report_reminders}",
            f"followed tasks whose light changed: {self.light_changes}",
            f"order due reminders: {self.order_reminders}",
            f"late orders: {self.orders_late}, escalated: {self.orders_escalated}, "
            f"reminders: {self.order_notifications}",
            f"overdue project problems escalated: {self.project_problems_escalated}",
            f"late enterprise requests: {self.requests_late}, reminders: {self.request_notifications}",
            f"late rectifications reminded: {self.rectifications_late}",
        ]


def sweep_run(*, as_of: date) -> SweepResult:
    result = SweepResult(as_of=as_of)
    calendar, thresholds = work_calendar(), escalation_thresholds()
    # Statuses: the day's stored rows recomputed for every live task (reports.snapshots), then counted.
    status_refresh(as_of=as_of)
    tasks = list(Task.objects.alive().filter(plan__status=Plan.Status.ACTIVE).with_plan("node"))
    result.tasks = len(tasks)
    result.lights = Counter(r.light.value for r in statuses_on(as_of, tasks).values())
    # Projects: the day's statuses stored for the whole register (a first view of the day reads rows).
    result.projects = project_status.ensure_stored(Project.objects.all(), as_of, every_project=True)
    result.report_reminders = report_reminders(as_of)
    result.light_changes = followed_light_changes(as_of)
    orders = SupervisionOrder.objects.filter(state__in=SupervisionOrder.OPEN_STATES, issued_on__lte=as_of)
    for order in orders.select_related("unit", "issued_by").order_by("due_date", "pk"):
        result.order_reminders += order_remind_due(order=order, today=as_of, calendar=calendar, thresholds=thresholds)
        outcome = order_escalate(order=order, today=as_of, calendar=calendar, thresholds=thresholds)
        if outcome is not None and outcome.decision.is_late:
            result.orders_late += 1
            result.orders_escalated += int(outcome.level_raised)
            result.order_notifications += outcome.notified
    result.requests_late, result.request_notifications = requests_escalate(
        today=as_of, calendar=calendar, thresholds=thresholds
    )
    late = Rectification.objects.filter(state__in=Rectification.OPEN_STATES, deadline__lt=as_of)
    for item in late.select_related("unit"):
        result.rectifications_late += int(rectification_remind_late(item=item, today=as_of) > 0)
    result.project_problems_escalated = problems_escalate(today=as_of)
    return result
