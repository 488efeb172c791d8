"""Status intervals (状态区间): the rollup fields of the engine's result, stored only when they change.

`reports.snapshots` keeps full results per task and day for the days lists and pages read; this
module keeps, per task, stretches of days over which (status, light, computed light, late,
completion) stay the same (`StatusInterval`, valid_from ≤ day < valid_to). A city's cockpit of any
past day is then one join of tasks to the interval covering that day. Rules:

- An interval holds what `task_statuses([task], day)` gives for every day it covers (tested on
  every day of a year, `test_intervals_equal_computed_statuses_on_every_day`).
- Intervals of a task never overlap. A day no interval covers is computed on first request and
  stored as a one-day interval (`ensure_covered`); the nightly sweep extends the interval ending on
  its day when the day's values equal it (`record`); `history_fill` computes a range of days for
  every task in one pass over its inputs (`manage.py status_history`).
- A change cuts the task's intervals at the first day it affects (`cut`, called by
  `snapshots._invalidate` in the changing transaction): later days are computed again.
- The same generation check as the day rows (reports.snapshots): a fill stores only what it
  computed from inputs no change has replaced since it read them.
"""

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import DateField, Exists, F, Min, OuterRef, Q, Value
from django.db.models.functions import Greatest

from core.rows import id_chunks
from plans.models import Task, TaskQuerySet
from reports import engine
from reports.models import StatusGeneration, StatusInterval
from reports.status import engine_inputs, input_on, task_statuses, thresholds_for

DAY = timedelta(days=1)
FILL_BATCH = 1000

Values = tuple[str, str, str, bool, float]


def values_of(r: engine.StatusResult) -> Values:
    """What an interval stores of a result: what rollups and the cockpit's counts read."""
    return (r.status.value, r.light.value, r.computed_light.value, r.report_late, r.completion)


def _values(iv: StatusInterval) -> Values:
    return (iv.status, iv.light, iv.computed_light, iv.late, iv.completion)


def _interval(task_id: int, start: date, end: date, v: Values, generation: int) -> StatusInterval:
    status, light, computed, late, completion = v
    return StatusInterval(
        task_id=task_id,
        valid_from=start,
        valid_to=end,
        status=status,
        light=light,
        computed_light=computed,
        late=late,
        completion=completion,
        generation=generation,
    )


def covering(day: date) -> Q:
    """The condition on `status_intervals` for the interval that covers the day."""
    return Q(status_intervals__valid_from__lte=day, status_intervals__valid_to__gt=day)


def locked_generations(task_ids: list[int]) -> dict[int, int]:
    """The tasks' generations, their rows locked until the transaction ends: what every fill checks
    before storing (reports.snapshots, the race rule)."""
    # Locked in task order (chunks of the sorted ids, in turn): no deadlock between two fills; a
    # concurrent change waits or was first.
    found: dict[int, int] = {}
    for chunk in id_chunks(sorted(task_ids)):
        found.update(
            StatusGeneration.objects.select_for_update(no_key=True)
            .filter(task_id__in=chunk)
            .order_by("task_id")
            .values_list("task_id", "generation")
        )
    return found


# --- writing ---------------------------------------------------------------------------------------


