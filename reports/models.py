from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import done_after
from reports.engine import Likelihood
from reports.labels import LIKELIHOOD_LABELS


class ReviewedReport(models.Model):
    """A report a unit's reporter drafts and its head reviews (审核): draft → submitted → approved / returned.

    One home for the review states and their timestamps, shared by progress reports (进展报送) and the
    monthly investment reports of projects (月报); the services lock and decide through `reports.review`.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    due_date = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The first submission decides lateness: a report returned and resubmitted was still on time.
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_reason = models.TextField(_("reason for return"), blank=True)
    stale_flags = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)

    # Each concrete report names its own unit (related names differ); the review reads its id.
    unit_id: int

    class Meta:
        abstract = True

    @property
    def is_late(self) -> bool:
        return done_after(self.first_submitted_at, self.due_date)

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class ProgressReport(ReviewedReport):
    """进展报送: one unit's report on one task for one reporting period.

    The lead unit's `value` is the task's cumulative progress and feeds the
    status engine once approved; a co-operating unit reports its own
    contribution on the same task (shown beside it, never summed into it).
    """

    task = models.ForeignKey("plans.Task", on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="reports")
    is_lead = models.BooleanField(default=True, help_text=_("Reported by the lead unit."))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("cumulative value"), max_digits=20, decimal_places=4, null=True, blank=True)
    narrative = models.TextField(_("progress"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)

    class Meta:
        ordering = ["-period_end", "task_id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period_end"], name="report_unique_task_unit_period")
        ]
        indexes = [
            # The status engine: a task's approved lead reports in period order.
            models.Index(fields=["task", "is_lead", "state", "period_end"], name="report_task_state_idx"),
            # The head's approval queue: a unit's submitted reports.
            models.Index(fields=["unit", "state"], name="report_unit_state_idx"),
        ]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.task.code} {self.period_end} {self.unit}"


def evidence_path(instance: "EvidenceFile", filename: str) -> str:
    # Content-addressed names: no user-chosen path ever reaches the storage backend.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class EvidenceFile(models.Model):
    """佐证材料: a photo or document attached to a report; served only through an access-checked view."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        DOCUMENT = "document", _("Document")

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    thumbnail = models.FileField(upload_to="evidence/thumbs/", max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    # Same hash on two reports = the same file reused (a sign of a copied report).
    sha256 = models.CharField(max_length=64, db_index=True)
    extension = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Judgement(models.Model):
    """完成可能性研判: the office's likelihood-of-delivery judgement; overrides the shown light, history kept."""

    class Likelihood(models.TextChoices):
        HIGHLY_LIKELY = Likelihood.HIGHLY_LIKELY.value, LIKELIHOOD_LABELS[Likelihood.HIGHLY_LIKELY]
        LIKELY = Likelihood.LIKELY.value, LIKELIHOOD_LABELS[Likelihood.LIKELY]
        UNLIKELY = Likelihood.UNLIKELY.value, LIKELIHOOD_LABELS[Likelihood.UNLIKELY]
        HIGHLY_UNLIKELY = Likelihood.HIGHLY_UNLIKELY.value, LIKELIHOOD_LABELS[Likelihood.HIGHLY_UNLIKELY]

    task = models.ForeignKey("plans.Task", on_delete=models.PROTECT, related_name="judgements")
    likelihood = models.CharField(_("likelihood"), max_length=20, choices=Likelihood.choices)
    reason = models.TextField(_("reason"))
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")

    def __str__(self) -> str:
        return f"{self.task.code} {self.recorded_on} {self.likelihood}"


class StatusSnapshot(models.Model):
    """状态快照: the status engine's result for one task as of one day, stored.

    A cache of `reports.status.task_statuses`, never a source: the engine stays the one place of
    the rules. It exists so the cockpit, rollups and the filtered task list of a city (20 000
    tasks) read rows instead of recomputing 20 000 trajectories per request (docs/performance.md).
    Today's row is refreshed in the transaction that changes a task's inputs (reports.snapshots);
    rows for other days are filled on first request and by the nightly sweep, and deleted for a
    task from the first day a change affects.
    """

    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="stored_statuses")
    day = models.DateField()
    status = models.CharField(max_length=12)
    light = models.CharField(max_length=6)
    computed_light = models.CharField(max_length=6)
    # A late or missing report (REPORT_LATE / REPORT_MISSING): the league table's "late reports".
    late = models.BooleanField(default=False)
    reasons = models.CharField(max_length=300, blank=True)  # engine.Reason values, comma-separated, in order
    target = models.FloatField()
    expected_value = models.FloatField()
    actual = models.FloatField()
    actual_period_end = models.DateField(null=True)
    measured_on = models.DateField()
    expected_at_measurement = models.FloatField()
    lag = models.FloatField()
    lag_percent = models.FloatField()
    completion = models.FloatField()
    velocity_per_day = models.FloatField(null=True)
    pace_ratio = models.FloatField(null=True)
    projected_completion = models.DateField(null=True)
    projected_slip_days = models.IntegerField(null=True)
    period_end = models.DateField(null=True)
    period_due = models.DateField(null=True)
    missing_periods = models.PositiveIntegerField(default=0)
    # The task's StatusGeneration when the inputs were read: a fill that raced a change is not stored.
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # (day, task): the cockpit's and rollups' scan of one day, and the per-row upsert.
            models.UniqueConstraint(fields=["day", "task"], name="statussnapshot_unique_day_task"),
        ]
        indexes = [
            # Invalidation: one task's rows from a day on.
            models.Index(fields=["task", "day"], name="statussnapshot_task_day_idx"),
            # The task list filtered by status or light on a day.
            models.Index(fields=["day", "status", "light"], name="statussnapshot_day_status_idx"),
        ]
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")

    def __str__(self) -> str:
        return f"{self.task_id} {self.day} {self.status} {self.light}"


