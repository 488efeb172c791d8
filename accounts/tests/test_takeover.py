"""三员分立 a system admin cannot defeat (issue 12 §1): the chain sysadmin → secadmin's password → grant
office to his own new account; reset auditadmin's password; deactivate auditadmin. Each step is refused
or waits for a second admin duty, and what takes effect ends the account's sessions and tokens."""

import pytest
from django.test import Client

from accounts.models import AdminRequest, ApiToken, User
from accounts.services import token_issue
from audit.models import AuditEvent
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Duoquan#2021x"


def login(username: str, password: str, ip: str = "10.1.1.1") -> tuple[Client, int]:
    client = Client(REMOTE_ADDR=ip)
    return client, client.post("/accounts/login/", {"username": username, "password": password}).status_code


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_the_sysadmin_takeover_chain_is_refused_at_every_step(client_as, users):
    sysadmin = client_as("sysadmin")
    secadmin, auditadmin = users["secadmin"], users["auditadmin"]

    # 1. Reset secadmin's password: only a request; the password is unchanged, so he cannot log in as secadmin.
    assert sysadmin.post(f"/accounts/users/{secadmin.pk}/password/", {"password": NEW}).status_code == 302
    assert not User.objects.get(pk=secadmin.pk).check_password(NEW)
    assert login("secadmin", NEW)[1] == 200  # the login form again, with its error
    assert AdminRequest.objects.get(target=secadmin).state == AdminRequest.State.PENDING

    # 2. Grant office to a new account of his own: the system admin cannot grant roles.
    response = sysadmin.post(
        "/accounts/users/new/", {"username": "crony", "display_name": "某", "password": "Tianbao#2021x", "unit": ""}
    )
    assert response.status_code == 302
    crony = User.objects.get(username="crony")
    assert crony.must_change_password  # the initial password is the admin's secret too
    assert sysadmin.post(f"/accounts/users/{crony.pk}/roles/", {"action": "grant", "role": "office"}).status_code == 403
    assert not crony.role_grants.exists()

    # 3. Reset auditadmin's password: a request, nothing changes.
    sysadmin.post(f"/accounts/users/{auditadmin.pk}/password/", {"password": NEW})
    assert not User.objects.get(pk=auditadmin.pk).check_password(NEW)
    assert login("auditadmin", NEW)[1] == 200

    # 4. Deactivate auditadmin: a request, the account stays active.
    form = {"display_name": auditadmin.display_name, "unit": auditadmin.unit_id or "", "email": "", "phone": ""}
    assert sysadmin.post(f"/accounts/users/{auditadmin.pk}/edit/", form).status_code == 302
    assert User.objects.get(pk=auditadmin.pk).is_active
    assert AdminRequest.objects.filter(target=auditadmin, state="pending").count() == 2

    # 5. He cannot approve his own requests, nor can the service be called around the page.
    pending = AdminRequest.objects.filter(state="pending")
    for request in pending:
        decided = sysadmin.post(f"/accounts/requests/{request.pk}/decide/", {"decision": "approve"})
        assert decided.status_code == 403
    assert AdminRequest.objects.filter(state="pending").count() == 3

    from accounts.services import user_set_password, user_update
    from core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        user_set_password(actor=users["sysadmin"], user=secadmin, password=NEW)
    assert refused.value.code == "approval_required"
    with pytest.raises(ServiceError):
        user_update(
            actor=users["sysadmin"], user=auditadmin, display_name="x", unit=None, email="", phone="", is_active=False
        )
    # Every request names the real actor.
    assert set(AuditEvent.objects.filter(verb="admin_request.create").values_list("actor_username", flat=True)) == {
        "sysadmin"
    }


def test_the_account_concerned_cannot_approve_its_own_reset(client_as, users):
    client_as("sysadmin").post(f"/accounts/users/{users['secadmin'].pk}/password/", {"password": NEW})
    request = AdminRequest.objects.get(target=users["secadmin"])
    client_as("secadmin").post(f"/accounts/requests/{request.pk}/decide/", {"decision": "approve"})
    request.refresh_from_db()
    assert request.state == AdminRequest.State.PENDING
    assert not User.objects.get(pk=users["secadmin"].pk).check_password(NEW)


