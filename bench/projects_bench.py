"""Major projects at city scale (10 000 projects, a year of monthly reports), in-process, against the SQL floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_proj_bench .venv/bin/python bench/projects_bench.py

Seeds a small organisation city plus `--projects` projects with `seed_scale` when the database has none,
then times, alternating with the hand-written SQL floor (same machine, same moment):
  1 the project list API, 50 a page, filtered (light + block), page 2, statuses stored for the day;
  2 the rollup by core block as of a past date (stored statuses of that day, 10 000 projects).
The first call for a day fills its stored statuses; that time is printed separately. Targets: list ≤ 30 ms,
rollup ≤ 50 ms (issue 15). Timing belongs here, never in tests.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

SQL_LIST = [
    """SELECT count(*) FROM projects_project p
       JOIN projects_project_tags t ON t.project_id = p.id AND t.dimensiontag_id = %(tag)s
       WHERE EXISTS (SELECT 1 FROM projects_projectstatus s WHERE s.project_id = p.id AND s.day = %(day)s
                     AND s.light = %(light)s)""",
    """SELECT p.id, p.code, p.name, p.level, p.annual_plan, p.total_investment, p.plan_year, p.completion_due,
              ty.name, ty.stages, u.name, lp.title, s.light, s.stage_index, s.planned, s.actual, s.late_stages
       FROM projects_project p
       JOIN projects_project_tags t ON t.project_id = p.id AND t.dimensiontag_id = %(tag)s
       JOIN projects_projectstatus s ON s.project_id = p.id AND s.day = %(day)s AND s.light = %(light)s
       JOIN projects_projecttype ty ON ty.id = p.type_id
       JOIN org_unit u ON u.id = p.lead_unit_id JOIN org_leaderpost lp ON lp.id = p.leader_post_id
       ORDER BY p.code LIMIT 50 OFFSET 50""",
]
SQL_ROLLUP = [
    """SELECT g.name, count(*), count(*) FILTER (WHERE s.light = 'red'), count(*) FILTER (WHERE s.light = 'yellow'),
              count(*) FILTER (WHERE s.light = 'green'), count(*) FILTER (WHERE s.started),
              count(*) FILTER (WHERE s.start_due), count(*) FILTER (WHERE s.finished),
              count(*) FILTER (WHERE s.finish_due), sum(s.planned), sum(s.actual)
       FROM projects_projectstatus s JOIN projects_project_tags t ON t.project_id = s.project_id
       JOIN plans_dimensiontag g ON g.id = t.dimensiontag_id AND g.kind = 'block'
       WHERE s.day = %(day)s GROUP BY g.name ORDER BY g.name""",
    """SELECT g.name, s.stage_index, count(*) FROM projects_projectstatus s
       JOIN projects_project_tags t ON t.project_id = s.project_id
       JOIN plans_dimensiontag g ON g.id = t.dimensiontag_id AND g.kind = 'block'
       WHERE s.day = %(day)s GROUP BY 1, 2""",
]


def timed_pairs(app, floor, n: int) -> tuple[list[float], list[float]]:
    for _ in range(2):
        app()
        floor()
    a: list[float] = []
    f: list[float] = []
    for _ in range(n):
        for fn, out in ((app, a), (floor, f)):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return a, f


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {statistics.median(ordered):.1f} ms, p90 {ordered[int(len(ordered) * 0.9) - 1]:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--past", default=None, help="the past as-of date (default: 30 June this year)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("set DATABASE_URL=postgres://… (a database this script may fill)", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: measure what production runs
    settings.ALLOWED_HOSTS = ["testserver"]
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from projects import selectors
    from projects.models import Project, ProjectReport

    call_command("migrate", "--noinput", verbosity=0)
    if Project.objects.count() < args.projects:
        started = time.perf_counter()
        call_command(
            "seed_scale", "--tasks=200", "--reports=2000", "--units=1000", "--users=2000",
            f"--projects={args.projects}",
        )  # fmt: skip
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    today = timezone.localdate()
    past = date.fromisoformat(args.past) if args.past else date(today.year, 6, 30)
    office = User.objects.filter(role_grants__role="office").order_by("pk").first()
    assert office is not None, "the city has an office account"
    client = Client()
    client.force_login(office)
    tag = connection.cursor()
    tag.execute(
        """SELECT t.dimensiontag_id FROM projects_project_tags t JOIN plans_dimensiontag g ON g.id = t.dimensiontag_id
           WHERE g.kind = 'block' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"""
    )
    block = tag.fetchone()[0]
    print(f"projects {Project.objects.count()}, monthly reports {ProjectReport.objects.count()}, block {block}")
    for day, label in ((today, "today"), (past, "past")):
        started = time.perf_counter()
        selectors.project_rollup(office, day, "block")
        print(f"first call for {label} ({day}, fills stored statuses): {(time.perf_counter() - started) * 1000:.0f} ms")

    def floor(queries, params):
        def run():
            with connection.cursor() as cursor:
                for q in queries:
                    cursor.execute(q, params)
                    cursor.fetchall()

        return run

    list_path = f"/api/v1/projects?light=red&block={block}&page=2"
    assert client.get(list_path).status_code == 200
    rows = [
        ("1 project list API (50/page, page 2, light + block)", lambda: client.get(list_path),
         floor(SQL_LIST, {"tag": block, "day": today, "light": "red"})),
        (f"2 rollup by block as of {past}", lambda: selectors.project_rollup(office, past, "block"),
         floor(SQL_ROLLUP, {"day": past})),
        (f"2b rollup page by block as of {past}", lambda: client.get(f"/projects/rollup/?by=block&as_of={past}"),
         floor(SQL_ROLLUP, {"day": past})),
    ]  # fmt: skip
    print("| measurement | Luoshi | SQL floor |\n|---|---|---|")
    for name, app, sql in rows:
        a, f = timed_pairs(app, sql, args.calls)
        print(f"| {name} | {summary(a)} | {summary(f)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
