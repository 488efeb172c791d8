"""Following any object (关注, SPEC §8): follow, unfollow, count and notify the followers of a task, a
project, an enterprise request … one generic `Follow` table and these services for every kind.

Who may read an object (and so follow it, and keep hearing about it) is its own app's rule: the
caller passes it as `visible_to(user) -> QuerySet` of the objects that user may read (for a task,
`plans.selectors.task_scope`; for any supervised kind, `supervision.targets.target_kind(key).visible_to`).
`plans.follows` is the task-shaped wrapper the task pages and API use.
"""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ServiceError
from notifications.models import Follow, Notification
from notifications.services import notify

Visible = Callable[[User], QuerySet]


def _can_read(user: User, obj: Model, visible_to: Visible) -> bool:
    return visible_to(user).filter(pk=obj.pk).exists()


def _check_can_read(actor: User, obj: Model, visible_to: Visible) -> None:
    if not _can_read(actor, obj, visible_to):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


@transaction.atomic
def follow_toggle(*, actor: User, obj: Model, visible_to: Visible) -> bool:
    """Follow the object, or stop following it; True when the actor follows it afterwards.

    Not audited: a follow is a personal reading preference, like a bookmark, not a change to the record.
    """
    _check_can_read(actor, obj, visible_to)
    deleted, _rows = Follow.objects.of(obj).filter(user=actor).delete()
    if deleted:
        return False
    Follow.objects.get_or_create(user=actor, target_type=_type(obj), target_id=obj.pk)
    return True


@transaction.atomic
def follow_set(*, actor: User, obj: Model, follow: bool, visible_to: Visible) -> bool:
    """Follow (True) or unfollow (False) explicitly, idempotent; returns whether anything changed."""
    if follow:
        _check_can_read(actor, obj, visible_to)
        return Follow.objects.get_or_create(user=actor, target_type=_type(obj), target_id=obj.pk)[1]
    return Follow.objects.of(obj).filter(user=actor).delete()[0] > 0


def is_following(*, user, obj: Model) -> bool:
    return bool(user and user.is_authenticated) and Follow.objects.of(obj).filter(user=user).exists()


def follower_count(obj: Model) -> int:
    return Follow.objects.of(obj).count()


@transaction.atomic
def followers_notify(
    *,
    obj: Model,
    visible_to: Visible,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    exclude: Iterable[User] = (),
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify everyone following the object who may still read it, except the people in `exclude`."""
    excluded = {getattr(p, "pk", p) for p in exclude}
    followers = [
        f.user
        for f in Follow.objects.of(obj).filter(user__is_active=True).select_related("user").order_by("pk")
        if f.user_id not in excluded
    ]
    # A follower who moved unit or lost a role no longer reads the object: no news about it either.
    readers = [u for u in followers if _can_read(u, obj, visible_to)]
    return notify(recipients=readers, kind=kind, title=title, body=body, url=url, obj=obj, dedupe_key=dedupe_key)


def _type(obj: Model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)
