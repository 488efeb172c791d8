"""Reads on users, shared by pages and API."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import AdminRequest, ApiToken, RoleGrant, User
from accounts.roles import Perm, Role, takeover_guarded


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


def role_holders(*roles: Role | str, unit_ids: Iterable[int] | None = None) -> QuerySet[User]:
    """Active people holding any of `roles` (in the given units, if any), each once, in a stable order.

    The one place that answers "who is the unit head / reporter / office": notifications, reminders and
    the supervision chain all ask it.
    """
    # A semi-join, not a join: each person once without DISTINCT over every column of the user row.
    grants = RoleGrant.objects.filter(user_id=OuterRef("pk"), role__in=list(roles))
    people = User.objects.filter(Exists(grants), is_active=True)
    if unit_ids is not None:
        people = people.filter(unit_id__in=list(unit_ids))
    return people.order_by("pk")


def admin_requests_for(actor: User) -> QuerySet[AdminRequest]:
    """Takeover-class requests on admin accounts: all for approvers, one's own for the requester."""
    qs = AdminRequest.objects.select_related("target", "requested_by", "decided_by")
    if actor.has_luoshi_perm(Perm.ADMIN_APPROVE):
        return qs
    if actor.has_luoshi_perm(Perm.USER_MANAGE):
        return qs.filter(requested_by=actor)
    return qs.none()


def admin_request_get_for_user(actor: User, pk: int) -> AdminRequest:
    try:
        return admin_requests_for(actor).get(pk=pk)
    except AdminRequest.DoesNotExist as exc:
        raise Http404 from exc


def user_takeover_guarded(user: User) -> bool:
    return takeover_guarded(user.role_codes)


def live_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's API tokens that still work or could (not revoked, not expired), newest first."""
    return ApiToken.objects.filter(user=user, revoked=False, expires_at__gt=timezone.now()).order_by("-created_at")


def live_token_get(user: User, pk: int) -> ApiToken:
    try:
        return live_tokens(user).get(pk=pk)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
