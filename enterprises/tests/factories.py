"""Test helpers: firms and requests made through the services."""

from datetime import date

from accounts.models import User
from enterprises import services
from enterprises.creditcode import make_credit_code
from enterprises.models import RequestCategory
from org.models import Unit


def user(name: str) -> User:
    return User.objects.get(username=name)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def firm(serial: int = 1, *, officer_unit: str = "zjj", name: str = "测试企业", **extra):
    data = services.EnterpriseData(
        name=f"{name}{serial}",
        credit_code=make_credit_code(900000 + serial),
        industry=extra.pop("industry", "制造业"),
        contact_name="张三",
        contact_phone="13812345678",
        officer_unit=unit(officer_unit) if officer_unit else None,
        **extra,
    )
    return services.enterprise_create(actor=user("office"), data=data)


def category(name: str = "用工") -> RequestCategory:
    return RequestCategory.objects.get(name=name)


def request(enterprise, *, handler: str | None = "zjj", received_on: date = date(2021, 6, 1), cat: str = "用工"):
    req = services.request_create(
        actor=user("office"),
        enterprise=enterprise,
        category=category(cat),
        description="招工难，需要普工30人",
        received_on=received_on,
        unit=unit(handler) if handler else None,
    )
    return req
