"""Demo major projects (演示数据): about 60 district projects in the six core blocks and four leading industries.

Generic names (no real companies), a year of monthly investments up to last month with some projects
lagging and a few stalled, one overdue problem escalated, and ties to the demo plan's 小微企业园 and
断头路 tasks. Idempotent: nothing is added when demo projects exist.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from org.models import LeaderPost, Unit
from plans.models import DimensionTag, Task
from plans.services import task_bind_measure
from projects import status as project_status
from projects.models import Project, ProjectProblem, ProjectReport, ProjectStage, ProjectType
from projects.services import ProjectFields, project_save
from reports import engine

PREFIX = "XM-DEMO-"
TYPES = [
    ("产业项目", 10, 10.0, 25.0),
    ("基础设施", 20, 15.0, 30.0),
    ("民生项目", 30, 10.0, 25.0),
    ("生态项目", 40, 15.0, 30.0),
    ("城市更新", 50, 10.0, 25.0),
]
BLOCKS = ["二七商圈", "健康产业", "凤湖智能新区", "华侨城文旅", "足球小镇", "总部经济"]
INDUSTRIES = ["高端商贸业", "现代制造业", "文旅康养业", "科技服务业"]
NAMES = {
    "产业项目": [
        "智能装备产业园",
        "食品制造升级",
        "生物医药孵化基地",
        "数字经济大厦",
        "新零售示范街区",
        "科技成果转化中心",
    ],
    "基础设施": ["断头路打通工程", "道路综合改造", "雨污分流改造", "地下综合管廊", "公交首末站"],
    "民生项目": ["中学新建", "社区卫生服务中心", "养老服务中心", "安置房建设"],
    "生态项目": ["河道生态治理", "口袋公园", "樱桃沟生态修复"],
    "城市更新": ["老旧小区改造", "历史街区更新", "小微企业园"],
}
UNITS = {
    "产业项目": ["区工信局", "区发改委", "区商务局", "区科技局"],
    "基础设施": ["区住建局", "区交通运输局", "区城管局"],
    "民生项目": ["区教育局", "区卫健委", "区民政局", "区住建局"],
    "生态项目": ["区生态环境分局", "区农业农村局", "区城管局"],
    "城市更新": ["区住建局", "区工信局", "区发改委"],
}
POSTS = {"产业项目": "分管经济副区长", "基础设施": "分管城建副区长", "民生项目": "分管城建副区长"}
# Demo sites (WGS-84, placed by eye inside 二七区, the same spots as maps.demo's block squares): each
# project lies within ~1 km of its core block, so the map shows it inside the district and its block.
SITES = {
    "二七商圈": (113.642, 34.748),
    "总部经济": (113.640, 34.722),
    "健康产业": (113.600, 34.695),
    "凤湖智能新区": (113.580, 34.660),
    "华侨城文旅": (113.550, 34.650),
    "足球小镇": (113.578, 34.636),
    "": (113.620, 34.700),
}
# (share of the plan actually done, stall from month) per behaviour.
BEHAVIOURS = [("on_track", 1.0, None)] * 6 + [("lagging", 0.7, None)] * 2 + [("stalled", 1.0, 6)]


def _types() -> dict[str, ProjectType]:
    out = {}
    for name, rank, yellow, red in TYPES:
        kind, _ = ProjectType.objects.get_or_create(
            name=name, defaults={"rank": rank, "lag_yellow_percent": yellow, "lag_red_percent": red}
        )
        out[name] = kind
    return out


def _post(kind: str) -> LeaderPost:
    title = POSTS.get(kind)
    post = LeaderPost.objects.filter(title=title).first() if title else None
    return post or LeaderPost.objects.order_by("rank").last() or LeaderPost.objects.get()


@transaction.atomic
def load_demo_projects(today: dt.date | None = None) -> int:
    """Create the demo projects once; returns how many were created."""
    if Project.objects.filter(code__startswith=PREFIX).exists():
        return 0
    today = today or timezone.localdate()
    year = today.year
    rng = random.Random(2021)
    types = _types()
    units = {u.name: u for u in Unit.objects.all()}
    tags = {t.name: t for t in DimensionTag.objects.filter(kind__in=["block", "industry"])}
    tasks = {key: Task.objects.filter(object__contains=key).order_by("pk").first() for key in ("小微企业园", "断头路")}
    people = {u.unit_id: u for u in User.objects.filter(role_grants__role="unit_reporter").order_by("pk")}
    heads = {u.unit_id: u for u in User.objects.filter(role_grants__role="unit_head").order_by("pk")}
    fallback = User.objects.filter(role_grants__role="office").order_by("pk").first()
    created, reports, n = [], [], 0
    for kind_name in types:
        for base in NAMES[kind_name]:
            for _copy in range(2 if kind_name == "城市更新" else 3):
                n += 1
                kind = types[kind_name]
                block = BLOCKS[n % len(BLOCKS)]
                industry = INDUSTRIES[(n // len(BLOCKS) + n) % len(INDUSTRIES)]
                unit = units[UNITS[kind_name][n % len(UNITS[kind_name])]]
                total = Decimal(rng.randrange(20_000, 400_000, 1000))
                annual = (total * Decimal(rng.choice([25, 30, 40, 50])) / 100).quantize(Decimal("1"))
                # Stage plan: signed and land last year, start in spring (some late), finish over the next years.
                start_month = rng.choice([2, 3, 4, 5, 6, 9])
                dates = [
                    dt.date(year - 1, 6, 30),
                    dt.date(year - 1, 11, 30),
                    dt.date(year, start_month, 28),
                    dt.date(year + 1, 6, 30),
                    dt.date(year + 2, 6, 30),
                ]
                co = [u for u in units.values() if u.name in ("区发改委", "区自然资源局", "区财政局") and u != unit]
                block_tag, industry_tag = tags.get(block), tags.get(industry)
                site = SITES.get(block, SITES[""])
                project = project_save(
                    actor=None,
                    data=ProjectFields(
                        code=f"{PREFIX}{n:03d}",
                        name=f"{block}{base}（演示）",
                        type=kind,
                        level=rng.choice(["province", "city", "district", "district"]),
                        leader_post=_post(kind_name),
                        lead_unit=unit,
                        total_investment=total,
                        plan_year=year,
                        annual_plan=annual,
                        completion_due=dates[4],
                        owner=f"演示建设单位{n:02d}",
                        address=f"二七区演示路{n}号",
                        longitude=Decimal(str(site[0])) + Decimal(rng.randrange(-80, 80)) / 10000,
                        latitude=Decimal(str(site[1])) + Decimal(rng.randrange(-80, 80)) / 10000,
                        co_units=co[:2],
                        tags=[t for t in (block_tag, industry_tag) if t],
                        tasks=[t for key, t in tasks.items() if t and key in base],
                        stage_dates=dates,
                    ),
                )
                created.append(project)
                behaviour, share, stall = BEHAVIOURS[n % len(BEHAVIOURS)]
                reporter = people.get(unit.pk) or fallback
                head = heads.get(unit.pk) or fallback
                reports += _year_of_reports(project, today, share, stall, start_month, reporter, head, rng)
                _stages(project, today, start_month, stalled=stall is not None and start_month >= stall)
    ProjectReport.objects.bulk_create(reports, batch_size=500)
    _problem(created, today, fallback)
    for project in created:
        project_status.status_refresh(project=project, since=None)
    park = tasks.get("小微企业园")
    if park is not None and not park.measure_key:
        # 数值来自记录: the parks' task counts its started projects instead of asking for reports.
        task_bind_measure(
            actor=None, task=park, measure_key="projects.count", measure_params={"task": park.code, "stage": "开工"}
        )
    return len(created)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _year_of_reports(project, today, share, stall, start_month, reporter, head, rng) -> list[ProjectReport]:
    year = project.plan_year
    out, cumulative = [], Decimal(0)
    monthly_plan = project.annual_plan / 12
    for month in range(1, 13):
        end = engine.month_end(year, month)
        due = end + dt.timedelta(days=10)
        approve_day = end + dt.timedelta(days=rng.randint(3, 8))
        if approve_day >= today:
            break
        stalled = stall is not None and month >= stall
        amount = Decimal(0) if stalled else (monthly_plan * Decimal(share) * Decimal(rng.uniform(0.85, 1.15)))
        amount = amount.quantize(Decimal("0.01"))
        cumulative += amount
        text = "项目停工待解决问题。" if stalled else f"{month}月完成投资{amount}万元，现场施工有序推进。"
        out.append(
            ProjectReport(
                project=project,
                unit=project.lead_unit,
                month=end,
                due_date=due,
                amount_month=amount,
                amount_year=cumulative,
                progress_text=text,
                state=ProjectReport.State.APPROVED,
                created_by=reporter,
                first_submitted_at=_at(approve_day, 9),
                submitted_at=_at(approve_day, 9),
                approved_at=_at(approve_day, 16),
                approved_by=head,
            )  # fmt: skip
        )
    return out


def _stages(project: Project, today: dt.date, start_month: int, *, stalled: bool) -> None:
    year = project.plan_year
    reach = {0: dt.date(year - 1, 6, 20), 1: dt.date(year - 1, 11, 20)}
    started = dt.date(year, start_month, 25)
    if not stalled and started < today:
        reach[2] = started
    for stage in project.stages.filter(index__in=reach):
        stage.reached_on = reach[stage.index]
        stage.recorded_on = min(reach[stage.index] + dt.timedelta(days=8), today)
        stage.evidence = "演示：现场照片及相关批复文件"
        stage.save(update_fields=["reached_on", "recorded_on", "evidence"])
    Project.objects.filter(pk=project.pk).update(stage_index=max(reach))


def _problem(projects: list[Project], today: dt.date, actor) -> None:
    stalled = next(
        (p for p in projects if not ProjectStage.objects.filter(project=p, index=2, reached_on__isnull=False).exists()),
        projects[0],
    )
    land = Unit.objects.filter(name="区发改委").first() or stalled.lead_unit
    ProjectProblem.objects.create(
        project=stalled, category=ProjectProblem.Category.LAND, description="演示：项目用地手续尚未办结，影响开工。",
        unit=land, raised_on=today - dt.timedelta(days=45), workdays=10, deadline=today - dt.timedelta(days=30),
        escalation_level=2, escalated_on=today - dt.timedelta(days=20), created_by=actor,
    )  # fmt: skip
    ProjectProblem.objects.create(
        project=projects[1], category=ProjectProblem.Category.UTILITIES, description="演示：施工用电接入待协调。",
        unit=projects[1].lead_unit, raised_on=today - dt.timedelta(days=5), workdays=10,
        deadline=today + dt.timedelta(days=9), created_by=actor,
    )  # fmt: skip
