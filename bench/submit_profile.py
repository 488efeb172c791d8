# ruff: noqa: E501  (a benchmark tool)
"""Submission, list and inbox in one process (bench/README.md): queries, median time and CPU per call.

    .venv/bin/python bench/submit_profile.py --database-url postgres://postgres@127.0.0.1:5432/<city> [--calls 30]

Production settings (DEBUG off), django.test.Client with a bearer token issued directly (no password
hashing), against a seeded city (`seed_scale`; bench/run.py). Each step is timed over --calls calls
after two warm-ups: wall time (median, p90), the app's CPU (this process) and PostgreSQL's CPU (the
backend serving this connection, from /proc) per call, and the queries of one call. The submission
files a report on a new open task each call, so it uses up open tasks of the city: measure on a copy.
Without HTTP, sockets or a second process, the figures show the work per request, not the round trips.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, local_today, pick, server_env  # noqa: E402
from run import cpu_seconds as backend_cpu  # noqa: E402
from surge import plan_reporters  # noqa: E402


def open_tasks(url: str, reporters: int) -> list[tuple[str, int]]:
    """(reporter, task) pairs, one reporter per unit (the surge's choice), tasks still open, interleaved."""
    rows = [(r["username"], r["tasks"]) for r in plan_reporters(url, reporters, per_user=10**6)]
    pairs = []
    for i in range(max((len(ids) for _n, ids in rows), default=0)):
        pairs += [(name, ids[i]) for name, ids in rows if i < len(ids)]
    return pairs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--steps", default="list,inbox,submit")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one call of each step")
    parser.add_argument("--out", default=None, help="write the figures as JSON")
    parser.add_argument("--cprofile", default="", help="a step to run under cProfile (prints the top functions)")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime or cumulative")
    parser.add_argument("--lines", type=int, default=40, help="cProfile: how many functions to print")
    parser.add_argument("--dump", default="", help="cProfile: also write the raw stats to this file (pstats)")
    parser.add_argument("--only", default="", help="cProfile: print only functions whose file matches this regex")
    args = parser.parse_args(argv)

    os.environ.update(server_env(args.database_url))
    os.environ["ALLOWED_HOSTS"] += ",testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from accounts.services import token_issue

    today = local_today()
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        chosen = pick(conn, today)
    pairs = open_tasks(args.database_url, 50)
    tokens: dict[str, str] = {}

    def client_for(username: str) -> Client:
        if username not in tokens:
            tokens[username] = token_issue(user=User.objects.get(username=username))
        return Client(HTTP_AUTHORIZATION=f"Bearer {tokens[username]}")

    office = client_for(chosen["office"])
    reporter_name = pairs[0][0]
    reporter = client_for(reporter_name)
    reporters = {name: client_for(name) for name, _t in pairs[: args.calls + 3]}
    list_path = f"/api/v1/tasks?lead_unit={chosen['unit']}&status={chosen['status']}&page=2&page_size=50"

    def get(client, path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content[:300])

        return call

    queue = list(pairs)

    def submit():
        name, task_id = queue.pop(0)
        response = reporters[name].post(
            f"/api/v1/tasks/{task_id}/reports",
            {"value": "1", "narrative": "本周按计划推进，完成阶段性工作。", "submit": "true"},
        )
        assert response.status_code == 201, (task_id, response.status_code, response.content[:300])

    steps = {
        "list": ("task list, page 2 (office)", get(office, list_path)),
        "inbox": ("inbox (reporter)", get(reporter, "/api/v1/notifications?page_size=20")),
        "submit": ("submit a report (reporter)", submit),
    }
    connection.ensure_connection()
    backend = connection.cursor().connection.info.backend_pid
    results = {}
    for key in args.steps.split(","):
        label, call = steps[key]
        for _ in range(2):
            call()
        captured: list[tuple[float, str]] = []

        def record(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append(((time.perf_counter() - started) * 1000, sql))

        # Not CaptureQueriesContext: request_started resets connection.queries_log mid-capture.
        with connection.execute_wrapper(record):
            call()
        if key == args.cprofile:
            import cProfile
            import pstats

            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for PostgreSQL
            profiler.runcall(lambda call=call: [call() for _ in range(args.calls)])
            if args.dump:
                profiler.dump_stats(args.dump)
            stats = pstats.Stats(profiler).sort_stats(args.sort)
            stats.print_stats(*([args.only] if args.only else []), args.lines)
            continue
        walls = []
        cpu0, pg0 = time.process_time(), backend_cpu(backend)
        for _ in range(args.calls):
            started = time.perf_counter()
            call()
            walls.append((time.perf_counter() - started) * 1000)
        cpu = (time.process_time() - cpu0) * 1000 / args.calls
        pg = (backend_cpu(backend) - pg0) * 1000 / args.calls
        walls.sort()
        results[key] = {
            "queries": len(captured),
            "median_ms": round(statistics.median(walls), 1),
            "p90_ms": round(walls[int(len(walls) * 0.9) - 1], 1),
            "app_cpu_ms": round(cpu, 1),
            "pg_cpu_ms": round(pg, 1),
        }
        print(f"{label:32} {json.dumps(results[key])}")
        if args.show_queries:
            for ms, sql in captured:
                print(f"    {ms:5.1f}  {sql[:300]}")
    assert connection.connection.info.backend_pid == backend, "the connection was replaced: PostgreSQL CPU is wrong"
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; list {list_path}; {len(queue)} open tasks left"
    )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
