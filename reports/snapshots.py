"""Stored statuses (状态快照): the engine's results kept per task and day, so a city's cockpit reads rows.

`reports.status.task_statuses` computes; this module stores what it computed and reads it back,
with the same numbers (`StatusResult`s equal to freshly computed ones, tested). Rules:

- A row (task, day) holds `task_statuses([task], day)`. Missing rows are computed and stored on
  first request (`statuses_on`, `lights_on`, `ensure_stored`); the nightly sweep (`status_refresh`) stores
  every live task for its day and prunes old days.
- Whatever changes a task's statuses calls `status_refresh(tasks=…, since=…)` in the same
  transaction: the task's rows from `since` on are deleted (earlier days cannot change: the engine
  reads nothing dated after its as-of day) and today's row is recomputed at once, so an approval
  shows on the cockpit immediately. A change of the inputs themselves (target, deadline,
  milestones, plan settings, the working-day calendar) affects every day: `since=None`.
- Catch-up (补算): a submission (`defer=True`) and a change of more than EAGER_LIMIT tasks only drop
  the rows and mark the tasks `refresh_due`; the queue's `status_catch_up`, scheduled at most once a
  second per process (reports/fill.py), computes today's rows of every marked task in batches. A
  reader before it computes the missing row itself, as for any missing row, so nobody ever reads a
  stale status; the catch-up only moves the work out of the submitting request and batches it. The
  nightly sweep of today clears the marks of the tasks it stores (same check, same transaction), so
  its catch-up afterwards only computes tasks bumped meanwhile.
- History refill: a change that cuts past days (`since` before today, or None) of more than
  `intervals.INLINE_FILL_LIMIT` tasks (a plan's settings, a moved subtree, an import, the working-day
  calendar) also queues the refill of those days (reports/fill.py, `history_refill_due`; one waiting
  refill serves every such change), so their cockpit stays a range read instead of a fill.
- Race: a fill reads each task's `StatusGeneration` before its inputs — the task row itself included,
  with its plan's thresholds (`generations_then_tasks`) — and stores a row only if the generation is
  unchanged under a row lock; every change bumps it first. So a slow fill never writes back statuses
  computed from inputs a concurrent change has replaced.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from core.rows import id_chunks
from plans.models import Task, TaskQuerySet
from reports import engine, intervals
from reports.models import Judgement, StatusGeneration, StatusInterval, StatusSnapshot
from reports.rollup_cache import epoch_touch
from reports.status import task_statuses

# Days the sweep keeps besides month ends; older rows are recomputed when asked for again.
KEEP_DAYS = 40
# A change touching more tasks than this leaves today's rows to the next reader (plan settings, calendar).
EAGER_LIMIT = 200
FILL_BATCH = 2000

_REASONS = {r.value: r for r in engine.Reason}


def _row(task_id: int, day: date, r: engine.StatusResult, generation: int) -> StatusSnapshot:
    period = r.current_period
    return StatusSnapshot(
        task_id=task_id,
        day=day,
        status=r.status.value,
        light=r.light.value,
        computed_light=r.computed_light.value,
        late=r.report_late,
        reasons=",".join(reason.value for reason in r.reasons),
        target=r.target,
        expected_value=r.expected_value,
        actual=r.actual,
        actual_period_end=r.actual_period_end,
        measured_on=r.measured_on,
        expected_at_measurement=r.expected_at_measurement,
        lag=r.lag,
        lag_percent=r.lag_percent,
        completion=r.completion,
        velocity_per_day=r.velocity_per_day,
        pace_ratio=r.pace_ratio,
        projected_completion=r.projected_completion,
        projected_slip_days=r.projected_slip_days,
        period_end=period.end if period else None,
        period_due=period.due if period else None,
        missing_periods=r.missing_periods,
        generation=generation,
    )


def result_from_row(row: StatusSnapshot, judgement: engine.Judgement | None) -> engine.StatusResult:
    """The StatusResult a row was made from (the applicable judgement is looked up, not stored)."""
    return engine.StatusResult(
        as_of=row.day,
        status=engine.Status(row.status),
        light=engine.Light(row.light),
        computed_light=engine.Light(row.computed_light),
        reasons=tuple(_REASONS[v] for v in row.reasons.split(",")) if row.reasons else (),
        target=row.target,
        expected_value=row.expected_value,
        actual=row.actual,
        actual_period_end=row.actual_period_end,
        measured_on=row.measured_on,
        expected_at_measurement=row.expected_at_measurement,
        lag=row.lag,
        lag_percent=row.lag_percent,
        completion=row.completion,
        velocity_per_day=row.velocity_per_day,
        pace_ratio=row.pace_ratio,
        projected_completion=row.projected_completion,
        projected_slip_days=row.projected_slip_days,
        current_period=engine.ReportingPeriod(row.period_end, row.period_due)
        if row.period_end and row.period_due  # stored together
        else None,
        missing_periods=row.missing_periods,
        judgement=judgement,
    )


def _judgements(task_ids: Iterable[int]) -> dict[int, list[engine.Judgement]]:
    found: dict[int, list[engine.Judgement]] = defaultdict(list)
    for chunk in id_chunks(task_ids):
        rows = (
            Judgement.objects.filter(task_id__in=chunk)
            .order_by("recorded_on", "id")
            .values_list("task_id", "recorded_on", "likelihood", "reason")
        )
        for task_id, recorded_on, likelihood, reason in rows:
            found[task_id].append(engine.Judgement(recorded_on, engine.Likelihood(likelihood), reason))
    return found


# --- writing ---------------------------------------------------------------------------------------


def _generations(task_ids: list[int]) -> dict[int, int]:
    """Each task's generation (rows created at 0 for tasks that have none yet)."""
    found: dict[int, int] = {}
    for chunk in id_chunks(task_ids):
        found.update(StatusGeneration.objects.filter(task_id__in=chunk).values_list("task_id", "generation"))
    missing = [pk for pk in task_ids if pk not in found]
    if missing:
        StatusGeneration.objects.bulk_create(
            [StatusGeneration(task_id=pk, generation=0) for pk in missing], ignore_conflicts=True, batch_size=FILL_BATCH
        )
        for chunk in id_chunks(missing):
            found.update(StatusGeneration.objects.filter(task_id__in=chunk).values_list("task_id", "generation"))
    return found


