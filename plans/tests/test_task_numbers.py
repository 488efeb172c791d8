"""Numbers on the task pages read as people write them: no 4.0000, and 万/亿 for large targets."""

import re
from decimal import Decimal

import pytest

from plans.tests.test_tasks import form_data

pytestmark = pytest.mark.django_db


def test_the_edit_conflict_banner_shows_plain_numbers(client_as, task_by_object):
    task = task_by_object("打通断头路")
    stale = form_data(task, weight="1")
    client_as("office").post(f"/tasks/{task.pk}/edit/", form_data(task, weight="4"))
    response = client_as("office").post(f"/tasks/{task.pk}/edit/", stale)
    assert response.status_code == 409
    banner = re.search(r'data-testid="conflict".*?</div>', response.content.decode(), re.S).group(0)
    assert "1 → 4" in banner
    assert ".00" not in banner


def test_a_large_target_reads_in_wan_on_the_task_page(client_as, task_by_object):
    task = task_by_object("打通断头路")
    task.target_value, task.target_unit = Decimal("35000.0000"), "万元"
    task.save(update_fields=["target_value", "target_unit"])
    page = client_as("office").get(f"/tasks/{task.pk}/").content.decode()
    assert re.search(r'data-testid="target">\s*3.5亿元', page)
