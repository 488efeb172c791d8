"""Enterprise assistance at city scale: the summary of the whole city for a year, and the request queue.

Run on a database seeded with firms, e.g.:
    DATABASE_URL=sqlite:////tmp/ent_scale.sqlite3 .venv/bin/python manage.py seed_scale \\
        --tasks 400 --reports 2000 --units 100 --users 200 --enterprises 50000
    DATABASE_URL=sqlite:////tmp/ent_scale.sqlite3 .venv/bin/python bench/enterprises_bench.py [--calls 20]

Prints the median, p90 and worst of `--calls` summaries (after 2 warm-ups), the queries each takes, and the
queries and time of the busiest unit's queue (待办诉求, first page). No test asserts on these; docs quote them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.measures import MeasureScope  # noqa: E402
from enterprises.figures import assistance_summary  # noqa: E402
from enterprises.models import AssistanceRequest, Enterprise, Outcome  # noqa: E402
from enterprises.selectors import request_queue  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    today = timezone.localdate()
    scope = MeasureScope(start=today - timedelta(days=364), end=today)
    print(f"database: {connection.vendor}; firms {Enterprise.objects.count()}, requests "
          f"{AssistanceRequest.objects.count()}, outcomes {Outcome.objects.count()}")  # fmt: skip
    for _ in range(2):
        assistance_summary(scope)
    times, cpu = [], []
    for _ in range(args.calls):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            summary = assistance_summary(scope)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    # CPU time too: on a shared machine wall time drifts with the neighbours' load (SQLite runs in-process).
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"city summary for a year ({scope.start} – {scope.end}): median {statistics.median(times):.1f} ms wall "
          f"({statistics.median(cpu):.1f} ms CPU), p90 {p90:.1f} ms, worst {max(times):.1f} ms of {args.calls} calls, "
          f"{len(queries)} queries; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for q in queries.captured_queries:
        print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:90]}")
    s = summary
    print(f"  helped {s.enterprises_helped}, requests {s.requests}, closed {s.closed}, "
          f"jobs {s.jobs_filled}, tax {s.tax_relieved_yuan}, funds {s.funds_provided_yuan}")  # fmt: skip
    waiting = AssistanceRequest.objects.filter(state__in=AssistanceRequest.UNIT_STATES)
    busiest = waiting.values("unit_id").annotate(n=Count("pk")).order_by("-n").first() or {"unit_id": None}

    class Reader:  # the unit's reporter as the selector sees a user
        unit_id = busiest["unit_id"]

        @staticmethod
        def has_luoshi_perm(perm) -> bool:
            return perm in ("business.read_unit", "report.draft")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        rows = list(request_queue(Reader())[:50])
        ms = (time.perf_counter() - started) * 1000
    print(f"request queue of the busiest unit (first 50 rows of its waiting requests): {len(rows)} rows, "
          f"{len(queries)} queries, {ms:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
