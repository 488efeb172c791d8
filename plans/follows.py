"""Following a task (关注, SPEC §8): follow, unfollow, and notify a task's followers.

The `Follow` table and `notify()` belong to `notifications`, which knows no tasks; who may read a
task (and so follow it, and keep hearing about it) is a plans rule, so these services live here.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ServiceError
from notifications.models import Follow, Notification
from notifications.services import notify
from plans.models import Task
from plans.selectors import task_scope


def _check_can_read(actor: User, task: Task) -> None:
    if not task_scope(actor).filter(pk=task.pk).exists():
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


@transaction.atomic
def follow_toggle(*, actor: User, task: Task) -> bool:
    """Follow the task, or stop following it; True when the actor follows it afterwards.

    Anyone who may read the task may follow it (the caller found it through task_get_for_user);
    checked again here so the API and pages cannot differ. Not audited: a follow is a personal
    reading preference, like a bookmark, not a change to the record.
    """
    _check_can_read(actor, task)
    deleted, _rows = Follow.objects.filter(user=actor, task=task).delete()
    if deleted:
        return False
    Follow.objects.get_or_create(user=actor, task=task)
    return True


@transaction.atomic
def follow_set(*, actor: User, task: Task, follow: bool) -> bool:
    """Follow (True) or unfollow (False) explicitly, idempotent; returns whether anything changed."""
    if follow:
        _check_can_read(actor, task)
        return Follow.objects.get_or_create(user=actor, task=task)[1]
    return Follow.objects.filter(user=actor, task=task).delete()[0] > 0


def is_following(*, user, task) -> bool:
    return Follow.objects.filter(user=user, task=task).exists()


@transaction.atomic
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
    excluded = {getattr(p, "pk", p) for p in exclude}
    followers = [
        f.user
        for f in Follow.objects.filter(task=task, user__is_active=True).select_related("user").order_by("pk")
        if f.user_id not in excluded
    ]
    # A follower who moved unit or lost a role no longer reads the task: no news about it either.
    readers = [u for u in followers if task_scope(u).filter(pk=task.pk).exists()]
    return notify(
        recipients=readers,
        kind=kind,
        title=title,
        body=body,
        url=url or task_url(task),
        obj=task,
        dedupe_key=dedupe_key,
    )


def task_url(task) -> str:
    from django.urls import reverse

    return reverse("plans:task_detail", kwargs={"pk": task.pk})
