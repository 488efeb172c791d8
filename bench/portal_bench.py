"""The public portal's index at city scale: cold (nothing cached) and cached, printed (no assertions).

Run on a seeded city (`seed_scale`, PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luoshi_portal .venv/bin/python bench/portal_bench.py [--items 300]

Publishes `--items` tasks (a district's 民生实事 list is tens to a few hundred; 300 is generous) with a
public text and a note each, then times GET /public/ in-process through the Django test client (the
whole request: middleware, rate limit, selectors, template), `--calls` times each:
- cold: the cache cleared before each call (statuses are read from the day's stored rows, as in
  production after the nightly sweep);
- cached: the same page again (the epoch queries and the cache hit).
Targets (issue 18): ≤ 200 ms cold, ≤ 20 ms cached.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from plans.models import Task
    from portal import services
    from portal.models import PublicItem
    from reports.snapshots import ensure_stored

    settings.ALLOWED_HOSTS = ["*"]
    settings.PORTAL_RATE_LIMIT_PER_MINUTE = 10**9
    office = User.objects.filter(role_grants__role="office").first() or User.objects.filter(is_superuser=True).first()
    # seed_scale already publishes a sample (scale/public_city.py); top it up to --items.
    existing = set(PublicItem.objects.values_list("object_id", flat=True))
    missing = max(0, args.items - len(existing))
    tasks = list(Task.objects.filter(is_deleted=False).exclude(pk__in=existing).order_by("pk")[:missing])
    for t in tasks:
        item = services.item_save(
            actor=office,
            kind="task",
            object_id=t.pk,
            title=t.node.title[:120],
            summary="公开说明",
            year=t.deadline.year,
        )
        services.update_add(actor=office, item=item, day=timezone.localdate(), text="已按计划推进。")
        services.item_publish(actor=office, item=item, publish=True)
    today = timezone.localdate()
    published = PublicItem.objects.filter(kind="task").values_list("object_id", flat=True)
    ensure_stored(Task.objects.filter(pk__in=list(published)), today)
    years = PublicItem.objects.filter(is_published=True).values_list("year", flat=True)
    year = max(set(years), key=list(years).count)
    shown = PublicItem.objects.filter(is_published=True, year=year).count()
    client = Client()
    url = f"/public/?year={year}"
    assert client.get(url).status_code == 200

    def timed(clear: bool) -> list[float]:
        out = []
        for _ in range(args.calls):
            if clear:
                cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            out.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        return out

    cold, warm = timed(True), (client.get(url), timed(False))[1]
    tasks_total = Task.objects.count()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a shared machine: figures scale with it)")
    print(
        f"portal index: {shown} published items of {year} shown, city of {tasks_total} tasks, {args.calls} calls each"
    )
    for name, values in (("cold", cold), ("cached", warm)):
        print(
            f"  {name:6s} median {statistics.median(values):7.1f} ms"
            f"   p90 {sorted(values)[int(len(values) * 0.9) - 1]:7.1f} ms   min {min(values):6.1f} ms"
        )


if __name__ == "__main__":
    main()
