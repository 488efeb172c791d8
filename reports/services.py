"""Writes on progress reports, evidence and judgements. Keyword-only, atomic, audited."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record, audit_record_many
from core import uploads
from core.errors import ServiceError
from core.rows import insert_unless_exists
from org.models import Unit
from plans.models import Plan, Task
from reports import notices
from reports.models import EvidenceFile, Judgement, ProgressReport
from reports.review import review_lock
from reports.snapshots import status_refresh

REPORT_FIELDS = ("value", "narrative", "problems", "next_steps")
# Files attached in one API submission (the page uploads one file per request).
MAX_EVIDENCE_PER_REQUEST = 20


def _forbidden() -> ServiceError:
    return ServiceError(_("You do not have permission to do this."), code="forbidden")


def _reporting_unit(actor: User, task: Task) -> Unit | None:
    """The actor's unit if it may report on the task (lead or co-operating), else None."""
    if not actor.has_luoshi_perm(Perm.REPORT_DRAFT) or not actor.unit_id:
        return None
    if task.lead_unit_id == actor.unit_id or task.co_units.filter(pk=actor.unit_id).exists():
        return actor.unit
    return None


def _audit(actor: User, events: list[dict] | None, **entry) -> None:
    """Record one event now, or add it to `events`, which the caller appends in one go (same events,
    same order, one lock of the chain head instead of one per event: `audit_record_many`)."""
    if events is None:
        audit_record(actor=actor, **entry)
    else:
        events.append(entry)


def _snapshot(report: ProgressReport) -> dict:
    return {
        "state": report.state,
        "period_end": report.period_end,
        "value": report.value,
        "narrative": report.narrative,
        "problems": report.problems,
        "next_steps": report.next_steps,
        "version": report.version,
    }


@transaction.atomic
def report_start(*, actor: User, task: Task, period_end: date, due_date: date) -> ProgressReport:
    """The actor's unit's report for the period: the existing one, or a new draft."""
    return _report_start(actor=actor, task=task, period_end=period_end, due_date=due_date)[0]


def _report_start(
    *, actor: User, task: Task, period_end: date, due_date: date, events: list[dict] | None = None
) -> tuple[ProgressReport, bool]:
    unit = _reporting_unit(actor, task)
    if unit is None:
        raise _forbidden()
    if task.is_deleted or task.plan.status == Plan.Status.CLOSED:
        raise ServiceError(_("The task is not open for reporting."), code="closed")
    report = ProgressReport(
        task=task,
        unit=unit,
        period_end=period_end,
        due_date=due_date,
        is_lead=unit.pk == task.lead_unit_id,
        created_by=actor,
    )
    # One statement when it is new (a submission's usual case); a double click waits for the first
    # request's transaction, then reads its report.
    if not insert_unless_exists(report, unique=("task", "unit", "period_end")):
        return ProgressReport.objects.get(task=task, unit=unit, period_end=period_end), False
    _audit(actor, events, verb="report.create", obj=report, after=_snapshot(report))
    return report, True


def _lock_editable(report: ProgressReport, expected_version: int | None, *, fresh: bool = False) -> ProgressReport:
    if fresh:
        # Created in this very transaction: no other transaction can see the row before we commit,
        # so there is nothing to lock against, and it is the draft we just made.
        return report
    # Row lock + state check: a reporter's save and the head's approval never both succeed.
    # Only the report row is locked; task, unit and author come along for the audit and notifications.
    locked = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("task__node", "unit", "created_by")
        .get(pk=report.pk)
    )
    if not locked.is_editable:
        raise ServiceError(
            _("This report was %(state)s meanwhile and can no longer be edited.")
            % {"state": locked.get_state_display()},
            code="not_editable",
        )
    if expected_version is not None and locked.version != expected_version:
        raise ServiceError(
            _("This report changed since you opened it. Reload it and edit again."), code="version_conflict"
        )
    return locked


@transaction.atomic
def report_save(
    *,
    actor: User,
    report: ProgressReport,
    value: Decimal | None,
    narrative: str,
    problems: str = "",
    next_steps: str = "",
    submit: bool = False,
    expected_version: int | None = None,
) -> ProgressReport:
    """Save the draft; with submit=True also submit it to the unit head for approval."""
    return _report_save(
        actor=actor,
        report=report,
        value=value,
        narrative=narrative,
        problems=problems,
        next_steps=next_steps,
        submit=submit,
        expected_version=expected_version,
    )


