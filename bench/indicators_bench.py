# ruff: noqa: S603, E501  (a benchmark tool: runs our own programs)
"""Indicator pages at scale (docs/indicators.md): 2 000 indicators × 10 years of monthly values.

Seeds a small city plus `--indicators 2000` (240 000+ values) on its own PostgreSQL database (or
SQLite with --db sqlite), then, in process with Django's test client as the office user, times the
catalogue page (first and a middle page), the cockpit (with its indicator panel), an indicator's
detail page and the API list, N calls after 2 warm-ups, and counts each one's queries. Prints
median / p90 in ms and queries; nothing is asserted (speed is reported, not tested).

    .venv/bin/python bench/indicators_bench.py [--indicators 2000] [--calls 10] [--db postgres|sqlite] [--database NAME] [--reseed]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = "postgres://postgres@127.0.0.1:5432/"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--database", default="luoshi_ind_bench", help="PostgreSQL database name")
    args = parser.parse_args()
    url = PG + args.database if args.db == "postgres" else f"sqlite:///{ROOT / 'var' / 'ind_bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.path.insert(0, str(ROOT))
    if args.db == "postgres":
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone():
                conn.execute(f'CREATE DATABASE "{args.database}"')
    env = {**os.environ}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from indicators.models import IndicatorValue

    if args.reseed or IndicatorValue.objects.count() < args.indicators * 120:
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "manage.py", "seed_scale", "--tasks", "400", "--reports", "4000", "--units", "70", "--users", "300",
             "--indicators", str(args.indicators)],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        print(f"seeded in {time.perf_counter() - started:.1f} s")

    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from indicators.models import Indicator

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    office = next(u for u in User.objects.filter(is_active=True).order_by("pk") if u.has_luoshi_perm("plan.edit"))
    client = Client()
    client.force_login(office)
    n_ind, n_val = Indicator.objects.count(), IndicatorValue.objects.count()
    detail_pk = Indicator.objects.order_by("pk").values_list("pk", flat=True)[n_ind // 2]
    print(f"database: {connection.vendor}; {n_ind} indicators, {n_val} values; office user {office.username}")
    cases = [
        ("catalogue page 1", "/indicators/"),
        ("catalogue page 20", "/indicators/?page=20"),
        ("catalogue filtered (monthly)", "/indicators/?frequency=month&page=3"),
        ("cockpit (with indicator panel)", "/cockpit/"),
        ("indicator detail (120+ values)", f"/indicators/{detail_pk}/"),
        ("API list page 5", "/api/v1/indicators?page=5"),
    ]
    print(f"{'route':34} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for name, path in cases:
        times = []
        for i in range(args.calls + 2):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if i >= 2:
                times.append(elapsed)
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"{name:34} {statistics.median(times):10.1f} {p90:8.1f} {len(queries):8d}")
    started = time.perf_counter()
    response = client.get("/indicators/ledger.xlsx?year=" + str(__import__("datetime").date.today().year - 1))
    print(
        f"{'ledger export (all, one year)':34} {(time.perf_counter() - started) * 1000:10.1f} {'':>8} {'':>8}  {len(response.content) // 1024} KiB"
    )


if __name__ == "__main__":
    main()
