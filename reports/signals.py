"""Saves and deletes that change what rollups group by move the status epoch (reports.rollup_cache).

Status changes themselves move it in `reports.snapshots._invalidate`; these cover the rest: a
task's unit, post, weight or place, a plan's status, a node's title or tags, a unit's or a post's
name, and co-operating units (a unit's scope).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from org.models import LeaderPost, Unit
from plans.models import DimensionTag, Plan, PlanNode, Task
from reports.rollup_cache import epoch_touch

GROUPED_BY = (Task, Plan, PlanNode, DimensionTag, Unit, LeaderPost)


def _touch(sender, **kwargs) -> None:
    epoch_touch()


for model in GROUPED_BY:
    post_save.connect(_touch, sender=model, dispatch_uid=f"rollup-epoch-save-{model._meta.label}")
    post_delete.connect(_touch, sender=model, dispatch_uid=f"rollup-epoch-delete-{model._meta.label}")


@receiver(m2m_changed, sender=Task.co_units.through, dispatch_uid="rollup-epoch-co-units")
@receiver(m2m_changed, sender=PlanNode.tags.through, dispatch_uid="rollup-epoch-node-tags")
def _relations_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        epoch_touch()
