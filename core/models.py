from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """工作日历调整: one date whose working-day status the office sets (a new year's State Council notice,
    a local adjustment). It wins over the chinese-calendar package (see core.workdays)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("e.g. 春节, 国庆节"))
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("e.g. 国办发明电〔2026〕号"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'day off'} {self.name}"


class JobRun(models.Model):
    """The last run of each scheduled job (sweep, audit anchor, backup, files_gc, requeue): when it ran,
    how long it took, whether it succeeded. One row per job, shared by every machine, read by /metrics
    (docs/deployment.md "Monitoring") so a timer that stopped firing or started failing is seen."""

    name = models.CharField(_("job"), max_length=40, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True)
    last_seconds = models.FloatField(_("last duration (s)"), null=True)
    last_ok = models.BooleanField(_("last run succeeded"), default=False)
    last_success_at = models.DateTimeField(_("last success"), null=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")

    def __str__(self) -> str:
        return f"{self.name} {self.last_finished_at} {'ok' if self.last_ok else 'failed'}"


class BackgroundJob(models.Model):
    """后台任务: long work (a city's ledger export, …) run by a queue worker instead of a request, with its
    progress and, when done, its file (stored like every other file, served only to the person who asked)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # None: a job the system scheduled itself after a change (core.jobs.job_schedule), not a person.
    requested_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.FileField(_("file"), max_length=300, blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    # What the run says besides a file: an import's row/column errors ("lines"), a link to what it made.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    # The file the job works on (an uploaded ledger), stored privately until the job ends, then deleted.
    input = models.FileField(_("input file"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written when the run starts and with every progress write: a running job whose heartbeat is old
    # lost its worker (killed mid-job) and `jobs_recover_stale` fails it.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_requester_idx")]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.state}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
