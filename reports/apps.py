from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Progress reports")

    def ready(self) -> None:
        from core.jobs import register_job
        from reports import fill, measures, signals  # noqa: F401  (signals connects the rollup cache's invalidation)

        measures.register()
        register_job(fill.KIND, run=fill.status_fill, allowed=fill.may_fill)
        register_job(fill.HISTORY_KIND, run=fill.status_history_refill, allowed=fill.may_refill)
