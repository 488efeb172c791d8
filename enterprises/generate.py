"""Generated firms and a year of their requests, for the demo (about 3 000 firms, 2020) and seed_scale (a city).

Deterministic for a seed; bulk inserts (no per-row service call: tens of thousands of rows in seconds), so
the records skip the audit trail and are marked `is_demo`. Names are generated (演示…企业00001号), credit
codes valid (enterprises.creditcode), contact data invented. The totals of the outcomes are fitted to
`Targets` (jobs, tax, funds) by distributing each target over its outcomes by random weights, so the summary
of the year sums to them; the number of firms helped is the number of firms given a closed request.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.workcalendar import work_calendar
from core.workdays import WorkCalendar
from enterprises.creditcode import make_credit_code
from enterprises.models import (
    AssistanceRequest,
    Enterprise,
    Outcome,
    Policy,
    RequestCategory,
    SizeClass,
    Visit,
)

INDUSTRIES = [
    "制造",
    "批发零售",
    "信息技术",
    "建筑",
    "餐饮住宿",
    "商务服务",
    "科技服务",
    "文化旅游",
    "交通物流",
    "医药健康",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
# Category code → share of requests; the handlers are given per category by the caller.
CATEGORY_WEIGHTS = {"labour": 30, "funds": 20, "tax": 15, "approval": 12, "land": 5, "energy": 6,
                    "logistics": 5, "other": 7}  # fmt: skip
POLICIES = ["稳岗返还政策", "小微企业普惠性减税政策", "中小企业纾困贷款贴息", "社会保险费阶段性减免",
            "研发费用加计扣除", "首台套装备保险补偿", "企业招工用工补贴", "工业用地弹性年期出让"]  # fmt: skip
BATCH = 2000
# The editable list's defaults (the migration 0002_categories holds its own frozen copy).
DEFAULT_CATEGORIES = [
    ("labour", "用工", 10), ("funds", "资金", 15), ("tax", "税费", 10), ("approval", "审批", 10),
    ("land", "用地", 20), ("energy", "用能", 10), ("logistics", "物流", 10), ("other", "其他", 15),
]  # fmt: skip


@dataclass(frozen=True)
class Targets:
    jobs: int
    tax_yuan: Decimal
    funds_yuan: Decimal


@dataclass
class Generated:
    firms: int = 0
    helped: int = 0
    requests: int = 0
    outcomes: int = 0
    visits: int = 0
    sums: dict = field(default_factory=dict)


def _distribute(total: Decimal, weights: list[float], places: int) -> list[Decimal]:
    """`total` split by `weights`, rounded to `places`, the rounding remainder on the largest share: sums exactly."""
    if not weights:
        return []
    whole = sum(weights)
    quantum = Decimal(1).scaleb(-places)
    shares = [(total * Decimal(w / whole)).quantize(quantum) for w in weights]
    biggest = max(range(len(shares)), key=shares.__getitem__)
    shares[biggest] += total - sum(shares)
    return shares


def ensure_categories() -> None:
    """The default request categories (a flushed database, e.g. seed_scale's, has lost the migration's rows)."""
    for rank, (code, name, days) in enumerate(DEFAULT_CATEGORIES, start=1):
        RequestCategory.objects.get_or_create(
            code=code, defaults={"name": name, "due_workdays": days, "rank": rank * 10}
        )


def generate_city(*, firms: int, seed: int, today: date) -> Generated:
    """seed_scale's share: `firms` firms of the city, 90 % with requests in the year up to `today` (those of
    the last 30 days still open with their units), with the demo's outcomes per firm (the seed's 2020 figures
    scaled by firms / 3 100)."""
    from org.models import Unit

    units = list(Unit.objects.filter(is_active=True).order_by("pk").values_list("pk", "kind"))
    local = [pk for pk, kind in units if kind in (Unit.Kind.SUBDISTRICT, Unit.Kind.TOWN)] or [pk for pk, _k in units]
    departments = [pk for pk, kind in units if kind == Unit.Kind.DEPARTMENT] or [pk for pk, _k in units]
    handlers = {code: departments[i % len(departments)] for i, code in enumerate(CATEGORY_WEIGHTS)}
    share = Decimal(firms) / Decimal(3100)
    targets = Targets(
        jobs=int(55_800 * share),
        tax_yuan=(Decimal(840_000_000) * share).quantize(Decimal(1)),
        funds_yuan=(Decimal(1_776_000_000) * share).quantize(Decimal(1)),
    )
    start = today - timedelta(days=364)
    return generate(firms=firms, helped=firms * 9 // 10, start=start, end=today, seed=seed, officer_units=local[:400],
                    handlers=handlers, targets=targets, serial_base=10_000_000,
                    open_after=today - timedelta(days=30))  # fmt: skip


def _calendar(year: int) -> WorkCalendar:
    cal = work_calendar()
    return cal if cal.covers(date(year, 1, 1)) and cal.covers(date(year + 1, 3, 31)) else WorkCalendar()


def generate(
    *,
    firms: int,
    helped: int,
    start: date,
    end: date,
    seed: int,
    officer_units: list[int],
    handlers: dict[str, int],
    targets: Targets,
    serial_base: int = 0,
    open_after: date | None = None,
    leader_posts: list[int] | None = None,
) -> Generated:
    """`firms` firms; `helped` of them get 1-3 requests received between start and end, closed by `end`, with
    outcomes whose sums are `targets`. Returns what was made."""
    rng = random.Random(seed)
    cal = _calendar(start.year)
    ensure_categories()  # a flushed database (transactional tests, seed_scale) has lost the migration's rows
    cats = {c.code: c for c in RequestCategory.objects.all()}
    codes = [c for c in CATEGORY_WEIGHTS if c in cats]
    weights = [CATEGORY_WEIGHTS[c] for c in codes]
    policies = list(Policy.objects.values_list("pk", flat=True))
    out = Generated()
    from accounts.models import User

    officer = User.objects.filter(is_active=True).order_by("pk").first()
    if officer is None:
        raise RuntimeError("generating visits and outcomes needs a user to record them")

    firm_rows = []
    for i in range(firms):
        industry = INDUSTRIES[rng.randrange(len(INDUSTRIES))]
        serial = serial_base + i + 1
        firm_rows.append(
            Enterprise(
                name=f"演示{industry}企业{serial:05d}号",
                credit_code=make_credit_code(serial),
                industry=industry,
                size=rng.choices(SizeClass.values, weights=[3, 12, 40, 45])[0],
                subdistrict_id=officer_units[i % len(officer_units)] if officer_units else None,
                address=f"演示路{rng.randint(1, 400)}号",
                latitude=Decimal("34.7") + Decimal(rng.randint(0, 9999)) / Decimal(100000),
                longitude=Decimal("113.6") + Decimal(rng.randint(0, 9999)) / Decimal(100000),
                contact_name=SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(["先生", "女士"]),
                contact_phone=f"139{rng.randint(0, 99999999):08d}",
                officer_unit_id=officer_units[i % len(officer_units)] if officer_units else None,
                leader_post_id=leader_posts[i % len(leader_posts)] if leader_posts else None,
                is_demo=True,
            )
        )
    made = Enterprise.objects.bulk_create(firm_rows, batch_size=BATCH)
    if not made or made[0].pk is None:  # backends that do not return ids: read them back by code
        by_code = dict(
            Enterprise.objects.filter(credit_code__in=[f.credit_code for f in firm_rows]).values_list(
                "credit_code", "pk"
            )
        )
        for f in firm_rows:
            f.pk = by_code[f.credit_code]
    out.firms = len(firm_rows)

    days = (end - start).days
    requests: list[AssistanceRequest] = []
    visits: list[Visit] = []
    for firm in firm_rows[:helped]:
        received = cal.next_workday(start + timedelta(days=rng.randint(0, max(days - 40, 1))))
        visit = Visit(enterprise_id=firm.pk, visited_on=received, officer_id=officer.pk,
                      officer_unit_id=firm.officer_unit_id, services="上门宣讲惠企政策", delivered=True,
                      is_demo=True)  # fmt: skip
        visits.append(visit)
        for n in range(rng.choices([1, 2, 3], weights=[55, 30, 15])[0]):
            code = rng.choices(codes, weights=weights)[0]
            cat = cats[code]
            day = received if n == 0 else cal.next_workday(received + timedelta(days=rng.randint(5, 30)))
            due = cal.add_workdays(day, cat.due_workdays)
            answered = cal.add_workdays(day, rng.randint(1, cat.due_workdays + 3))
            closed = min(cal.add_workdays(answered, rng.randint(1, 5)), end)
            answered = min(answered, closed)
            unhappy = rng.random() < 0.04
            if open_after is not None and day > open_after:  # the last weeks' requests are still with the units
                requests.append(
                    AssistanceRequest(
                        enterprise_id=firm.pk, category=cat, description=f"{cat.name}方面的诉求（演示）",
                        received_on=day, unit_id=handlers.get(code), due_date=due,
                        state=rng.choice(AssistanceRequest.UNIT_STATES), is_demo=True,
                    )
                )  # fmt: skip
                continue
            requests.append(
                AssistanceRequest(
                    enterprise_id=firm.pk, category=cat, description=f"{cat.name}方面的诉求（演示）", received_on=day,
                    channel=AssistanceRequest.Channel.VISIT if n == 0 else rng.choice(["hotline", "meeting"]),
                    unit_id=handlers.get(code), due_date=due, state=AssistanceRequest.State.CLOSED,
                    answer="已协调办理（演示）", first_answered_on=answered,
                    answered_at=timezone.make_aware(datetime.combine(answered, time(10))),
                    feedback="not_satisfied" if unhappy else "satisfied", closed_on=closed, is_demo=True,
                )
            )  # fmt: skip
    return _finish(rng, out, requests, visits, policies, targets, helped, officer)


def _finish(rng, out: Generated, requests, visits, policies, targets: Targets, helped: int, officer) -> Generated:
    Visit.objects.bulk_create(visits, batch_size=BATCH)
    through = Visit.policies.through
    if policies and visits and visits[0].pk is not None:
        links = [through(visit_id=v.pk, policy_id=rng.choice(policies)) for v in visits]
        through.objects.bulk_create(links, batch_size=BATCH)
    AssistanceRequest.objects.bulk_create(requests, batch_size=BATCH)
    # A firm's second request in a category is a repeat of its first (重复诉求, flagged for the office).
    first: dict[tuple[int, int], AssistanceRequest] = {}
    repeats = []
    for r in requests:
        earlier = first.setdefault((r.enterprise_id, r.category.pk), r)
        if earlier is not r:
            r.repeat_of_id = earlier.pk
            repeats.append(r)
    AssistanceRequest.objects.bulk_update(repeats, ["repeat_of"], batch_size=BATCH)
    # Outcomes: every closed request but about 3 % (flagged "closed without outcome" for the office).
    with_outcome = [r for r in requests if r.state == AssistanceRequest.State.CLOSED and rng.random() >= 0.03]
    by_cat: dict[str, list[AssistanceRequest]] = {}
    for r in with_outcome:
        by_cat.setdefault(r.category.code, []).append(r)
    jobs = _distribute(Decimal(targets.jobs), [rng.lognormvariate(0, 0.8) for _ in by_cat.get("labour", [])], 0)
    tax = _distribute(targets.tax_yuan, [rng.lognormvariate(0, 1) for _ in by_cat.get("tax", [])], 2)
    funds = _distribute(targets.funds_yuan, [rng.lognormvariate(0, 1) for _ in by_cat.get("funds", [])], 2)
    values: dict[int, dict] = {}
    for r, v in zip(by_cat.get("labour", []), jobs, strict=True):
        values[id(r)] = {"jobs": int(v)}
    for r, v in zip(by_cat.get("tax", []), tax, strict=True):
        values[id(r)] = {"tax_relieved": v}
    for r, v in zip(by_cat.get("funds", []), funds, strict=True):
        values[id(r)] = {"funds": v, "funds_channel": rng.choice(["loan", "subsidy", "fund"])}
    for r in by_cat.get("approval", []):
        values[id(r)] = {"approval_days_saved": rng.randint(2, 15)}
    for r in by_cat.get("land", []):
        values[id(r)] = {"land_mu": Decimal(rng.randint(5, 120))}
    outcomes = [
        Outcome(request_id=r.pk, recorded_by_id=officer.pk, approved_by_id=officer.pk, approved_on=r.closed_on,
                note="演示成效", is_demo=True, **values.get(id(r), {}))
        for r in with_outcome
    ]  # fmt: skip
    Outcome.objects.bulk_create(outcomes, batch_size=BATCH)
    out.helped, out.requests, out.visits, out.outcomes = helped, len(requests), len(visits), len(outcomes)
    out.sums = {"jobs": sum(jobs), "tax_yuan": sum(tax), "funds_yuan": sum(funds)}
    return out