def generations_then_tasks(task_ids: list[int]) -> tuple[dict[int, int], list[Task]]:
    """The tasks' generations, then the live tasks themselves (with plan and node) read after them: the
    race rule's order for a fill. A task loaded before its generation was read (a list taken at the
    start of a long sweep or refill) could carry a plan's old thresholds under a generation that
    already counts the change, and pass the check with a stale result."""
    read = _generations(task_ids)
    return read, list(Task.objects.alive().filter(pk__in=task_ids).with_plan("node").order_by("pk"))


def _store(
    day: date, results: dict[int, engine.StatusResult], read: dict[int, int], *, overwrite: bool, sweep: bool = False
) -> int:
    """Store results whose task's generation is still the one read before computing them.

    `sweep`: also the day's intervals, and, for today, clear the catch-up marks of the tasks stored (their
    row and interval were computed from the inputs of the generation read: what the catch-up would store),
    all in the same transaction and under the same check as `status_catch_up`.
    """
    ids = sorted(results)
    stored = 0
    for start in range(0, len(ids), FILL_BATCH):
        chunk = ids[start : start + FILL_BATCH]
        with transaction.atomic():
            # A change bumping a generation waits for this transaction, then deletes what it stored;
            # or it went first, and the generation read here differs, so the stale result is dropped.
            current = intervals.locked_generations(chunk)
            kept = [pk for pk in chunk if current.get(pk) == read[pk]]
            rows = [_row(pk, day, results[pk], read[pk]) for pk in kept]
            if overwrite:
                fields = [f.name for f in StatusSnapshot._meta.concrete_fields if f.name not in ("id", "task", "day")]
                StatusSnapshot.objects.bulk_create(
                    rows, update_conflicts=True, unique_fields=["day", "task"], update_fields=fields
                )
            else:
                StatusSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
            if sweep:
                intervals.record(day, {pk: results[pk] for pk in kept}, read)
                # Today read per transaction, as the catch-up does: a row of yesterday clears no mark.
                if kept and day == timezone.localdate():
                    StatusGeneration.objects.filter(task_id__in=kept, refresh_due=True).update(refresh_due=False)
            stored += len(rows)
    return stored


