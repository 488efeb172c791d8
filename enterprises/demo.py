"""Demo data of enterprise assistance (labelled demo; no real company or person names).

- the policy catalogue and the 区人社局 demo accounts (rsj_head, rsj_reporter);
- 3 100 generated firms and their 2020 requests, of which 3 078 firms were helped, with outcomes fitted to
  the seed's figures (帮扶企业3078家、解决用工5.58万人、减免税费8.4亿元、提供资金17.76亿元): the 2020 summary
  sums to exactly these (enterprises.generate distributes each total over its outcomes);
- a dozen requests of the current year in every state, made through the services, for the queues.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant, user_create
from enterprises import services
from enterprises.generate import POLICIES, Targets, generate
from enterprises.models import Enterprise, Policy, RequestCategory
from org.models import LeaderPost, Unit

DEMO_PASSWORD = "Luoshi@2021"  # noqa: S105  (the documented demo password)
FIRMS, HELPED = 3100, 3078
SEED_2020 = Targets(jobs=55_800, tax_yuan=Decimal("840000000"), funds_yuan=Decimal("1776000000"))
# Category → the unit that handles it in the demo (the office assigns it so).
HANDLERS = {"labour": "rsj", "funds": "czj", "tax": "czj", "approval": "dsj", "land": "zjj", "energy": "gxj",
            "logistics": "jtj", "other": "swj"}  # fmt: skip
ACCOUNTS = [
    ("rsj_head", "区人社局负责人（演示）", Role.UNIT_HEAD),
    ("rsj_reporter", "区人社局填报员（演示）", Role.UNIT_REPORTER),
]


def _accounts(rsj: Unit) -> int:
    made = 0
    for username, display, role in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None, username=username, display_name=display, password=DEMO_PASSWORD, unit=rsj, is_demo=True
            )
            made += 1
        if role not in user.role_codes:
            role_grant(actor=None, user=user, role=role)
    return made


def load_demo_enterprises() -> int:
    """Create the demo firms and requests once (idempotent: nothing happens when they exist). Returns firms made."""
    units = {u.code: u for u in Unit.objects.all()}
    if "rsj" not in units:
        return 0  # no demo organisation
    with transaction.atomic():
        _accounts(units["rsj"])
        for title in POLICIES:
            Policy.objects.get_or_create(title=title, defaults={"issuer": "演示"})
        if Enterprise.objects.filter(is_demo=True).exists():
            return 0
        officer_units = [u.pk for u in units.values() if u.kind in (Unit.Kind.SUBDISTRICT, Unit.Kind.TOWN)]
        made = generate(
            firms=FIRMS,
            helped=HELPED,
            start=date(2020, 1, 2),
            end=date(2020, 12, 31),
            seed=2020,
            officer_units=officer_units,
            handlers={c: units[u].pk for c, u in HANDLERS.items() if u in units},
            targets=SEED_2020,
            leader_posts=list(LeaderPost.objects.filter(is_active=True).values_list("pk", flat=True)),
        )
    _current_year(units)
    return made.firms


def _current_year(units: dict[str, Unit]) -> None:
    """A few requests of this year in every state, through the services (audited like real ones)."""
    office = User.objects.filter(username="office").first()
    rsj_reporter = User.objects.filter(username="rsj_reporter").first()
    zjj_reporter = User.objects.filter(username="zjj_reporter").first()
    if office is None or rsj_reporter is None or zjj_reporter is None:
        return
    today = timezone.localdate()
    firms = list(Enterprise.objects.filter(is_demo=True).order_by("pk")[:12])
    cats = {c.code: c for c in RequestCategory.objects.all()}
    plan = [("labour", "rsj", "assigned", 3), ("labour", "rsj", "accepted", 20), ("labour", "rsj", "answered", 8),
            ("land", "zjj", "assigned", 25), ("land", "zjj", "accepted", 4), ("funds", None, "received", 2),
            ("other", None, "received", 1), ("approval", "dsj", "assigned", 6)]  # fmt: skip
    for firm, (code, unit_code, state, days_ago) in zip(firms, plan, strict=False):
        received = today - timedelta(days=days_ago)
        req = services.request_create(
            actor=office,
            enterprise=firm,
            category=cats[code],
            description=f"{cats[code].name}方面的诉求：请协调解决（演示）",
            received_on=received,
            unit=units[unit_code] if unit_code else None,
        )
        handler = rsj_reporter if unit_code == "rsj" else zjj_reporter if unit_code == "zjj" else None
        if handler and state in ("accepted", "answered"):
            services.request_accept(actor=handler, request=req)
        if handler and state == "answered":
            services.request_answer(
                actor=handler, request=req, answer="已组织专场招聘会（演示）", outcome=services.OutcomeData(jobs=12)
            )
