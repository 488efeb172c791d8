import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import email_settings, env_bool, env_int, env_list
from conftest import DEMO_PASSWORD, NAMED
from core.collation import pinyin_key

pytestmark = pytest.mark.django_db


def test_healthz_reports_vendor_and_migrations(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    from django.db import connection

    assert body["database"] == connection.vendor
    assert body["migrations"] == {"applied": True, "pending": 0}


def test_language_switch_to_english_is_honoured_by_every_page(client_as):
    client = client_as("office")
    assert "工作台" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/org/units/"})
    assert response.status_code == 302
    page = client.get("/org/units/").content.decode()
    assert "Organisation" in page and '<html lang="en">' in page
    assert "Home" in client.get("/").content.decode()


def test_unit_tree_page_lists_children_in_pinyin_order(client_as):
    page = client_as("office").get("/org/units/").content.decode()
    assert page.index("区发改委") < page.index("区教育局") < page.index("区住建局")


def test_pinyin_key_sorts_syllable_by_syllable():
    names = ["区住建局", "区发改委", "区长", "区政协", "淮河路街道", "Alpha"]
    assert sorted(names, key=pinyin_key) == ["Alpha", "淮河路街道", "区发改委", "区长", "区政协", "区住建局"]


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "12a")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "Yes")
    assert env_bool("X_BOOL", False) is True


def test_email_url_parsing():
    smtp = email_settings("smtp://luoshi:p%40ss@mail.example.gov.cn:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.gov.cn" and smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_PASSWORD"] == "p@ss" and smtp["EMAIL_USE_TLS"] is True
    with pytest.raises(ImproperlyConfigured):
        email_settings("ftp://x")
    assert email_settings(None)["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_production_settings_refuse_to_start_without_a_secret(monkeypatch):
    import importlib
    import sys

    monkeypatch.delenv("SECRET_KEY", raising=False)
    sys.modules.pop("config.settings.prod", None)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("config.settings.prod")
    sys.modules.pop("config.settings.prod", None)


def test_demo_loader_is_idempotent_and_flags_demo_accounts():
    from accounts.models import User
    from org.demo import load_demo_organisation
    from org.models import LeaderPost, Unit

    assert load_demo_organisation() == {"units": 0, "posts": 0, "users": 0, "roles": 0}
    assert Unit.objects.count() >= 20
    assert LeaderPost.objects.count() >= 8
    assert LeaderPost.objects.filter(holder__isnull=True).count() == 0
    for username in NAMED:
        user = User.objects.get(username=username)
        assert user.is_demo and user.check_password(DEMO_PASSWORD)
    assert LeaderPost.objects.get(title="区长").holder.username == "leader"
    assert LeaderPost.objects.get(title="分管城建副区长").holder.username == "leader_cj"


def test_anonymous_404_page_renders_without_a_500(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_pages_are_chinese_even_for_an_english_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()


def test_home_shows_what_is_due_approvals_and_lights(client_as):
    reporter = client_as("zjj_reporter").get("/")
    assert reporter.context["due_count"] > 0 and "本单位待报送" in reporter.content.decode()
    assert "本单位红黄绿灯" in reporter.content.decode()
    office = client_as("office").get("/")
    assert "全区红黄绿灯" in office.content.decode() and office.context["district"].total == 13
    audit = client_as("auditadmin").get("/").content.decode()
    assert "红黄绿灯" not in audit  # the audit admin sees no business data


def test_home_lists_my_unread_notifications_including_followed_task_changes(client_as, users, task_by_object):
    from plans.follows import follow_toggle, followers_notify

    task = task_by_object("老旧小区改造提升")
    follow_toggle(actor=users["leader"], task=task)
    title = "关注事项有变化：老旧小区"
    followers_notify(task=task, kind="task.changed", title=title, body="", url=f"/tasks/{task.pk}/")
    page = client_as("leader").get("/").content.decode()
    assert 'data-testid="home-news"' in page and "关注事项有变化：老旧小区" in page