def _compute_and_store(tasks: list[Task], day: date, *, overwrite: bool = False) -> dict[int, engine.StatusResult]:
    read = _generations([t.pk for t in tasks])
    results = task_statuses(tasks, day)
    _store(day, results, read, overwrite=overwrite)
    return results


def ensure_stored(tasks: TaskQuerySet, day: date) -> int:
    """Compute and store the day's rows of the tasks that have none; returns how many were missing."""
    # NOT EXISTS, not NOT IN: PostgreSQL turns NOT IN into a hashed scan of the whole day's rows
    # (17 ms at city scale for any scope), NOT EXISTS into an index probe per task in scope (1 ms).
    stored = StatusSnapshot.objects.filter(day=day, task_id=OuterRef("pk"))
    # Ids first: usually none is missing, and the task list pays for this check on every page, so it
    # builds no select_related query over plans and nodes (about 1 ms of Django work) for nothing.
    missing = list(tasks.filter(~Exists(stored)).order_by("pk").values_list("pk", flat=True))
    for chunk in id_chunks(missing):
        _compute_and_store(list(Task.objects.filter(pk__in=chunk).with_plan("node")), day)
    return len(missing)


def status_refresh(
    *,
    tasks: Iterable[Task] | QuerySet[Task] | None = None,
    since: date | None = None,
    as_of: date | None = None,
    everything: bool = False,
    defer: bool = False,
) -> int:
    """Bring stored statuses up to date; returns the number of tasks whose row for `as_of` was written.

    - A change (call it inside the changing service's transaction, after the change is saved):
      `status_refresh(tasks=[task], since=first_day_affected)`, or `since=None` when every day is
      affected. Deletes those rows and recomputes the task's row for today.
    - `everything=True, since=…`: the same for every task (a change of the working-day calendar).
    - The nightly sweep: `status_refresh(as_of=day)`: recompute and store every live task's row
      for the day (overwriting, which also heals a change that forgot to call this), then prune
      rows older than KEEP_DAYS that are not month ends.
    - `defer=True` (a submission): drop the rows and mark the tasks for the queue's catch-up instead
      of recomputing today's row in the request (module docstring, "Catch-up").
    - A change cutting past days of more than `intervals.INLINE_FILL_LIMIT` tasks (or `everything`)
      queues their refill (module docstring, "History refill").
    The tasks are read again after the generation bump, never taken from the caller: a change of the
    task committed before the bump is then seen (see the module's race rule).
    """
    today = timezone.localdate()
    if everything:
        ids = None
    elif tasks is None:
        return _sweep(as_of or today)
    elif isinstance(tasks, QuerySet):
        ids = list(tasks.values_list("pk", flat=True))
    else:
        ids = [t.pk for t in tasks]
    day = as_of or today
    eager = not defer and ids is not None and len(ids) <= EAGER_LIMIT and not (since is not None and since > day)
    # Today's row is gone and not recomputed here: the catch-up will (a future `since` keeps it).
    due = not (eager and day == today) and not (since is not None and since > today)
    bumped = _invalidate(ids, since, due=due)
    if due:
        from reports.fill import catch_up_soon

        transaction.on_commit(catch_up_soon, robust=True)
    if (since is None or since < today) and (ids is None or len(set(ids)) > intervals.INLINE_FILL_LIMIT):
        # Past days more tasks lack than a request computes: the queue refills them (module docstring).
        from reports.fill import history_refill_due

        history_refill_due(since=since)
    if not eager:
        return 0
    assert ids is not None
    chosen = list(Task.objects.filter(pk__in=ids, is_deleted=False).with_plan("node"))
    if not chosen:
        return 0
    results = task_statuses(chosen, day)
    generations = (
        bumped
        if bumped is not None
        else dict(StatusGeneration.objects.filter(task_id__in=ids).values_list("task_id", "generation"))
    )
    rows = [_row(t.pk, day, results[t.pk], generations.get(t.pk, 0)) for t in chosen]
    fields = [f.name for f in StatusSnapshot._meta.concrete_fields if f.name not in ("id", "task", "day")]
    StatusSnapshot.objects.bulk_create(rows, update_conflicts=True, unique_fields=["day", "task"], update_fields=fields)
    intervals.record(day, results, generations)
    return len(rows)


