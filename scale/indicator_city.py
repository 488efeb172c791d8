"""`seed_scale --indicators N`: N indicators × 10 years of monthly values (N × 120 values, each period an
approved final; every tenth also an earlier estimate), annual targets, a cockpit list of 12.

Deterministic (random.Random(seed)); bulk-inserted (COPY on PostgreSQL) like the rest of the city.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from indicators import derive
from indicators.models import CockpitIndicator, Indicator, IndicatorTarget, IndicatorValue
from org.models import Unit
from scale.generator import insert, reset_sequences

YEARS = 10
NAMES = [
    "地区生产总值", "固定资产投资", "规模以上工业增加值", "社会消费品零售总额", "一般公共预算收入", "税收收入",
    "进出口总额", "实际利用外资", "新增城镇就业", "城镇居民人均可支配收入", "房地产开发投资", "工业投资",
]  # fmt: skip


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def build_indicators(n: int, *, seed: int, today: date, log=print) -> int:
    """Add n generated indicators with ten years of monthly cumulative values up to `today`; returns values."""
    rng = random.Random(seed * 7919 + n)
    units: list[int | None] = list(Unit.objects.values_list("pk", flat=True)[:200]) or [None]
    first_year = today.year - YEARS
    months = [
        (y, m) for y in range(first_year, today.year + 1) for m in range(1, 13) if (y, m) <= (today.year, today.month)
    ]
    months = months[-YEARS * 12 :]
    with transaction.atomic():
        start_pk = (Indicator.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        now = timezone.now()
        indicator_rows = [
            (start_pk + i, f"{NAMES[i % len(NAMES)]}（生成{i + 1:05d}）", "元", "亿元", "month", "cumulative", "higher",
             "current", units[i % len(units)], "", "", "", True, True, now, now)
            for i in range(n)
        ]  # fmt: skip
        insert(Indicator, ["id", "name", "unit", "display_unit", "frequency", "accumulation", "direction",
                           "price_basis", "source_unit_id", "definition", "measure_key", "measure_params",
                           "reviewed", "is_demo", "created_at", "updated_at"], indicator_rows)  # fmt: skip
        value_pk = (IndicatorValue.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        columns = ["id", "indicator_id", "period", "period_key", "kind", "value", "entered_unit", "state", "derived",
                   "multiple_base", "note", "source_quote", "returned_reason", "created_at", "approved_at"]  # fmt: skip
        values: list[tuple] = []
        targets: list[tuple] = []
        total = 0
        for i in range(n):
            pk = start_pk + i
            level = rng.uniform(5, 800) * 1e8
            growth = rng.uniform(-0.02, 0.12)
            for year in range(first_year, today.year + 1):
                annual = level * (1 + growth) ** (year - first_year)
                targets.append((pk, year, "year", "must", round(annual * 1.03, 2), "亿元", now))
            for y, m in months:
                annual = level * (1 + growth) ** (y - first_year)
                value = round(annual * m / 12 * rng.uniform(0.97, 1.03), 2)
                period = derive.Period(y, "month", m)
                entered = date(y + (m == 12), m % 12 + 1, 15)
                approved = entered + timedelta(days=1)
                values.append((value_pk, pk, str(period), derive.period_key(period), "final", value, "亿元", "approved",
                               False, "", "", "", "", _aware(entered), _aware(approved)))  # fmt: skip
                value_pk += 1
                if (i + m) % 10 == 0:
                    early = entered - timedelta(days=20)
                    values.append((value_pk, pk, str(period), derive.period_key(period), "estimate",
                                   round(value * 1.02, 2), "亿元", "approved", False, "", "", "", "",
                                   _aware(early), _aware(early + timedelta(days=1))))  # fmt: skip
                    value_pk += 1
            if len(values) >= 50_000:
                insert(IndicatorValue, columns, values)
                total += len(values)
                values = []
        insert(IndicatorValue, columns, values)
        total += len(values)
        insert(
            IndicatorTarget,
            ["indicator_id", "year", "horizon", "modality", "value", "entered_unit", "updated_at"],
            targets,
        )
        for rank, pk in enumerate(range(start_pk, start_pk + min(12, n)), start=1):
            CockpitIndicator.objects.get_or_create(indicator_id=pk, defaults={"rank": rank})
        reset_sequences([Indicator, IndicatorValue, IndicatorTarget])
    log(f"  indicators: {n} with {total} values")
    return total
