from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Status

from accounts.services import token_issue
from core.api import In, Out

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
        return Status(
            403, {"detail": _("Too many wrong passwords: this account is locked for 15 minutes. Try again later.")}
        )
    if user is None or not user.is_active:
        return Status(401, {"detail": _("Wrong username or password.")})
    key = token_issue(user=user)
    return Status(200, {"token": key, "expires_at": timezone.now() + settings.API_TOKEN_TTL})


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
