from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and tasks")

    def ready(self) -> None:
        from core.jobs import register_job
        from plans import jobs

        register_job(jobs.KIND, run=jobs.task_ledger_export, allowed=jobs.may_export)
        register_job(jobs.IMPORT_KIND, run=jobs.task_ledger_import, allowed=jobs.may_import)