def record(day: date, results: dict[int, engine.StatusResult], generations: dict[int, int]) -> None:
    """Store the day's values: extend the interval ending on the day when equal, else start one.

    An interval that covers the day with other values (a change that forgot to cut) is cut at the
    day, so the stored values are the ones just computed.
    """
    if not results:
        return
    # One read for the three intervals that matter per task (intervals never overlap): the one
    # covering the day, the one ending on it and the one starting the next day.
    near = list(StatusInterval.objects.filter(task_id__in=list(results), valid_from__lte=day + DAY, valid_to__gte=day))
    equal, stale = set(), []
    for iv in near:
        if iv.valid_from <= day < iv.valid_to:
            if _values(iv) == values_of(results[iv.task_id]):
                equal.add(iv.task_id)
            else:
                stale.append(iv)
    ids = [pk for pk in results if pk not in equal]
    for iv in stale:
        if iv.valid_from < day:
            StatusInterval.objects.filter(pk=iv.pk).update(valid_to=day)
        else:
            StatusInterval.objects.filter(pk=iv.pk).delete()
    cut_tasks = {iv.task_id for iv in stale}
    if cut_tasks:
        StatusInterval.objects.filter(task_id__in=cut_tasks, valid_from__gt=day).delete()
    # A stale interval cut at the day now ends on it, but its values differ from the day's (that made it
    # stale), so it is never extended; a stale task's later intervals were just deleted.
    before = {iv.task_id: iv for iv in near if iv.valid_to == day}
    after = {iv.task_id: iv for iv in near if iv.valid_from == day + DAY and iv.task_id not in cut_tasks}
    extend, new = [], []
    for pk in ids:
        v = values_of(results[pk])
        prev = before.get(pk)
        if prev is not None and _values(prev) == v:
            extend.append(prev.pk)
        else:
            nxt = after.get(pk)
            if nxt is not None and _values(nxt) == v:
                StatusInterval.objects.filter(pk=nxt.pk).update(valid_from=day)
            else:
                new.append(_interval(pk, day, day + DAY, v, generations.get(pk, 0)))
    for start in range(0, len(extend), FILL_BATCH):
        StatusInterval.objects.filter(pk__in=extend[start : start + FILL_BATCH]).update(valid_to=day + DAY)
    StatusInterval.objects.bulk_create(new, batch_size=FILL_BATCH)


def record_checked(day: date, results: dict[int, engine.StatusResult], read: dict[int, int]) -> int:
    """`record` for the results whose task's generation is still the one read before computing."""
    stored = 0
    ids = sorted(results)
    for start in range(0, len(ids), FILL_BATCH):
        chunk = ids[start : start + FILL_BATCH]
        with transaction.atomic():
            current = locked_generations(chunk)
            kept = {pk: results[pk] for pk in chunk if current.get(pk) == read.get(pk)}
            record(day, kept, read)
            stored += len(kept)
    return stored


def cut(ids: list[int] | None, since: date | None) -> None:
    """Forget the tasks' values from `since` on (every day when None): a change affects them."""
    for chunk in [None] if ids is None else id_chunks(ids):
        rows = StatusInterval.objects.all() if chunk is None else StatusInterval.objects.filter(task_id__in=chunk)
        if since is None:
            rows.delete()
            continue
        rows.filter(valid_from__gte=since).delete()
        rows.filter(valid_to__gt=since).update(valid_to=since)


# A request computes a day nobody stored itself only for this many tasks (about 0.4 s of engine
# and inputs); more, and the cockpit page hands the fill to the queue (reports/fill.py).
INLINE_FILL_LIMIT = 2000


class DayNotStored(Exception):
    """Raised instead of filling inline when more than the allowed number of tasks lack the day."""

    def __init__(self, day: date, missing: int) -> None:
        super().__init__(f"{missing} tasks have no status stored for {day}")
        self.day, self.missing = day, missing


def uncovered(tasks: TaskQuerySet, day: date) -> TaskQuerySet:
    """The tasks no interval covers on the day."""
    found = StatusInterval.objects.filter(task_id=OuterRef("pk"), valid_from__lte=day, valid_to__gt=day)
    return tasks.filter(~Exists(found))


def with_gap(tasks: TaskQuerySet, start: date, end: date) -> TaskQuerySet:
    """The tasks some day of which no interval covers, from `start` (or their own start, if later) to
    `end` (exclusive): what a refill of those days has to compute (reports/fill.py)."""
    first = Greatest(Value(start, output_field=DateField()), F("start_date"))
    spans = StatusInterval.objects.filter(task_id=OuterRef("pk"))
    covers_first = spans.filter(valid_from__lte=OuterRef("first_day"), valid_to__gt=OuterRef("first_day"))
    # Intervals never overlap: the days are covered when the first is and every interval ending
    # within them is followed by one starting on its end.
    followed = StatusInterval.objects.filter(task_id=OuterRef("task_id"), valid_from=OuterRef("valid_to"))
    broken = spans.filter(valid_to__gt=OuterRef("first_day"), valid_to__lt=end).filter(~Exists(followed))
    return tasks.annotate(first_day=first).filter(first_day__lt=end).filter(~Exists(covers_first) | Exists(broken))