@uploads.atomic
def report_file(
    *,
    actor: User,
    task: Task,
    period_end: date,
    due_date: date,
    files: Iterable[uploads.Upload | File],
    value: Decimal | None,
    narrative: str,
    problems: str = "",
    next_steps: str = "",
    submit: bool = False,
) -> ProgressReport:
    """Start (or reopen) the unit's report for the period, attach files and save or submit it, all or
    nothing: one transaction, without the savepoints of three nested services (the API's submission).
    Every file is checked before the first is stored.

    The audit events (report.create, evidence.add …, report.submit or report.save) are the same, in
    the same order, as three services would record, appended together at the end.
    """
    events: list[dict] = []
    report, created = _report_start(actor=actor, task=task, period_end=period_end, due_date=due_date, events=events)
    checked = uploads.validate_uploads(files, field="file", max_files=MAX_EVIDENCE_PER_REQUEST)
    stored = [_evidence_store(actor=actor, report=report, checked=upload, events=events) for upload in checked]
    if created:
        # A report made in this call has exactly the files stored in it: neither the stale check nor
        # the response need read them.
        evidence = EvidenceFile.objects.filter(report=report)
        evidence._result_cache = stored  # what prefetch_related leaves on a report: report.evidence.all()
        evidence._prefetch_done = True  # type: ignore[attr-defined]
        report._prefetched_objects_cache = {"evidence": evidence}  # type: ignore[attr-defined]
    report = _report_save(
        actor=actor,
        report=report,
        value=value,
        narrative=narrative,
        problems=problems,
        next_steps=next_steps,
        submit=submit,
        fresh=created,
        events=events,
    )
    audit_record_many(actor=actor, entries=events)
    return report


def _report_save(
    *,
    actor: User,
    report: ProgressReport,
    value: Decimal | None,
    narrative: str,
    problems: str,
    next_steps: str,
    submit: bool,
    expected_version: int | None = None,
    fresh: bool = False,
    events: list[dict] | None = None,
) -> ProgressReport:
    if report.created_by_id != actor.pk and _reporting_unit(actor, report.task) != report.unit:
        raise _forbidden()
    report = _lock_editable(report, expected_version, fresh=fresh)
    if value is not None and value < 0:
        raise ServiceError(_("The value cannot be negative."), field="value")
    if submit:
        if report.is_lead and value is None:
            raise ServiceError(_("Give the cumulative value achieved so far."), field="value")
        if not narrative.strip():
            raise ServiceError(_("Describe the progress before submitting."), field="narrative")
    before = _snapshot(report)
    report.value, report.narrative, report.problems, report.next_steps = value, narrative, problems, next_steps
    fields = ["value", "narrative", "problems", "next_steps", "version", "updated_at"]
    first_submission = submit and report.first_submitted_at is None
    if submit:
        now = timezone.now()
        report.state, report.submitted_at = ProgressReport.State.SUBMITTED, now
        report.first_submitted_at = report.first_submitted_at or now
        fields += ["state", "submitted_at", "first_submitted_at"]
    report.version += 1
    report.save(update_fields=fields)
    _audit(
        actor,
        events,
        verb="report.submit" if submit else "report.save",
        obj=report,
        before=before,
        after=_snapshot(report),
    )
    if first_submission and report.is_lead:
        # The first submission decides lateness and "missing": the task's statuses change from today.
        # Deferred: the queue's catch-up recomputes today's row in batches (reports.snapshots), and
        # a reader before it computes it itself.
        status_refresh(tasks=[report.task], since=timezone.localdate(report.first_submitted_at), defer=True)
    if submit:
        from reports.stale import report_flag_stale

        # Flagged now, so the head sees a copied narrative or a reused photo before approving.
        report_flag_stale(report=report)
        notices.report_submitted_notify(report=report)
    return report


@transaction.atomic
def report_approve(*, actor: User, report: ProgressReport) -> ProgressReport:
    """The unit head approves (审核通过): from now on the report counts in the status engine."""
    report = review_lock(actor, report)
    before = _snapshot(report)
    report.state, report.approved_at, report.approved_by = ProgressReport.State.APPROVED, timezone.now(), actor
    report.version += 1
    report.save(update_fields=["state", "approved_at", "approved_by", "version", "updated_at"])
    audit_record(actor=actor, verb="report.approve", obj=report, before=before, after=_snapshot(report))
    from reports.stale import report_flag_stale

    report_flag_stale(report=report)
    if report.is_lead:
        status_refresh(tasks=[report.task], since=timezone.localdate(report.approved_at))
    notices.report_approved_notify(report=report, actor=actor)
    return report


