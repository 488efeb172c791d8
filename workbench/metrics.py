"""`/metrics`: what a city monitors, in Prometheus text format (access: core/metrics.py).

Request latency comes from the workers (core/metrics.py). The rest is read from the database at each
scrape, so every worker on every machine answers the same: the queue (depth, age of the oldest ready
task, running and failed tasks), notification deliveries (failed, pending), the status catch-up's
backlog, the scheduled jobs' last run (sweep duration, age of the last audit anchor, of the last
backup, …), the audit chain's length.
Nine small indexed queries; scrape every 30–60 s.
"""

from __future__ import annotations

from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from audit.models import AuditChainHead
from core.metrics import gauge, metrics_allowed, process_metrics_text
from core.models import JobRun
from notifications.models import Delivery
from reports.models import StatusGeneration

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def database_metrics_text() -> str:
    now = timezone.now()
    parts = []
    queue = DBTaskResult.objects.values("queue_name", "status").annotate(n=Count("id"))
    by = {(r["queue_name"], r["status"]): r["n"] for r in queue}
    queues = sorted({q for q, _s in by} | {"default"})
    for status, name in (("READY", "ready"), ("RUNNING", "running"), ("FAILED", "failed")):
        parts.append(
            gauge(
                f"luoshi_queue_{name}_tasks",
                f"Background tasks in the queue with status {status}.",
                [({"queue": q}, by.get((q, status), 0)) for q in queues],
            )
        )
    due = Q(run_after__isnull=True) | Q(run_after__lte=now)
    oldest = (
        DBTaskResult.objects.filter(due, status="READY")
        .values("queue_name")
        .annotate(oldest=Min("enqueued_at"))
        .values_list("queue_name", "oldest")
    )
    ages = dict(oldest)
    parts.append(
        gauge(
            "luoshi_queue_oldest_ready_age_seconds",
            "Age of the oldest task that is due and waits for a worker (0: none waits).",
            [({"queue": q}, (now - ages[q]).total_seconds() if ages.get(q) else 0) for q in queues],
        )
    )
    deliveries = dict(Delivery.objects.values("status").annotate(n=Count("id")).values_list("status", "n"))
    parts.append(
        gauge(
            "luoshi_deliveries",
            "Notification deliveries (e-mail, robot) by status; failed ones gave up after their retries.",
            [({"status": s}, deliveries.get(s, 0)) for s in Delivery.Status.values],
        )
    )
    parts.append(
        gauge(
            "luoshi_delivery_failures",
            "Deliveries that failed for good (the administrator's failure list).",
            [({}, deliveries.get(Delivery.Status.FAILED, 0))],
        )
    )
    runs = {r.name: r for r in JobRun.objects.all()}
    parts.append(
        gauge(
            "luoshi_job_last_duration_seconds",
            "Duration of each scheduled job's last run.",
            [({"job": n}, r.last_seconds) for n, r in sorted(runs.items()) if r.last_seconds is not None],
        )
    )
    parts.append(
        gauge(
            "luoshi_job_last_success_age_seconds",
            "Seconds since each scheduled job last succeeded.",
            [
                ({"job": n}, (now - r.last_success_at).total_seconds())
                for n, r in sorted(runs.items())
                if r.last_success_at
            ],
        )
    )
    parts.append(
        gauge(
            "luoshi_job_last_run_ok",
            "1 if the job's last run succeeded, 0 if it failed.",
            [({"job": n}, 1 if r.last_ok else 0) for n, r in sorted(runs.items()) if r.last_finished_at],
        )
    )
    sweep = runs.get("sweep")
    if sweep and sweep.last_seconds is not None:
        seconds = sweep.last_seconds
        parts.append(gauge("luoshi_sweep_duration_seconds", "The last nightly sweep's duration.", [({}, seconds)]))
    anchor = runs.get("audit_anchor")
    if anchor and anchor.last_success_at:
        age = (now - anchor.last_success_at).total_seconds()
        help_text = "Seconds since the audit chain was last anchored."
        parts.append(gauge("luoshi_audit_anchor_age_seconds", help_text, [({}, age)]))
    pending = StatusGeneration.objects.filter(refresh_due=True).count()  # a partial index
    parts.append(
        gauge(
            "luoshi_status_catch_up_pending",
            "Tasks whose status for today waits for the queue's catch-up after a submission (grows without a worker).",
            [({}, pending)],
        )
    )
    total = AuditChainHead.objects.aggregate(total=Sum("count"))["total"]
    parts.append(gauge("luoshi_audit_events", "Events in the audit chains.", [({}, total or 0)]))
    return "".join(parts)


@require_GET
def metrics_view(request):
    if not metrics_allowed(request):
        raise Http404
    body = process_metrics_text() + database_metrics_text().encode()
    return HttpResponse(body, content_type=CONTENT_TYPE)
