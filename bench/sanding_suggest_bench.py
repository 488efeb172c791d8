"""Leave-one-out accuracy of the 三定 suggestions over the demo plan's accepted tasks.

usage (its own database, so nothing else is touched):
    DATABASE_URL=sqlite:////tmp/luoshi_suggest.sqlite3 .venv/bin/python manage.py migrate -v0
    DATABASE_URL=sqlite:////tmp/luoshi_suggest.sqlite3 .venv/bin/python manage.py load_demo
    DATABASE_URL=sqlite:////tmp/luoshi_suggest.sqlite3 .venv/bin/python bench/sanding_suggest_bench.py

For each task of the demo plan with a lead unit, the suggestion is computed from all the other
tasks and the unit-responsibilities table (decomposition.suggest.leave_one_out); the figure is the
share of tasks whose suggested lead unit is the one the office decided. Printed, not asserted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from decomposition import suggest  # noqa: E402
from decomposition.selectors import decided_tasks, unit_duties  # noqa: E402
from org.models import Unit  # noqa: E402
from plans.demo import TITLE  # noqa: E402


def main() -> None:
    decided = [task for task in decided_tasks() if task.label.startswith(f"{TITLE}：")]
    duties = unit_duties()
    units = {u.pk: u.name for u in Unit.objects.filter(is_active=True)}
    for name, pool_duties in (("tasks + duties table", duties), ("tasks only", []), ("duties table only", None)):
        if pool_duties is None:
            hits = sum(
                (s := suggest.suggest(t.text, [], duties, units)) is not None and s.lead == t.lead for t in decided
            )
            total = len(decided)
        else:
            hits, total = suggest.leave_one_out(decided, pool_duties, units)
        print(f"{name:22s} {hits}/{total} = {hits / total:.2f}" if total else f"{name}: no tasks")
    timing(decided, duties, units)


def timing(decided: list[suggest.Decided], duties: list[suggest.Duty], units: dict[int, str]) -> None:
    """How long one page's suggestions take: 100 rows against a pool of 3 000 tasks (the demo's, repeated)."""
    import time

    big = [suggest.Decided(f"{t.text} {i}", t.label, t.post, t.lead, t.co_units) for i in range(231) for t in decided]
    big = big[:3000]
    rows = [t.text for t in decided] * 8
    started = time.perf_counter()
    pool = suggest.Pool.of(big, duties, units)
    for text in rows[:100]:
        suggest.suggest_from(text, pool, big)
    print(f"100 rows against {len(big)} tasks: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
