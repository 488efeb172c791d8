"""Demo reporting history: a year (2021) of weekly reports on the demo plan.

Generated, deterministic data (random.Random(2021)) so every page has something
real to show: tasks on track, lagging, overdue, done and verified, late and
missing reports, a copied narrative (flagged stale), a rebaselined task, and the
office's risk judgements, such that on any as-of date in 2021 the cockpit shows
all three colours. Rows are bulk-inserted with their 2021 timestamps (the
services would stamp them "now"); one audit event records the load.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import role_holders
from accounts.services import role_grant, user_create
from audit.services import audit_record
from core.workcalendar import work_calendar
from org.demo import DEMO_PASSWORD
from org.models import Unit
from plans.models import Plan, Task, TaskChangeRequest
from reports import engine
from reports.models import Judgement, ProgressReport
from reports.stale import report_flag_stale
from reports.status import DueDates, task_levels, task_periods

YEAR_END = date(2021, 12, 31)


@dataclass(frozen=True)
class Profile:
    """How a task's reality differs from its plan."""

    pace: float = 1.0  # actual = planned × pace (capped at the target)
    stop: date = YEAR_END  # no reports for periods ending after this
    late_every: int = 0  # every n-th report is submitted after its due date
    skip_every: int = 0  # every n-th period has no report at all
    finish_on: date | None = None  # the target is reached on this date (then reports stop)
    verify_on: date | None = None
    copied: bool = False  # the same narrative every week
    dip: tuple[date, date, float] | None = None  # between these dates progress runs at this pace


PROFILES = {
    "小微企业园新启动建设": Profile(pace=1.05),
    "核心板块打造": Profile(pace=1.0, dip=(date(2021, 4, 1), date(2021, 8, 31), 0.6)),
    "“一环十横十纵”二期道路": Profile(finish_on=date(2021, 1, 24), verify_on=date(2021, 2, 3)),
    "三期道路综合改造": Profile(pace=0.8, finish_on=date(2021, 7, 18), verify_on=date(2021, 8, 6)),
    "老旧小区改造提升": Profile(pace=0.97, stop=date(2021, 11, 28)),
    "打通断头路": Profile(pace=0.95, finish_on=date(2021, 12, 19), verify_on=date(2021, 12, 28)),
    "精品村建设": Profile(pace=1.1, finish_on=date(2021, 11, 21), verify_on=date(2021, 12, 10)),
    "示范村建设": Profile(pace=0.95, skip_every=5),
    "规范村建设": Profile(pace=0.55),
    "重大生态项目建设": Profile(pace=1.0, late_every=3),
}
SUBTASK_PROFILES = {
    "铭功路街道": Profile(pace=1.0),
    "解放路街道": Profile(pace=0.6),
    "淮河路街道": Profile(pace=0.95, copied=True),
}
# The office's risk judgements (完成可能性研判): recorded at plan adoption, revised during the year.
JUDGEMENTS = {
    "规范村建设": [
        (date(2021, 1, 1), "highly_unlikely", "尖岗社区等村土地流转未落实，年内完成6个村规范化建设难度大"),
        (date(2021, 6, 15), "unlikely", "土地流转已落实2个村，其余仍在协调"),
    ],
    "核心板块打造": [
        (date(2021, 1, 1), "unlikely", "凤湖智能新区、足球小镇板块规划尚未批复"),
        (date(2021, 9, 10), "likely", "两个板块规划已批复，建设全面铺开"),
    ],
}
NARRATIVES = [
    "本周累计完成{v}{u}，{o}按计划推进，现场施工有序。",
    "截至本周末，{o}累计完成{v}{u}；已召开推进会协调施工组织。",
    "{o}本周新增进度，累计{v}{u}；督促施工单位加大人员机械投入。",
    "累计完成{v}{u}。{o}相关手续已办结，正在组织验收准备。",
]
PROBLEMS = ["", "", "部分点位群众意见不统一，需街道加强沟通。", "雨季影响施工进度。", "资金拨付流程较长。"]
NEXT_STEPS = ["继续加快推进，确保按节点完成。", "协调解决存在问题，倒排工期。", "加强现场督导，每周调度。"]
REBASELINE = ("打通断头路", Decimal(12), "嵩山路南段、长江路西延2条道路因征迁问题调整至2022年实施")


def _demo_user(username: str, display_name: str, unit: Unit, role: Role) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=None, username=username, display_name=display_name, password=DEMO_PASSWORD, unit=unit, is_demo=True
        )
        role_grant(actor=None, user=user, role=role)
    return user


def _lead_unit(task: Task) -> Unit:
    assert task.lead_unit is not None  # every demo task has a lead unit
    return task.lead_unit


def _target(task: Task) -> float:
    assert task.target_value is not None  # every demo task has a numeric target
    return float(task.target_value)


def _unit_people(unit: Unit) -> tuple[User, User]:
    """The demo reporter and head of a unit (created for units that lead demo tasks)."""
    reporter = role_holders(Role.UNIT_REPORTER, unit_ids=[unit.pk]).first()
    head = role_holders(Role.UNIT_HEAD, unit_ids=[unit.pk]).first()
    reporter = reporter or _demo_user(f"{unit.code}_reporter", f"{unit.name}填报员（演示）", unit, Role.UNIT_REPORTER)
    head = head or _demo_user(f"{unit.code}_head", f"{unit.name}负责人（演示）", unit, Role.UNIT_HEAD)
    return reporter, head


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _planned(task_input: engine.TaskInput, day: date) -> float:
    plan = engine.Trajectory(task_input)
    return plan.value_at(day.toordinal())


