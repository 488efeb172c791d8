"""Small builders for project tests (real rows through the real services)."""

import datetime as dt
from decimal import Decimal

from org.models import LeaderPost, Unit
from projects.models import ProjectType
from projects.services import ProjectFields, project_save


def make_project(
    *, code="XM-T-001", unit_code="zjj", year=2021, annual=Decimal("1200"), stage_dates=None, co_unit_codes=(), **extra
):
    kind, _ = ProjectType.objects.get_or_create(name="测试类型")
    data = ProjectFields(
        code=code,
        name=extra.pop("name", "测试项目"),
        type=kind,
        level="district",
        leader_post=LeaderPost.objects.order_by("rank").first(),
        lead_unit=Unit.objects.get(code=unit_code),
        total_investment=Decimal("10000"),
        plan_year=year,
        annual_plan=annual,
        completion_due=dt.date(year + 1, 12, 31),
        co_units=list(Unit.objects.filter(code__in=co_unit_codes)),
        stage_dates=stage_dates if stage_dates is not None else [None, None, dt.date(year, 4, 30), None, None],
        **extra,
    )
    return project_save(actor=None, data=data)