def test_an_approved_reset_ends_sessions_and_tokens_and_must_be_changed_at_next_login(client_as, users):
    secadmin = users["secadmin"]
    session, status = login("secadmin", DEMO_PASSWORD)
    assert status == 302 and session.get("/accounts/users/").status_code == 200
    token = token_issue(user=secadmin)

    client_as("sysadmin").post(f"/accounts/users/{secadmin.pk}/password/", {"password": NEW})
    request = AdminRequest.objects.get(target=secadmin)
    decided = client_as("auditadmin").post(f"/accounts/requests/{request.pk}/decide/", {"decision": "approve"})
    assert decided.status_code == 302
    request.refresh_from_db()
    assert request.state == AdminRequest.State.APPROVED and request.decided_by == users["auditadmin"]
    assert request.password_hash == ""  # the hash is applied, not kept twice

    # The old session and token are dead; the token stays revoked.
    assert session.get("/accounts/users/")["Location"].startswith("/accounts/login/")
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(token)).revoke_reason == "reset"

    # Audit: the reset names the requester and the approver; the approval names the approver.
    reset = AuditEvent.objects.get(verb="user.password_reset", object_id=str(secadmin.pk))
    assert reset.actor_username == "sysadmin" and reset.after["decided_by"] == "auditadmin"
    assert AuditEvent.objects.get(verb="admin_request.approve").actor_username == "auditadmin"

    # Next login: every page leads to the password page, the API refuses with a message.
    fresh, status = login("secadmin", NEW)
    assert status == 302
    for url in ("/", "/accounts/users/", f"/accounts/users/{users['zjj_reporter'].pk}/roles/"):
        response = fresh.get(url)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/", url
    assert "管理员重置" in fresh.get("/accounts/password/").content.decode()
    api = Client().post(
        "/api/v1/auth/token", {"username": "secadmin", "password": NEW}, content_type="application/json"
    )
    assert api.status_code == 403 and "密码" in api.json()["detail"]
    assert fresh.get("/api/v1/me").status_code == 403

    changed = fresh.post(
        "/accounts/password/",
        {"old_password": NEW, "new_password1": "Ziji#Xuan2021", "new_password2": "Ziji#Xuan2021"},
    )
    assert changed.status_code == 302
    assert fresh.get("/accounts/users/").status_code == 200
    assert not User.objects.get(pk=secadmin.pk).must_change_password


def test_an_approved_deactivation_ends_tokens_and_reactivation_does_not_revive_them(client_as, users):
    auditadmin = users["auditadmin"]
    token = token_issue(user=auditadmin)
    session, _status = login("auditadmin", DEMO_PASSWORD)
    form = {"display_name": auditadmin.display_name, "unit": auditadmin.unit_id or "", "email": "", "phone": ""}
    client_as("sysadmin").post(f"/accounts/users/{auditadmin.pk}/edit/", form)
    request = AdminRequest.objects.get(target=auditadmin, kind="deactivate")
    client_as("secadmin").post(f"/accounts/requests/{request.pk}/decide/", {"decision": "approve"})
    assert not User.objects.get(pk=auditadmin.pk).is_active
    assert session.get("/audit/")["Location"].startswith("/accounts/login/")

    User.objects.filter(pk=auditadmin.pk).update(is_active=True)  # reactivated later
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert session.get("/audit/")["Location"].startswith("/accounts/login/")


def test_a_rejected_request_changes_nothing_and_is_audited(client_as, users):
    client_as("sysadmin").post(f"/accounts/users/{users['auditadmin'].pk}/password/", {"password": NEW})
    request = AdminRequest.objects.get()
    client_as("secadmin").post(f"/accounts/requests/{request.pk}/decide/", {"decision": "reject"})
    request.refresh_from_db()
    assert request.state == AdminRequest.State.REJECTED
    assert not User.objects.get(pk=users["auditadmin"].pk).check_password(NEW)
    assert AuditEvent.objects.filter(verb="admin_request.reject", actor_username="secadmin").exists()


def test_a_business_account_reset_is_immediate_ends_sessions_and_tokens_and_must_be_changed(client_as, users):
    reporter = users["zjj_reporter"]
    session, _status = login("zjj_reporter", DEMO_PASSWORD)
    token = token_issue(user=reporter)
    client_as("sysadmin").post(f"/accounts/users/{reporter.pk}/password/", {"password": NEW})
    reporter.refresh_from_db()
    assert reporter.check_password(NEW) and reporter.must_change_password
    assert session.get("/reports/")["Location"].startswith("/accounts/login/")
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_a_deactivated_business_account_loses_its_tokens_for_good(client_as, users):
    reporter = users["zjj_reporter"]
    token = token_issue(user=reporter)
    form = {"display_name": reporter.display_name, "unit": reporter.unit_id, "email": "", "phone": ""}
    client_as("sysadmin").post(f"/accounts/users/{reporter.pk}/edit/", form)
    assert not User.objects.get(pk=reporter.pk).is_active
    form["is_active"] = "on"
    client_as("sysadmin").post(f"/accounts/users/{reporter.pk}/edit/", form)
    assert User.objects.get(pk=reporter.pk).is_active
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_changing_ones_own_password_ends_other_sessions_and_tokens_but_not_this_one(users):
    other, _status = login("office", DEMO_PASSWORD, ip="10.1.1.2")
    token = token_issue(user=users["office"])
    this, _status = login("office", DEMO_PASSWORD)
    response = this.post(
        "/accounts/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": "Ziji#Xuan2021", "new_password2": "Ziji#Xuan2021"},
    )
    assert response.status_code == 302
    assert this.get("/").status_code == 200
    assert other.get("/")["Location"].startswith("/accounts/login/")
    assert Client().get("/api/v1/me", headers=bearer(token)).status_code == 401
