# ruff: noqa: S603, S607  (a benchmark tool: runs psql and itself)
"""The ledger import (plans.services.ledger_import) on a generated 20 000-row 任务分解表.

    .venv/bin/python bench/ledger_import_bench.py [--rows 20000] [--db sqlite|postgres|both]

For each database: a fresh one (SQLite: a file under var/bench/; PostgreSQL: `h_bound_bench` on
127.0.0.1, dropped and created again, or BENCH_LEDGER_PG), migrated and loaded with the demo; then
1. imports the generated ledger into the demo plan: every row a new task;
2. imports it again with every title changed and the code filled in: every row an update.
Prints rows, wall seconds, CPU seconds of the importing process (the figure that survives a busy
shared machine; on PostgreSQL the server's own CPU comes on top) and the process's peak resident set;
`--trace-memory` adds tracemalloc's peak of Python allocations during the import (and slows it).
Each database runs in its own process, because Django is configured once per process.
"""

import argparse
import io
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def _generate(plan, rows: int, *, codes: list[str] | None = None, suffix: str = "") -> bytes:
    """The ledger as the app exports it (plans.ledger.build_task_ledger_xlsx): what an office edits and re-imports."""
    import datetime as dt
    from decimal import Decimal

    from plans.ledger import LedgerRowOut, build_task_ledger_xlsx
    from plans.milestones import MilestoneLine
    from plans.services import ledger_vocabulary

    vocab = ledger_vocabulary(plan)
    units, posts, areas = sorted(vocab.units), sorted(vocab.posts), sorted(vocab.areas)

    def row(i: int) -> LedgerRowOut:
        lead = units[i % len(units)]
        return LedgerRowOut(
            code=codes[i] if codes else "",
            title=f"第{i + 1}项任务：新建改造城市道路，完成老旧小区改造提升{suffix}",
            target_value=Decimal(100 + i % 50),
            target_unit="个",
            responsible_post=posts[i % len(posts)],
            lead_unit=lead,
            co_units=[u for u in (units[(i + 1) % len(units)], units[(i + 2) % len(units)]) if u != lead],
            deadline=dt.date(plan.year, 12, 31),
            milestones=[
                MilestoneLine(dt.date(plan.year, 6, 30), Decimal(40 + i % 10), ""),
                MilestoneLine(dt.date(plan.year, 9, 30), Decimal(70 + i % 10), ""),
            ],
            area=areas[i % len(areas)],
            modality="must" if i % 3 else "strive",
        )

    return build_task_ledger_xlsx(row(i) for i in range(rows))


def _timed(label: str, rows: int, run, *, trace: bool) -> None:
    if trace:
        tracemalloc.start()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    traced = ""
    if trace:
        traced = f"peak traced {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB, "
        tracemalloc.stop()
    assert outcome.ok, outcome.errors[:5]
    print(
        f"  {label}: {rows} rows in {seconds:.1f} s wall, {cpu:.1f} s CPU of this process "
        f"(created {outcome.created}, updated {outcome.updated}, unchanged {outcome.unchanged}); "
        f"{traced}process peak RSS {after.ru_maxrss / 1024:.0f} MiB",
        flush=True,
    )


def child(rows: int, trace: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from plans.demo import TITLE
    from plans.models import Plan, Task
    from plans.services import ledger_import

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    plan = Plan.objects.get(title=TITLE)
    print(f"{connection.vendor}: plan {plan.pk} ({plan.get_status_display()}), {Task.objects.count()} tasks before")
    data = _generate(plan, rows)
    print(f"  ledger: {len(data) / 2**20:.1f} MiB .xlsx", flush=True)
    print(f"  before: process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    _timed("create", rows, lambda: ledger_import(actor=None, plan=plan, data=data), trace=trace)
    codes = list(
        Task.objects.filter(plan=plan, node__title__startswith="第").order_by("pk").values_list("code", flat=True)
    )
    data = _generate(plan, rows, codes=codes, suffix="（修订）")
    del codes
    _timed("update", rows, lambda: ledger_import(actor=None, plan=plan, data=data), trace=trace)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--trace-memory", action="store_true", help="tracemalloc (slows the import 2-3x)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.rows, args.trace_memory)
        return
    targets = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for target in targets:
        # DEBUG off, as in production: DEBUG keeps every query's SQL in memory.
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="0")
        if target == "sqlite":
            path = ROOT / "var" / "bench" / "ledger_import.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{path}"
        else:
            url = os.environ.get("BENCH_LEDGER_PG", f"{PG_SERVER}/h_bound_bench")
            name = url.rsplit("/", 1)[1]
            for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
                subprocess.run(["psql", f"{url.rsplit('/', 1)[0]}/postgres", "-qc", sql], check=True)
            env["DATABASE_URL"] = url
        extra = ["--trace-memory"] if args.trace_memory else []
        subprocess.run([sys.executable, __file__, "--child", "--rows", str(args.rows), *extra], env=env, check=True)


if __name__ == "__main__":
    main()
