"""Where a component's input comes from (计分来源): counted from records as known at the period's end.

A source gives, for every unit of a period at once (a city has 1 000 units: one query per source,
not per unit), the input its rule scores and the rows it counted, each with a link. Built-in sources
read tasks, reports and supervision; any measure registered in `core.measures` is a source too
(`measure:<key>`, asked per unit), so projects and enterprise components plug in without code here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple, cast

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.measures import MeasureScope, all_measures, get_measure
from evaluation import scoring
from plans.models import Task
from reports import engine
from reports.labels import LIGHT_LABELS
from reports.models import ProgressReport
from reports.snapshots import ensure_stored
from supervision.models import FollowUp, OrderEscalation, OrderKind, Rectification, SupervisionOrder

# Rows listed per component and unit (the count is exact; the list is what a sheet shows).
ROW_LIMIT = 30


@dataclass
class Input:
    value: Decimal | None = None
    detail: str = ""
    rows: list[dict[str, str]] = field(default_factory=list)

    def add(self, label: str, url: str) -> None:
        if len(self.rows) < ROW_LIMIT:
            self.rows.append({"label": label, "url": url})


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    yellow_credit: Decimal
    late_credit: Decimal
    # What several sources read (the lead tasks and their lights at the end), read once per computation.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cutoff(self) -> datetime:
        """The first moment after the period (Asia/Shanghai): what happened before it counts."""
        return _day_after(self.end)


SourceFn = Callable[[Window, list[int]], dict[int, Input]]


def _before(moment: datetime | None, window: Window) -> bool:
    return moment is not None and moment < window.cutoff


@lru_cache(maxsize=4096)
def _day_after(due: date) -> datetime:
    """The first moment after the due day in the site's time zone (Asia/Shanghai), as core.dates.done_after."""
    return timezone.make_aware(datetime.combine(due + timedelta(days=1), time.min), timezone.get_default_timezone())


def _on_time(moment: datetime | None, due: date, window: Window) -> bool:
    # Comparing with a cached boundary, not converting each moment: a city's month has 20 000 reports.
    return moment is not None and moment < window.cutoff and moment < _day_after(due)


class LeadTask(NamedTuple):
    pk: int
    code: str
    object: str
    weight: Decimal
    unit: int


def url_maker(name: str) -> Callable[[int], str]:
    """The detail URL of a row by its id, reversed once (a city's sheets link ~10 000 rows)."""
    marker = 987654321
    template = reverse(name, args=[marker])
    return lambda pk: template.replace(str(marker), str(pk))


def _lead_tasks(
    window: Window, units: list[int]
) -> tuple[list[LeadTask], dict[int, tuple[engine.Status, engine.Light]]]:
    """The live lead tasks of the units in the period's year, and their status and light at its end."""
    if "tasks" not in window.memo:
        scope = Task.objects.alive().filter(lead_unit_id__in=units, start_date__lte=window.end,
                                            plan__year=window.end.year)  # fmt: skip
        # The stored statuses of the day (missing ones computed first), joined in one query: what
        # lights_on gives, without sending 20 000 ids back to the database.
        ensure_stored(scope, window.end)
        rows = (
            scope.filter(stored_statuses__day=window.end)
            .order_by("code")
            .values_list("pk", "code", "object", "weight", "lead_unit_id", "stored_statuses__status",
                         "stored_statuses__light")
        )  # fmt: skip
        tasks, lights = [], {}
        for pk, code, obj, weight, unit, status, light in rows:
            tasks.append(LeadTask(pk, code, obj, weight, unit))
            lights[pk] = (engine.Status(status), engine.Light(light))
        window.memo["tasks"] = (tasks, lights)
    return cast(tuple[list[LeadTask], dict[int, tuple[engine.Status, engine.Light]]], window.memo["tasks"])


