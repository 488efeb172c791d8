"""Writes on users, roles and tokens. Keyword-only, atomic, audited."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, RoleGrant, User
from accounts.roles import Perm, Role, RoleConflict, role_grant_conflict
from audit.services import audit_record, snapshot
from core.errors import ServiceError
from org.models import Unit

USER_FIELDS = ["username", "display_name", "unit", "phone", "email", "is_active"]

ROLE_CONFLICT_MESSAGES = {
    RoleConflict.TWO_ADMIN_ROLES: lambda: _(
        "Separation of duties (MLPS 2.0): one person may not hold two of the system, security and audit admin roles."
    ),
    RoleConflict.ADMIN_WITH_BUSINESS: lambda: _(
        "Separation of duties (MLPS 2.0): an admin role cannot be combined with a business role."
    ),
    RoleConflict.ALREADY_HELD: lambda: _("The user already holds this role."),
    RoleConflict.SELF_GRANT: lambda: _("You cannot change your own roles."),
}


def _require(actor: User, perm: Perm) -> None:
    if not actor.has_luoshi_perm(perm):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    unit: Unit | None,
    email: str = "",
    phone: str = "",
    is_demo: bool = False,
) -> User:
    """Create an account. Roles are not given here: granting them is the security admin's duty."""
    if actor is not None:
        _require(actor, Perm.USER_MANAGE)
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("A user with this username already exists."), field="username")
    user = User(username=username, display_name=display_name, unit=unit, email=email, phone=phone, is_demo=is_demo)
    _validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, verb="user.create", obj=user, after=snapshot(user, USER_FIELDS))
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    display_name: str,
    unit: Unit | None,
    email: str,
    phone: str,
    is_active: bool,
) -> User:
    _require(actor, Perm.USER_MANAGE)
    if user.pk == actor.pk and not is_active:
        raise ServiceError(_("You cannot deactivate your own account."), field="is_active")
    before = snapshot(user, USER_FIELDS)
    user.display_name, user.unit, user.email, user.phone, user.is_active = display_name, unit, email, phone, is_active
    user.save(update_fields=["display_name", "unit", "email", "phone", "is_active"])
    after = snapshot(user, USER_FIELDS)
    if before != after:
        audit_record(actor=actor, verb="user.update", obj=user, before=before, after=after)
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> None:
    """An admin's reset (system admin) or a user's own change (actor == user)."""
    if actor.pk != user.pk:
        _require(actor, Perm.USER_MANAGE)
    _validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    verb = "user.password_change" if actor.pk == user.pk else "user.password_reset"
    audit_record(actor=actor, verb=verb, obj=user)


@transaction.atomic
def role_grant(*, actor: User | None, user: User, role: str) -> RoleGrant:
    """Grant a role. `actor=None` only for the demo loader and the bootstrap command."""
    if actor is not None:
        _require(actor, Perm.ROLE_GRANT)
    if role not in Role.__members__.values():
        raise ServiceError(_("Unknown role."), field="role")
    # Lock the user row: two security admins granting two admin roles at once must not both succeed.
    User.objects.select_for_update().filter(pk=user.pk).first()
    held = list(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    conflict = role_grant_conflict(held=held, new=role, grantee_id=user.pk, grantor_id=actor.pk if actor else -1)
    if conflict is not None:
        raise ServiceError(str(ROLE_CONFLICT_MESSAGES[conflict]()), field="role", code=conflict.value)
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(user=user, role=role, granted_by=actor)
    except IntegrityError as exc:
        raise ServiceError(str(ROLE_CONFLICT_MESSAGES[RoleConflict.ALREADY_HELD]()), field="role") from exc
    audit_record(
        actor=actor, verb="role.grant", obj=user, before={"roles": sorted(held)}, after={"roles": sorted([*held, role])}
    )
    user.__dict__.pop("_role_codes", None)
    return grant


@transaction.atomic
def role_revoke(*, actor: User, user: User, role: str) -> None:
    _require(actor, Perm.ROLE_GRANT)
    if user.pk == actor.pk:
        raise ServiceError(str(ROLE_CONFLICT_MESSAGES[RoleConflict.SELF_GRANT]()), field="role")
    held = sorted(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    deleted, _unused = RoleGrant.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise ServiceError(_("The user does not hold this role."), field="role")
    audit_record(
        actor=actor,
        verb="role.revoke",
        obj=user,
        before={"roles": held},
        after={"roles": [r for r in held if r != role]},
    )
    user.__dict__.pop("_role_codes", None)


@transaction.atomic
def token_issue(*, user: User) -> str:
    """A new API bearer token; the plain value is returned once and only its hash is stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash_key(key), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    audit_record(actor=user, verb="token.issue", obj=user, after={"token_id": token.pk})
    return key


def token_user(key: str) -> User | None:
    """The active user a bearer token belongs to, or None (unknown, expired, revoked or inactive)."""
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=ApiToken.hash_key(key), revoked=False, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    # Touch at most once a minute: a write per API call would serialise readers on one row.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
