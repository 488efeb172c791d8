"""Generated records sum to the targets they are fitted to; the demo is labelled and loads once."""

from datetime import date
from decimal import Decimal

import pytest

from core.measures import MeasureScope
from enterprises import figures
from enterprises.creditcode import credit_code_problem
from enterprises.generate import Targets, generate
from enterprises.models import Enterprise
from org.models import Unit

pytestmark = pytest.mark.django_db


def test_generated_year_sums_to_its_targets():
    units = list(Unit.objects.filter(kind="subdistrict").values_list("pk", flat=True))
    handler = Unit.objects.get(code="rsj").pk
    targets = Targets(jobs=5_580, tax_yuan=Decimal("84000000"), funds_yuan=Decimal("177600000"))
    made = generate(firms=320, helped=300, start=date(2020, 1, 2), end=date(2020, 12, 31), seed=7,
                    officer_units=units, handlers={"labour": handler}, targets=targets)  # fmt: skip
    s = figures.assistance_summary(MeasureScope(start=date(2020, 1, 1), end=date(2020, 12, 31)))
    assert (s.enterprises_helped, s.requests) == (300, made.requests)
    assert (s.jobs_filled, s.tax_relieved_yuan, s.funds_provided_yuan) == (5_580, targets.tax_yuan, targets.funds_yuan)
    assert 0.5 < s.on_time_rate < 1 and 0.9 < s.satisfaction_rate < 1
    firms = Enterprise.objects.filter(is_demo=True)
    assert firms.count() == 320 and all(
        credit_code_problem(c) is None for c in firms.values_list("credit_code", flat=True)
    )
    assert all(n.startswith("演示") for n in firms.values_list("name", flat=True))


def test_seed_scale_share_leaves_the_last_month_open():
    from enterprises.generate import generate_city
    from enterprises.models import AssistanceRequest

    made = generate_city(firms=60, seed=3, today=date(2021, 12, 20))
    assert made.firms == 60 and made.helped == 54
    waiting = AssistanceRequest.objects.filter(state__in=AssistanceRequest.UNIT_STATES)
    assert waiting.exists() and all(r.received_on > date(2021, 11, 20) for r in waiting)
    assert not waiting.filter(outcome__isnull=False).exists()
