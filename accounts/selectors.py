"""Reads on users, shared by pages and API."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Perm


def user_list(*, q: str = "") -> QuerySet[User]:
    qs = User.objects.select_related("unit").prefetch_related("role_grants").order_by("sort_key", "username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(unit__name__icontains=q))
    return qs


def user_get_for_admin(actor: User, pk: int, *, perm: Perm = Perm.USER_READ) -> User:
    """The user `pk` if the actor may administer users with `perm`; 404 otherwise (no existence leak)."""
    if not actor.has_luoshi_perm(perm):
        raise Http404
    try:
        return User.objects.select_related("unit").get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc
