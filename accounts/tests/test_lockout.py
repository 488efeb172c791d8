"""Login throttling per account and address, per address, per account (accounts/lockout.py); the office's
list of locked logins with unlock; lockouts and unlocks audited (issue 12 §6)."""

import pytest
from django.test import Client, override_settings

from audit.models import AuditEvent
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
WRONG = "wrong-Password1"


def attempt(username: str, password: str, ip: str) -> int:
    client = Client(REMOTE_ADDR=ip)
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def test_five_wrong_passwords_from_one_address_do_not_lock_a_leader_out_elsewhere():
    for _ in range(5):
        attempt("leader", WRONG, "203.0.113.9")
    assert attempt("leader", DEMO_PASSWORD, "203.0.113.9") == 403
    assert attempt("leader", DEMO_PASSWORD, "10.20.0.5") == 302  # the leader's own office
    lock = AuditEvent.objects.filter(verb="auth.lockout", actor_username="leader").first()
    assert lock is not None and lock.ip == "203.0.113.9"


@override_settings(LUOSHI_LOCKOUT_ADDRESS_LIMIT=8)
def test_spraying_many_accounts_from_one_address_throttles_the_address():
    accounts = ["office", "leader", "leader_cj", "zjj_head", "zjj_reporter", "fgw_reporter", "sysadmin", "secadmin"]
    for username in accounts:  # one wrong password each: no account reaches five
        attempt(username, WRONG, "198.51.100.7")
    refused = Client(REMOTE_ADDR="198.51.100.7").post(
        "/accounts/login/", {"username": "auditadmin", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 403 and "网络地址" in refused.content.decode()
    assert attempt("auditadmin", DEMO_PASSWORD, "10.20.0.6") == 302
    # A good login from the address does not wipe its count (a sprayer with an account of their own).
    assert attempt("outsider", DEMO_PASSWORD, "198.51.100.7") == 403


@override_settings(LUOSHI_LOCKOUT_ACCOUNT_LIMIT=6)
def test_guessing_one_account_from_many_addresses_locks_it_and_the_office_sees_and_lifts_it(client_as):
    for n in range(6):
        attempt("leader_cj", WRONG, f"192.0.2.{n + 1}")
    assert attempt("leader_cj", DEMO_PASSWORD, "10.20.0.7") == 403
    office = client_as("office")
    page = office.get("/accounts/lockouts/").content.decode()
    assert "leader_cj" in page
    assert office.post("/accounts/lockouts/unlock/", {"username": "leader_cj", "ip_address": ""}).status_code == 302
    assert attempt("leader_cj", DEMO_PASSWORD, "10.20.0.7") == 302
    unlock = AuditEvent.objects.get(verb="auth.unlock")
    assert unlock.actor_username == "office" and unlock.after["username"] == "leader_cj"


def test_lockouts_are_not_for_business_people_without_the_duty(client_as):
    assert client_as("zjj_reporter").get("/accounts/lockouts/").status_code == 403
    assert client_as("zjj_reporter").post("/accounts/lockouts/unlock/", {"username": "leader"}).status_code == 403


def test_unlock_without_an_account_or_address_is_a_message_not_a_500(client_as):
    response = client_as("office").post("/accounts/lockouts/unlock/", {}, follow=True)
    assert response.status_code == 200 and "解锁" in response.content.decode()


@pytest.mark.parametrize("address", ["not-an-address", "1e16", "9999-12-31", "x" * 45])
def test_unlock_of_a_malformed_address_is_a_message_and_changes_nothing(client_as, address):
    # Found by bench/probe.py: axes parsed the address and the page answered 500.
    response = client_as("office").post(
        "/accounts/lockouts/unlock/", {"username": "", "ip_address": address}, follow=True
    )
    assert response.status_code == 200 and "IP" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="auth.unlock").exists()
