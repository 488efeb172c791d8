"""Writes on users, roles and tokens. Keyword-only, atomic, audited."""

import functools
import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AdminRequest, ApiToken, RoleGrant, User
from accounts.roles import (
    ApprovalRefusal,
    Perm,
    Role,
    RoleConflict,
    admin_approval_refusal,
    role_grant_conflict,
    takeover_guarded,
)
from audit.services import audit_record, snapshot
from core import rows
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
    RoleConflict.KIOSK_ALONE: lambda: _("A wall-screen (kiosk) account holds no other role."),
}


APPROVAL_REFUSAL_MESSAGES = {
    ApprovalRefusal.OWN_REQUEST: lambda: _("Separation of duties (MLPS 2.0): you cannot approve your own request."),
    ApprovalRefusal.TARGET: lambda: _(
        "Separation of duties (MLPS 2.0): a request concerning your own account is approved by someone else."
    ),
    ApprovalRefusal.SAME_DUTY: lambda: _(
        "Separation of duties (MLPS 2.0): the approval must come from another admin duty than the requester's."
    ),
}


def _approval_required() -> ServiceError:
    return ServiceError(
        _(
            "Separation of duties (MLPS 2.0): this account holds an admin duty; resetting its password or "
            "deactivating it takes effect only after another admin duty approves the request."
        ),
        code="approval_required",
    )


def _guarded(user: User) -> bool:
    return takeover_guarded(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


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
    # An initial password chosen by an admin is the admin's secret too: the owner replaces it first thing.
    user.must_change_password = actor is not None
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
    deactivating = user.is_active and not is_active
    if deactivating and _guarded(user):
        exc = _approval_required()
        exc.field = "is_active"
        raise exc
    before = snapshot(user, USER_FIELDS)
    user.display_name, user.unit, user.email, user.phone, user.is_active = display_name, unit, email, phone, is_active
    user.save(update_fields=["display_name", "unit", "email", "phone", "is_active"])
    after = snapshot(user, USER_FIELDS)
    if before != after:
        audit_record(actor=actor, verb="user.update", obj=user, before=before, after=after)
    if deactivating:
        credentials_end(actor=actor, user=user, reason="deactivated")
    return user


def credentials_end(*, actor: User | None, user: User, reason: str, keep_token_id: int | None = None) -> int:
    """End every session and API token of `user` (call inside the caller's transaction).

    Sessions die by bumping `credentials_epoch` (part of the session auth hash); tokens are marked
    revoked for good, so reactivating the account later does not revive them. Returns tokens revoked.
    """
    user.credentials_epoch += 1
    User.objects.filter(pk=user.pk).update(credentials_epoch=models.F("credentials_epoch") + 1)
    live = ApiToken.objects.filter(user=user, revoked=False)
    if keep_token_id is not None:
        live = live.exclude(pk=keep_token_id)
    ids = list(live.values_list("pk", flat=True))
    if ids:
        ApiToken.objects.filter(pk__in=ids).update(revoked=True, revoked_at=timezone.now(), revoke_reason=reason)
        audit_record(actor=actor, verb="token.revoke", obj=user, after={"token_ids": ids, "reason": reason})
    return len(ids)


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> None:
    """A user's own change (actor == user), or a system admin's reset of a non-admin account.

    An admin account's reset goes through `admin_request_create` and a second duty's approval. A reset
    must be changed at the next login; both end every other session and token of the account.
    """
    own = actor.pk == user.pk
    if not own:
        _require(actor, Perm.USER_MANAGE)
        if _guarded(user):
            raise _approval_required()
    _validate_password(password, user)
    user.set_password(password)
    user.must_change_password = not own
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=actor, verb="user.password_change" if own else "user.password_reset", obj=user)
    credentials_end(actor=actor, user=user, reason="password" if own else "reset")


@transaction.atomic
def admin_request_create(*, actor: User, target: User, kind: str, password: str = "") -> AdminRequest:
    """A system admin asks to reset the password of, or deactivate, an admin account (三员分立)."""
    _require(actor, Perm.USER_MANAGE)
    if kind not in AdminRequest.Kind.values:
        raise ServiceError(_("Unknown action."), field="kind")
    if target.pk == actor.pk:
        raise ServiceError(str(APPROVAL_REFUSAL_MESSAGES[ApprovalRefusal.TARGET]()))
    if not _guarded(target):
        raise ServiceError(_("This account holds no admin duty: no approval is needed."))
    if kind == AdminRequest.Kind.DEACTIVATE and not target.is_active:
        raise ServiceError(_("The account is already deactivated."))
    User.objects.select_for_update().filter(pk=target.pk).first()
    if AdminRequest.objects.filter(target=target, kind=kind, state=AdminRequest.State.PENDING).exists():
        raise ServiceError(_("The same request for this account is already waiting for approval."))
    password_hash = ""
    if kind == AdminRequest.Kind.PASSWORD_RESET:
        _validate_password(password, target)
        password_hash = make_password(password)
    request = AdminRequest.objects.create(kind=kind, target=target, password_hash=password_hash, requested_by=actor)
    audit_record(
        actor=actor,
        verb="admin_request.create",
        obj=target,
        after={"request_id": request.pk, "kind": kind},
    )
    return request


