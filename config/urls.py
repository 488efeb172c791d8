from django.urls import include, path

from core.views import favicon, healthz
from workbench.api import api
from workbench.metrics import metrics_view

urlpatterns = [
    # First: every API call (the Monday surge is API calls) would otherwise try each page pattern of
    # every app before reaching it (~225 regex matches a request). No page lives under api/v1/.
    path("api/v1/", api.urls),
    path("", include("workbench.urls")),
    path("accounts/", include("accounts.urls")),
    path("org/", include("org.urls")),
    path("audit/", include("audit.urls")),
    path("", include("plans.urls")),
    path("", include("reports.urls")),
    path("", include("decomposition.urls")),
    path("", include("notifications.urls")),
    path("", include("supervision.urls")),
    path("", include("indicators.urls")),
    path("", include("projects.urls")),
    path("", include("enterprises.urls")),
    path("", include("evaluation.urls")),
    path("", include("portal.urls")),
    path("", include("maps.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    # Prometheus text format; bearer token or the machine itself only (core/metrics.py).
    path("metrics", metrics_view, name="metrics"),
    # Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file.
    path("favicon.ico", favicon, name="favicon"),
]

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
