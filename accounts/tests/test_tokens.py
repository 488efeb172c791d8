"""API tokens (issue 12 §6): revocable, listed with last use, capped per user, idle timeout; issue and
revoke audited."""

import datetime as dt

import pytest
import time_machine
from django.test import Client, override_settings

from accounts.models import ApiToken, User
from accounts.services import token_issue, token_lookup
from audit.models import AuditEvent
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def issue(client: Client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def test_logout_through_the_api_revokes_the_token_in_use_only(client):
    first, second = issue(client, "office"), issue(client, "office")
    response = client.post("/api/v1/auth/logout", headers=bearer(first))
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200
    revoked = AuditEvent.objects.filter(verb="token.revoke", actor_username="office").get()
    assert revoked.after["reason"] == "logout"
    assert AuditEvent.objects.filter(verb="token.issue", actor_username="office").count() == 2


def test_the_token_list_shows_own_live_tokens_with_last_use_and_the_current_one(client, users):
    mine = issue(client, "office")
    token_issue(user=users["leader"])
    listed = client.get("/api/v1/auth/tokens", headers=bearer(mine)).json()
    assert len(listed) == 1 and listed[0]["current"] is True
    assert listed[0]["last_used_at"] is not None and listed[0]["created_ip"] == "127.0.0.1"
    assert "token" not in listed[0] and "key_hash" not in listed[0]


def test_a_user_revokes_own_token_by_id_and_someone_elses_is_404(client, users):
    mine = issue(client, "office")
    other = token_issue(user=users["leader"])
    other_id = ApiToken.objects.get(key_hash=ApiToken.hash_key(other)).pk
    assert client.delete(f"/api/v1/auth/tokens/{other_id}", headers=bearer(mine)).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    spare = issue(client, "office")
    spare_id = ApiToken.objects.get(key_hash=ApiToken.hash_key(spare)).pk
    assert client.delete(f"/api/v1/auth/tokens/{spare_id}", headers=bearer(mine)).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(spare)).status_code == 401


def test_the_token_page_lists_and_revokes_own_tokens(client_as, users):
    key = token_issue(user=users["zjj_reporter"])
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    page = client_as("zjj_reporter")
    assert "token-list" in page.get("/accounts/tokens/").content.decode()
    assert client_as("office").post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert page.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked and token.revoke_reason == "user"


@override_settings(API_TOKEN_MAX_PER_USER=3)
def test_tokens_beyond_the_cap_revoke_the_oldest(users):
    keys = [token_issue(user=users["office"]) for _ in range(4)]
    assert Client().get("/api/v1/me", headers=bearer(keys[0])).status_code == 401
    for key in keys[1:]:
        assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 200
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(keys[0])).revoke_reason == "cap"


def test_a_token_unused_longer_than_the_idle_timeout_stops_working(users):
    with time_machine.travel(START, tick=False):
        key = token_issue(user=users["office"])
    with time_machine.travel(START + dt.timedelta(minutes=29), tick=False):
        assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 200  # use renews it
    with time_machine.travel(START + dt.timedelta(minutes=29 + 32), tick=False):
        assert Client().get("/api/v1/me", headers=bearer(key)).status_code == 401


def test_the_api_docs_and_openapi_document_need_a_login(client, users):
    assert client.get("/api/v1/openapi.json").status_code == 401
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    key = token_issue(user=users["zjj_reporter"])
    assert client.get("/api/v1/openapi.json", headers=bearer(key)).status_code == 200
    client.force_login(users["zjj_reporter"])
    assert client.get("/api/v1/docs").status_code == 200


def test_a_token_carries_its_own_users_roles_and_a_revoked_role_is_gone_at_once(users):
    """The role codes read with the token (one correlated subquery) are that user's, all of them, fresh each call."""
    from accounts.services import role_grant, role_revoke

    reporter = users["zjj_reporter"]
    role_grant(actor=users["secadmin"], user=reporter, role="unit_head")
    key = token_issue(user=reporter)
    me = Client().get("/api/v1/me", headers=bearer(key)).json()
    assert me["roles"] == ["unit_head", "unit_reporter"]
    role_revoke(actor=users["secadmin"], user=reporter, role="unit_head")
    assert Client().get("/api/v1/me", headers=bearer(key)).json()["roles"] == ["unit_reporter"]
    office = Client().get("/api/v1/me", headers=bearer(token_issue(user=users["office"]))).json()
    assert "unit_reporter" not in office["roles"] and office["roles"]


def test_a_token_lookup_loads_the_user_unit_and_roles_in_one_query(users, django_assert_num_queries):
    reporter = users["zjj_reporter"]
    key = token_issue(user=reporter)
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).update(last_used_at=dt.datetime.now(dt.UTC))
    roles, unit_name = User.objects.get(pk=reporter.pk).role_codes, reporter.unit.name
    with django_assert_num_queries(1):
        token = token_lookup(key)
        assert token is not None and token.user.pk == reporter.pk and token.user.unit.name == unit_name
        assert token.user.role_codes == roles != frozenset()
        assert token.user.must_change_password is False and token.user.is_active is True


def test_a_revoked_expired_or_inactive_token_is_not_found(users):
    keys = [token_issue(user=users["zjj_reporter"]) for _ in range(3)]
    assert all(token_lookup(key) is not None for key in keys)
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(keys[0])).update(revoked=True)
    ApiToken.objects.filter(key_hash=ApiToken.hash_key(keys[1])).update(expires_at=dt.datetime.now(dt.UTC))
    assert token_lookup(keys[0]) is None and token_lookup(keys[1]) is None and token_lookup(keys[2]) is not None
    User.objects.filter(pk=users["zjj_reporter"].pk).update(is_active=False)
    assert token_lookup(keys[2]) is None
    assert token_lookup("not-a-token") is None