def _bump_returning(ids: list[int], *, due: bool) -> dict[int, int]:
    """Bump the tasks' generations (and set `refresh_due`) and return the new ones in the same statement
    (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35): a refresh needs them, and a second query cost ~1 ms."""
    table, quote = StatusGeneration._meta.db_table, connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            # OR: a bump never clears a mark an earlier submission left for the catch-up.
            f"UPDATE {quote(table)} SET generation = generation + 1, refresh_due = (refresh_due OR %s) "  # noqa: S608
            f"WHERE task_id IN ({marks}) RETURNING task_id, generation",
            [due, *ids],
        )
        return dict(cursor.fetchall())


def _invalidate(ids: list[int] | None, since: date | None, *, due: bool) -> dict[int, int] | None:
    """Bump, drop the rows and cut the intervals from `since`; returns the new generations when a few
    tasks were named and all had a generation row (else None: the caller reads them if it needs them).
    `due`: mark the tasks for the catch-up (today's row is not recomputed by the caller)."""
    # The statements below per chunk of ids (core.rows.id_chunks): a plan's or an import's tasks may be
    # more than one statement binds; one chunk (`None`) for every task.
    chunks: list[list[int] | None] = [None] if ids is None else list(id_chunks(sorted(set(ids))))

    def of(chunk: list[int] | None) -> QuerySet[StatusGeneration]:
        return StatusGeneration.objects.all() if chunk is None else StatusGeneration.objects.filter(task_id__in=chunk)

    # Bump first: this takes the row lock that a concurrent fill checks before storing. Tasks that
    # have no generation row yet get one (created at 0, then bumped like the others).
    new: dict[int, int] | None = None
    # Marks are only ever added here (a bump without `due` leaves an earlier submission's mark).
    mark = {"refresh_due": True} if due else {}
    if ids is not None and len(ids) <= EAGER_LIMIT:
        new = _bump_returning(list(set(ids)), due=due) if ids else {}
        bumped = len(new)
    else:
        bumped = sum(of(chunk).update(generation=F("generation") + 1, **mark) for chunk in chunks)
    if ids is not None and bumped < len(set(ids)):
        _generations(ids)
        # The ids the first UPDATE did not reach, whatever their value now: a concurrent change may
        # have created and bumped the row meanwhile, and this change must bump it again.
        if new is not None:
            of(ids).exclude(task_id__in=list(new)).update(generation=F("generation") + 1, **mark)
        else:  # a change of many tasks: those created at 0 just now (a race here is left to the sweep)
            for chunk in chunks:
                of(chunk).filter(generation=0).update(generation=F("generation") + 1, **mark)
        new = None
    epoch_touch()  # cached rollups are stale once this commits
    if ids is not None and since is not None and using_postgres():
        _drop_since(ids, since)
        return new
    for chunk in chunks:
        rows = StatusSnapshot.objects.all() if chunk is None else StatusSnapshot.objects.filter(task_id__in=chunk)
        if since is not None:
            rows = rows.filter(day__gte=since)
        rows.delete()
        intervals.cut(chunk, since)
    return new


def _drop_since(ids: list[int], since: date) -> None:
    """The branch above in one PostgreSQL statement (a submission's path: three round trips and three
    compiled queries were ~1.5 ms): delete the day rows from `since`, and `intervals.cut` — delete the
    intervals starting on or after it, end the one covering it there. The CTEs see one snapshot, so the
    UPDATE excludes the rows the DELETE removes."""
    quote = connection.ops.quote_name
    days, spans = quote(StatusSnapshot._meta.db_table), quote(StatusInterval._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH dropped AS (DELETE FROM {days} WHERE task_id = ANY(%(ids)s) AND day >= %(since)s), "  # noqa: S608
            f"gone AS (DELETE FROM {spans} WHERE task_id = ANY(%(ids)s) AND valid_from >= %(since)s) "
            f"UPDATE {spans} SET valid_to = %(since)s "
            "WHERE task_id = ANY(%(ids)s) AND valid_to > %(since)s AND valid_from < %(since)s",
            {"ids": ids, "since": since},
        )