@transaction.atomic
def admin_request_decide(*, actor: User, request: AdminRequest, approve: bool) -> AdminRequest:
    """Approve (the action takes effect now) or reject a pending request; both are audited."""
    _require(actor, Perm.ADMIN_APPROVE)
    request = AdminRequest.objects.select_for_update().select_related("target", "requested_by").get(pk=request.pk)
    if request.state != AdminRequest.State.PENDING:
        raise ServiceError(_("This request was already decided."), code="version_conflict")
    refusal = admin_approval_refusal(
        approver_id=actor.pk,
        approver_roles=actor.role_codes,
        requester_id=request.requested_by_id,
        requester_roles=request.requested_by.role_codes,
        target_id=request.target_id,
    )
    if refusal is not None:
        raise ServiceError(str(APPROVAL_REFUSAL_MESSAGES[refusal]()), code="forbidden")
    request.state = AdminRequest.State.APPROVED if approve else AdminRequest.State.REJECTED
    request.decided_by, request.decided_at = actor, timezone.now()
    applied_hash, request.password_hash = request.password_hash, ""
    request.save(update_fields=["state", "decided_by", "decided_at", "password_hash"])
    detail = {
        "request_id": request.pk,
        "kind": request.kind,
        "requested_by": request.requested_by.username,
        "decided_by": actor.username,
    }
    audit_record(
        actor=actor,
        verb="admin_request.approve" if approve else "admin_request.reject",
        obj=request.target,
        after=detail,
    )
    if not approve:
        return request
    target = request.target
    # The effect is recorded under the requester, who chose the password or asked for the deactivation;
    # the approver is named in the event, so the trail shows both people.
    if request.kind == AdminRequest.Kind.PASSWORD_RESET:
        target.password = applied_hash
        target.must_change_password = True
        target.save(update_fields=["password", "must_change_password"])
        audit_record(actor=request.requested_by, verb="user.password_reset", obj=target, after=detail)
        credentials_end(actor=request.requested_by, user=target, reason="reset")
    else:
        before = snapshot(target, USER_FIELDS)
        target.is_active = False
        target.save(update_fields=["is_active"])
        audit_record(
            actor=request.requested_by,
            verb="user.update",
            obj=target,
            before=before,
            after={**snapshot(target, USER_FIELDS), **detail},
        )
        credentials_end(actor=request.requested_by, user=target, reason="deactivated")
    return request


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
def token_issue(*, user: User, ip: str = "") -> str:
    """A new API bearer token; the plain value is returned once and only its hash is stored.

    A user keeps at most API_TOKEN_MAX_PER_USER live tokens: the oldest beyond the cap are revoked.
    """
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash_key(key), expires_at=timezone.now() + settings.API_TOKEN_TTL, created_ip=ip
    )
    audit_record(actor=user, verb="token.issue", obj=user, after={"token_id": token.pk})
    live = ApiToken.objects.filter(user=user, revoked=False, expires_at__gt=timezone.now()).order_by(
        "-created_at", "-pk"
    )
    surplus = list(live.values_list("pk", flat=True)[settings.API_TOKEN_MAX_PER_USER :])
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).update(revoked=True, revoked_at=timezone.now(), revoke_reason="cap")
        audit_record(actor=user, verb="token.revoke", obj=user, after={"token_ids": surplus, "reason": "cap"})
    return key


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, reason: str = "user") -> None:
    """Revoke one token of the actor's own (logout through the API, or the token list)."""
    if token.user_id != actor.pk:
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    if token.revoked:
        return
    ApiToken.objects.filter(pk=token.pk).update(revoked=True, revoked_at=timezone.now(), revoke_reason=reason)
    token.revoked = True
    audit_record(actor=actor, verb="token.revoke", obj=actor, after={"token_ids": [token.pk], "reason": reason})


