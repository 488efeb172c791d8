"""The REST API (/api/v1/): authentication and error responses shared by every router (the routers
are mounted by `workbench.api`).

Errors are JSON {"detail": "<message in the request's language>"}; validation
errors add "errors": [{"loc": [...], "msg": "..."}].
"""

import functools
import logging
import types
import typing

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from accounts.roles import Perm
from core.errors import ServiceError
from core.validation import Problem, problem_text, value_problem


def _refuse_until_password_changed(user) -> None:
    # A wall-screen account (大屏 kiosk) reads the wall only, never the API (workbench.middleware for pages).
    if getattr(user, "is_kiosk", False):
        raise ServiceError(_("A wall-screen account cannot use the API."), code="forbidden")
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


T = typing.TypeVar("T")


class Out(BaseModel):
    """Base of response schemas: views build them as dicts (or plain objects) for pydantic-core.

    Not ninja's Schema: its wrap validator puts every object, nested ones included, behind a Python
    attribute resolver; on a 50-task page that was about 40 % of the request (docs/performance.md).
    """

    model_config = ConfigDict(from_attributes=True)


class Encoded(typing.Generic[T]):
    """A large response's body validated against its schema and encoded by pydantic-core in one pass
    (the city's ~1 000 rollup rows, a 50-task page): ninja's own path validates, dumps to dicts, then
    runs json.dumps with a Python hook per date. The route still declares the schema for OpenAPI."""

    def __init__(self, schema: type[T]) -> None:
        self.adapter: TypeAdapter[T] = TypeAdapter(schema)

    def __call__(self, data: object) -> bytes:
        return self.adapter.dump_json(self.adapter.validate_python(data))


def _first_problem(value) -> Problem | None:
    """core.validation's default rules on every scalar inside a value (lists and nested schemas too)."""
    if isinstance(value, BaseModel):
        value = list(value.__dict__.values())
    if isinstance(value, list | tuple | set):
        return next((p for p in map(_first_problem, value) if p is not None), None)
    if isinstance(value, dict):
        return _first_problem([*value.keys(), *value.values()])
    return value_problem(value)


def _allows_none(annotation) -> bool:
    if annotation is None or annotation is type(None) or annotation is typing.Any:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_allows_none(a) for a in typing.get_args(annotation))
    return False


# The default of a field that may be left out but not sent as null (see In): None, typed Any so the
# field keeps its own type (and schema) without None, for mypy as for pydantic.
NOT_SENT: typing.Any = None


class In(Schema):
    """Base of request schemas (bodies and query strings): every text, number and integer, nested ones too,
    passes core.validation (no control characters, the widest numeric column's range, int4), so a value
    PostgreSQL cannot store is a 422 naming the field, never a 500. Column lengths: `Field(max_length=…)`.

    A field that may be left out of a PATCH but whose column is NOT NULL is typed without None and
    defaults to NOT_SENT (`title: str = Field(NOT_SENT, …)`): leaving it out keeps the value, `null` is a 422.
    """

    @model_validator(mode="before")
    @classmethod
    def _no_null_for_not_null(cls, data):
        """`null` for a field typed without None: one message naming it (pydantic's would say "not a string")."""
        data_dict = getattr(data, "_obj", data)  # ninja wraps the input in a DjangoGetter first
        if isinstance(data_dict, dict):
            for name, value in data_dict.items():
                field = cls.model_fields.get(name)
                if value is None and field is not None and not _allows_none(field.annotation):
                    raise PydanticCustomError("null", problem_text(Problem("null"), name))
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _core_rules(cls, value, info: ValidationInfo):
        problem = _first_problem(value)
        if problem is not None:
            raise PydanticCustomError(problem.code, problem_text(problem, info.field_name or ""))
        return value


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


_SOURCES = {"body", "query", "path", "form", "header", "cookie", "file"}


