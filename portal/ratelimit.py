"""A small rate limit for anonymous readers of /public/: requests per client address per minute.

django-axes guards the login only; the portal has no login, so a crawler or a flood is held here.
Counted in Django's default cache (per worker process: the real limit is the setting times the
workers, which is what a per-process guard can promise; a shared cache makes it exact).
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import gettext as _


def _client(request) -> str:
    # Behind a reverse proxy, REMOTE_ADDR is the proxy unless the deployment sets it from X-Forwarded-For
    # (the same address the audit log records).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_limited(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = getattr(settings, "PORTAL_RATE_LIMIT_PER_MINUTE", 120)
        window = int(time.time() // 60)
        key = f"luoshi:portal:rate:{_client(request)}:{window}"
        if cache.add(key, 1, 70):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, 70)
                count = 1
        if count > limit:
            response = HttpResponse(_("Too many requests. Please wait a minute and try again."), status=429)
            response["Retry-After"] = str(60 - int(time.time()) % 60)
            response["Content-Type"] = "text/plain; charset=utf-8"
            return response
        return view(request, *args, **kwargs)

    return wrapper
