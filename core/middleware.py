from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# The request being served, so the audit service can note the client IP without every
# service function taking the request as a parameter.
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)
# The request attribute naming an object refused as out of scope (core.access.out_of_scope), audited
# by RequestContextMiddleware when the response is that 404.
REFUSED_ATTR = "luoshi_refused"


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # REMOTE_ADDR only: behind nginx, set it from X-Real-IP in the proxy, never trust a client header here.
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code in (403, 404):
                _audit_refusal(request, response.status_code)
            return response
        finally:
            current_request.reset(token)


def _audit_refusal(request, status: int) -> None:
    """Access refused to a logged-in user: every 403, and the 404s of access helpers (core.access.out_of_scope).

    Written here, after the view, so a view's rolled-back transaction cannot take the event with it.
    Lockouts are audited where they happen (accounts), not again here.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "axes_locked_out", False):
        return
    refused = getattr(request, REFUSED_ATTR, None)
    if status == 404 and refused is None:
        return
    from audit.services import audit_access_refused

    kind, object_id = refused or ("", "")
    audit_access_refused(
        actor=user, status=status, method=request.method, path=request.path, object_type=kind, object_id=object_id
    )


class LanguageMiddleware(LocaleMiddleware):
    """简体中文 unless the user chose English with the switch (a cookie).

    Pages ignore the browser's Accept-Language on purpose: office PCs often run
    English-locale browsers, and the product's default is Chinese. API clients
    may still ask for a language with Accept-Language.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            language = None
        if language is None and request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class AsOfMiddleware:
    """The as-of date (截至日期) a user is looking at, kept in the session until cleared.

    `?as_of=2021-06-30` sets it, `?as_of=` clears it; a bad date changes nothing and a future one
    clears it, and either leaves `request.as_of_refused` (a message the layout shows; silently
    ignoring it left people reading today's figures as the date they typed).
    `request.as_of` is that date or None (today). The API reads `as_of` per call instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from datetime import date

        from django.utils import timezone
        from django.utils.formats import date_format
        from django.utils.translation import gettext as _

        session = getattr(request, "session", None)
        raw = request.GET.get("as_of")
        request.as_of_refused = ""
        if session is not None and raw is not None and not request.path.startswith("/api/"):
            try:
                chosen = date.fromisoformat(raw) if raw else None
            except ValueError:
                request.as_of_refused = _(
                    "“%(value)s” is not a date (e.g. 2021-06-30); the as-of date is unchanged."
                ) % {"value": raw[:40]}
            else:
                if chosen is not None and chosen >= timezone.localdate():
                    request.as_of_refused = _("%(d)s is not in the past; showing today.") % {
                        "d": date_format(chosen, "DATE_FORMAT")
                    }
                    chosen = None
                if chosen is None:
                    session.pop("as_of", None)
                else:
                    session["as_of"] = chosen.isoformat()
        stored = session.get("as_of") if session is not None else None
        request.as_of = date.fromisoformat(stored) if stored else None
        return self.get_response(request)


def as_of_date(request):
    """The date pages compute statuses for: the chosen as-of date, else today (Asia/Shanghai)."""
    from django.utils import timezone

    return getattr(request, "as_of", None) or timezone.localdate()


class ControlCharacterMiddleware:
    """Backstop: a query string, form body (urlencoded) or path with a control character is a 400, never a 500.

    Fields check their own input (core.validation); this catches parameters a view reads directly
    (filters, `?q=`). Multipart bodies are left to the forms: reading them here would parse uploads
    before a view can choose its upload handlers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.validation import text_problem

        suspects = [request.path]
        for key, values in request.GET.lists():
            suspects += [key, *values]
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            for key, values in request.POST.lists():
                suspects += [key, *values]
        if any(text_problem(s) for s in suspects):
            return _bad_request(request)
        return self.get_response(request)


def _bad_request(request):
    from django.http import HttpResponseBadRequest, JsonResponse
    from django.template import loader
    from django.utils.translation import gettext as _

    message = _("The request contains control characters (such as NUL): remove them and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(loader.get_template("400.html").render({"message": message}))


class PasswordChangeRequiredMiddleware:
    """After an admin's reset the account's owner must pick a new password before anything else.

    Pages redirect to the password page; the API refuses with a message (core.api). Only the password
    page, logout, language switch and static files stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            from django.shortcuts import redirect
            from django.urls import reverse

            allowed = (reverse("accounts:password_change"), reverse("accounts:logout"), "/i18n/", "/api/")
            if not request.path.startswith(allowed) and not request.path.startswith(settings.STATIC_URL):
                return redirect("accounts:password_change")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy with a per-request nonce, and Permissions-Policy, on every response.

    Scripts run only from our own origin or from an inline <script nonce="{{ request.csp_nonce }}">:
    no inline event handlers (static/js/app.js handles data-confirm and data-select-all instead), no
    eval. Styles keep 'unsafe-inline' (style attributes; ECharts and htmx set styles too): an injected
    style cannot run code. HSTS and the HTTPS redirect are Django's SecurityMiddleware (prod settings).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import secrets

        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.LUOSHI_CSP.format(nonce=nonce)
        response.setdefault("Permissions-Policy", settings.LUOSHI_PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
