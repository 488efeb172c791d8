from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Major projects")

    def ready(self) -> None:
        from core.jobs import register_job
        from projects import fill, ledger_io, measures, publishing
        from projects.targets import register_project_kinds

        measures.register()
        # Supervision orders, instructions and inspections can be about a project or one of its problems.
        register_project_kinds()
        # The public portal's project kind, the map's project points and the wall's investment panel.
        publishing.register()
        register_job(fill.KIND, run=fill.project_status_fill, allowed=fill.may_fill)
        ledger_io.register()  # large ledgers and monthly sheets imported in the queue
