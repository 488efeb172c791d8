"""Writes on major projects: register, monthly reports (月报), problems (问题清单), coordination meetings (调度会).

Keyword-only, atomic, audited. Monthly reports follow the progress report's life cycle: the lead unit's
reporter drafts and submits, its head approves or returns; only approved reports count.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from accounts.selectors import role_holders
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import service_error_outside, work_calendar
from core.workdays import OutsideCalendar
from org.models import LeaderPost, Unit
from plans.models import DimensionTag, Task
from projects import status as project_status
from projects.models import (
    CoordinationMeeting,
    MeetingDecision,
    Project,
    ProjectPhoto,
    ProjectProblem,
    ProjectReport,
    ProjectStage,
    ProjectType,
)
from reports import engine
from reports.engine.investment import DEFAULT_DUE_DAYS

MAX_PHOTOS_PER_REQUEST = 10


def _forbidden() -> ServiceError:
    return ServiceError(_("You do not have permission to do this."), code="forbidden")


# === the register ===============================================================================


@dataclass
class ProjectFields:
    """What the office types (or the ledger carries) for one project."""

    code: str
    name: str
    type: ProjectType
    level: str
    leader_post: LeaderPost
    lead_unit: Unit
    total_investment: Decimal
    plan_year: int
    annual_plan: Decimal
    completion_due: dt.date
    owner: str = ""
    address: str = ""
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    co_units: Sequence[Unit] = ()
    tags: Sequence[DimensionTag] = ()
    tasks: Sequence[Task] = ()
    stage_dates: Sequence[dt.date | None] = ()
    monthly_profile: Sequence[float] = field(default_factory=list)


SCALAR_FIELDS = (
    "code", "name", "type", "level", "leader_post", "lead_unit", "total_investment", "plan_year",
    "annual_plan", "completion_due", "owner", "address", "longitude", "latitude",
)  # fmt: skip


def _check_fields(data: ProjectFields) -> None:
    if not data.code.strip():
        raise ServiceError(_("Give the project code."), field="code")
    if not data.name.strip():
        raise ServiceError(_("Give the project name."), field="name")
    if data.level not in Project.Level.values:
        raise ServiceError(_("Choose a level."), field="level")
    if data.total_investment < 0:
        raise ServiceError(_("The total investment cannot be negative."), field="total_investment")
    if data.annual_plan < 0:
        raise ServiceError(_("The annual planned investment cannot be negative."), field="annual_plan")
    if data.annual_plan > data.total_investment:
        raise ServiceError(_("The annual plan cannot exceed the total investment."), field="annual_plan")
    if len(data.stage_dates) > len(data.type.stages):
        raise ServiceError(_("More stage dates than the type has stages."), field="stage_dates")
    dates = [d for d in data.stage_dates if d is not None]
    if dates != sorted(dates):
        raise ServiceError(_("Stage dates must follow the order of the stages."), field="stage_dates")
    profile = list(data.monthly_profile)
    if profile and (
        len(profile) != 12 or any(not 0 <= x <= 1 for x in profile) or profile != sorted(profile) or profile[-1] != 1
    ):
        raise ServiceError(
            _("The monthly profile has 12 cumulative shares between 0 and 1, not decreasing, ending at 1."),
            field="monthly_profile",
        )
    if (data.longitude is None) != (data.latitude is None):
        raise ServiceError(_("Give both longitude and latitude, or neither."), field="longitude")
    if (
        data.longitude is not None
        and data.latitude is not None
        and not (-180 <= data.longitude <= 180 and -90 <= data.latitude <= 90)
    ):
        raise ServiceError(_("The coordinates are out of range."), field="longitude")


def _snapshot(project: Project) -> dict:
    return {
        "code": project.code,
        "name": project.name,
        "type": project.type_id,
        "lead_unit": project.lead_unit_id,
        "leader_post": project.leader_post_id,
        "annual_plan": project.annual_plan,
        "completion_due": project.completion_due,
    }


def _write_stages(project: Project, dates: Sequence[dt.date | None]) -> None:
    kind = project.type
    existing = {s.index: s for s in project.stages.all()}
    for index, name in enumerate(kind.stages):
        planned = dates[index] if index < len(dates) else None
        role = (
            ProjectStage.Role.START
            if index == kind.start_stage
            else ProjectStage.Role.FINISH
            if index == kind.finish_stage
            else ProjectStage.Role.NONE
        )
        stage = existing.pop(index, None)
        if stage is None:
            ProjectStage.objects.create(project=project, index=index, name=name, role=role, planned_on=planned)
        else:
            stage.name, stage.role, stage.planned_on = name, role, planned
            stage.save(update_fields=["name", "role", "planned_on"])
    ProjectStage.objects.filter(pk__in=[s.pk for s in existing.values()], reached_on__isnull=True).delete()


@transaction.atomic
def project_save(*, actor: User | None, data: ProjectFields, project: Project | None = None) -> Project:
    """Create a project or replace its register fields (the office: plan.edit; None = a loader)."""
    if actor is not None and not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise _forbidden()
    _check_fields(data)
    clash = Project.objects.filter(code=data.code.strip())
    if project is not None:
        clash = clash.exclude(pk=project.pk)
    if clash.exists():
        raise ServiceError(_("Another project has the code %(code)s.") % {"code": data.code}, field="code")
    before = _snapshot(project) if project is not None else None
    if project is None:
        project = Project()
    for name in SCALAR_FIELDS:
        setattr(project, name, getattr(data, name))
    project.code, project.name = data.code.strip(), data.name.strip()
    project.monthly_profile = list(data.monthly_profile)
    if project.pk is None:
        project.save()
    else:
        project.version += 1
        project.save(update_fields=[*SCALAR_FIELDS, "monthly_profile", "version", "updated_at"])
    project.co_units.set(data.co_units)
    project.tags.set(data.tags)
    project.tasks.set(data.tasks)
    _write_stages(project, data.stage_dates)
    project_status.status_refresh(project=project, since=None)
    audit_record(
        actor=actor, verb="project.update" if before else "project.create", obj=project, before=before,
        after=_snapshot(project),
    )  # fmt: skip
    return project


# === monthly reports ============================================================================


def _may_report(actor: User, project: Project) -> bool:
    return actor.has_luoshi_perm(Perm.REPORT_DRAFT) and bool(actor.unit_id) and actor.unit_id == project.lead_unit_id


def month_end_of(day: dt.date) -> dt.date:
    return engine.month_end(day.year, day.month)


def _report_snapshot(report: ProjectReport) -> dict:
    return {
        "state": report.state,
        "month": report.month,
        "amount_month": report.amount_month,
        "amount_year": report.amount_year,
        "stage_index": report.stage_index,
        "version": report.version,
    }


def _report_start(*, actor: User, project: Project, month: dt.date) -> ProjectReport:
    if not _may_report(actor, project):
        raise _forbidden()
    end = month_end_of(month)
    if end > timezone.localdate():
        # A month's figure is what was done in the whole month: reported once the month is over.
        raise ServiceError(_("The month has not ended yet: report it from its last day on."), field="month")
    report, _created = ProjectReport.objects.get_or_create(
        project=project,
        month=end,
        defaults={
            "unit": project.lead_unit,
            "due_date": end + dt.timedelta(days=DEFAULT_DUE_DAYS),
            "created_by": actor,
        },
    )
    return report


@transaction.atomic
def report_start(*, actor: User, project: Project, month: dt.date) -> ProjectReport:
    """The project's report for the month: the existing one, or a new draft (the lead unit's reporter)."""
    return _report_start(actor=actor, project=project, month=month)


def _lock_editable(report: ProjectReport, expected_version: int | None) -> ProjectReport:
    locked = ProjectReport.objects.select_for_update().get(pk=report.pk)
    if not locked.is_editable:
        raise ServiceError(
            _("This report is %(state)s and can no longer be changed.") % {"state": locked.get_state_display()},
            code="not_editable",
        )
    if expected_version is not None and locked.version != expected_version:
        raise ServiceError(_("Someone else saved this report meanwhile; reload and try again."), code="conflict")
    return locked


def _cumulative_before(report: ProjectReport) -> Decimal:
    """The year's completed investment before this month: the sum of the earlier months' figures this year."""
    earlier = ProjectReport.objects.filter(
        project_id=report.project_id, month__year=report.month.year, month__lt=report.month
    ).exclude(state=ProjectReport.State.DRAFT)
    return sum((r.amount_month for r in earlier.only("amount_month")), Decimal(0))


def _report_save(
    *,
    actor: User,
    report: ProjectReport,
    amount_month: Decimal,
    progress_text: str,
    stage_index: int | None,
    stage_reached_on: dt.date | None,
    stage_evidence: str,
    submit: bool,
    expected_version: int | None,
) -> ProjectReport:
    if not _may_report(actor, report.project):
        raise _forbidden()
    report = _lock_editable(report, expected_version)
    project = report.project
    if amount_month < 0:
        raise ServiceError(_("The investment completed this month cannot be negative."), field="amount_month")
    if stage_index is not None:
        if not 0 <= stage_index < len(project.type.stages):
            raise ServiceError(_("Choose one of the project's stages."), field="stage_index")
        if stage_reached_on is None:
            raise ServiceError(_("Give the date the stage was reached."), field="stage_reached_on")
        if stage_reached_on > report.month or stage_reached_on > timezone.localdate():
            raise ServiceError(
                _("The stage cannot be reached after the month reported or in the future."), field="stage_reached_on"
            )
        if not stage_evidence.strip():
            raise ServiceError(_("Describe the evidence that the stage was reached."), field="stage_evidence")
    if submit and not progress_text.strip():
        raise ServiceError(_("Describe the image progress before submitting."), field="progress_text")
    before = _report_snapshot(report)
    report.amount_month = amount_month
    report.amount_year = _cumulative_before(report) + amount_month
    report.progress_text = progress_text
    report.stage_index = stage_index
    report.stage_reached_on = stage_reached_on if stage_index is not None else None
    report.stage_evidence = stage_evidence if stage_index is not None else ""
    fields = [
        "amount_month", "amount_year", "progress_text", "stage_index", "stage_reached_on", "stage_evidence",
        "version", "updated_at",
    ]  # fmt: skip
    first_submission = submit and report.first_submitted_at is None
    if submit:
        now = timezone.now()
        report.state, report.submitted_at = ProjectReport.State.SUBMITTED, now
        report.first_submitted_at = report.first_submitted_at or now
        fields += ["state", "submitted_at", "first_submitted_at"]
        report.stale_flags = _stale_flags(report)
        fields.append("stale_flags")
    report.version += 1
    report.save(update_fields=fields)
    audit_record(
        actor=actor, verb="project_report.submit" if submit else "project_report.save", obj=report, before=before,
        after=_report_snapshot(report),
    )  # fmt: skip
    if first_submission:
        project_status.status_refresh(project=project, since=timezone.localdate(report.first_submitted_at))
    if submit:
        _notify_unit(
            report.unit_id, Role.UNIT_HEAD, kind="project_report.submitted",
            title=_("Monthly report to approve: %(p)s") % {"p": project.name}, obj=report,
        )  # fmt: skip
    return report


def _stale_flags(report: ProjectReport) -> list[dict]:
    """The progress report's stale/copied detection over this project's reports (a hint for the head)."""
    earlier = list(
        ProjectReport.objects.filter(project_id=report.project_id, month__lt=report.month)
        .exclude(state=ProjectReport.State.DRAFT)
        .prefetch_related("photos")
        .order_by("month")
    )

    def snap(r: ProjectReport) -> engine.ReportSnapshot:
        hashes = frozenset(p.sha256 for p in r.photos.all())
        return engine.ReportSnapshot(
            task_key=r.project_id, period_end=r.month, narrative=r.progress_text, value=float(r.amount_year),
            evidence_hashes=hashes, report_key=r.pk,
        )  # fmt: skip

    flags = engine.detect_stale_reports([*(snap(r) for r in earlier), snap(report)])
    return [
        {"kind": f.kind.value, "earlier": f.earlier_period_end.isoformat()} for f in flags if f.report_key == report.pk
    ]


@transaction.atomic
def report_save(
    *,
    actor: User,
    report: ProjectReport,
    amount_month: Decimal,
    progress_text: str,
    stage_index: int | None = None,
    stage_reached_on: dt.date | None = None,
    stage_evidence: str = "",
    submit: bool = False,
    expected_version: int | None = None,
) -> ProjectReport:
    """Save the month's draft; with submit=True also submit it to the unit head."""
    return _report_save(
        actor=actor, report=report, amount_month=amount_month, progress_text=progress_text,
        stage_index=stage_index, stage_reached_on=stage_reached_on, stage_evidence=stage_evidence,
        submit=submit, expected_version=expected_version,
    )  # fmt: skip


