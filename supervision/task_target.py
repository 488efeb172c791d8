"""The "task" target kind: supervision's own, registered in SupervisionConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from plans.models import Task
from plans.selectors import task_scope
from supervision.targets import TargetKind, register_target_kind


def _units(task: Task) -> list:
    units = [task.lead_unit] if task.lead_unit_id else []
    return units + [u for u in task.co_units.all() if u.pk != task.lead_unit_id]


def _leaders(task: Task) -> list[User]:
    if not task.responsible_post_id:
        return []
    return list(
        User.objects.filter(is_active=True, leader_posts=task.responsible_post_id, leader_posts__is_active=True)
    )


def register_task_kind() -> TargetKind:
    return register_target_kind(
        TargetKind(
            key="task",
            model=Task,
            label=_("Task"),
            visible_to=task_scope,
            units=_units,
            title=lambda task: f"{task.code} {task.node.title}",
            url=lambda task: reverse("plans:task_detail", kwargs={"pk": task.pk}),
            leaders=_leaders,
            select_related=("node",),
        )
    )
