from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Progress reports")

    def ready(self) -> None:
        from reports import measures, signals  # noqa: F401  (signals connects the rollup cache's invalidation)

        measures.register()
