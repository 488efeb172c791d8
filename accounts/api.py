from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Status

from accounts.selectors import live_tokens
from accounts.services import token_issue, token_revoke
from accounts.views import lockout_message
from core.api import In, Out
from core.middleware import client_ip

router = Router(tags=["accounts"])


class TokenIn(In):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=256)


class TokenOut(Out):
    token: str
    token_type: str = "Bearer"  # noqa: S105  (the scheme name, not a secret)
    expires_at: datetime


class ErrorOut(Out):
    detail: str


class UnitRef(Out):
    id: int
    name: str


class MeOut(Out):
    id: int
    username: str
    display_name: str
    unit: UnitRef | None
    roles: list[str]
    permissions: list[str]


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 403: ErrorOut})
def auth_token(request, payload: TokenIn):
    """Exchange username and password for a bearer token (same lockout rules as the login page)."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        # AxesMiddleware replaces this response with the JSON lockout message.
        return Status(403, {"detail": lockout_message()})
    if user is None or not user.is_active:
        return Status(401, {"detail": _("Wrong username or password.")})
    if user.must_change_password:
        return Status(
            403,
            {"detail": _("Your password was reset by an administrator: log in on the web page and change it first.")},
        )
    key = token_issue(user=user, ip=client_ip(request))
    return Status(200, {"token": key, "expires_at": timezone.now() + settings.API_TOKEN_TTL})


class TokenInfoOut(Out):
    id: int
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    created_ip: str
    current: bool


class RevokedOut(Out):
    revoked: int


@router.get("/auth/tokens", response=list[TokenInfoOut])
def auth_tokens(request):
    """Your live API tokens (never the token values), with last use; `current` marks the one in use."""
    in_use = getattr(getattr(request, "api_token", None), "pk", None)
    return [
        {
            "id": t.pk,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "created_ip": t.created_ip,
            "current": t.pk == in_use,
        }
        for t in live_tokens(request.user)
    ]


@router.delete("/auth/tokens/{token_id}", response=RevokedOut)
def auth_token_revoke(request, token_id: int):
    """Revoke one of your tokens; someone else's is 404."""
    token = live_tokens(request.user).filter(pk=token_id).first()
    if token is None:
        raise Http404
    token_revoke(actor=request.user, token=token)
    return {"revoked": 1}


@router.post("/auth/logout", response=RevokedOut)
def auth_logout(request):
    """Revoke the bearer token of this call (or end the page session calling it)."""
    token = getattr(request, "api_token", None)
    if token is not None:
        token_revoke(actor=request.user, token=token, reason="logout")
        return {"revoked": 1}
    logout(request)
    return {"revoked": 0}


@router.get("/me", response=MeOut)
def me(request):
    """The logged-in user, their unit and roles."""
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "unit": {"id": user.unit.pk, "name": user.unit.name} if user.unit else None,
        "roles": sorted(user.role_codes),
        "permissions": sorted(user.perms),
    }
