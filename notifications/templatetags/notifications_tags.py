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
def follow_button(context, obj, follow_url):
    """Follow / Following on an object's page (a task, a project …; SPEC §8): `{% follow_button task url %}`,
    where `url` is the app's follow route (it toggles). The page already checked the user may read it."""
    from notifications.follows import follower_count, is_following

    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "obj": obj,
        "follow_url": follow_url,
        "following": is_following(user=user, obj=obj),
        "follower_count": follower_count(obj),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
