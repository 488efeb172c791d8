"""The task page's chart draws the engine's planned curve, so it cannot disagree with the light."""

import datetime as dt
from decimal import Decimal

import pytest

from plans.models import Milestone
from reports import engine
from reports.status import engine_inputs

pytestmark = pytest.mark.django_db


def test_the_planned_line_is_the_engines_trajectory_even_for_untidy_milestones(client_as, task_by_object):
    task = task_by_object("老旧小区改造提升")
    # Stored data a form would refuse: a value over the target, a date past the deadline, a dip.
    Milestone.objects.create(task=task, date=task.start_date + dt.timedelta(days=60), planned_value=Decimal(400))
    Milestone.objects.create(task=task, date=task.deadline + dt.timedelta(days=30), planned_value=Decimal(10))
    Milestone.objects.create(task=task, date=task.start_date + dt.timedelta(days=90), planned_value=Decimal(50))
    chart = client_as("office").get(f"/tasks/{task.pk}/").context["chart"]
    expected = engine.trajectory(engine_inputs([task])[task.pk])
    assert chart["planned"] == [[day.isoformat(), value] for day, value in expected]
    assert max(value for _day, value in chart["planned"]) == float(task.target_value)
