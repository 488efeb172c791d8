from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.access import require_perm


@require_perm()
def home(request):
    """工作台: personal start page. Later issues add what is due, approvals and lights."""
    return render(request, "core/home.html", {"user_roles": request.user.role_labels()})


@require_GET
def healthz(request):
    """Liveness and readiness for the reverse proxy and monitoring: database reachable, migrations applied."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        body = {
            "status": "ok" if not pending else "migrations_pending",
            "database": connection.vendor,
            "migrations": {"applied": not pending, "pending": len(pending)},
        }
        return JsonResponse(body, status=200)
    except Exception as exc:  # noqa: BLE001  (any database failure means "not ready", reported, not raised)
        return JsonResponse({"status": "error", "database": connection.vendor, "error": type(exc).__name__}, status=503)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