@uploads.atomic
def report_file(
    *,
    actor: User,
    project: Project,
    month: dt.date,
    amount_month: Decimal,
    progress_text: str,
    files: Iterable[uploads.Upload | File] = (),
    stage_index: int | None = None,
    stage_reached_on: dt.date | None = None,
    stage_evidence: str = "",
    submit: bool = False,
    expected_version: int | None = None,
) -> ProjectReport:
    """Start (or reopen) the month's report, attach photos and save or submit it, all or nothing."""
    report = _report_start(actor=actor, project=project, month=month)
    checked = uploads.validate_uploads(files, kind=uploads.PHOTO, field="photos", max_files=MAX_PHOTOS_PER_REQUEST)
    for upload in checked:
        _photo_store(actor=actor, report=report, checked=upload)
    return _report_save(
        actor=actor, report=report, amount_month=amount_month, progress_text=progress_text,
        stage_index=stage_index, stage_reached_on=stage_reached_on, stage_evidence=stage_evidence,
        submit=submit, expected_version=expected_version,
    )  # fmt: skip


def _photo_store(*, actor: User, report: ProjectReport, checked: uploads.CheckedUpload) -> ProjectPhoto:
    _lock_editable(report, None)
    stored = uploads.store_upload(checked, folder="projects", thumbnail=True)
    photo = ProjectPhoto.objects.create(
        report=report, file=stored.name, thumbnail=stored.thumbnail, original_name=checked.name,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256, extension=checked.extension,
        uploaded_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor, verb="project_photo.add", obj=report, after={"file": photo.original_name, "sha256": photo.sha256}
    )
    return photo


