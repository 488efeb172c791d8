from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        # A typo in settings.SUPERVISION_ESCALATION stops the process at start, not the sweep at night.
        from supervision.services import escalation_thresholds

        escalation_thresholds()

        # Supervision targets tasks; projects and enterprises register their own kinds in their ready().
        from supervision.task_target import register_task_kind

        register_task_kind()
