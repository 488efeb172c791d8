"""A second active plan beside the demo plan, with an area of the same name and tasks with the same
codes (T001…): what a district running two plans has, and what the cockpit once merged."""

import datetime as dt
from decimal import Decimal

from org.models import Unit
from plans.milestones import MilestoneLine
from plans.models import Plan, PlanNode
from plans.services import TaskData, node_add, plan_create, plan_update, task_create

TITLE = "二七区城市更新专项计划"


def second_plan_create(demo_plan: Plan, *, tasks: int = 3) -> Plan:
    """The second plan: one area named like the demo's first area, `tasks` tasks due at the end of
    2021 with a March milestone and no report (so red by the autumn)."""
    plan = plan_create(actor=None, year=demo_plan.year, title=TITLE)
    vision = node_add(actor=None, plan=plan, parent=None, title="城市更新", kind=PlanNode.Kind.VISION)
    path = node_add(actor=None, plan=plan, parent=vision, title="品质二七", kind=PlanNode.Kind.PATH)
    twin = PlanNode.objects.filter(plan=demo_plan, kind=PlanNode.Kind.AREA).order_by("path").first()
    area = node_add(actor=None, plan=plan, parent=path, title=twin.title, kind=PlanNode.Kind.AREA)
    unit = Unit.objects.get(name="区住建局")
    for i in range(tasks):
        task_create(
            actor=None,
            plan=plan,
            parent=area,
            data=TaskData(
                title=f"城市更新项目{i + 1}",
                start_date=dt.date(2021, 1, 1),
                deadline=dt.date(2021, 12, 31),
                target_value=Decimal(10),
                target_unit="个",
                lead_unit=unit,
                milestones=[MilestoneLine(dt.date(2021, 3, 31), Decimal(5), "")],
            ),
        )
    plan_update(actor=None, plan=plan, title=plan.title, source_text="", status=Plan.Status.ACTIVE)
    return plan
