"""`manage.py seed_scale --tasks 20000 --reports 200000 --units 1000 --users 5000 [--seed 1]`: a city for benchmarks."""

import time
from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from org.models import Unit
from plans.models import Plan, Task
from scale.generator import SCALE_PASSWORD, Sizes, build_city, database_size
from scale.models import GeneratedCity


class Command(BaseCommand):
    help = (
        "Build a realistic, deterministic city (16 districts: units, leaders, plans, tasks, a year of reports, "
        "evidence records, audit events, orders) on the current database. A database built by this command is "
        "wiped and rebuilt; one holding any other data is refused unless --force (then the city is added beside it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=20000)
        parser.add_argument("--reports", type=int, default=200000, help="about this many progress reports")
        parser.add_argument("--units", type=int, default=1000)
        parser.add_argument("--users", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", help="the day the year of reports runs up to (YYYY-MM-DD); default today")
        parser.add_argument("--orders", type=int, default=None, help="supervision orders to issue (default: tasks/200)")
        parser.add_argument(
            "--projects", type=int, default=None, help="major projects with monthly reports (default: tasks/2)"
        )
        parser.add_argument("--force", action="store_true", help="add the city to a database that holds other data")
        parser.add_argument(
            "--indicators", type=int, default=0, help="indicators with ten years of monthly values each (×120 values)"
        )
        parser.add_argument(
            "--enterprises", type=int, default=0, help="generated firms with a year of assistance requests (企业帮扶)"
        )

    def handle(self, *args, **options):
        for name in ("tasks", "reports", "units", "users"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError:
            raise CommandError("--today must be a date as YYYY-MM-DD.") from None
        marker = GeneratedCity.objects.order_by("-pk").first()
        holds_data = any(m.objects.exists() for m in (Plan, Task, Unit, User))
        if marker is not None and not marker.params.get("beside_other_data"):
            self.stdout.write("Wiping the previously generated city …")
            call_command("flush", interactive=False, verbosity=0)
        elif holds_data and not options["force"]:
            raise CommandError(
                "This database holds data that seed_scale did not generate. Use an empty database "
                "(createdb luoshi_bench; DATABASE_URL=… manage.py migrate), or --force to add the city beside it."
            )
        sizes = Sizes(
            tasks=options["tasks"], reports=options["reports"], units=options["units"], users=options["users"]
        )
        started = time.perf_counter()
        params = {
            **sizes.__dict__,
            "today": today.isoformat(),
            "beside_other_data": bool(holds_data and marker is None),
        }
        with transaction.atomic():
            marker = GeneratedCity.objects.create(seed=options["seed"], params=params)
        self.stdout.write(f"Generating a city (seed {options['seed']}, reports up to {today}) …")
        outcome = build_city(
            sizes=sizes, seed=options["seed"], today=today, orders=options["orders"], log=self.stdout.write
        )
        if options["indicators"] > 0:
            from scale.indicator_city import build_indicators

            outcome.counts["indicators"] = options["indicators"]
            outcome.counts["indicator_values"] = build_indicators(
                options["indicators"], seed=options["seed"], today=today, log=self.stdout.write
            )

        from evaluation.scale import seed_evaluation

        seed_evaluation(today.year)
        projects = options["projects"] if options["projects"] is not None else sizes.tasks // 2
        if projects > 0:
            from scale.projects_gen import build_projects

            with transaction.atomic():
                outcome.counts["projects"] = projects
                outcome.counts["project_reports"] = build_projects(
                    n=projects, seed=options["seed"], today=today, log=self.stdout.write
                )
        if options["enterprises"] > 0:
            from enterprises.generate import generate_city

            firms = generate_city(firms=options["enterprises"], seed=options["seed"], today=today)
            self.stdout.write(f"Enterprise assistance: {firms}")
        seconds = time.perf_counter() - started
        GeneratedCity.objects.filter(pk=marker.pk).update(finished_at=timezone.now(), seconds=seconds)
        if self._postgres():
            from django.db import connection

            # VACUUM too, not only ANALYZE: bulk-inserted pages are not yet all-visible, so the planner cannot use
            # index-only scans; measured in docs/enterprises.md (city summary 189 → 97.5 ms median).
            # Outside any transaction here (autocommit), as VACUUM requires.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        counts = ", ".join(f"{k} {v}" for k, v in outcome.counts.items())
        self.stdout.write(f"Generated: {counts}")
        self.stdout.write(f"Accounts: password {SCALE_PASSWORD} for all, e.g. {outcome.username_examples}")
        self.stdout.write(f"Took {seconds:.1f} s; database size {database_size()}")

    @staticmethod
    def _postgres() -> bool:
        from django.db import connection

        return connection.vendor == "postgresql"
