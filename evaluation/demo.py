"""Demo evaluation data: the 2021 scheme for Erqi's departments and sub-districts, twelve published months
(one upheld and one rejected appeal) and the June 2021 bulletin. Idempotent: nothing is added when the
2021 scheme exists. Written through the services (audited), as the demo office user.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.models import User
from org.models import Unit

YEAR = 2021
SCHEME_NAME = "2021年度二七区重点工作考核方案（演示）"


def default_components() -> list[dict[str, Any]]:
    """The demo scheme's components (100 points): delivery 50, reporting 20, supervision 30."""
    share = {"kind": "linear", "low": "0", "high": "1"}
    return [
        {"key": "delivery", "label": "任务推进", "source": "tasks.delivery", "weight": "50", "rule": share},
        {
            "key": "reporting",
            "label": "报送纪律",
            "source": "reports.discipline",
            "weight": "20",
            "rule": {
                "kind": "banded",
                "bands": [["0", "0.6", "0"], ["0.6", "0.8", "0.5"], ["0.8", "0.95", "0.8"], ["0.95", "1", "1"]],
            },  # fmt: skip
        },
        {"key": "orders", "label": "督办反馈", "source": "supervision.orders_on_time", "weight": "10", "rule": share},
        {
            "key": "escalations",
            "label": "督办升级",
            "source": "supervision.escalations",
            "weight": "10",
            "rule": {"kind": "deduction", "per_event": "5", "cap": "10"},
        },
        {"key": "rectify", "label": "整改销号", "source": "supervision.rectifications", "weight": "5", "rule": share},
        {
            "key": "instructions",
            "label": "批示落实",
            "source": "supervision.instructions",
            "weight": "5",
            "rule": share,
        },
    ]


def default_groups() -> list[tuple[str, list[int]]]:
    live = Unit.objects.filter(is_active=True)
    departments = list(live.filter(kind=Unit.Kind.DEPARTMENT).values_list("pk", flat=True))
    local = list(live.filter(kind__in=[Unit.Kind.SUBDISTRICT, Unit.Kind.TOWN]).values_list("pk", flat=True))
    return [("区直部门", departments), ("街道（镇）", local)]


def month_bounds(year: int, month: int) -> tuple[date, date, str]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), f"{year}年{month}月"


def load_demo_scheme(actor: User | None = None):
    """The 2021 scheme (created once) and its twelve month periods."""
    from evaluation.models import Scheme
    from evaluation.services import period_open, scheme_create

    actor = actor or User.objects.get(username="office")
    scheme = Scheme.objects.filter(year=YEAR, name=SCHEME_NAME).first()
    if scheme is None:
        scheme = scheme_create(actor=actor, year=YEAR, name=SCHEME_NAME, components=default_components(),
                               groups=default_groups())  # fmt: skip
    for month in range(1, 13):
        start, end, label = month_bounds(YEAR, month)
        period_open(actor=actor, scheme=scheme, kind="month", start=start, end=end, label=label)
    return scheme


@transaction.atomic
def load_demo_evaluation() -> int:
    """Twelve published months with one upheld and one rejected appeal, and the June bulletin; returns
    the number of months published now (0 when already there)."""
    from evaluation.models import Appeal, Period
    from evaluation.services import appeal_create, appeal_decide, period_publish

    office = User.objects.get(username="office")
    scheme = load_demo_scheme(office)
    published = 0
    for period in Period.objects.filter(scheme=scheme, kind="month").order_by("start"):
        if not period.is_published:
            period_publish(actor=office, period=period)
            published += 1
    head = User.objects.filter(username="zjj_head").first()
    if published and head is not None:
        cases = (
            (5, "delivery", "演示：月底红灯任务实际已完成，竣工验收记录见附件，系进展未及时审核所致，申请更正。", True),
            (9, "reporting", "演示：本月一期报送因系统维护延迟，已于当日线下报送，申请核减迟报。", False),
        )
        for month, key, reason, uphold in cases:
            period = Period.objects.get(scheme=scheme, kind="month", start=date(YEAR, month, 1))
            if Appeal.objects.filter(period=period).exists():
                continue
            appeal = appeal_create(actor=head, period=period, component_key=key, reason=reason,
                                   today=period.published_on)  # fmt: skip
            note = "经核实，竣工验收记录属实，予以更正。" if uphold else "经核实，迟报非系统原因，维持原评分。"
            weight = Decimal(scheme.components.get(key=key).weight)
            appeal_decide(actor=office, appeal=appeal, uphold=uphold, note=note,
                          corrected_points=weight if uphold else None)  # fmt: skip
    if published:
        from evaluation.bulletin_service import demo_bulletin

        demo_bulletin(office)
    return published
