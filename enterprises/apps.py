from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Enterprise assistance")

    def ready(self) -> None:
        # The summary figures are computed measures: a bulletin's "帮扶企业N家" links to the N firms.
        from enterprises import ledger
        from enterprises.figures import register_figures
        from enterprises.target import register_request_kind

        register_figures()
        # Supervision orders, instructions and inspections can be about a request (supervision.targets).
        register_request_kind()
        ledger.register()  # large enterprise lists and request ledgers imported in the queue
