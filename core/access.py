"""Page access: one decorator that applies role permissions on the server.

Anonymous users are sent to the login page; a logged-in user without the
permission gets 403. Object-level scope (per unit) lives in each app's
`<noun>_get_for_user` selector.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.roles import Perm
from core.middleware import REFUSED_ATTR, current_request


def out_of_scope(model, pk) -> Http404:
    """The 404 an access helper raises for an object the user may not read; `raise out_of_scope(Task, pk)`.

    The request remembers the object, so RequestContextMiddleware audits the refusal when the
    response is that 404 and the object exists (an unknown id or URL is not audited).
    """
    request = current_request.get()
    if request is not None:
        setattr(request, REFUSED_ATTR, (model._meta.label_lower, str(pk)))
    return Http404()


def require_perm(*perms: Perm):
    """Allow the view when the user holds any of `perms`; with none given, any logged-in user."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if perms and not any(user.has_luoshi_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.luoshi_perms = perms  # read by the access-matrix test to list protected routes
        return wrapper

    return decorator
