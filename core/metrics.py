"""Request metrics in Prometheus text format, and who may read /metrics.

The latency histogram lives in prometheus_client. With several gunicorn workers, set
PROMETHEUS_MULTIPROC_DIR to an empty directory (cleared at each start, one per machine) before the
workers start: every worker then writes its samples to memory-mapped files there and /metrics sums the
workers' files, whichever worker answers (deploy/gunicorn.conf.py removes a dead worker's gauges).
Without it (one process: runserver, tests) the samples are kept in the process.

Access (docs/deployment.md "Monitoring"): /metrics answers
- a request carrying `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set, or
- a request made directly from the machine itself (REMOTE_ADDR loopback and no X-Forwarded-For /
  X-Real-IP / Forwarded header: a request relayed by the local nginx carries one, so the loopback rule
  never opens /metrics to the network through the proxy).
Anyone else gets 404.
"""

from __future__ import annotations

import hmac
import os
import time

from django.conf import settings
from prometheus_client import REGISTRY as PROCESS_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LATENCY = Histogram(
    "luoshi_http_request_duration_seconds",
    "Time from the first middleware to the response, by route name and method.",
    ["view", "method"],
    buckets=BUCKETS,
)
RESPONSES = Counter("luoshi_http_responses", "Responses by status class.", ["status"])
LOOPBACK = {"127.0.0.1", "::1"}
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


class RequestMetricsMiddleware:
    """First in MIDDLEWARE: the latency a user sees from this worker, labelled with the route's name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or "unnamed") if match else "unmatched"  # bounded: route names, never paths
        LATENCY.labels(view=view, method=request.method).observe(time.perf_counter() - start)
        RESPONSES.labels(status=f"{response.status_code // 100}xx").inc()
        return response


def metrics_allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        sent = request.META.get("HTTP_AUTHORIZATION", "")
        if sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
            return True
    direct = not any(request.META.get(h) for h in PROXY_HEADERS)
    return direct and request.META.get("REMOTE_ADDR") in LOOPBACK


def process_metrics_text() -> bytes:
    """This process's (or, in multiprocess mode, every worker's) request metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(PROCESS_REGISTRY)


def gauge(name: str, help_text: str, samples: list[tuple[dict[str, str], float]], kind: str = "gauge") -> str:
    """One metric family in Prometheus text format (labels escaped)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        text = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
        lines.append(f"{name}{{{text}}} {value:g}" if text else f"{name} {value:g}")
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
