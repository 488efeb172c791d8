"""The REST API (/api/v1/): authentication and error responses shared by every router.

Errors are JSON {"detail": "<message in the request's language>"}; validation
errors add "errors": [{"loc": [...], "msg": "..."}].
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel, ConfigDict

from accounts.roles import Perm
from core.errors import ServiceError


def _refuse_until_password_changed(user) -> None:
    # The same rule as core.middleware.PasswordChangeRequiredMiddleware for pages, as a clear 403 here.
    if user.must_change_password:
        raise ServiceError(
            _("Your password was reset by an administrator: change it on the password page before using the API."),
            code="forbidden",
        )


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        from accounts.services import token_lookup

        found = token_lookup(token)
        if found is None:
            return None
        _refuse_until_password_changed(found.user)
        request.user = found.user
        request.api_token = found  # logout and the token list name the token in use
        return found.user


class LoginSession(SessionAuth):
    """The page session (for the docs page and same-origin calls), with the same password-change rule."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user:
            _refuse_until_password_changed(user)
        return user


class Out(BaseModel):
    """Base of response schemas: views build them as dicts (or plain objects) for pydantic-core.

    Not ninja's Schema: its wrap validator puts every object, nested ones included, behind a Python
    attribute resolver; on a 50-task page that was about 40 % of the request (docs/performance.md).
    """

    model_config = ConfigDict(from_attributes=True)


def _docs_behind_login(view):
    """The docs page and openapi.json are for people logged in (page session) or holding a bearer token:
    the document lists every route and field, which an anonymous visitor has no need to map."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.http import JsonResponse

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        header = request.headers.get("Authorization", "")
        if not user.is_authenticated and header.lower().startswith("bearer "):
            from accounts.services import token_lookup

            found = token_lookup(header[7:].strip())
            user = found.user if found else user
        if not user.is_authenticated:
            if request.path.endswith(".json"):
                return JsonResponse({"detail": _("Log in first: send a valid bearer token.")}, status=401)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def require_api_perm(request, *perms: Perm) -> None:
    if perms and not any(request.user.has_luoshi_perm(p) for p in perms):
        raise PermissionDenied


api = NinjaAPI(
    title="Luoshi API",
    version="1",
    description="Plan-delivery supervision: plans, tasks, reports, supervision. Bearer token from POST /auth/token.",
    urls_namespace="api",
    auth=[BearerToken(), LoginSession()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=_docs_behind_login,
)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors]
    return api.create_response(request, {"detail": _("The request data is not valid."), "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _authentication_error(request, exc):
    return api.create_response(request, {"detail": _("Log in first: send a valid bearer token.")}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ServiceError)
def _service_error(request, exc: ServiceError):
    status = 403 if exc.code == "forbidden" else 409 if exc.code == "version_conflict" else 400
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=status)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def _register_routers() -> None:
    from accounts.api import router as accounts_router
    from notifications.api import router as notifications_router
    from org.api import router as org_router
    from plans.api import router as plans_router
    from reports.api import router as reports_router
    from supervision.api import router as supervision_router

    api.add_router("/", accounts_router)
    api.add_router("/", org_router)
    api.add_router("/", plans_router)
    api.add_router("/", reports_router)
    api.add_router("/", notifications_router)
    api.add_router("/", supervision_router)


_register_routers()
