from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.access import require_perm
from core.home import personal_cards, suggested_as_of


@require_perm()
def home(request):
    """工作台: what is due from me, what waits for my approval, and my unit's (or the district's) lights."""
    from accounts.roles import Perm
    from notifications.selectors import inbox
    from reports.selectors import approval_queue, cockpit, reporting_inbox, rollups

    user, today = request.user, timezone.localdate()
    # The newest unread notifications: reminders, returned reports, orders, and changes of followed tasks.
    context = {"user_roles": user.role_labels(), "today": today, "news": list(inbox(user, unread_only=True)[:6])}
    if user.has_luoshi_perm(Perm.REPORT_DRAFT) or user.has_luoshi_perm(Perm.REPORT_APPROVE):
        rows = reporting_inbox(user, today)
        due = [r for r in rows if r.to_do]
        context["due"], context["due_count"] = due[:8], len(due)
        context["approvals"] = list(approval_queue(user)[:8])
    if user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):
        context["district"] = cockpit(user, today)
    elif user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and user.unit_id:
        mine = [r for r in rollups(user, "unit", today) if r.key == user.unit.name]
        context["unit_rollup"] = mine[0].rollup if mine else None
    context.update(personal_cards(user, today), suggested_as_of=suggested_as_of(request, today))
    return render(request, "core/home.html", context)


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