def earliest_start() -> date | None:
    """The first day any live task's history can hold (its earliest start date); None without tasks:
    where `status_history --all` and a refill of every day begin."""
    return Task.objects.alive().aggregate(first=Min("start_date"))["first"]


def ensure_covered(tasks: TaskQuerySet, day: date, *, progress=None) -> int:
    """Compute and store the day for the tasks no interval covers; returns how many there were.

    Inputs are read per FILL_BATCH tasks; `progress(done, total)` is called after each batch.
    """
    from reports.snapshots import generations_then_tasks  # one home for the race rule's order

    missing = list(uncovered(tasks, day).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(missing), FILL_BATCH):
        read, chunk = generations_then_tasks(missing[start : start + FILL_BATCH])
        record_checked(day, task_statuses(chunk, day), read)
        if progress:
            progress(min(start + FILL_BATCH, len(missing)), len(missing))
    return len(missing)


def _runs(task: Task, inp: engine.TaskInput, thresholds: engine.Thresholds, start: date, end: date) -> Iterator:
    """(first day, day after, values) for each stretch of equal values from `start` to `end` (exclusive)."""
    run_start, run_values = start, None
    day = start
    while day < end:
        # A task bound to records (数值来自记录) reads its measure per day; the others' inputs are fixed.
        v = values_of(engine.evaluate(input_on(task, inp, day), day, thresholds))
        if v != run_values:
            if run_values is not None:
                yield run_start, day, run_values
            run_start, run_values = day, v
        day += DAY
    if run_values is not None:
        yield run_start, end, run_values


def history_fill(start: date, end: date, tasks: Iterable[Task] | None = None, *, progress=None) -> int:
    """Compute every day from `start` to `end` (exclusive) for the tasks (default: every live task) and
    store them as intervals, replacing what was stored for those days. Returns the intervals written.

    Each task's inputs are read once and the engine evaluated per day (~60 µs a task-day): a year of a
    city is ~7 M evaluations, work for the queue or a night, after which any day of it is a range read.
    """
    from reports.snapshots import generations_then_tasks

    if tasks is None:
        chosen = list(Task.objects.alive().order_by("pk").values_list("pk", flat=True))
    else:
        chosen = sorted({t.pk for t in tasks})
    written = 0
    for offset in range(0, len(chosen), FILL_BATCH):
        read, chunk = generations_then_tasks(chosen[offset : offset + FILL_BATCH])
        inputs = engine_inputs(chunk)
        thresholds: dict[int, engine.Thresholds] = {}
        rows = []
        for task in chunk:
            if task.plan_id not in thresholds:
                thresholds[task.plan_id] = thresholds_for(task.plan)
            for a, b, v in _runs(task, inputs[task.pk], thresholds[task.plan_id], start, end):
                rows.append(_interval(task.pk, a, b, v, read[task.pk]))
        with transaction.atomic():
            current = locked_generations([t.pk for t in chunk])
            kept = [t.pk for t in chunk if current.get(t.pk) == read[t.pk]]
            held = StatusInterval.objects.filter(task_id__in=kept)
            # What was stored from `end` on stays (today's row, kept by the sweep and the catch-up): the
            # part after `end` of an interval reaching past it is stored again from `end`.
            tails = [
                _interval(iv.task_id, end, iv.valid_to, _values(iv), iv.generation)
                for iv in held.filter(valid_from__lt=end, valid_to__gt=end)
            ]
            held.filter(valid_from__gte=start, valid_from__lt=end).delete()
            held.filter(valid_from__lt=start, valid_to__gt=start).update(valid_to=start)
            keep = set(kept)
            new = [r for r in rows if r.task_id in keep] + tails
            StatusInterval.objects.bulk_create(new, batch_size=FILL_BATCH)
            written += len(new)
        if progress:
            progress(min(offset + FILL_BATCH, len(chosen)), len(chosen))
    if connection.vendor == "postgresql":
        # After a bulk load the planner's statistics still describe the old table: it estimated one
        # covering row and planned the city's NOT EXISTS probe as a 200 M-row nested loop (18 s);
        # analysed, a hash anti join (18 ms). Autovacuum would get there, but later.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {StatusInterval._meta.db_table}")
    return written
