from contextvars import ContextVar

from django.http import HttpRequest

# The request being served, so the audit service can note the client IP without every
# service function taking the request as a parameter.
current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)


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
            return self.get_response(request)
        finally:
            current_request.reset(token)
