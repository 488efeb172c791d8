"""The inbox, the bell, following a task, and the system admin's robot and delivery pages."""

import pytest

from audit.models import AuditEvent
from notifications.models import Delivery, Follow, Notification, UnitWebhook
from notifications.services import notify
from org.models import Unit

pytestmark = pytest.mark.django_db
SECRET = "SEC" + "0123456789abcdef" * 4


@pytest.fixture
def old_compounds(task_by_object):
    return task_by_object("老旧小区改造提升")


def _two_for_reporter(users):
    a = notify(recipients=[users["zjj_reporter"]], kind="report.returned", title="报送被退回：T005", url="/reports/")
    b = notify(
        recipients=[users["zjj_reporter"]],
        kind="order.escalated",
        title="督办升级：二七督〔2021〕3号",
        body="请尽快反馈",
    )
    return a[0], b[0]


def test_the_bell_shows_the_unread_count_on_every_page(client_as, users):
    _two_for_reporter(users)
    client = client_as("zjj_reporter")
    for path in ("/", "/reports/", "/tasks/"):
        html = client.get(path).content.decode()
        assert 'data-testid="bell-count">2</span>' in html, path
    assert 'data-testid="bell-count"' not in client_as("zjj_head").get("/").content.decode()


def test_the_inbox_lists_only_my_notifications_newest_first(client_as, users):
    notify(recipients=[users["zjj_head"]], kind="report.submitted", title="他人的通知")
    _two_for_reporter(users)
    response = client_as("zjj_reporter").get("/notifications/")
    titles = [n.title for n in response.context["page"]]
    assert titles == ["督办升级：二七督〔2021〕3号", "报送被退回：T005"]
    html = response.content.decode()
    assert "他人的通知" not in html and "请尽快反馈" in html


def test_unread_filter(client_as, users):
    first, _second = _two_for_reporter(users)
    client = client_as("zjj_reporter")
    client.post(f"/notifications/{first.pk}/read/")
    titles = [n.title for n in client.get("/notifications/?unread=1").context["page"]]
    assert titles == ["督办升级：二七督〔2021〕3号"]


