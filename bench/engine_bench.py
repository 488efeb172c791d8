"""How long the status engine takes for a district and for a city (SPEC §7).

Run: .venv/bin/python bench/engine_bench.py

A district has ~600 tasks, a city ~20,000; each task here has a year of weekly
reports (~50) and quarterly milestones. The figures are for the pure engine on
in-memory data: what a cockpit or the nightly sweep spends computing, after
the database has handed over the rows. No test asserts on them; docs quote them.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.workdays import WorkCalendar  # noqa: E402
from reports.engine import (  # noqa: E402
    Cadence,
    Milestone,
    Report,
    ReportingPeriod,
    ReportSnapshot,
    TaskInput,
    detect_stale_reports,
    evaluate,
    reporting_periods,
    rollup,
)

YEAR_START, YEAR_END = dt.date(2021, 1, 1), dt.date(2021, 12, 31)
AS_OF = dt.date(2021, 12, 20)
NARRATIVES = [
    "本周完成老旧小区改造{n}个，管网改造同步推进，外立面整治进入收尾阶段。",
    "召开专题推进会，协调解决施工用地和资金拨付问题，本周新开工{n}处。",
    "完成入户调查和方案公示，群众签约率达到{n}%，下周组织集中签约。",
]


def make_task(
    rng: random.Random, number: int, periods: list[ReportingPeriod], unit_count: int
) -> tuple[TaskInput, list[ReportSnapshot], int]:
    """One year-long task with ~50 weekly reports whose pace drifts around the plan, and its lead unit."""
    target = float(rng.randint(10, 500))
    milestones = [
        Milestone(dt.date(2021, month, 28), target * share) for month, share in ((3, 0.2), (6, 0.5), (9, 0.8))
    ]
    pace = rng.uniform(0.6, 1.2)
    value, reports, snapshots = 0.0, [], []
    for period in periods[:-2]:
        if rng.random() < 0.04:  # a missed week now and then
            continue
        value = min(target, value + max(0.0, rng.gauss(pace * target / 52, target / 100)))
        submitted = period.due - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, -1)))
        reports.append(Report(period.end, round(value, 1), submitted, submitted + dt.timedelta(days=rng.randint(0, 2))))
        narrative = rng.choice(NARRATIVES).format(n=rng.randint(1, 30))
        evidence = frozenset({f"{rng.getrandbits(64):016x}"})
        snapshots.append(ReportSnapshot(number, period.end, narrative, round(value, 1), evidence))
    task = TaskInput(
        start=YEAR_START, deadline=YEAR_END, target=target, milestones=milestones, reports=reports, periods=periods
    )
    return task, snapshots, rng.randrange(unit_count)


def run(label: str, task_count: int, unit_count: int) -> None:
    rng = random.Random(2021)
    calendar = WorkCalendar()
    periods = reporting_periods(YEAR_START, YEAR_END, Cadence.WEEKLY, lambda end: calendar.add_workdays(end, 1))
    generated = [make_task(rng, number, periods, unit_count) for number in range(task_count)]
    report_count = sum(len(task.reports) for task, _, _ in generated)

    began = time.perf_counter()
    results = [(unit, evaluate(task, AS_OF)) for task, _, unit in generated]
    evaluated = time.perf_counter()
    groups = rollup((unit, result, None) for unit, result in results)
    rolled = time.perf_counter()

    print(f"{label}: {task_count:,} tasks, {report_count:,} reports, as of {AS_OF}")
    print(f"  evaluate   {evaluated - began:7.3f} s  ({(evaluated - began) / task_count * 1e6:,.0f} µs per task)")
    print(f"  rollup     {rolled - evaluated:7.3f} s  ({len(groups)} units)")
    # The whole year at once: an upper bound for a nightly sweep, which needs only recent periods.
    snapshots = [snapshot for _, task_snapshots, _ in generated for snapshot in task_snapshots]
    flags = detect_stale_reports(snapshots)
    stale = time.perf_counter()
    print(f"  stale scan {stale - rolled:7.3f} s  ({len(snapshots):,} reports, a year of them; {len(flags):,} flags)")


def main() -> None:
    print(f"Python {sys.version.split()[0]}")
    run("district", 600, unit_count=80)
    run("city", 20_000, unit_count=1_000)


if __name__ == "__main__":
    main()