def _field_name(loc: list) -> str:
    """["body", "payload", "milestones", 0, "description"] -> "milestones.0.description"."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and len(parts) > 1:
            parts.pop(0)  # the view's parameter name (payload), not part of the JSON the client sent
    return ".".join(str(p) for p in parts) or _("the request")


def _error_text(error: dict) -> str:
    """pydantic's English error as one sentence in the request's language naming the field."""
    kind, ctx, field = error.get("type", ""), error.get("ctx") or {}, _field_name(error.get("loc", []))
    if kind in {"control_chars", "too_long", "not_finite", "out_of_range", "not_a_number", "null"}:
        return error.get("msg", "")  # In's own rules: already worded
    if kind == "missing":
        return _("%(field)s is required.") % {"field": field}
    if kind == "string_too_long":
        return problem_text(Problem("too_long", ctx.get("max_length")), field)
    if kind == "string_too_short":
        return _("%(field)s cannot be empty.") % {"field": field}
    if kind == "finite_number":
        return problem_text(Problem("not_finite"), field)
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        bound = next(iter(ctx.values()), "")
        signs = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}
        return _("%(field)s must be %(sign)s %(bound)s.") % {"field": field, "sign": signs[kind], "bound": bound}
    if kind.startswith("decimal_max") or kind == "decimal_whole_digits":
        return _("%(field)s has too many digits.") % {"field": field}
    if error.get("input", "") is None:
        return problem_text(Problem("null"), field)
    if kind.startswith(("int_", "float_", "decimal_")):
        return _("%(field)s must be a number.") % {"field": field}
    if kind.startswith(("date_", "datetime_")):
        return _("%(field)s must be a date (YYYY-MM-DD).") % {"field": field}
    if kind in {"enum", "literal_error"}:
        return _("%(field)s must be one of: %(expected)s.") % {"field": field, "expected": ctx.get("expected", "")}
    if kind.startswith("bool_"):
        return _("%(field)s must be true or false.") % {"field": field}
    return _("%(field)s is not valid.") % {"field": field}


def _validation_error(api: NinjaAPI, request, exc: ValidationError):
    errors = [{"loc": list(e.get("loc", [])), "msg": _error_text(e), "type": e.get("type", "")} for e in exc.errors]
    detail = _("The request data is not valid.")
    if errors:
        detail = f"{detail} {errors[0]['msg']}"
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _server_error(api: NinjaAPI, request, exc: Exception):
    """In production a JSON 500 in the request's language, logged like Django logs a 500 page.

    A body Django cannot read (multipart without a boundary, too large) is the client's fault: 400,
    as Django answers it on pages.
    """
    if isinstance(exc, MultiPartParserError | BadRequest | SuspiciousOperation):
        return api.create_response(request, {"detail": _("The request body could not be read.")}, status=400)
    if settings.DEBUG:
        raise exc
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500, "request": request}
    )
    return api.create_response(
        request, {"detail": _("The server could not complete the request; the error was logged.")}, status=500
    )


def _authentication_error(api: NinjaAPI, request, exc):
    return api.create_response(request, {"detail": _("Log in first: send a valid bearer token.")}, status=401)


def _http_error(api: NinjaAPI, request, exc: HttpError):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("The request body is not valid JSON.")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


def _service_error(api: NinjaAPI, request, exc: ServiceError):
    status = 403 if exc.code == "forbidden" else 409 if exc.code == "version_conflict" else 400
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=status)


def _forbidden(api: NinjaAPI, request, exc):
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


def _not_found(api: NinjaAPI, request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


_HANDLERS = {
    ValidationError: _validation_error,
    Exception: _server_error,
    AuthenticationError: _authentication_error,
    HttpError: _http_error,
    ServiceError: _service_error,
    PermissionDenied: _forbidden,
    Http404: _not_found,
}


def api_new() -> NinjaAPI:
    """The API instance with the floor's auth, docs behind login and error format, and no routers:
    `workbench.api` builds the one instance and mounts every app's router on it."""
    api = NinjaAPI(
        title="Luoshi API",
        version="1",
        description=(
            "Plan-delivery supervision: plans, tasks, reports, supervision. Bearer token from POST /auth/token."
        ),
        urls_namespace="api",
        auth=[BearerToken(), LoginSession()],
        docs_url="/docs",
        openapi_url="/openapi.json",
        docs_decorator=_docs_behind_login,
    )
    for exc_class, handler in _HANDLERS.items():
        api.add_exception_handler(exc_class, functools.partial(handler, api))
    return api