def test_mark_read_with_htmx_updates_the_row_and_the_bell(client_as, users):
    first, _second = _two_for_reporter(users)
    response = client_as("zjj_reporter").post(f"/notifications/{first.pk}/read/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="note-{first.pk}"' in html and "mark-read" not in html  # the row, now read
    assert 'id="bell"' in html and 'hx-swap-oob="true"' in html and 'data-testid="bell-count">1</span>' in html
    assert Notification.objects.get(pk=first.pk).read_at is not None


def test_opening_a_notification_marks_it_read_and_goes_to_its_item(client_as, users):
    first, _second = _two_for_reporter(users)
    response = client_as("zjj_reporter").post(f"/notifications/{first.pk}/read/", {"next": "/reports/"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    # An outside address is never followed.
    response = client_as("zjj_reporter").post(f"/notifications/{first.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


@pytest.mark.parametrize("target", ["1e16", "inbox", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"])
def test_a_next_that_is_not_a_path_on_this_site_goes_to_the_fallback(client_as, users, target):
    # Found by bench/probe.py: a bare word was taken for a URL name by redirect() and the page answered 500.
    first, _second = _two_for_reporter(users)
    response = client_as("zjj_reporter").post(f"/notifications/{first.pk}/read/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_someone_elses_notification_is_404(client_as, users):
    first, _second = _two_for_reporter(users)
    assert client_as("zjj_head").post(f"/notifications/{first.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=first.pk).read_at is None


def test_mark_all_read(client_as, users):
    _two_for_reporter(users)
    client = client_as("zjj_reporter")
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=users["zjj_reporter"], read_at__isnull=True).exists()
    assert 'data-testid="bell-count"' not in client.get("/").content.decode()


def test_follow_button_on_the_task_page(client_as, users, old_compounds):
    client = client_as("leader")
    page = client.get(f"/tasks/{old_compounds.pk}/").content.decode()
    assert 'data-testid="follow"' in page and 'aria-pressed="false"' in page
    response = client.post(f"/notifications/follow/{old_compounds.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{old_compounds.pk}/"
    assert Follow.objects.of(old_compounds).filter(user=users["leader"]).exists()
    assert 'aria-pressed="true"' in client.get(f"/tasks/{old_compounds.pk}/").content.decode()
    htmx = client.post(f"/notifications/follow/{old_compounds.pk}/", headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in htmx.content.decode()
    assert not Follow.objects.exists()


def test_a_task_outside_my_scope_cannot_be_followed(client_as, old_compounds):
    assert client_as("fgw_reporter").post(f"/notifications/follow/{old_compounds.pk}/").status_code == 404
    assert not Follow.objects.exists()


# --- robots (system admin) -------------------------------------------------------------------------


def _form(**overrides):
    data = {
        "unit": Unit.objects.get(code="zjj").pk,
        "kind": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": SECRET,
        "message_format": "markdown",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_the_admin_configures_a_robot_and_it_is_audited(client_as):
    client = client_as("sysadmin")
    response = client.post("/notifications/webhooks/new/", _form())
    assert response.status_code == 302
    hook = UnitWebhook.objects.get()
    assert (hook.kind, hook.secret, hook.is_active) == ("dingtalk", SECRET, True)
    event = AuditEvent.objects.filter(verb="webhook.create").latest("id")
    assert event.after["url"] == "https://oapi.dingtalk.com/robot/send"  # the token is not in the audit log
    assert "abc" not in str(event.after) and SECRET not in str(event.after)
    assert "区住建局" in client.get("/notifications/webhooks/").content.decode()

    response = client.post(f"/notifications/webhooks/{hook.pk}/edit/", _form(kind="wecom", secret="", is_active=""))
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.kind, hook.is_active) == ("wecom", False)
    client.post(f"/notifications/webhooks/{hook.pk}/delete/")
    assert not UnitWebhook.objects.exists()
    assert AuditEvent.objects.filter(verb__in=["webhook.update", "webhook.delete"]).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"url": "ftp://robot.local/send"}, "url", "The webhook address must start with http:// or https://."),
        ({"url": "javascript:alert(1)"}, "url", "The webhook address must start with http:// or https://."),
        ({"url": "https://"}, "url", "Enter a complete webhook address, as the robot's settings page shows it."),
        ({"url": ""}, "url", "This field is required."),
        (
            {"secret": "not-a-secret"},
            "secret",
            "A DingTalk signing secret is SEC followed by letters and digits, as the robot's page shows it.",
        ),
        ({"kind": "wecom"}, "secret", "Only a DingTalk robot takes a signing secret."),
        ({"kind": "slack"}, "kind", None),
    ],
)
def test_bad_robot_settings_are_refused_with_a_message_and_nothing_saved(client_as, overrides, field, message):
    from django.utils import translation
    from django.utils.translation import gettext

    response = client_as("sysadmin").post("/notifications/webhooks/new/", _form(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    if message:
        with translation.override("zh-hans"):
            assert gettext(message) in errors[field]
    assert not UnitWebhook.objects.exists()
    assert not AuditEvent.objects.filter(verb="webhook.create").exists()


def test_the_service_refuses_what_the_form_would(users):
    from core.errors import ServiceError
    from notifications.services import webhook_create

    with pytest.raises(ServiceError) as exc:
        webhook_create(actor=users["sysadmin"], unit=Unit.objects.get(code="zjj"), kind="wecom", url="file:///x")
    assert exc.value.field == "url"
    with pytest.raises(ServiceError) as exc:
        webhook_create(actor=users["office"], unit=Unit.objects.get(code="zjj"), kind="wecom", url="http://r/s")
    assert exc.value.code == "forbidden"
    assert not UnitWebhook.objects.exists()


def test_a_test_message_is_queued_and_logged(client_as, users, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    hook = UnitWebhook.objects.create(unit=Unit.objects.get(code="zjj"), kind="wecom", url="http://robot.local/s")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_as("sysadmin").post(f"/notifications/webhooks/{hook.pk}/test/")
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.webhook, delivery.status) == (hook, "pending")
    # One delivery enqueued after commit; the audit log's chain marker (audit/services.py) is not a job.
    assert len([c for c in callbacks if c.__name__ != "chain_released"]) == 1
    assert AuditEvent.objects.filter(verb="webhook.test").exists()


def test_the_delivery_log_filters_by_status(client_as, users):
    note = notify(recipients=[users["zjj_reporter"]], kind="order.issued", title="督办单")[0]
    Delivery.objects.create(channel="email", notification=note, target="a@x.cn", status="failed", last_error="boom")
    Delivery.objects.create(channel="email", notification=note, target="b@x.cn", status="sent")
    client = client_as("sysadmin")
    failed = client.get("/notifications/deliveries/?status=failed")
    assert [d.target for d in failed.context["page"]] == ["a@x.cn"]
    assert "boom" in failed.content.decode()
    assert len(client.get("/notifications/deliveries/?status=bogus").context["page"]) == 2


def test_a_sent_delivery_cannot_be_retried(client_as, users):
    note = notify(recipients=[users["zjj_reporter"]], kind="order.issued", title="督办单")[0]
    sent = Delivery.objects.create(channel="email", notification=note, target="a@x.cn", status="sent")
    response = client_as("sysadmin").post(f"/notifications/deliveries/{sent.pk}/retry/")
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == "sent" and sent.attempts == 0
