"""Recording the runs of scheduled jobs (`core.models.JobRun`): `with job_run("sweep"): ...`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from django.utils import timezone

from core.models import JobRun


@contextlib.contextmanager
def job_run(name: str) -> Iterator[None]:
    """Record the start, duration and outcome of the block as the job `name`'s last run (exceptions re-raised)."""
    started, clock = timezone.now(), time.monotonic()
    JobRun.objects.update_or_create(name=name, defaults={"last_started_at": started})
    ok = False
    try:
        yield
        ok = True
    finally:
        finished = timezone.now()
        values = {"last_finished_at": finished, "last_seconds": time.monotonic() - clock, "last_ok": ok}
        if ok:
            values["last_success_at"] = finished
        JobRun.objects.filter(name=name).update(**values)
