from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = _("Map")

    def ready(self) -> None:
        from maps import sources

        sources.register()
