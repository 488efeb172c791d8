"""Evaluation at city scale (`seed_scale`): the year's scheme over every unit, departments and sub-districts
(with towns) ranked separately, and its twelve month periods, not published (bench/evaluation_bench.py
computes and publishes one)."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from evaluation.demo import default_components, month_bounds
from evaluation.models import Scheme
from org.models import Unit

CITY_SCHEME = "{year}年度全市重点工作考核方案（生成）"


def seed_evaluation(year: int, actor: User | None = None) -> Scheme:
    from evaluation.services import period_open, scheme_create

    actor = actor or role_holders(Role.OFFICE).first()
    if actor is None:
        raise LookupError("no office account to create the scheme as")
    name = CITY_SCHEME.format(year=year)
    scheme = Scheme.objects.filter(year=year, name=name).first()
    if scheme is None:
        live = Unit.objects.filter(is_active=True)
        groups = [
            ("区直部门", list(live.filter(kind=Unit.Kind.DEPARTMENT).values_list("pk", flat=True))),
            (
                "街道（镇）",
                list(live.filter(kind__in=[Unit.Kind.SUBDISTRICT, Unit.Kind.TOWN]).values_list("pk", flat=True)),
            ),
        ]
        scheme = scheme_create(actor=actor, year=year, name=name, components=default_components(), groups=groups)
    for month in range(1, 13):
        start, end, label = month_bounds(year, month)
        period_open(actor=actor, scheme=scheme, kind="month", start=start, end=end, label=label)
    return scheme
