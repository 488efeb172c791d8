"""Report reminders the nightly sweep sends (`workbench`'s `sweep` command calls these; each returns a count).

    report_reminders(as_of: date) -> int        # report due soon / late, escalating up the chain
    followed_light_changes(as_of: date) -> int  # followers hear when a task's light changed since the day before

Both are idempotent through notify()'s dedupe keys: running the sweep twice on one night, or two
sweeps at once, notifies nobody twice.

Escalation (SPEC §8, "escalate reminders up the chain of responsibility as lateness grows"): a report
not submitted by its due date is `late`; counted in working days after the due date (core.workdays),
settings.LUOSHI_REMINDER_ESCALATION = {"reporter": 1, "unit_head": 3, "leader": 5} says from how many
working days late each rung is reminded: the unit's reporters, then also its heads, then also the
holder of the task's responsible leader post (责任领导, lead unit's report only). A report due today
or on the next working day gives the reporters a "due soon" reminder first.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from core.rows import id_chunks
from core.workcalendar import work_calendar
from notifications.models import Follow
from notifications.services import notify
from plans.follows import followers_notify, task_url
from plans.models import Plan, Task
from reports.labels import LIGHT_LABELS, STATUS_LABELS
from reports.models import ProgressReport
from reports.status import DueDates, task_levels, task_periods, task_statuses

# Periods whose due date is further back than this are not chased any more by reminders (they stay
# on the unit's 我的填报 page and in the engine's "missing"): a first sweep after a long pause, or a
# plan loaded with last year's history, must not flood everyone with stale reminders.
LOOK_BACK_DAYS = 31


def _people_by_unit(unit_ids: set[int], role: str) -> dict[int, list[User]]:
    people: dict[int, list[User]] = defaultdict(list)
    for chunk in id_chunks(sorted(unit_ids)):  # every unit with a task due: a province's are many
        for person in role_holders(role, unit_ids=chunk):
            if person.unit_id is not None:  # filtered by unit: always set; the check is for the type
                people[person.unit_id].append(person)
    return people


def report_reminders(as_of: date) -> int:
    """Remind people of reports due within one working day or late as of `as_of`; returns notifications created."""
    calendar = work_calendar()
    dues = DueDates(calendar)
    thresholds = settings.LUOSHI_REMINDER_ESCALATION
    soon_until = calendar.add_workdays(as_of, 1)
    earliest_due = as_of - timedelta(days=LOOK_BACK_DAYS)
    tasks = list(
        Task.objects.alive()
        .filter(plan__status=Plan.Status.ACTIVE, verified_on__isnull=True, start_date__lte=soon_until)
        .filter(deadline__gte=earliest_due - timedelta(days=120))  # a period ends by the deadline + one quarter
        .with_plan("node", "lead_unit", "responsible_post__holder")
        .prefetch_related("co_units")
        .order_by("pk")
    )
    if not tasks:
        return 0
    levels = task_levels(tasks)
    units = {t.lead_unit_id for t in tasks if t.lead_unit_id} | {u.pk for t in tasks for u in t.co_units.all()}
    submitted = {
        row
        for chunk in id_chunks(t.pk for t in tasks)
        for row in ProgressReport.objects.filter(
            task_id__in=chunk, first_submitted_at__isnull=False, due_date__gte=earliest_due - timedelta(days=7)
        ).values_list("task_id", "unit_id", "period_end")
    }
    reporters = _people_by_unit(units, Role.UNIT_REPORTER)
    heads = _people_by_unit(units, Role.UNIT_HEAD)
    count = 0
    with translation.override(settings.LANGUAGE_CODE):
        for task in tasks:
            periods = [p for p in task_periods(task, levels[task.pk], dues) if earliest_due <= p.due <= soon_until]
            task_units = [u for u in [task.lead_unit, *task.co_units.all()] if u is not None]
            for period in periods:
                for unit in task_units:
                    if (task.pk, unit.pk, period.end) in submitted:
                        continue
                    count += _remind(task, unit, period, as_of, calendar, thresholds, reporters, heads)
    return count


def _remind(task, unit, period, as_of, calendar, thresholds, reporters, heads) -> int:
    key = f"{task.pk}:{unit.pk}:{period.end.isoformat()}"
    words = {
        "task": task,
        "unit": unit,
        "period": date_format(period.end, "DATE_FORMAT"),
        "due": date_format(period.due, "DATE_FORMAT"),
    }
    url = reverse("reports:inbox")
    if period.due >= as_of:
        return len(
            notify(
                recipients=reporters.get(unit.pk, []),
                kind="report.due",
                title=_("Report due %(due)s: %(task)s") % words,
                body=_("%(unit)s reports on the period ending %(period)s; the report is due on %(due)s.") % words,
                url=url,
                obj=task,
                dedupe_key=f"report.due:{key}",
            )
        )
    days_late = calendar.workdays_between(period.due, as_of)
    words["days"] = days_late
    title = _("Report %(days)s working days late: %(task)s") % words
    body = _("%(unit)s has not submitted the report for the period ending %(period)s, due on %(due)s.") % words
    created = 0
    rungs = [("reporter", reporters.get(unit.pk, []), url), ("unit_head", heads.get(unit.pk, []), url)]
    if unit.pk == task.lead_unit_id and task.responsible_post and task.responsible_post.holder:
        rungs.append(("leader", [task.responsible_post.holder], reverse("plans:task_detail", kwargs={"pk": task.pk})))
    for rung, people, link in rungs:
        if days_late < thresholds[rung]:
            continue
        # One reminder per rung and period: the rung is reached once, not every night after.
        created += len(
            notify(
                recipients=people,
                kind="report.late",
                title=title,
                body=body,
                url=link,
                obj=task,
                dedupe_key=f"report.late:{rung}:{key}",
            )
        )
    return created


def followed_light_changes(as_of: date) -> int:
    """Followers hear when a followed task's light on `as_of` differs from the day before (a deadline passed,
    a report went missing, a judgement took effect): changes that no single write announces."""

    tasks = list(
        Task.objects.alive()
        .filter(pk__in=Follow.objects.of_model(Task).values("target_id"), plan__status__in=Plan.TRACKED_STATES)
        .with_plan("node")
        .order_by("pk")
    )
    if not tasks:
        return 0
    today = task_statuses(tasks, as_of)
    before = task_statuses(tasks, as_of - timedelta(days=1))
    count = 0

    with translation.override(settings.LANGUAGE_CODE):
        for task in tasks:
            old, new = before[task.pk], today[task.pk]
            if old.light == new.light:
                continue
            words = {
                "task": task,
                "old": LIGHT_LABELS[old.light],
                "new": LIGHT_LABELS[new.light],
                "status": STATUS_LABELS[new.status],
            }
            notes = followers_notify(
                task=task,
                kind="task.changed",
                title=_("Light changed to %(new)s: %(task)s") % words,
                body=_("The light changed from %(old)s to %(new)s (%(status)s).") % words,
                url=task_url(task),
                dedupe_key=f"task.light:{task.pk}:{as_of.isoformat()}",
            )
            count += len(notes)
    return count