@functools.cache
def _token_sql(vendor: str) -> tuple[str, list[models.Field | None]]:
    """The token lookup's SELECT: the token, its user and the user's unit, and the user's role codes
    joined by commas (codes are identifiers) from a correlated subquery; and its columns' fields.

    Written once from the models' tables and columns (core.rows.select_rows): compiling the equivalent
    queryset (select_related, the roles subquery) was ~0.4 ms of every API call's ~1 ms lookup
    (docs/performance.md, "Fixed-shape reads"). Built once per database vendor: it runs on every API call.
    """
    quote = connection.ops.quote_name
    token_t, user_t, unit_t = (quote(m._meta.db_table) for m in (ApiToken, User, Unit))
    grants = quote(RoleGrant._meta.db_table)
    token_cols, token_fields = rows.columns_sql(ApiToken, connection)
    user_cols, user_fields = rows.columns_sql(User, connection)
    unit_cols, unit_fields = rows.columns_sql(Unit, connection)
    joined = "GROUP_CONCAT(g.role, ',')" if vendor == "sqlite" else "STRING_AGG(g.role, ',')"
    owner, user_pk = quote(ApiToken._meta.get_field("user").column), quote(User._meta.pk.column)
    user_unit, unit_pk = quote(User._meta.get_field("unit").column), quote(Unit._meta.pk.column)
    sql = (
        f"SELECT {token_cols}, {user_cols}, {unit_cols}, "  # noqa: S608  (model tables and columns)
        f"(SELECT {joined} FROM {grants} g WHERE g.user_id = {token_t}.{owner}) "
        f"FROM {token_t} INNER JOIN {user_t} ON {user_t}.{user_pk} = {token_t}.{owner} "
        f"LEFT OUTER JOIN {unit_t} ON {unit_t}.{unit_pk} = {user_t}.{user_unit} "
        f"WHERE {token_t}.key_hash = %s AND {token_t}.revoked = %s AND {token_t}.expires_at > %s"
    )
    return sql, [*token_fields, *user_fields, *unit_fields, None]


def _token_read(key: str, now) -> ApiToken | None:
    """The unrevoked, unexpired token with this bearer value, its user and unit loaded, the user's role
    codes set (the permission checks of the request read no more), or None."""
    sql, columns = _token_sql(connection.vendor)
    expires = ApiToken._meta.get_field("expires_at").get_db_prep_value(now, connection)
    found = rows.select_rows(sql, [ApiToken.hash_key(key), False, expires], columns, using=connection.alias)
    if not found:
        return None
    values = found[0]
    n_token, n_user = len(ApiToken._meta.concrete_fields), len(User._meta.concrete_fields)
    token = rows.instance(ApiToken, values[:n_token], connection.alias)
    user = rows.instance(User, values[n_token : n_token + n_user], connection.alias)
    unit_values = values[n_token + n_user : -1]
    unit = rows.instance(Unit, unit_values, connection.alias) if unit_values[0] is not None else None
    ApiToken._meta.get_field("user").set_cached_value(token, user)
    User._meta.get_field("unit").set_cached_value(user, unit)
    codes = values[-1]
    user._role_codes = frozenset(codes.split(",")) if codes else frozenset()
    return token


def token_lookup(key: str) -> ApiToken | None:
    """The live token for a bearer value, or None (unknown, expired, idle too long, revoked, or its
    user inactive). Marks the token used. One query (`_token_read`) when it need not be marked.
    """
    now = timezone.now()
    token = _token_read(key, now)
    if token is None or not token.user.is_active:
        return None
    # Idle timeout, as for sessions: last use is recorded to the minute, so allow that minute.
    if now - (token.last_used_at or token.created_at) > settings.API_TOKEN_IDLE + timedelta(minutes=1):
        return None
    # Touch at most once a minute: a write per API call would serialise readers on one row.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def token_user(key: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = token_lookup(key)
    return token.user if token else None


@transaction.atomic
def lockout_lift(*, actor: User, username: str = "", ip_address: str = "") -> int:
    """Lift a login lockout: of an account (from one address, or everywhere) or of an address. Audited."""
    from axes.models import AccessAttempt

    _require(actor, Perm.LOCKOUT_MANAGE)
    if not username and not ip_address:
        raise ServiceError(_("Name an account or an address to unlock."))
    if ip_address:
        try:
            ipaddress.ip_address(ip_address)
        except ValueError:
            raise ServiceError(_("This is not an IP address."), field="ip_address") from None
    attempts = AccessAttempt.objects.all()
    if username:
        attempts = attempts.filter(username=username)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    count, _unused = attempts.delete()
    audit_record(
        actor=actor,
        verb="auth.unlock",
        object_type="accounts.user",
        object_repr=username or ip_address,
        after={"username": username, "ip_address": ip_address, "attempts_cleared": count},
    )
    return count
