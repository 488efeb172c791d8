import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_chinese_by_default(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert '<html lang="zh-CN">' in response.content.decode()


def test_office_logs_in_and_sees_home(client):
    response = post_login(client, "office", DEMO_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert "督查室" in home.content.decode()
    assert AuditEvent.objects.filter(verb="auth.login", actor_username="office").exists()


def test_wrong_password_gives_a_chinese_message_and_no_session(client):
    response = post_login(client, "office", "wrong-Password1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(verb="auth.login_failed", actor_username="office").exists()


def test_five_wrong_passwords_lock_the_account_for_15_minutes(client):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(4):
            assert post_login(client, "zjj_reporter", "wrong-Password1").status_code == 200
        locked = post_login(client, "zjj_reporter", "wrong-Password1")
        assert locked.status_code == 403
        assert "锁定 15 分钟" in locked.content.decode()
        # Even the right password is refused while locked.
        again = post_login(client, "zjj_reporter", DEMO_PASSWORD)
        assert again.status_code == 403
        assert "_auth_user_id" not in client.session
        # Other accounts are not affected.
        assert post_login(client, "fgw_reporter", DEMO_PASSWORD).status_code == 302
        client.post("/accounts/logout/")
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 16, tzinfo=dt.UTC), tick=False):
        assert post_login(client, "zjj_reporter", DEMO_PASSWORD).status_code == 302


def test_lockout_message_is_english_under_english_ui(client):
    client.cookies["django_language"] = "en"
    for _ in range(5):
        response = post_login(client, "leader", "wrong-Password1")
    assert "locked for 15 minutes" in response.content.decode()


def test_session_expires_after_30_idle_minutes(client):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        post_login(client, "office", DEMO_PASSWORD)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity renews the session
    with time_machine.travel(start + dt.timedelta(minutes=29 + 31), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_logout_needs_post_and_ends_the_session(client_as):
    client = client_as("office")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("org:unit_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
