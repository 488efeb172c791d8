"""Demo indicators: the Erqi 十三五 figures of the seed plan as the first series, and generated district
series for 2020-2021 (labelled demo data), loaded by `manage.py load_demo`.

1. The seed's reported figures, read from the demo plan's text by the decomposition extractor
   (`decomposition.demo.plan_figures`, passed in by load_demo: that layer sits above this one), are
   recorded through `figure_accept` (what accepting the decomposition does): same names, units
   converted (773亿元 stored as 77 300 000 000 元, shown in 亿元), each value linked to its sentence.
   The 2015 GDP level is derived only because the text states "是2015年的1.67倍": 773 ÷ 1.67, marked
   derived. The stated growth rates (年均增速7.3%, GDP增长1.2% …) stay indicators of their own.
2. Generated (random.Random(2021), deterministic), marked demo: GDP quarterly and fixed-asset
   investment, industrial value added, retail sales and general budget revenue monthly, cumulative
   to date, each period first an estimate (预计) and later the final value (年报) that supersedes it,
   with plausible entry dates so the as-of views show what was known when.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from indicators import derive
from indicators.models import CockpitIndicator, Indicator, IndicatorTarget, IndicatorValue
from indicators.services import DocumentFigure, figure_accept
from org.models import Unit
from plans.models import DimensionTag

DEMO_NOTE = "演示数据（生成）"
REPORTED_ON = date(2021, 1, 20)
YI = Decimal(10) ** 8
MULTIPLE_NAME = "相对2015年倍数"  # the extractor's row for "是2015年的1.67倍": kept on the GDP value instead

# name, unit code, frequency, 2020 total, 2021 total (亿元), 2021 target (确保), definition
GENERATED = [
    ("地区生产总值", "fgw", "quarter", "771.9", "812.4", "820", "按现价计算的地区生产总值，季度累计。"),
    ("固定资产投资", "fgw", "month", "402.5", "447.3", "440", "固定资产投资（不含农户），月度累计。"),
    ("规模以上工业增加值", "gxj", "month", "61.8", "65.9", "68", "规模以上工业企业增加值，月度累计，现价。"),
    ("社会消费品零售总额", "swj", "month", "398.6", "431.2", "430", "社会消费品零售总额，月度累计。"),
    ("一般公共预算收入", "czj", "month", "40.2", "43.1", "45", "一般公共预算收入，月度累计。"),
]
STATED_GROWTH = {  # the seed's growth rates: indicators at comparable prices, never computed from levels
    "经济年均增速": "地区生产总值年均增速（可比价），“十三五”期间。",
    "GDP增长": "地区生产总值增速（可比价）。",
    "固定资产投资增长": "固定资产投资增速。",
    "规模以上工业增加值增长": "规模以上工业增加值增速（可比价）。",
}
COCKPIT = [
    "地区生产总值",
    "固定资产投资",
    "规模以上工业增加值",
    "社会消费品零售总额",
    "一般公共预算收入",
    "新增绿化覆盖面积",
    "验收完成任务数",
]


# Dimension tags (core blocks, industries) of the demo indicators, where the figure belongs to one.
TAGS = {
    "规模以上工业增加值": ["现代制造业"],
    "社会消费品零售总额": ["高端商贸业", "二七商圈"],
    "固定资产投资": ["凤湖智能新区"],
}
# A computed indicator (计算指标): never typed in, counted from the tasks verified done, linking to them.
COMPUTED = (
    "验收完成任务数",
    "tasks.done",
    "quarter",
    "计划任务中经验收完成的任务数，按季度累计（由任务记录计算，不填报）。",
)


def _tags_and_computed() -> None:
    tags = {t.name: t for t in DimensionTag.objects.filter(name__in={n for names in TAGS.values() for n in names})}
    for indicator in Indicator.objects.filter(name__in=TAGS, is_demo=True):
        indicator.tags.add(*[tags[n] for n in TAGS[indicator.name] if n in tags])
    name, key, frequency, definition = COMPUTED
    Indicator.objects.get_or_create(
        name=name, unit="个",
        defaults={"measure_key": key, "frequency": frequency, "accumulation": Indicator.Accumulation.CUMULATIVE,
                  "definition": definition, "is_demo": True, "reviewed": True},
    )  # fmt: skip


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _seed_series(figures: list[DocumentFigure]) -> dict[str, Indicator]:
    """The seed's reported figures, recorded as accepting the decomposition would record them."""
    found: dict[str, Indicator] = {}
    for figure in figures:
        if figure.name == MULTIPLE_NAME:
            continue
        outcome = figure_accept(actor=None, figure=figure)
        if outcome.value is not None:
            found[figure.name] = outcome.value.indicator
    # The work report was read out in January 2021: date the figures then, so the as-of views know them
    # from that day on (and not before).
    reported = _at(REPORTED_ON)
    IndicatorValue.objects.filter(indicator__in=list(found.values())).update(created_at=reported, approved_at=reported)
    for ind in found.values():
        ind.reviewed = True
        ind.save(update_fields=["reviewed", "updated_at"])
    for name, definition in STATED_GROWTH.items():
        if name in found:
            Indicator.objects.filter(pk=found[name].pk).update(price_basis="comparable", definition=definition)
    return found