def task_delivery(window: Window, units: list[int]) -> dict[int, Input]:
    tasks, lights = _lead_tasks(window, units)
    task_url = url_maker("plans:task_detail")
    labels = {light: str(label) for light, label in LIGHT_LABELS.items()}
    pairs: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    out = {u: Input() for u in units}
    for t in tasks:
        _status, light = lights[t.pk]
        pairs[t.unit].append((Decimal(t.weight), light.value))
        if light != engine.Light.GREEN:
            out[t.unit].add(f"{t.code} {t.object}（{labels[light]}）", task_url(t.pk))
    for u, items in pairs.items():
        out[u].value = scoring.delivery_share(items, yellow_credit=window.yellow_credit)
        counts = {li: sum(1 for _w, x in items if x == li) for li in ("green", "yellow", "red")}
        out[u].detail = _("%(n)d lead tasks: %(green)d green, %(yellow)d yellow, %(red)d red") % {
            "n": len(items),
            **counts,
        }
    return out


def reporting_discipline(window: Window, units: list[int]) -> dict[int, Input]:
    out = {u: Input() for u in units}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    reports = ProgressReport.objects.filter(
        unit_id__in=units, is_lead=True, due_date__gte=window.start, due_date__lte=window.end
    ).values_list("pk", "unit_id", "due_date", "first_submitted_at", "task__code", "period_end")
    report_url, late_text = url_maker("reports:report_detail"), _("%(task)s report for %(day)s, late")
    for pk, unit, due, submitted, code, period_end in reports:
        if _on_time(submitted, due, window):
            counts[unit][0] += 1
        elif _before(submitted, window):
            counts[unit][1] += 1
            out[unit].add(late_text % {"task": code, "day": period_end}, report_url(pk))
    # Reports never drafted have no row: a lead task whose status at the period's end is 未报送 counts missing.
    tasks, lights = _lead_tasks(window, units)
    task_url, missing_text = url_maker("plans:task_detail"), _("%(task)s: report missing")
    for t in tasks:
        if lights[t.pk][0] == engine.Status.MISSING:
            counts[t.unit][2] += 1
            out[t.unit].add(missing_text % {"task": t.code}, task_url(t.pk))
    for u, (on_time, late, missing) in counts.items():
        out[u].value = scoring.on_time_share(on_time, late, missing, late_credit=window.late_credit)
        out[u].detail = _("%(a)d on time, %(b)d late, %(c)d missing") % {"a": on_time, "b": late, "c": missing}
    return out


def _share(out: dict[int, Input], done: dict[int, list[int]], text: str) -> None:
    for u, (ok, due) in done.items():
        out[u].value = Decimal(ok) / Decimal(due) if due else None
        out[u].detail = text % {"ok": ok, "due": due}


def orders_on_time(window: Window, units: list[int]) -> dict[int, Input]:
    out = {u: Input() for u in units}
    done: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    orders = SupervisionOrder.objects.filter(unit_id__in=units, due_date__gte=window.start, due_date__lte=window.end)
    for o in orders.only("pk", "number", "unit_id", "due_date", "first_responded_at"):
        done[o.unit_id][1] += 1
        if _on_time(o.first_responded_at, o.due_date, window):
            done[o.unit_id][0] += 1
        else:
            out[o.unit_id].add(_("%(n)s not answered on time") % {"n": o.number},
                               reverse("supervision:order_detail", args=[o.pk]))  # fmt: skip
    _share(out, done, _("%(ok)d of %(due)d orders answered on time"))
    return out


def escalations(window: Window, units: list[int]) -> dict[int, Input]:
    """Escalations to 督办 or 通报 in the period: each one is an event the rule deducts for."""
    out = {u: Input(value=Decimal(0)) for u in units}
    rows = OrderEscalation.objects.filter(
        order__unit_id__in=units,
        day__gte=window.start,
        day__lte=window.end,
        level__in=[OrderKind.ORDER, OrderKind.NOTICE],
    ).select_related("order")
    for e in rows.only("pk", "day", "level", "order__id", "order__number", "order__unit_id"):
        item = out[e.order.unit_id]
        item.value = (item.value or Decimal(0)) + 1
        item.add(f"{e.order.number} → {OrderKind(e.level).label}（{e.day}）",
                 reverse("supervision:order_detail", args=[e.order.pk]))  # fmt: skip
    for item in out.values():
        item.detail = _("%(n)d escalations") % {"n": int(item.value or 0)}
    return out