class StatusInterval(models.Model):
    """状态区间: what rollups count of the engine's result (status, lights, late, completion), stored
    once per stretch of days over which it does not change, valid from `valid_from` up to (not
    including) `valid_to`.

    Day rows (StatusSnapshot) hold the full result for the days lists and pages read; intervals hold
    a city's history compactly (a task's rollup fields change a few times a year, its expected value
    daily), so the cockpit of any past day is one range join instead of 20 000 trajectories. Written
    by the nightly sweep (extended while unchanged), by `manage.py status_history` (backfill) and on
    first request; cut at the first affected day by every change (reports.intervals).
    """

    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="status_intervals")
    valid_from = models.DateField()
    valid_to = models.DateField()  # exclusive
    status = models.CharField(max_length=12)
    light = models.CharField(max_length=6)
    computed_light = models.CharField(max_length=6)
    late = models.BooleanField(default=False)
    completion = models.FloatField()
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # One interval starts per task and day; intervals of a task never overlap (reports.intervals).
            models.UniqueConstraint(fields=["task", "valid_from"], name="statusinterval_unique_task_from"),
        ]
        indexes = [
            # A day's intervals: valid_to > day AND valid_from <= day (most rows of a city end after any
            # recent day, so this index serves old days; recent ones read the table).
            models.Index(fields=["valid_to", "valid_from"], name="statusinterval_to_from_idx"),
        ]
        verbose_name = _("status interval")
        verbose_name_plural = _("status intervals")

    def __str__(self) -> str:
        return f"{self.task_id} {self.valid_from}–{self.valid_to} {self.status} {self.light}"


class StatusGeneration(models.Model):
    """A counter per task, bumped whenever something changes the task's statuses.

    A fill reads it before reading the task's inputs and stores its rows only if the counter is
    unchanged (checked under a row lock), so a slow fill can never write back statuses computed
    from inputs that a concurrent change has just replaced.
    """

    task = models.OneToOneField("plans.Task", on_delete=models.CASCADE, primary_key=True, related_name="+")
    generation = models.PositiveIntegerField(default=0)
    # 待补算: today's row was dropped by a change that did not recompute it (a submission, a change of
    # many tasks); the queue's catch-up (reports.snapshots.status_catch_up) computes it and clears this.
    refresh_due = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["task"], condition=models.Q(refresh_due=True), name="reports_statusgen_due"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.generation}"


class StatusEpoch(models.Model):
    """One row whose value changes after every commit that changes stored statuses or what rollups
    group by (tasks, plans, plan nodes, tags, units, leader posts): the key of cached rollups.

    Cached aggregates are stored with the epoch read before computing them and used only while it
    is unchanged, so every worker sees a change on its next request (reports.rollup_cache).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)