def _lock_for_head(actor: User, report: ProjectReport) -> ProjectReport:
    if not actor.has_luoshi_perm(Perm.REPORT_APPROVE) or actor.unit_id != report.unit_id:
        raise _forbidden()
    locked = ProjectReport.objects.select_for_update().select_related("project", "project__type").get(pk=report.pk)
    if locked.state != ProjectReport.State.SUBMITTED:
        raise ServiceError(
            _("Only a submitted report can be approved or returned; this one is %(state)s.")
            % {"state": locked.get_state_display()},
            code="not_submitted",
        )
    return locked


@transaction.atomic
def report_approve(*, actor: User, report: ProjectReport) -> ProjectReport:
    """The unit head approves: the month's investment counts from today, and a stage reached is recorded."""
    report = _lock_for_head(actor, report)
    before = _report_snapshot(report)
    report.state, report.approved_at, report.approved_by = ProjectReport.State.APPROVED, timezone.now(), actor
    report.version += 1
    report.save(update_fields=["state", "approved_at", "approved_by", "version", "updated_at"])
    today = timezone.localdate(report.approved_at)
    project = report.project
    if report.stage_index is not None:
        # Reaching a stage implies the earlier ones (开工 needs 拿地); those not yet recorded take the same day.
        for stage in project.stages.filter(index__lte=report.stage_index, reached_on__isnull=True):
            stage.reached_on, stage.recorded_on = report.stage_reached_on, today
            if stage.index == report.stage_index:
                stage.evidence = report.stage_evidence
            stage.save(update_fields=["reached_on", "recorded_on", "evidence"])
        if report.stage_index > project.stage_index:
            project.stage_index = report.stage_index
            project.save(update_fields=["stage_index", "updated_at"])
    project_status.status_refresh(project=project, since=today)
    audit_record(actor=actor, verb="project_report.approve", obj=report, before=before, after=_report_snapshot(report))
    _notify_people(
        [report.created_by], kind="project_report.approved",
        title=_("Monthly report approved: %(p)s") % {"p": project.name}, obj=report,
    )  # fmt: skip
    return report


