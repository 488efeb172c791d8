"""Notifications of report events, called from reports.services inside their transactions.

报送待审核 to the unit heads, 报送被退回 / 报送通过 to the report's creator, and new progress or a new
研判 to the task's followers. `notifications.notify` delivers them; what they say is the reports' own.
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import role_holders
from core.numbers import plain
from notifications.models import Follow, Notification
from notifications.services import notify
from plans.follows import followers_notify
from plans.models import Task
from reports.labels import LIGHT_LABELS, STATUS_LABELS
from reports.status import task_statuses


def _people_with_role(unit_id: int | None, role: str) -> list[User]:
    if not unit_id:
        return []
    return list(role_holders(role, unit_ids=[unit_id]))


def _report_url(report, *, edit: bool = False) -> str:
    from django.urls import reverse

    return reverse("reports:report_edit" if edit else "reports:report_detail", kwargs={"pk": report.pk})


def _light_line(task) -> str:
    """ "Now: Red · Overdue" for the task as of today, as the follower will see it on the task page."""
    task = Task.objects.with_plan("node").get(pk=task.pk)
    result = task_statuses([task], timezone.localdate())[task.pk]
    return _("Now: %(light)s light · %(status)s") % {
        "light": LIGHT_LABELS[result.light],
        "status": STATUS_LABELS[result.status],
    }


def report_submitted_notify(*, report) -> list[Notification]:
    """报送待审核: the unit heads of the reporting unit hear that a report waits for them."""
    from django.urls import reverse

    from accounts.roles import Role

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Report to approve: %(task)s") % {"task": report.task}
        body = _("%(person)s submitted the report for the period ending %(period)s.") % {
            "person": report.created_by,
            "period": date_format(report.period_end, "DATE_FORMAT"),
        }
    return notify(
        recipients=_people_with_role(report.unit_id, Role.UNIT_HEAD),
        kind="report.submitted",
        title=title,
        body=body,
        url=reverse("reports:approvals"),
        obj=report,
    )


def report_returned_notify(*, report, actor) -> list[Notification]:
    """报送被退回: the report's creator hears why, with a link to edit it."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Report returned: %(task)s") % {"task": report.task}
        body = _("%(person)s returned the report for the period ending %(period)s. Reason: %(reason)s") % {
            "person": actor,
            "period": date_format(report.period_end, "DATE_FORMAT"),
            "reason": report.returned_reason,
        }
    return notify(
        recipients=[report.created_by],
        kind="report.returned",
        title=title,
        body=body,
        url=_report_url(report, edit=True),
        obj=report,
    )


def report_approved_notify(*, report, actor) -> list[Notification]:
    """报送通过: the creator hears it; followers of the task hear of new progress (lead unit's report only)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Report approved: %(task)s") % {"task": report.task}
        body = _("%(person)s approved the report for the period ending %(period)s.") % {
            "person": actor,
            "period": date_format(report.period_end, "DATE_FORMAT"),
        }
    created = notify(
        recipients=[report.created_by],
        kind="report.approved",
        title=title,
        body=body,
        url=_report_url(report),
        obj=report,
    )
    if report.is_lead and Follow.objects.of_model(Task).filter(target_id=report.task_id).exists():
        task = report.task
        with translation.override(settings.LANGUAGE_CODE):
            value = "" if report.value is None else plain(report.value)
            follow_title = _("Progress reported: %(task)s") % {"task": task}
            follow_body = "\n".join(
                [
                    _("%(unit)s reports %(value)s %(measure)s for the period ending %(period)s.")
                    % {
                        "unit": report.unit,
                        "value": value,
                        "measure": task.target_unit,
                        "period": date_format(report.period_end, "DATE_FORMAT"),
                    },
                    _light_line(task),
                ]
            )
        created += followers_notify(
            task=task, kind="task.changed", title=follow_title, body=follow_body, exclude=[actor, report.created_by]
        )
    return created


def judgement_recorded_notify(*, judgement, actor) -> list[Notification]:
    """研判: followers of the task hear the office's new likelihood-of-delivery judgement."""
    task = judgement.task
    if not Follow.objects.of(task).exists():
        return []
    with translation.override(settings.LANGUAGE_CODE):
        title = _("New judgement: %(task)s") % {"task": task}
        body = "\n".join(
            [
                _("The office judges delivery %(likelihood)s. Reason: %(reason)s")
                % {"likelihood": judgement.get_likelihood_display(), "reason": judgement.reason},
                _light_line(task),
            ]
        )
    return followers_notify(task=task, kind="task.changed", title=title, body=body, exclude=[actor])