def _derive_2015(gdp: Indicator) -> None:
    """是2015年的1.67倍: the stated multiple on the 2020 estimate, and the 2015 level it implies (derived)."""
    value = IndicatorValue.objects.filter(indicator=gdp, period="2020", kind="estimate", state="approved").first()
    if value is None:
        return
    value.stated_multiple, value.multiple_base = Decimal("1.67"), "2015"
    value.save(update_fields=["stated_multiple", "multiple_base"])
    base = derive.level_from_multiple(value.value, Decimal("1.67"))
    derived = IndicatorValue.objects.create(
        indicator=gdp, period="2015", period_key=derive.period_key(derive.parse_period("2015")), kind="final",
        value=base, entered_unit="亿元", state="approved", derived=True, approved_at=value.approved_at,
        note="由2020年预计值773亿元 ÷ 1.67倍推算（文中未直接给出2015年数值）",
        source_quote=value.source_quote, plan=value.plan, source_offset=value.source_offset,
    )  # fmt: skip
    IndicatorValue.objects.filter(pk=derived.pk).update(created_at=value.created_at)


def _cumulative(total: Decimal, periods: int, rng: random.Random, *, dip: float = 0.2) -> list[Decimal]:
    """A plausible cumulative-to-date path ending at the total: a slow first quarter (deeper in 2020, the
    epidemic's), a strong year end."""
    weights = [1.0 + (0.25 if i == periods - 1 else 0) - (dip if i < periods // 4 else 0) for i in range(periods)]
    weights = [w * rng.uniform(0.92, 1.08) for w in weights]
    scale = float(total) / sum(weights)
    out, running = [], 0.0
    for w in weights:
        running += w * scale
        out.append(Decimal(f"{running:.2f}"))
    out[-1] = total
    return out


def _value(indicator: Indicator, period: derive.Period, kind: str, yi: Decimal, entered: date, **extra) -> None:
    row = IndicatorValue.objects.create(
        indicator=indicator, period=str(period), period_key=derive.period_key(period), kind=kind, value=yi * YI,
        entered_unit="亿元", state="approved", approved_at=_at(entered + timedelta(days=1)), note=DEMO_NOTE, **extra,
    )  # fmt: skip
    IndicatorValue.objects.filter(pk=row.pk).update(created_at=_at(entered))


def _generated(rng: random.Random, units: dict[str, Unit], seed: dict[str, Indicator]) -> list[Indicator]:
    made = []
    for name, unit_code, frequency, total_2020, total_2021, target, definition in GENERATED:
        indicator = seed.get(name) or Indicator.objects.filter(name=name, unit="元").first()
        if indicator is None:
            indicator = Indicator.objects.create(name=name, unit="元", display_unit="亿元")
        indicator.frequency, indicator.accumulation = frequency, Indicator.Accumulation.CUMULATIVE
        indicator.price_basis, indicator.source_unit = Indicator.PriceBasis.CURRENT, units.get(unit_code)
        indicator.definition, indicator.display_unit, indicator.is_demo, indicator.reviewed = (
            definition,
            "亿元",
            True,
            True,
        )
        indicator.save()
        per_year = 4 if frequency == "quarter" else 12
        for year, total in ((2020, Decimal(total_2020)), (2021, Decimal(total_2021))):
            finals = _cumulative(total, per_year, rng, dip=0.45 if year == 2020 else 0.15)
            for i, final in enumerate(finals, start=1):
                kind = "quarter" if frequency == "quarter" else "month"
                period = derive.Period(year, kind, i)
                month = i * 3 if frequency == "quarter" else i
                period_end = date(year, month, 28)
                estimate = (final * Decimal(str(rng.uniform(0.97, 1.03)))).quantize(Decimal("0.01"))
                _value(indicator, period, "estimate", estimate, period_end - timedelta(days=3))
                next_month = date(year + (month == 12), month % 12 + 1, 15)
                _value(indicator, period, "final", final, next_month)
        target_value = Decimal(target) * YI
        IndicatorTarget.objects.update_or_create(
            indicator=indicator, year=2021, horizon="year", modality="must",
            defaults={"value": target_value, "entered_unit": "亿元"},
        )  # fmt: skip
        made.append(indicator)
    gdp = made[0]
    # The annual figures: an estimate at the year's end, the final (年报) the next spring supersedes it.
    annuals: list[tuple[int, str, str | None]] = [(2020, "771.9", None), (2021, "812.4", "815")]
    for year, total_text, estimate_text in annuals:
        annual = derive.Period(year, "year")
        if estimate_text:
            _value(gdp, annual, "estimate", Decimal(estimate_text), date(year, 12, 28))
        _value(gdp, annual, "final", Decimal(total_text), date(year + 1, 3, 15))
    IndicatorTarget.objects.update_or_create(
        indicator=gdp,
        year=2021,
        horizon="year",
        modality="strive",
        defaults={"value": 830 * YI, "entered_unit": "亿元"},
    )
    IndicatorTarget.objects.update_or_create(
        indicator=gdp, year=2025, horizon="plan_end", modality="strive",
        defaults={"value": 1100 * YI, "entered_unit": "亿元"},
    )  # fmt: skip
    return made


def _revision_example(indicator: Indicator) -> None:
    """One estimate revised before the final came: 2021-06 first estimated, then re-estimated (both kept)."""
    current = IndicatorValue.objects.filter(indicator=indicator, period="2021-06", kind="estimate").first()
    if current is None:
        return
    first_at = current.created_at - timedelta(days=4)
    first = IndicatorValue.objects.create(
        indicator=indicator, period="2021-06", period_key=current.period_key, kind="estimate",
        value=(current.value * Decimal("0.96")).quantize(Decimal("0.01")), entered_unit="亿元", state="approved",
        approved_at=first_at, superseded_at=current.approved_at, note=DEMO_NOTE,
    )  # fmt: skip
    IndicatorValue.objects.filter(pk=first.pk).update(created_at=first_at)


@transaction.atomic
def load_demo_indicators(figures: list[DocumentFigure]) -> int:
    """The demo series (idempotent: nothing is added once the generated series exist). Returns values added."""
    if Indicator.objects.filter(is_demo=True).exists():
        return 0
    before = IndicatorValue.objects.count()
    seed = _seed_series(figures)
    if "地区生产总值" in seed:
        _derive_2015(seed["地区生产总值"])
    units = {u.code: u for u in Unit.objects.filter(code__in=[g[1] for g in GENERATED])}
    made = _generated(random.Random(2021), units, seed)
    _revision_example(made[1])
    _tags_and_computed()
    green = seed.get("新增绿化覆盖面积")
    if green is not None:
        IndicatorTarget.objects.update_or_create(
            indicator=green, year=2025, horizon="plan_end", modality="strive",
            defaults={"value": Decimal("30000000"), "entered_unit": "万平方米"},
        )  # fmt: skip
    by_name = {i.name: i for i in Indicator.objects.filter(name__in=COCKPIT)}
    for rank, name in enumerate(COCKPIT, start=1):
        if name in by_name:
            CockpitIndicator.objects.get_or_create(indicator=by_name[name], defaults={"rank": rank})
    added = IndicatorValue.objects.count() - before
    audit_record(actor=None, verb="indicator.demo_load", object_type="indicators", after={"values": added})
    return added
