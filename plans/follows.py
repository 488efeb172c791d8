"""Following a task (关注, SPEC §8): follow, unfollow, and notify a task's followers.

The generic `Follow` table and its services belong to `notifications` (`notifications.follows`, any
kind of object); who may read a task (and so follow it, and keep hearing about it) is a plans rule,
`task_scope`, so this task-shaped wrapper lives here.
"""

from collections.abc import Iterable

from accounts.models import User
from notifications import follows as generic
from notifications.models import Notification
from plans.models import Task
from plans.selectors import task_scope


def follow_toggle(*, actor: User, task: Task) -> bool:
    """Follow the task, or stop following it; True when the actor follows it afterwards.

    Anyone who may read the task may follow it (the caller found it through task_get_for_user);
    checked again so the API and pages cannot differ.
    """
    return generic.follow_toggle(actor=actor, obj=task, visible_to=task_scope)


def follow_set(*, actor: User, task: Task, follow: bool) -> bool:
    """Follow (True) or unfollow (False) explicitly, idempotent; returns whether anything changed."""
    return generic.follow_set(actor=actor, obj=task, follow=follow, visible_to=task_scope)


def is_following(*, user, task) -> bool:
    return generic.is_following(user=user, obj=task)


def followers_notify(
    *,
    task: Task,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    exclude: Iterable[User] = (),
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify everyone following the task (who may still read it), except the people in `exclude`."""
    return generic.followers_notify(
        obj=task,
        visible_to=task_scope,
        kind=kind,
        title=title,
        body=body,
        url=url or task_url(task),
        exclude=exclude,
        dedupe_key=dedupe_key,
    )


def task_url(task) -> str:
    from django.urls import reverse

    return reverse("plans:task_detail", kwargs={"pk": task.pk})
