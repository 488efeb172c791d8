"""Every page and API route × every demo role → the expected status (STYLE.md §10).

A new route without a row here fails `test_every_route_has_a_row`, so access
is decided on purpose for each route, never by omission.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.api import api
from org.models import LeaderPost, Unit

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter",
         "sysadmin", "secadmin", "auditadmin", "outsider"]  # fmt: skip
LOGGED_IN = set(ROLES) - {"anonymous"}
BUSINESS = {"office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter"}
ORG_READERS = BUSINESS | {"sysadmin"}

# name → (who gets 200, kwargs builder). Everyone else: 302 to login when anonymous, else 403.
PAGES = {
    "core:home": (LOGGED_IN, None),
    "accounts:password_change": (LOGGED_IN, None),
    "org:unit_list": (ORG_READERS, None),
    "org:unit_create": ({"sysadmin"}, None),
    "org:unit_edit": ({"sysadmin"}, lambda: {"pk": Unit.objects.get(code="zjj").pk}),
    "org:post_list": (ORG_READERS, None),
    "org:post_create": ({"sysadmin"}, None),
    "org:post_edit": ({"sysadmin"}, lambda: {"pk": LeaderPost.objects.get(title="区长").pk}),
    "accounts:user_list": ({"sysadmin", "secadmin"}, None),
    "accounts:user_create": ({"sysadmin"}, None),
    "accounts:user_edit": ({"sysadmin"}, lambda: {"pk": _user_pk("zjj_reporter")}),
    "accounts:user_password": ({"sysadmin"}, lambda: {"pk": _user_pk("zjj_reporter")}),
    "accounts:user_roles": ({"secadmin"}, lambda: {"pk": _user_pk("zjj_reporter")}),
    "audit:event_list": ({"auditadmin"}, None),
    "audit:event_export": ({"auditadmin"}, None),
}
# Routes open to everyone, checked separately.
PUBLIC = {"accounts:login": 200, "healthz": 200, "set_language": 302}  # setlang on GET only redirects
# Views that only accept POST (GET → 405 for everyone), with their own tests.
POST_ONLY = {"accounts:logout"}

# API: path → (who gets 200). Anonymous gets 401, others 403.
API_GET = {
    "/api/v1/me": LOGGED_IN,
    "/api/v1/units": ORG_READERS,
}
API_PUBLIC = {"/api/v1/auth/token", "/api/v1/docs", "/api/v1/openapi.json"}


def _user_pk(username: str) -> int:
    from accounts.models import User

    return User.objects.get(username=username).pk


def _url_names(patterns, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            if p.namespace == "api":
                continue  # API routes are covered by API_GET / API_PUBLIC
            names |= _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{prefix}{p.name}")
    return names


def test_every_route_has_a_row():
    names = _url_names(get_resolver().url_patterns)
    assert names - set(PAGES) - set(PUBLIC) - POST_ONLY == set()
    api_paths = {path.rstrip("/") for path in api.get_openapi_schema()["paths"]}
    assert api_paths - set(API_GET) - API_PUBLIC == set()


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_page_access(client, users, name, role):
    allowed, kwargs = PAGES[name]
    url = reverse(name, kwargs=kwargs() if kwargs else None)
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url)
    expected = 200 if role in allowed else (302 if role == "anonymous" else 403)
    assert response.status_code == expected, f"{role} GET {url}"
    if expected == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", sorted(API_GET))
@pytest.mark.parametrize("role", ROLES)
def test_api_access_by_token(client, users, path, role):
    headers = {}
    if role != "anonymous":
        from accounts.services import token_issue

        headers["Authorization"] = f"Bearer {token_issue(user=users[role])}"
    response = client.get(path, headers=headers)
    expected = 200 if role in API_GET[path] else (401 if role == "anonymous" else 403)
    assert response.status_code == expected, f"{role} GET {path}"
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_routes(client, name):
    assert client.get(reverse(name)).status_code == PUBLIC[name]


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_routes_refuse_get(client_as, name):
    assert client_as("office").get(reverse(name)).status_code == 405
