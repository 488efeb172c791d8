"""Monthly investment reports (月报): draft, photos, submit, approve, return."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from projects import status as project_status
from projects.models import (
    Project,
    ProjectPhoto,
    ProjectReport,
)
from projects.services.common import _forbidden, _notify_people, _notify_unit
from reports import engine
from reports.engine.investment import DEFAULT_DUE_DAYS
from reports.review import review_lock

MAX_PHOTOS_PER_REQUEST = 10


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


@transaction.atomic
def report_approve(*, actor: User, report: ProjectReport) -> ProjectReport:
    """The unit head approves: the month's investment counts from today, and a stage reached is recorded."""
    report = review_lock(actor, report, related=("project", "project__type"))
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
    report = review_lock(actor, report, related=("project", "project__type"))
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
