"""The kiosk account's session is held to the wall screen (大屏).

The command hall's PC stays logged in all day in a public room: whoever sits at it must reach
nothing but /cockpit/wall/ (and logging out). Every other page answers 403; the home page sends the
kiosk to the wall. The API refuses kiosk accounts in its authentication (core.api).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

ALLOWED_PREFIXES = ("/cockpit/wall/", "/static/", "/accounts/login/", "/accounts/logout/", "/i18n/", "/public/")
ALLOWED_EXACT = ("/favicon.ico", "/healthz")


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_kiosk", False):
            path = request.path
            if path == "/":
                return redirect("workbench:wall")
            if not (path.startswith(ALLOWED_PREFIXES) or path in ALLOWED_EXACT):
                raise PermissionDenied
        return self.get_response(request)