@transaction.atomic
def report_return(*, actor: User, report: ProjectReport, reason: str) -> ProjectReport:
    """The unit head sends the report back (退回) with a reason."""
    if not reason.strip():
        raise ServiceError(_("Give the reason for returning the report."), field="reason")
    report = _lock_for_head(actor, report)
    before = _report_snapshot(report)
    report.state, report.returned_reason = ProjectReport.State.RETURNED, reason.strip()
    report.version += 1
    report.save(update_fields=["state", "returned_reason", "version", "updated_at"])
    audit_record(actor=actor, verb="project_report.return", obj=report, before=before, after=_report_snapshot(report))
    _notify_people(
        [report.created_by], kind="project_report.returned",
        title=_("Monthly report returned: %(p)s") % {"p": report.project.name}, obj=report,
    )  # fmt: skip
    return report


# === notifications ==============================================================================


def _project_url(obj) -> str:
    from django.urls import reverse

    project_id = obj.project_id if hasattr(obj, "project_id") else obj.pk
    return reverse("projects:detail", args=[project_id])


def _notify_people(people: Iterable[User], *, kind: str, title: str, obj) -> None:
    from notifications.services import notify

    notify(recipients=list(people), kind=kind, title=title, url=_project_url(obj), obj=obj)


def _notify_unit(unit_id: int, role: Role, *, kind: str, title: str, obj) -> None:
    _notify_people(role_holders(role, unit_ids=[unit_id]), kind=kind, title=title, obj=obj)


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
    1 the solving unit's head, 2 the project's responsible leader and the office, 3 the office is told to
    issue a supervision order (the scheduling list shows it). Returns how many problems moved up."""
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
        _notify_people(
            _escalation_recipients(problem, problem.escalation_level), kind="project_problem.escalated",
            title=_("Overdue project problem (level %(n)s): %(p)s")
            % {"n": problem.escalation_level, "p": problem.project.name},
            obj=problem,
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
