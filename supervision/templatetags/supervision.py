"""The supervision panel on the task page (and on any supervised object's page), the cockpit's "order open"
marks, and the links to supervised objects."""

from django import template

from accounts.roles import Perm

register = template.Library()


@register.inclusion_tag("supervision/_task_panel.html", takes_context=True)
def task_supervision(context, task, status=None):
    """Orders and instructions on the task (within the user's scope), and the one-click proposal for a red task."""
    from supervision.selectors import task_instructions, task_orders

    user = context["request"].user
    return {
        "task": task,
        "orders": task_orders(user, task),
        "instructions": task_instructions(user, task),
        "propose": user.has_luoshi_perm(Perm.PLAN_EDIT) and status is not None and status.needs_supervision_order,
        "can_issue": user.has_luoshi_perm(Perm.PLAN_EDIT),
        "can_instruct": user.has_luoshi_perm(Perm.INSTRUCTION_WRITE),
    }


@register.inclusion_tag("supervision/_on_target.html", takes_context=True)
def supervision_on(context, obj):
    """{% supervision_on project %}: orders, instructions, inspections and rectifications on any supervised
    object (within the user's scope), with "issue an order" and "write an instruction" prefilled with it."""
    from supervision.selectors import supervision_on_target

    return {"on": supervision_on_target(context["request"].user, obj), "perms": context.get("perms")}


@register.filter
def target_links(record) -> list:
    """The supervised objects of an order or inspection, as TargetViews (kind, id, label, title, url)."""
    from supervision.targets import target_view

    return [target_view(obj) for obj in record.target_objects()]


@register.filter
def target_link(obj):
    """One supervised object as a TargetView, or None (no object, or not of a registered kind)."""
    from supervision.targets import target_view

    if obj is None:
        return None
    try:
        return target_view(obj)
    except LookupError:
        return None


@register.simple_tag
def open_order_task_ids(rows):
    """{% open_order_task_ids c.red as ordered %}: ids of the listed tasks that already have an open order."""
    from supervision.selectors import open_order_task_ids as ids

    return ids([task.pk for task, _status in rows])


@register.filter
def kind_chip(level: str) -> str:
    return {"reminder": "chip", "order": "chip-warn", "notice": "chip-red"}.get(level, "chip")