@transaction.atomic
def report_return(*, actor: User, report: ProgressReport, reason: str) -> ProgressReport:
    """The unit head sends the report back (退回) with a reason; the reporter edits and resubmits."""
    if not reason.strip():
        raise ServiceError(_("Give the reason for returning the report."), field="reason")
    report = review_lock(actor, report)
    before = _snapshot(report)
    report.state, report.returned_reason = ProgressReport.State.RETURNED, reason.strip()
    report.version += 1
    report.save(update_fields=["state", "returned_reason", "version", "updated_at"])
    audit_record(
        actor=actor,
        verb="report.return",
        obj=report,
        before=before,
        after={**_snapshot(report), "reason": report.returned_reason},
    )
    notices.report_returned_notify(report=report, actor=actor)
    return report


@uploads.atomic
def evidence_add(*, actor: User, report: ProgressReport, file: uploads.Upload | File) -> EvidenceFile:
    if _reporting_unit(actor, report.task) != report.unit:
        raise _forbidden()
    return _evidence_store(actor=actor, report=report, checked=uploads.validate_upload(file))


def _evidence_store(
    *, actor: User, report: ProgressReport, checked: uploads.CheckedUpload, events: list[dict] | None = None
) -> EvidenceFile:
    """Store one checked file on the report; the caller has checked the actor reports for its unit."""
    report = _lock_editable(report, None)
    stored = uploads.store_upload(checked, folder="evidence", thumbnail=True)
    evidence = EvidenceFile.objects.create(
        report=report,
        file=stored.name,
        thumbnail=stored.thumbnail,
        original_name=checked.name,
        content_type=checked.content_type,
        kind=EvidenceFile.Kind.IMAGE if checked.is_image else EvidenceFile.Kind.DOCUMENT,
        size=checked.size,
        sha256=checked.sha256,
        extension=checked.extension,
        uploaded_by=actor,
    )
    _audit(
        actor,
        events,
        verb="evidence.add",
        obj=report,
        after={"file": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence: EvidenceFile) -> None:
    report = evidence.report
    if _reporting_unit(actor, report.task) != report.unit:
        raise _forbidden()
    _lock_editable(report, None)
    audit_record(
        actor=actor,
        verb="evidence.remove",
        obj=report,
        before={"file": evidence.original_name, "sha256": evidence.sha256},
    )
    evidence.delete()
    uploads.release_upload(evidence.file.name, evidence.thumbnail.name)


@transaction.atomic
def judgement_record(*, actor: User, task: Task, likelihood: str, reason: str, recorded_on: date) -> Judgement:
    """The office's likelihood-of-delivery judgement; it overrides the shown light from `recorded_on`."""
    if not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise _forbidden()
    if likelihood not in Judgement.Likelihood.values:
        raise ServiceError(_("Choose a likelihood."), field="likelihood")
    if not reason.strip():
        raise ServiceError(_("Give the reason for the judgement."), field="reason")
    judgement = Judgement.objects.create(
        task=task, likelihood=likelihood, reason=reason.strip(), recorded_on=recorded_on, recorded_by=actor
    )
    audit_record(
        actor=actor,
        verb="task.judgement",
        obj=task,
        after={"likelihood": likelihood, "reason": judgement.reason, "recorded_on": recorded_on},
    )
    status_refresh(tasks=[task], since=recorded_on)
    notices.judgement_recorded_notify(judgement=judgement, actor=actor)
    return judgement


@transaction.atomic
def task_verify(*, actor: User, task: Task, verified_on: date | None) -> Task:
    """核验: the office confirms the task is complete (or withdraws the confirmation with None)."""
    if not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise _forbidden()
    before = {"verified_on": task.verified_on}
    Task.objects.filter(pk=task.pk).update(verified_on=verified_on)
    task.verified_on = verified_on
    audit_record(actor=actor, verb="task.verify", obj=task, before=before, after={"verified_on": verified_on})
    changed = [d for d in (before["verified_on"], verified_on) if d is not None]
    if changed:
        status_refresh(tasks=[task], since=min(changed))
    return task
