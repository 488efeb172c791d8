from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    """The inbox bell of the top bar with the user's unread count (one indexed COUNT per page)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": unread_count(user) if user is not None else 0, "request": request}


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context, task):
    """Follow / Following on a task page (SPEC §8); the page already checked the user may read the task."""
    from notifications.models import Follow

    request = context.get("request")
    user = getattr(request, "user", None)
    following = bool(user and user.is_authenticated and Follow.objects.filter(user=user, task=task).exists())
    return {
        "task": task,
        "following": following,
        "follower_count": Follow.objects.filter(task=task).count(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
