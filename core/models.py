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
