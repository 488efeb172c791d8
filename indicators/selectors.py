"""Reads on indicators shared by pages, API, ledger and cockpit: scope, catalogue, series, derived figures.

A series shows, for each period, the best value known: final (年报) over preliminary (快报) over
estimate (预计); the others stay visible in the history. As of a past day, only values entered and
approved by then count, and a value superseded later is the one shown (what the office knew then).
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.roles import Perm
from core.access import out_of_scope
from indicators import computed, derive
from indicators.models import CockpitIndicator, Indicator, IndicatorTarget, IndicatorValue
from plans.models import Plan
from reports.engine.vocabulary import Light

KIND_RANK: dict[str, int] = {"estimate": 0, "preliminary": 1, "final": 2}
PAGE_SIZE = 50
SPARK_POINTS = 12
OWN_KIND = {"month": "month", "quarter": "quarter", "year": "year"}  # the periods a sparkline draws


def can_read(user) -> bool:
    return user.has_luoshi_perm(Perm.BUSINESS_READ_ALL) or user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT)


def indicator_scope(user) -> QuerySet[Indicator]:
    """The indicators a user reads: all for the office and leaders, its own unit's for a unit's people."""
    if user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):
        return Indicator.objects.all()
    if user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) and user.unit_id:
        return Indicator.objects.filter(source_unit_id=user.unit_id)
    return Indicator.objects.none()


def indicator_get_for_user(user, pk: int) -> Indicator:
    indicator = indicator_scope(user).select_related("source_unit", "total").filter(pk=pk).first()
    if indicator is None:
        raise out_of_scope(Indicator, pk)
    return indicator


def value_get_for_user(user, pk: int) -> IndicatorValue:
    value = IndicatorValue.objects.select_related("indicator").filter(pk=pk).first()
    if value is None or not indicator_scope(user).filter(pk=value.indicator_id).exists():
        raise out_of_scope(IndicatorValue, pk)
    return value


def _known_on(as_of: dt.date | None) -> Q:
    """Approved values current on the day (or now)."""
    q = Q(state=IndicatorValue.State.APPROVED)
    if as_of is None:
        return q & Q(superseded_at__isnull=True)
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    return q & Q(created_at__lt=end, approved_at__lt=end) & (Q(superseded_at__isnull=True) | Q(superseded_at__gte=end))


@dataclass
class Point:
    period: str
    kind: str
    value: Decimal
    derived: bool = False
    growth_yoy: float | None = None
    growth_prev: float | None = None
    cagr: float | None = None
    multiple: float | None = None
    computed: bool = False  # taken from a registered measure (computed indicator)
    share: float | None = None  # 占比 % of the total indicator's value of the same period


def _best(rows: Iterable[tuple]) -> dict[int, list[Point]]:
    """(indicator_id, period, period_key, kind, value, derived) rows → per indicator, the best value per period."""
    best: dict[int, dict[str, tuple[str, Point]]] = defaultdict(dict)
    for indicator_id, period, key, kind, value, derived in rows:
        seen = best[indicator_id].get(period)
        if seen is None or KIND_RANK[kind] > KIND_RANK[seen[1].kind]:
            best[indicator_id][period] = (key, Point(period, kind, value, derived))
    return {pk: [p for _, p in sorted(points.values(), key=lambda kp: kp[0])] for pk, points in best.items()}


def series_for(ids: list[int], as_of: dt.date | None = None) -> dict[int, list[Point]]:
    """The best known value per period of each indicator, in period order: one query."""
    rows = IndicatorValue.objects.filter(_known_on(as_of), indicator_id__in=ids).values_list(
        "indicator_id", "period", "period_key", "kind", "value", "derived"
    )
    return _best(rows)


# How far back a summary reads from each indicator's latest period: enough for the growth on the same
# period last year and a sparkline of twelve points, so a page reads ~24 rows per indicator, not 120+.
RECENT_YEARS = {"month": 1, "quarter": 2, "year": 11}


def recent_series_for(indicators: list[Indicator], as_of: dt.date | None = None) -> dict[int, list[Point]]:
    """The best value per recent period of each indicator: two queries (latest period keys, then values)."""
    if not indicators:
        return {}
    known = _known_on(as_of)
    latest = dict(
        IndicatorValue.objects.filter(known, indicator_id__in=[i.pk for i in indicators])
        .order_by()
        .values("indicator_id")
        .annotate(last=Max("period_key"))
        .values_list("indicator_id", "last")
    )
    recent = Q(pk__in=[])
    for ind in indicators:
        if ind.pk in latest:
            since = int(latest[ind.pk][:4]) - RECENT_YEARS.get(ind.frequency, 1)
            recent |= Q(indicator_id=ind.pk, period_key__gte=f"{since:04d}")
    rows = IndicatorValue.objects.filter(known & recent).values_list(
        "indicator_id", "period", "period_key", "kind", "value", "derived"
    )
    return _best(rows)


def targets_for(ids: list[int]) -> dict[int, dict[int, IndicatorTarget]]:
    """Per indicator and year, the binding target (确保 before 力争; an annual one before the plan end's)."""
    found: dict[int, dict[int, IndicatorTarget]] = defaultdict(dict)
    order = ("indicator_id", "year", "-horizon", "-modality")  # year before plan_end, strive before must
    for target in IndicatorTarget.objects.filter(indicator_id__in=ids).order_by(*order):
        found[target.indicator_id][target.year] = target  # the last one wins: annual 确保
    return found


def derive_points(indicator: Indicator, points: list[Point]) -> list[Point]:
    """Fill growth on the same period last year, on the previous period (period values only), and for
    annual values the CAGR and multiple over the base year (the first annual value, or the stated base)."""
    by_period = {p.period: p for p in points}
    years = [p for p in points if derive.parse_period(p.period).kind == "year"]
    base = years[0] if years else None
    cumulative = indicator.accumulation == Indicator.Accumulation.CUMULATIVE
    for point in points:
        period = derive.parse_period(point.period)
        last_year = by_period.get(str(derive.same_period_last_year(period)))
        point.growth_yoy = derive.growth(point.value, last_year.value if last_year else None)
        if not cumulative and period.kind != "span":
            previous = by_period.get(str(derive.previous_period(period)))
            point.growth_prev = derive.growth(point.value, previous.value if previous else None)
        if base is not None and period.kind == "year" and point is not base:
            span = period.year - derive.parse_period(base.period).year
            point.cagr = derive.cagr(base.value, point.value, span)
            point.multiple = derive.multiple(point.value, base.value)
    return points


# A page computes at most this many computed indicators in brief (2 measure calls each); the others
# show their name and a link, and their detail page computes them. Identical measure scopes (two
# indicators over the same measure and params) are computed once per page.
COMPUTED_PER_PAGE = 12


def _computed_points(
    indicator: Indicator, as_of: dt.date | None, *, brief: bool, memo: dict | None = None
) -> list[Point]:
    """A computed indicator's points: in brief (catalogue, cockpit) the latest period and the same period a
    year before, for its growth (two measure calls, shared through `memo`); else its recent periods."""
    day = as_of or timezone.localdate()
    if brief:
        (latest,) = computed.recent_periods(indicator, day, 1)
        periods = [derive.same_period_last_year(latest), latest]
        measure = computed.measure_of(indicator)
        if measure is None:
            return []
        memo = {} if memo is None else memo
        points = []
        for period in periods:
            scope = computed.scope_for(indicator, period, day)
            key = (measure.key, scope)
            if key not in memo:
                memo[key] = measure.value(scope)
            points.append(Point(str(period), "final", memo[key], computed=True))
        return points
    return [Point(c.period, "final", c.value, computed=True) for c in computed.computed_series(indicator, as_of)]


def shown(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """A base-unit value in the indicator's display unit (77 300 000 000 元 → 773 亿元)."""
    if value is None or not indicator.display_unit:
        return value
    return derive.from_base(value, indicator.unit, indicator.display_unit)


@dataclass
class Summary:
    """An indicator with its latest value, its year's target, completion, light and a sparkline."""

    indicator: Indicator
    latest: Point | None = None
    target: IndicatorTarget | None = None
    completion: float | None = None
    light: Light | None = None
    spark: list[float] = field(default_factory=list)
    contradicted: bool = False  # a stated multiple the two stated levels contradict (see `contradictions`)

    @property
    def latest_shown(self) -> Decimal | None:
        return shown(self.indicator, self.latest.value) if self.latest else None

    @property
    def target_shown(self) -> Decimal | None:
        return shown(self.indicator, self.target.value) if self.target else None


def contradicted_ids(ids: list[int], as_of: dt.date | None = None) -> set[int]:
    """The indicators among `ids` with a stated multiple that two stated levels contradict: two queries
    (the stated multiples, then the stated values of their base periods), whatever the page size."""
    known = _known_on(as_of)
    stated = list(
        IndicatorValue.objects.filter(known, indicator_id__in=ids, stated_multiple__isnull=False)
        .order_by()
        .values_list("indicator_id", "value", "stated_multiple", "multiple_base")
    )
    if not stated:
        return set()
    pairs = Q(pk__in=[])
    for indicator_id, _value, _multiple, base in stated:
        pairs |= Q(indicator_id=indicator_id, period=base)
    rows = IndicatorValue.objects.filter(known & pairs, derived=False).values_list(
        "indicator_id", "period", "period_key", "kind", "value", "derived"
    )
    bases = {(pk, p.period): p.value for pk, points in _best(rows).items() for p in points}
    return {
        indicator_id
        for indicator_id, value, multiple, base in stated
        if multiple is not None
        and (indicator_id, base) in bases
        and derive.multiple_contradicts(multiple, value, bases[(indicator_id, base)])
    }


def summarise(indicators: list[Indicator], as_of: dt.date | None = None) -> list[Summary]:
    """Summaries of a page of indicators in four queries (values, targets, contradictions) beyond the indicators'."""
    ids = [i.pk for i in indicators]
    series, targets = recent_series_for(indicators, as_of), targets_for(ids)
    contradicted = contradicted_ids(ids, as_of)
    out = []
    memo: dict = {}
    computed_left = COMPUTED_PER_PAGE
    for indicator in indicators:
        if indicator.measure_key:
            raw = _computed_points(indicator, as_of, brief=True, memo=memo) if computed_left > 0 else []
            computed_left -= 1
        else:
            raw = series.get(indicator.pk, [])
        points = derive_points(indicator, raw)
        own = [p for p in points if derive.parse_period(p.period).kind == OWN_KIND[indicator.frequency]]
        row = Summary(indicator, spark=[float(shown(indicator, p.value) or 0) for p in own[-SPARK_POINTS:]])
        row.contradicted = indicator.pk in contradicted
        if points:
            row.latest = points[-1]
            period = derive.parse_period(row.latest.period)
            year = period.end_year if period.kind == "span" else period.year
            by_year = targets.get(indicator.pk, {})
            # The target of the latest value's year, else the next one the series is heading for.
            row.target = by_year.get(year) or next((by_year[y] for y in sorted(by_year) if y > year), None)
        if row.latest and row.target:
            row.completion = derive.completion(row.latest.value, row.target.value, indicator.direction)
        if row.latest and row.target and row.target.year == year:
            cumulative = indicator.accumulation == Indicator.Accumulation.CUMULATIVE
            row.light = derive.judge(
                row.latest.value,
                row.target.value,
                direction=indicator.direction,
                cumulative=cumulative,
                fraction=derive.elapsed_fraction(period) if cumulative else 1.0,
            )
        out.append(row)
    return out


@dataclass
class CatalogueFilter:
    tag: int | None = None
    unit: int | None = None
    frequency: str = ""
    q: str = ""
    page: int = 1
    as_of: dt.date | None = None


def catalogue(user, f: CatalogueFilter):
    """One page of the catalogue: (page, summaries). Bounded: indicators, tags, values, targets."""
    qs = indicator_scope(user).select_related("source_unit").prefetch_related("tags").order_by("name", "pk")
    if f.tag:
        qs = qs.filter(tags__id=f.tag)
    if f.unit:
        qs = qs.filter(source_unit_id=f.unit)
    if f.frequency in Indicator.Frequency.values:
        qs = qs.filter(frequency=f.frequency)
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    page = Paginator(qs, PAGE_SIZE).get_page(f.page)
    return page, summarise(list(page.object_list), f.as_of)


def cockpit_panel(user, as_of: dt.date | None = None) -> list[Summary]:
    """The office's chosen indicators for the cockpit (those the user may read), summarised."""
    chosen = CockpitIndicator.objects.select_related("indicator").order_by("rank", "indicator__name")
    scope = set(indicator_scope(user).filter(pk__in=chosen.values("indicator_id")).values_list("pk", flat=True))
    return summarise([c.indicator for c in chosen if c.indicator_id in scope], as_of)


@dataclass
class Contradiction:
    value: IndicatorValue
    base_value: Decimal


@dataclass
class Detail:
    indicator: Indicator
    points: list[Point]
    history: list[IndicatorValue]
    targets: list[IndicatorTarget]
    contradictions: list[Contradiction]
    sentences: list[tuple[Plan, str]]
    rows: list[computed.Row] = field(default_factory=list)  # the records behind a computed latest value


def history(indicator: Indicator, as_of: dt.date | None = None) -> list[IndicatorValue]:
    """Every value ever entered (revisions, returned ones), newest period first; as of a day, those entered by then."""
    qs = indicator.values.select_related("created_by", "approved_by", "plan").order_by("-period_key", "-created_at")
    if as_of is not None:
        end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
        qs = qs.filter(created_at__lt=end)
    return list(qs[:500])


def contradictions(indicator: Indicator, points: list[Point]) -> list[Contradiction]:
    """Stated multiples (是2015年的1.67倍) that two stated levels of the same series contradict."""
    stated = {p.period: p for p in points if not p.derived}
    found = []
    for value in indicator.values.filter(_known_on(None), stated_multiple__isnull=False):
        base = stated.get(value.multiple_base)
        if (
            base
            and value.stated_multiple
            and derive.multiple_contradicts(value.stated_multiple, value.value, base.value)
        ):
            found.append(Contradiction(value, base.value))
    return found


_SENTENCE_END = re.compile(r"[。；;!！?？\n]")


def plan_sentences(indicator: Indicator, limit: int = 10) -> list[tuple[Plan, str]]:
    """The sentences of plan texts that name the indicator (the sentence each value came from first)."""
    found: list[tuple[Plan, str]] = []
    for plan in Plan.objects.filter(source_text__contains=indicator.name).only("pk", "title", "source_text")[:20]:
        text = plan.source_text
        start = text.find(indicator.name)
        while start >= 0 and len(found) < limit:
            left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
            right_match = _SENTENCE_END.search(text, start)
            right = right_match.end() if right_match else len(text)
            found.append((plan, text[left:right].strip()))
            start = text.find(indicator.name, right)
    return found


def indicator_detail(indicator: Indicator, as_of: dt.date | None = None) -> Detail:
    if indicator.measure_key:
        raw = _computed_points(indicator, as_of, brief=False)
    else:
        raw = series_for([indicator.pk], as_of).get(indicator.pk, [])
    points = derive_points(indicator, raw)
    if indicator.total_id:
        totals = {p.period: p.value for p in series_for([indicator.total_id], as_of).get(indicator.total_id, [])}
        for point in points:
            point.share = derive.share(point.value, totals.get(point.period))
    return Detail(
        indicator=indicator,
        points=points,
        history=history(indicator, as_of),
        targets=list(indicator.targets.order_by("year", "horizon", "modality")),
        contradictions=contradictions(indicator, points),
        sentences=plan_sentences(indicator),
        rows=computed.computed_rows(indicator, points[-1].period, as_of) if indicator.measure_key and points else [],
    )


def chart_data(detail: Detail) -> dict:
    """ECharts series: approved values by kind (estimates drawn apart from finals) and targets, in display units."""
    ind = detail.indicator
    periods = [p.period for p in detail.points]
    by_kind: dict[str, dict[str, float]] = {k: {} for k in KIND_RANK}
    derived: dict[str, float] = {}
    for point in detail.points:
        if point.computed:
            by_kind["final"][point.period] = float(shown(ind, point.value) or 0)
        if point.derived:
            derived[point.period] = float(shown(ind, point.value) or 0)
    for value in detail.history:
        current = value.state == IndicatorValue.State.APPROVED and value.superseded_at is None
        if current and value.period in periods and not value.derived:
            by_kind[value.kind][value.period] = float(shown(ind, value.value) or 0)
    targets: dict[str, float] = {}
    for target in detail.targets:
        # The annual target sits on the year, and on the year's last month or quarter (a cumulative
        # series reaches it there); 确保 wins where both exist.
        for period in (str(target.year), f"{target.year}-12", f"{target.year}Q4"):
            if period in periods and (target.modality == "must" or period not in targets):
                targets[period] = float(shown(ind, target.value) or 0)
    return {
        "periods": periods,
        "unit": ind.shown_unit,
        "kinds": {k: [v.get(p) for p in periods] for k, v in by_kind.items()},
        "target": [targets.get(p) for p in periods],
        "derived": [derived.get(p) for p in periods],
    }


def ledger_periods_and_rows(user, f: CatalogueFilter, year: int, limit: int = 5000):
    """The ledger of a year: its periods (in order) and one row per indicator and kind, values in the
    display unit. Three queries, whatever the number of indicators (values stream in chunks)."""
    from indicators.ledger import LedgerRowOut

    qs = indicator_scope(user).select_related("source_unit").order_by("name", "pk")
    if f.tag:
        qs = qs.filter(tags__id=f.tag)
    if f.unit:
        qs = qs.filter(source_unit_id=f.unit)
    if f.frequency in Indicator.Frequency.values:
        qs = qs.filter(frequency=f.frequency)
    if f.q:
        qs = qs.filter(name__icontains=f.q)
    indicators = {i.pk: i for i in qs.exclude(measure_key__gt="")[:limit]}
    values = (
        IndicatorValue.objects.filter(
            _known_on(f.as_of), indicator_id__in=list(indicators), period_key__startswith=f"{year:04d}-"
        )
        .order_by()
        .values_list("indicator_id", "kind", "period", "period_key", "value")
    )
    keys: dict[str, str] = {}
    cells: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, kind, period, key, value in values.iterator(chunk_size=5000):
        keys[period] = key
        cells[(indicator_id, kind)][period] = shown(indicators[indicator_id], value) or value
    periods = sorted(keys, key=lambda p: keys[p])
    rows = [
        LedgerRowOut(ind.name, ind.shown_unit, kind, ind.source_unit.name if ind.source_unit else "", cells[(pk, kind)])
        for pk, ind in indicators.items()
        for kind in KIND_RANK
        if (pk, kind) in cells
    ]
    return periods, rows


def latest_value_year(user) -> int | None:
    """The year of the latest period any readable indicator has a value for."""
    values = IndicatorValue.objects.order_by("-period_key")
    if not user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):  # the office reads all: a backward scan of the key index
        values = values.filter(indicator__in=indicator_scope(user))
    key = values.values_list("period_key", flat=True).first()
    return int(key[:4]) if key else None


def pending_for(user) -> QuerySet[IndicatorValue]:
    """Values awaiting this head's approval (or the office's, for indicators without a unit)."""
    pending = IndicatorValue.objects.filter(state=IndicatorValue.State.PENDING, superseded_at__isnull=True)
    if user.has_luoshi_perm(Perm.REPORT_APPROVE) and user.unit_id:
        return pending.filter(indicator__source_unit_id=user.unit_id)
    if user.has_luoshi_perm(Perm.PLAN_EDIT):
        return pending.filter(indicator__source_unit__isnull=True)
    return pending.none()
