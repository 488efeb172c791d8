from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    """The `next` the form or link asked for, if it is a path on this site; else `fallback` (no open redirect).

    Only a path from the site's root ("/tasks/5/") is followed: a bare word would be taken for a URL name
    by `redirect()` (a NoReverseMatch, a 500), and "//host" or "/\\host" would leave the site.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return fallback