def _sweep(day: date) -> int:
    ids = list(Task.objects.alive().order_by("pk").values_list("pk", flat=True))
    written = 0
    for start in range(0, len(ids), 5000):
        read, chunk = generations_then_tasks(ids[start : start + 5000])
        results = task_statuses(chunk, day)
        written += _store(day, results, read, overwrite=True, sweep=True)
    epoch_touch()  # overwriting may have healed rows that cached rollups counted
    if day == timezone.localdate():
        # The marks the store above could not clear: tasks bumped while it computed, deleted tasks.
        status_catch_up()
    prune_before = day - timedelta(days=KEEP_DAYS)
    old = StatusSnapshot.objects.filter(day__lt=prune_before)
    month_ends = {d for d in old.values_list("day", flat=True).distinct() if (d + timedelta(days=1)).day == 1}
    old.exclude(day__in=month_ends).delete()
    return written


def status_catch_up(*, batch: int = FILL_BATCH) -> int:
    """Compute and store today's rows and intervals of every task marked `refresh_due`, and clear the
    marks of the tasks whose generation is still the one read; returns the rows stored.

    Batched: one read of inputs per `batch` tasks, however many submissions marked them. A task bumped
    again meanwhile keeps its mark (its result is dropped by the generation check) for the next run.
    Today is read per batch: a run that crosses midnight stops and leaves the rest marked, so no mark
    is cleared by a row of yesterday.
    """
    started = timezone.localdate()
    stored, after = 0, 0
    while True:
        day = timezone.localdate()
        if day != started:
            return stored
        due = dict(
            StatusGeneration.objects.filter(refresh_due=True, task_id__gt=after)
            .order_by("task_id")
            .values_list("task_id", "generation")[:batch]
        )
        if not due:
            return stored
        after = max(due)
        tasks = list(Task.objects.filter(pk__in=list(due), is_deleted=False).with_plan("node"))
        results = task_statuses(tasks, day) if tasks else {}
        with transaction.atomic():
            current = intervals.locked_generations(list(due))
            unchanged = [pk for pk in due if current.get(pk) == due[pk]]
            kept = {pk: results[pk] for pk in unchanged if pk in results}
            # A reader may have stored the row first (the same values): keep it.
            StatusSnapshot.objects.bulk_create(
                [_row(pk, day, r, due[pk]) for pk, r in kept.items()], ignore_conflicts=True
            )
            intervals.record(day, kept, due)
            StatusGeneration.objects.filter(task_id__in=unchanged).update(refresh_due=False)
        stored += len(kept)


# --- reading ---------------------------------------------------------------------------------------


def statuses_on(day: date, tasks: Iterable[Task]) -> dict[int, engine.StatusResult]:
    """The stored statuses' one door for readers: `task_statuses(tasks, day)`, from stored rows;
    missing ones are computed and stored.

    Two queries when every row is there (rows, judgements), whatever the number of tasks.
    `tasks` need `plan` and `node` loaded (select_related) for the ones that must be computed.
    """
    tasks = list(tasks)
    ids = [t.pk for t in tasks]
    rows = {r.task_id: r for chunk in id_chunks(ids) for r in StatusSnapshot.objects.filter(day=day, task_id__in=chunk)}
    missing = [t for t in tasks if t.pk not in rows]
    results = _compute_and_store(missing, day) if missing else {}
    present = [pk for pk in ids if pk in rows]
    judgements = _judgements(present) if present else {}
    for pk in present:
        results[pk] = result_from_row(rows[pk], engine.applicable_judgement(judgements.get(pk, ()), day))
    return results


def using_postgres() -> bool:
    return connection.vendor == "postgresql"


def lights_on(day: date, task_ids: Iterable[int]) -> dict[int, tuple[engine.Status, engine.Light]]:
    """Only each task's status and shown light, what a list shows: one narrow query when all are stored
    (no judgements, no full rows). Missing rows are computed and stored as in `statuses_on`."""
    ids = list(task_ids)
    found = {
        pk: (engine.Status(s), engine.Light(li))
        for chunk in id_chunks(ids)
        for pk, s, li in StatusSnapshot.objects.filter(day=day, task_id__in=chunk).values_list(
            "task_id", "status", "light"
        )
    }
    missing = [pk for pk in ids if pk not in found]
    for chunk in id_chunks(missing):
        tasks = list(Task.objects.filter(pk__in=chunk).with_plan("node"))
        found.update((pk, (r.status, r.light)) for pk, r in _compute_and_store(tasks, day).items())
    return found