def rectifications_on_time(window: Window, units: list[int]) -> dict[int, Input]:
    out = {u: Input() for u in units}
    done: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = Rectification.objects.filter(unit_id__in=units, deadline__gte=window.start, deadline__lte=window.end)
    for r in rows.only("pk", "unit_id", "deadline", "closed_at"):
        done[r.unit_id][1] += 1
        if _on_time(r.closed_at, r.deadline, window):
            done[r.unit_id][0] += 1
        else:
            out[r.unit_id].add(_("Rectification due %(day)s not closed on time") % {"day": r.deadline},
                               reverse("supervision:rectification_detail", args=[r.pk]))  # fmt: skip
    _share(out, done, _("%(ok)d of %(due)d rectifications closed on time"))
    return out


def instructions_answered(window: Window, units: list[int]) -> dict[int, Input]:
    out = {u: Input() for u in units}
    done: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = FollowUp.objects.filter(unit_id__in=units, due_date__gte=window.start, due_date__lte=window.end)
    for f in rows.only("pk", "unit_id", "due_date", "answered_at", "instruction_id"):
        done[f.unit_id][1] += 1
        if _on_time(f.answered_at, f.due_date, window):
            done[f.unit_id][0] += 1
        else:
            out[f.unit_id].add(_("Instruction due %(day)s not answered on time") % {"day": f.due_date},
                               reverse("supervision:instruction_detail", args=[f.instruction_id]))  # fmt: skip
    _share(out, done, _("%(ok)d of %(due)d instructions answered on time"))
    return out


BUILTIN: dict[str, tuple[SourceFn, object]] = {
    "tasks.delivery": (task_delivery, gettext_lazy("Task delivery: lights of the unit's lead tasks")),
    "reports.discipline": (reporting_discipline, gettext_lazy("Reporting discipline: on time, late, missing")),
    "supervision.orders_on_time": (orders_on_time, gettext_lazy("Supervision orders answered on time")),
    "supervision.escalations": (escalations, gettext_lazy("Escalations to 督办 / 通报 (events)")),
    "supervision.rectifications": (rectifications_on_time, gettext_lazy("Rectifications closed on time")),
    "supervision.instructions": (instructions_answered, gettext_lazy("Leader instructions answered on time")),
}
MEASURE_PREFIX = "measure:"


def source_choices() -> list[tuple[str, str]]:
    """Every source a component may name: the built-ins, then each registered measure."""
    choices = [(key, str(label)) for key, (_fn, label) in BUILTIN.items()]
    choices += [(MEASURE_PREFIX + m.key, f"{m.label}（{m.unit}）") for m in all_measures()]
    return choices


def measure_source(key: str) -> SourceFn:
    measure = get_measure(key)

    def read(window: Window, units: list[int]) -> dict[int, Input]:
        out = {}
        for u in units:
            scope = MeasureScope(start=window.start, end=window.end, unit_id=u)
            item = Input(value=Decimal(measure.value(scope)), detail=f"{measure.label} {measure.value(scope)}")
            for row in measure.rows(scope)[:ROW_LIMIT]:
                item.add(measure.row_label(row), measure.row_url(row))
            out[u] = item
        return out

    return read


def source_function(source: str) -> SourceFn:
    """The function reading a component's source; LookupError when it names nothing known."""
    if source.startswith(MEASURE_PREFIX):
        return measure_source(source[len(MEASURE_PREFIX) :])
    if source in BUILTIN:
        return BUILTIN[source][0]
    raise LookupError(source)
