from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from indicators import ledger_import, publishing

        # The wall screen's indicators panel: the cockpit's chosen indicators.
        publishing.register()
        ledger_import.register()  # a large ledger imported in the queue
