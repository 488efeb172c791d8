"""三员分立: system, security and audit admins each do only their own duty."""

import pytest

from accounts.models import RoleGrant, User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_security_admin_grants_and_revokes_a_role(client_as, users):
    client = client_as("secadmin")
    target = users["fgw_reporter"]
    url = f"/accounts/users/{target.pk}/roles/"
    assert client.post(url, {"action": "grant", "role": "unit_head"}).status_code == 302
    assert set(target.role_grants.values_list("role", flat=True)) == {"unit_reporter", "unit_head"}
    assert client.post(url, {"action": "revoke", "role": "unit_head"}).status_code == 302
    assert set(target.role_grants.values_list("role", flat=True)) == {"unit_reporter"}
    assert AuditEvent.objects.filter(verb="role.grant", actor_username="secadmin").exists()
    assert AuditEvent.objects.filter(verb="role.revoke", actor_username="secadmin").exists()


def test_a_second_admin_role_is_refused_with_a_clear_message(client_as, users):
    target = users["auditadmin"]
    before = RoleGrant.objects.count()
    response = client_as("secadmin").post(
        f"/accounts/users/{target.pk}/roles/", {"action": "grant", "role": "system_admin"}
    )
    assert response.status_code == 400
    assert "三员分立" in response.content.decode()
    assert RoleGrant.objects.count() == before


def test_a_second_admin_role_message_is_english_under_english_ui(client_as, users):
    client = client_as("secadmin")
    client.cookies["django_language"] = "en"
    response = client.post(f"/accounts/users/{users['sysadmin'].pk}/roles/", {"action": "grant", "role": "audit_admin"})
    assert "Separation of duties" in response.content.decode()


def test_security_admin_cannot_change_own_roles(client_as, users):
    response = client_as("secadmin").post(
        f"/accounts/users/{users['secadmin'].pk}/roles/", {"action": "revoke", "role": "security_admin"}
    )
    assert response.status_code == 400
    assert users["secadmin"].role_grants.filter(role="security_admin").exists()


def test_unknown_role_is_a_field_error_not_a_500(client_as, users):
    response = client_as("secadmin").post(
        f"/accounts/users/{users['office'].pk}/roles/", {"action": "grant", "role": "god"}
    )
    assert response.status_code == 400


def test_system_admin_creates_a_user_without_roles(client_as):
    response = client_as("sysadmin").post(
        "/accounts/users/new/",
        {"username": "jyj_reporter", "display_name": "教育局填报员", "password": "Tianbao#2021x", "unit": ""},
    )
    assert response.status_code == 302
    created = User.objects.get(username="jyj_reporter")
    assert created.role_codes == frozenset()
    assert not created.is_demo


def test_system_admin_gets_field_errors_for_a_weak_password_or_duplicate_name(client_as):
    client = client_as("sysadmin")
    response = client.post("/accounts/users/new/", {"username": "x1", "display_name": "某", "password": "abc"})
    assert response.status_code == 200 and "密码太短" in response.content.decode()
    response = client.post(
        "/accounts/users/new/", {"username": "OFFICE", "display_name": "某", "password": "Tianbao#2021x"}
    )
    assert response.status_code == 200 and "该用户名已存在" in response.content.decode()
    assert not User.objects.filter(username__in=["x1", "OFFICE"]).exists()


def test_system_admin_cannot_grant_roles_nor_read_the_audit_log(client_as, users):
    client = client_as("sysadmin")
    url = f"/accounts/users/{users['fgw_reporter'].pk}/roles/"
    assert client.post(url, {"action": "grant", "role": "office"}).status_code == 403
    assert client.get("/audit/").status_code == 403
    assert not users["fgw_reporter"].role_grants.filter(role="office").exists()


def test_security_admin_cannot_create_users(client_as):
    response = client_as("secadmin").post(
        "/accounts/users/new/", {"username": "sneaky", "display_name": "某", "password": "Tianbao#2021x"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_system_admin_resets_a_password_and_edits_units_and_posts(client_as, users):
    client = client_as("sysadmin")
    assert (
        client.post(f"/accounts/users/{users['zjj_reporter'].pk}/password/", {"password": "Chongzhi#2021"}).status_code
        == 302
    )
    assert User.objects.get(username="zjj_reporter").check_password("Chongzhi#2021")
    response = client.post(
        "/org/units/new/", {"code": "tyj", "name": "区体育局", "full_name": "", "kind": "department", "is_active": "on"}
    )
    assert response.status_code == 302
    from org.models import Unit

    assert Unit.objects.filter(name="区体育局").exists()


def test_a_unit_cannot_be_moved_under_its_own_child(client_as):
    from org.models import Unit

    district = Unit.objects.get(code="erqi")
    child = Unit.objects.get(code="zjj")
    response = client_as("sysadmin").post(
        f"/org/units/{district.pk}/edit/",
        {"code": "erqi", "name": district.name, "kind": "district", "parent": child.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "不能放在自身或其下级单位之下" in response.content.decode()
    district.refresh_from_db()
    assert district.parent_id is None
