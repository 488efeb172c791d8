"""Small things a walk-through tripped on (issue 13, defect 8): labels, the edit-conflict banner."""

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from plans.tests.test_tasks import form_data

pytestmark = pytest.mark.django_db


def test_the_plan_list_calls_the_title_a_name_not_a_post(client_as):
    page = client_as("office").get("/plans/").content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert "名称" in head and "职务" not in head


def test_the_edit_conflict_banner_shows_field_labels_names_and_local_times(client_as, task_by_object, users):
    task = task_by_object("打通断头路")
    other_unit = users["fgw_reporter"].unit
    stale = form_data(task, measures="第一人的修改")
    client_as("office").post(
        f"/tasks/{task.pk}/edit/", form_data(task, measures="第二人抢先保存", lead_unit=other_unit.pk)
    )
    response = client_as("office").post(f"/tasks/{task.pk}/edit/", stale)
    assert response.status_code == 409
    page = response.content.decode()
    banner = page[page.index('data-testid="conflict"') :]
    banner = banner[: banner.index("</div>")]
    assert "推进措施" in banner and "measures" not in banner
    assert other_unit.name in banner and "lead_unit" not in banner
    at = AuditEvent.objects.filter(verb="task.update", object_id=str(task.pk)).latest("id").at
    assert timezone.localtime(at).strftime("%Y-%m-%d %H:%M") in banner
    assert "+00:00" not in banner and "T" + at.strftime("%H:%M") not in banner
