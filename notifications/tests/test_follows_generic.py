"""Following is generic: any object (here a unit standing in for a project) is followed with the same code."""

import pytest

from core.errors import ServiceError
from notifications import follows
from notifications.models import Follow, Notification
from org.models import Unit

pytestmark = pytest.mark.django_db


def only_zjj(user):
    """The object's own read rule: only 区住建局's people (and nobody else) may read it."""
    return Unit.objects.filter(code="zjj") if user.unit_id and user.unit.code == "zjj" else Unit.objects.none()


def test_any_object_is_followed_counted_and_notified_by_its_own_read_rule(users):
    zjj = Unit.objects.get(code="zjj")
    assert follows.follow_toggle(actor=users["zjj_head"], obj=zjj, visible_to=only_zjj) is True
    assert follows.follow_set(actor=users["zjj_reporter"], obj=zjj, follow=True, visible_to=only_zjj) is True
    assert follows.follow_set(actor=users["zjj_reporter"], obj=zjj, follow=True, visible_to=only_zjj) is False
    with pytest.raises(ServiceError):
        follows.follow_set(actor=users["fgw_reporter"], obj=zjj, follow=True, visible_to=only_zjj)
    assert follows.follower_count(zjj) == 2 and follows.is_following(user=users["zjj_head"], obj=zjj)
    link = Follow.objects.of(zjj).first()
    assert link is not None and link.target == zjj
    created = follows.followers_notify(
        obj=zjj, visible_to=only_zjj, kind="project.changed", title="进展", url="/x/", exclude=[users["zjj_head"]]
    )
    assert [n.recipient.username for n in created] == ["zjj_reporter"]
    assert Notification.objects.get(pk=created[0].pk).object_type == "org.unit"
    # A follower who can no longer read it hears nothing.
    users["zjj_reporter"].unit = Unit.objects.get(code="fgw")
    users["zjj_reporter"].save(update_fields=["unit"])
    again = follows.followers_notify(
        obj=zjj, visible_to=only_zjj, kind="project.changed", title="再次", exclude=[users["zjj_head"]]
    )
    assert again == []
    assert follows.follow_toggle(actor=users["zjj_head"], obj=zjj, visible_to=only_zjj) is False
