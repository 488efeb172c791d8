from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.ico"))


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


# Served when even the template engine is broken: still Chinese, still ours, never the server's bare page.
_LAST_RESORT_500 = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>系统错误</title></head>'
    "<body><h1>系统错误</h1><p>请求未能完成，已记录错误。请稍后重试或联系系统管理员。</p></body></html>"
)


def error_500(request):
    """No request context: context processors read the session and the database, which may be what failed."""
    from django.http import HttpResponseServerError
    from django.template import loader

    try:
        body = loader.get_template("500.html").render()
    except Exception:  # noqa: BLE001  (the error page must not fail in turn)
        body = _LAST_RESORT_500
    return HttpResponseServerError(body)
