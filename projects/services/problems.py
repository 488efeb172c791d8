"""Problem lists (问题清单), escalation, coordination meetings (调度会)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from accounts.selectors import role_holders
from audit.services import audit_record
from core.errors import ServiceError
from core.workcalendar import service_error_outside, work_calendar
from core.workdays import OutsideCalendar
from org.models import LeaderPost, Unit
from projects.models import (
    CoordinationMeeting,
    MeetingDecision,
    Project,
    ProjectProblem,
)
from projects.services.common import _forbidden, _notify_people, _notify_unit

# === problems ===================================================================================


def _may_raise(actor: User, project: Project) -> bool:
    if actor.has_luoshi_perm(Perm.PLAN_EDIT) or actor.has_luoshi_perm(Perm.INSTRUCTION_WRITE):
        return True
    unit_id = actor.unit_id
    return unit_id is not None and (unit_id == project.lead_unit_id or project.co_units.filter(pk=unit_id).exists())


@transaction.atomic
def problem_raise(
    *, actor: User, project: Project, category: str, description: str, unit: Unit, workdays: int,
    raised_on: dt.date | None = None,
) -> ProjectProblem:  # fmt: skip
    """Put a blocking problem on the project's list, due in `workdays` working days, for `unit` to solve."""
    if not _may_raise(actor, project):
        raise _forbidden()
    if category not in ProjectProblem.Category.values:
        raise ServiceError(_("Choose a category."), field="category")
    if not description.strip():
        raise ServiceError(_("Describe the problem."), field="description")
    if not 1 <= workdays <= 250:
        raise ServiceError(_("Give between 1 and 250 working days."), field="workdays")
    raised_on = raised_on or timezone.localdate()
    try:
        deadline = work_calendar().add_workdays(raised_on, workdays)
    except OutsideCalendar as exc:
        raise service_error_outside(exc, field="workdays") from exc
    problem = ProjectProblem.objects.create(
        project=project, category=category, description=description.strip(), unit=unit, raised_on=raised_on,
        workdays=workdays, deadline=deadline, created_by=actor,
    )  # fmt: skip
    audit_record(actor=actor, verb="project_problem.raise", obj=problem, after={"unit": unit.pk, "deadline": deadline})
    _notify_unit(
        unit.pk, Role.UNIT_HEAD, kind="project_problem.raised",
        title=_("Problem to solve on %(p)s by %(d)s") % {"p": project.name, "d": deadline}, obj=problem,
    )  # fmt: skip
    return problem


@transaction.atomic
def problem_resolve(*, actor: User, problem: ProjectProblem, resolution: str) -> ProjectProblem:
    """The solving unit (or the office) records how the problem was solved."""
    if not (actor.has_luoshi_perm(Perm.PLAN_EDIT) or (actor.unit_id and actor.unit_id == problem.unit_id)):
        raise _forbidden()
    if not resolution.strip():
        raise ServiceError(_("Describe how the problem was solved."), field="resolution")
    problem = ProjectProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.state != ProjectProblem.State.OPEN:
        raise ServiceError(_("This problem is already resolved."), code="resolved")
    problem.state, problem.resolution, problem.resolved_on = (
        ProjectProblem.State.RESOLVED, resolution.strip(), timezone.localdate(),
    )  # fmt: skip
    problem.save(update_fields=["state", "resolution", "resolved_on"])
    audit_record(actor=actor, verb="project_problem.resolve", obj=problem, after={"resolution": problem.resolution})
    return problem


def _escalation_recipients(problem: ProjectProblem, level: int) -> list[User]:
    if level == 1:
        return list(role_holders(Role.UNIT_HEAD, unit_ids=[problem.unit_id]))
    holder = problem.project.leader_post.holder
    office = list(role_holders(Role.OFFICE))
    return [*([holder] if holder else []), *office]


