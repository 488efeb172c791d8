"""The generated city's major projects (seed_scale --projects N): a register and a year of monthly reports.

Rows go in through `scale.generator.insert` (COPY on PostgreSQL), like the rest of the city; statuses are
not precomputed (the first list or rollup for a day stores them, as in production after a change).
"""

import json
import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import RoleGrant
from org.models import LeaderPost, Unit
from plans.models import DimensionTag
from projects.models import DEFAULT_STAGES, Project, ProjectReport, ProjectStage, ProjectType
from reports import engine
from scale.generator import _aware, _Ids, insert, reset_sequences

TYPES = [("产业项目", 10), ("基础设施", 20), ("民生项目", 30), ("生态项目", 40), ("城市更新", 50)]
WORDS = [
    "智能制造",
    "商贸综合体",
    "道路改造",
    "学校新建",
    "医院扩建",
    "生态廊道",
    "老旧小区",
    "物流园",
    "科创中心",
    "安置房",
]


def build_projects(*, n: int, seed: int, today: date, log=print) -> int:
    """Insert `n` projects with stages and monthly reports up to last month; returns the number of reports."""
    rng = random.Random(seed * 7919 + 15)
    ids = _Ids()
    year = today.year
    existing = {t.name: t.pk for t in ProjectType.objects.all()}
    type_rows = []
    for name, rank in TYPES:
        if name not in existing:
            existing[name] = ids.take(ProjectType)
            type_rows.append(
                (existing[name], name, rank, json.dumps(DEFAULT_STAGES, ensure_ascii=False), 2, 4, 10.0, 25.0, True)
            )
    insert(ProjectType, ["id", "name", "rank", "stages", "start_stage", "finish_stage", "lag_yellow_percent",
                         "lag_red_percent", "is_active"], type_rows)  # fmt: skip
    type_ids = [existing[name] for name, _ in TYPES]
    units = list(Unit.objects.filter(kind__in=["department", "subdistrict", "town"]).values_list("pk", flat=True))
    posts: list[int | None] = [*LeaderPost.objects.values_list("pk", flat=True)] or [None]
    tags = list(DimensionTag.objects.filter(kind__in=["block", "industry"]).values_list("pk", "kind"))
    blocks = [pk for pk, kind in tags if kind == "block"]
    industries = [pk for pk, kind in tags if kind == "industry"]
    reporters = dict(RoleGrant.objects.filter(role="unit_reporter").values_list("user__unit_id", "user_id"))
    heads = dict(RoleGrant.objects.filter(role="unit_head").values_list("user__unit_id", "user_id"))
    anyone = RoleGrant.objects.values_list("user_id", flat=True).first()
    first = ids.take(Project, n)
    now = _aware(today, 8)
    project_rows, tag_rows, stage_rows, report_rows = [], [], [], []
    through = Project.tags.through
    for i in range(n):
        pid = first + i
        unit = rng.choice(units)
        total = Decimal(rng.randrange(5_000, 500_000, 500))
        annual = (total * Decimal(rng.choice([20, 30, 40])) / 100).quantize(Decimal("1"))
        start_month = rng.randint(1, 12)
        lagging, stall = rng.random() < 0.2, (rng.randint(4, 10) if rng.random() < 0.05 else None)
        reached = 1 if (stall and start_month >= stall) or date(year, start_month, 25) >= today else 2
        project_rows.append((
            pid, f"XM-S-{pid:06d}", f"生成项目{pid}{rng.choice(WORDS)}", rng.choice(type_ids),
            rng.choice(["province", "city", "district", "district", "district"]), f"生成建设单位{pid % 997}",
            f"生成地址{pid}号", None, None, total, year, annual, "[]", rng.choice(posts), unit,
            date(year + 2, 6, 30), reached, now, now, 1,
        ))  # fmt: skip
        if blocks:
            tag_rows.append((ids.take(through), pid, rng.choice(blocks)))
        if industries:
            tag_rows.append((ids.take(through), pid, rng.choice(industries)))
        planned = [date(year - 1, 6, 30), date(year - 1, 11, 30), date(year, start_month, 28),
                   date(year + 1, 6, 30), date(year + 2, 6, 30)]  # fmt: skip
        for index, name in enumerate(DEFAULT_STAGES):
            role = "start" if index == 2 else "finish" if index == 4 else ""
            done = index <= reached
            reached_on = planned[index] - timedelta(days=5) if done else None
            recorded_on = reached_on + timedelta(days=8) if reached_on is not None else None
            stage_rows.append((ids.take(ProjectStage), pid, index, name, role, planned[index], reached_on,
                               recorded_on, ""))  # fmt: skip
        cumulative = Decimal(0)
        reporter = reporters.get(unit, anyone)
        head = heads.get(unit, reporter)
        for month in range(1, 13):
            end = engine.month_end(year, month)
            approved = end + timedelta(days=rng.randint(2, 9))
            if approved >= today:
                break
            share = Decimal("0.6") if lagging else Decimal(1)
            amount = Decimal(0) if stall and month >= stall else (annual / 12 * share).quantize(Decimal("0.01"))
            cumulative += amount
            report_rows.append((
                ids.take(ProjectReport), pid, unit, end, end + timedelta(days=10), amount, cumulative,
                f"{month}月形象进度：施工推进。", None, None, "", "approved", reporter, now, now,
                _aware(approved, 9), _aware(approved, 9), _aware(approved, 16), head, "", "[]", 1,
            ))  # fmt: skip
    insert(Project, ["id", "code", "name", "type_id", "level", "owner", "address", "longitude", "latitude",
                     "total_investment", "plan_year", "annual_plan", "monthly_profile", "leader_post_id",
                     "lead_unit_id", "completion_due", "stage_index", "created_at", "updated_at", "version"],
           project_rows)  # fmt: skip
    insert(through, ["id", "project_id", "dimensiontag_id"], tag_rows)
    insert(ProjectStage, ["id", "project_id", "index", "name", "role", "planned_on", "reached_on", "recorded_on",
                          "evidence"], stage_rows)  # fmt: skip
    insert(ProjectReport, ["id", "project_id", "unit_id", "month", "due_date", "amount_month", "amount_year",
                           "progress_text", "stage_index", "stage_reached_on", "stage_evidence", "state",
                           "created_by_id", "created_at", "updated_at", "first_submitted_at", "submitted_at",
                           "approved_at", "approved_by_id", "returned_reason", "stale_flags", "version"],
           report_rows)  # fmt: skip
    reset_sequences([ProjectType, Project, through, ProjectStage, ProjectReport])
    log(f"  projects: {n}, stages {len(stage_rows)}, monthly reports {len(report_rows)}")
    return len(report_rows)