def _value(task: Task, task_input: engine.TaskInput, profile: Profile, end: date, previous: float) -> float:
    target = _target(task)
    planned = _planned(task_input, end)
    pace = profile.pace
    if profile.dip and profile.dip[0] <= end <= profile.dip[1]:
        pace = profile.dip[2]
    value = planned * pace
    if profile.finish_on and end >= profile.finish_on:
        value = target
    value = min(max(value, previous), target)
    return float(round(value)) if target >= 5 else round(value, 1)


@transaction.atomic
def load_demo_reports(plan: Plan) -> int:
    """Bulk-create the 2021 history of the demo plan once; returns the number of reports created."""
    if ProgressReport.objects.filter(task__plan=plan).exists():
        return 0
    rng = random.Random(2021)
    tasks = list(
        Task.objects.alive()
        .filter(plan=plan)
        .with_plan("node", "lead_unit")
        .prefetch_related("milestones")
        .order_by("code")
    )
    dues = DueDates(work_calendar())
    levels = task_levels(tasks)
    reports: list[ProgressReport] = []
    for task in tasks:
        profile = PROFILES.get(task.object) if levels[task.pk] == 0 else SUBTASK_PROFILES.get(_lead_unit(task).name)
        if profile is None:
            continue
        reporter, head = _unit_people(_lead_unit(task))
        task_input = engine.TaskInput(
            start=task.start_date,
            deadline=task.deadline,
            target=task.target_value,
            milestones=[
                engine.Milestone(m.date, m.planned_value) for m in task.milestones.all() if m.planned_value is not None
            ],
        )
        value, copied_text = 0.0, None
        for index, period in enumerate(task_periods(task, levels[task.pk], dues), start=1):
            if period.end > min(profile.stop, YEAR_END) or (profile.skip_every and index % profile.skip_every == 0):
                continue
            value = _value(task, task_input, profile, period.end, value)
            late = profile.late_every and index % profile.late_every == 0
            submitted = (
                period.due + timedelta(days=rng.randint(1, 3))
                if late
                else period.due - timedelta(days=rng.randint(0, 2))
            )
            text = NARRATIVES[rng.randrange(len(NARRATIVES))].format(v=f"{value:g}", u=task.target_unit, o=task.object)
            if profile.copied:
                copied_text = (
                    copied_text
                    or f"{task.object}工作按计划有序推进，各项措施落实到位，群众满意度较高，下一步将继续加大推进力度。"
                )
                text = copied_text
            reports.append(
                ProgressReport(
                    task=task,
                    unit=task.lead_unit,
                    is_lead=True,
                    period_end=period.end,
                    due_date=period.due,
                    value=Decimal(str(value)),
                    narrative=text,
                    problems=PROBLEMS[rng.randrange(len(PROBLEMS))],
                    next_steps=NEXT_STEPS[rng.randrange(len(NEXT_STEPS))],
                    state=ProgressReport.State.APPROVED,
                    created_by=reporter,
                    first_submitted_at=_at(submitted, 10),
                    submitted_at=_at(submitted, 10),
                    approved_at=_at(submitted, 16),
                    approved_by=head,
                )
            )
            if profile.finish_on and value >= _target(task):
                break
        if profile.verify_on:
            Task.objects.filter(pk=task.pk).update(verified_on=profile.verify_on)
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    for report in ProgressReport.objects.filter(task__plan=plan, task__lead_unit__name="淮河路街道").order_by(
        "period_end"
    )[:8]:
        report_flag_stale(report=report)
    _judgements(plan)
    _rebaseline(plan)
    audit_record(
        actor=None, actor_username="load_demo", verb="demo.reports.load", obj=plan, after={"reports": len(reports)}
    )
    return len(reports)


def _judgements(plan: Plan) -> None:
    office = User.objects.get(username="office")
    for obj, entries in JUDGEMENTS.items():
        task = Task.objects.get(plan=plan, object=obj, node__kind="key_task")
        for day, likelihood, reason in entries:
            Judgement.objects.create(
                task=task, likelihood=likelihood, reason=reason, recorded_on=day, recorded_by=office
            )


def _rebaseline(plan: Plan) -> None:
    obj, new_target, reason = REBASELINE
    task = Task.objects.get(plan=plan, object=obj, node__kind="key_task")
    reporter, _head = _unit_people(_lead_unit(task))
    TaskChangeRequest.objects.create(
        task=task,
        status=TaskChangeRequest.Status.APPROVED,
        old_target_value=task.target_value,
        old_deadline=task.deadline,
        new_target_value=new_target,
        new_deadline=task.deadline,
        reason=reason,
        requested_by=reporter,
        decided_by=User.objects.get(username="office"),
        decided_at=_at(date(2021, 7, 12), 15),
        decision_note="同意调整，2条道路纳入2022年计划。",
    )
    Task.objects.filter(pk=task.pk).update(target_value=new_target)