@transaction.atomic
def problems_escalate(*, today: dt.date | None = None) -> int:
    """The escalation ladder for open problems past their deadline, at most one step a day (the nightly sweep):
    1 the solving unit's head, 2 the project's responsible leader and the office, 3 the office, told to
    issue a supervision order on the problem: the notice opens the order form with it as the target
    (`?target=project_problem:<id>`), the addressee defaulting to the solving unit. An order is an official
    document the office signs, so it is proposed, not issued by the machine. Returns how many moved up."""
    today = today or timezone.localdate()
    moved = 0
    overdue = ProjectProblem.objects.select_for_update().filter(
        state=ProjectProblem.State.OPEN, deadline__lt=today, escalation_level__lt=3
    )
    for problem in overdue.select_related("project", "project__leader_post"):
        if problem.escalated_on is not None and problem.escalated_on >= today:
            continue
        problem.escalation_level += 1
        problem.escalated_on = today
        problem.save(update_fields=["escalation_level", "escalated_on"])
        audit_record(
            actor=None, verb="project_problem.escalate", obj=problem, after={"level": problem.escalation_level}
        )
        title = _("Overdue project problem (level %(n)s): %(p)s") % {
            "n": problem.escalation_level,
            "p": problem.project.name,
        }
        if problem.escalation_level >= 3:
            from notifications.services import notify

            notify(
                recipients=list(role_holders(Role.OFFICE)), kind="project_problem.order_proposed",
                title=_("Issue a supervision order on an overdue project problem: %(p)s") % {"p": problem.project.name},
                url=f"{reverse('supervision:order_create')}?target=project_problem:{problem.pk}", obj=problem,
            )  # fmt: skip
        else:
            _notify_people(
                _escalation_recipients(problem, problem.escalation_level), kind="project_problem.escalated",
                title=title, obj=problem,
            )  # fmt: skip
        moved += 1
    return moved


# === coordination meetings ======================================================================


@dataclass
class DecisionFields:
    project: Project
    text: str
    unit: Unit
    problem: ProjectProblem | None = None
    due_on: dt.date | None = None


@transaction.atomic
def meeting_record(
    *, actor: User, held_on: dt.date, title: str, chair: LeaderPost | None, notes: str,
    decisions: Sequence[DecisionFields],
) -> CoordinationMeeting:  # fmt: skip
    """Record a coordination meeting (调度会) and its decisions, each assigned to a unit (office or leader)."""
    if not (actor.has_luoshi_perm(Perm.PLAN_EDIT) or actor.has_luoshi_perm(Perm.INSTRUCTION_WRITE)):
        raise _forbidden()
    if not title.strip():
        raise ServiceError(_("Give the meeting a title."), field="title")
    if not decisions:
        raise ServiceError(_("Record at least one decision."), field="decisions")
    for d in decisions:
        if not d.text.strip():
            raise ServiceError(_("Every decision needs its text."), field="decisions")
    meeting = CoordinationMeeting.objects.create(
        held_on=held_on, title=title.strip(), chair=chair, notes=notes, created_by=actor
    )
    for d in decisions:
        MeetingDecision.objects.create(
            meeting=meeting, project=d.project, problem=d.problem, text=d.text.strip(), unit=d.unit, due_on=d.due_on
        )
        if d.problem is not None:
            meeting.problems.add(d.problem)
        _notify_unit(
            d.unit.pk, Role.UNIT_HEAD, kind="project_decision.assigned",
            title=_("Meeting decision for %(p)s: %(t)s") % {"p": d.project.name, "t": d.text[:60]}, obj=d.project,
        )  # fmt: skip
    audit_record(actor=actor, verb="project_meeting.record", obj=meeting, after={"decisions": len(decisions)})
    return meeting


def parse_decision_lines(text: str) -> list[DecisionFields]:
    """Decision lines "项目编号 | 议定事项 | 责任单位 | 期限" → DecisionFields; a ServiceError names the line."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) not in (3, 4):
            raise ServiceError(
                _("Line %(n)d: write project code | decision | unit | due date.") % {"n": number}, field="decisions"
            )
        project = Project.objects.filter(code=parts[0]).first()
        unit = Unit.objects.filter(name=parts[2], is_active=True).first()
        if project is None:
            raise ServiceError(_("Line %(n)d: no project has the code “%(v)s”.") % {"n": number, "v": parts[0]},
                               field="decisions")  # fmt: skip
        if unit is None:
            raise ServiceError(_("Line %(n)d: unknown unit “%(v)s”.") % {"n": number, "v": parts[2]}, field="decisions")
        due = None
        if len(parts) == 4 and parts[3]:
            try:
                due = dt.date.fromisoformat(parts[3])
            except ValueError:
                raise ServiceError(
                    _("Line %(n)d: “%(v)s” is not a date (YYYY-MM-DD).") % {"n": number, "v": parts[3]},
                    field="decisions",
                ) from None
        out.append(DecisionFields(project=project, text=parts[1], unit=unit, due_on=due))
    return out
