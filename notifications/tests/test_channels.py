"""E-mail and robot deliveries against real receivers: an SMTP server and an HTTP robot endpoint on 127.0.0.1."""

import email
import email.policy
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Delivery, UnitWebhook
from notifications.services import delivery_retry, notify, webhook_create
from org.models import Unit

pytestmark = pytest.mark.django_db
SECRET = "SECd3b07384d113edec49eaa6238ad5ff00a1b2c3d4e5f60718293a4b5c6d7e8f90"


@pytest.fixture
def reporter(users):
    person = users["zjj_reporter"]
    person.email, person.phone = "zjj-reporter@erqi.example.gov.cn", "13800000001"
    person.save(update_fields=["email", "phone"])
    return person


def _notify(person, **kwargs):
    defaults = {
        "kind": "report.returned",
        "title": "报送被退回：T005 老旧小区改造提升",
        "body": "区住建局负责人退回了2021年12月26日的报送。原因：请补充竣工验收材料",
        "url": "/reports/1/edit/",
    }
    return notify(recipients=[person], **{**defaults, **kwargs})


# --- e-mail ----------------------------------------------------------------------------------------


def test_the_email_arrives_at_the_smtp_server_in_chinese(
    smtp_server, immediate_queue, reporter, settings, django_capture_on_commit_callbacks
):
    settings.LUOSHI_SITE_URL = "https://luoshi.erqi.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reporter)

    assert len(smtp_server.messages) == 1
    mail_from, rcpt_tos, raw = smtp_server.messages[0]
    assert rcpt_tos == ["zjj-reporter@erqi.example.gov.cn"]
    assert mail_from == settings.DEFAULT_FROM_EMAIL
    message = email.message_from_bytes(raw, policy=email.policy.default)
    with translation.override("zh-hans"):
        expected_subject = _("[Luoshi] %(title)s") % {"title": "报送被退回：T005 老旧小区改造提升"}
    # Django folds the encoded subject onto a continuation line; readers drop the fold's space.
    assert message["Subject"].strip() == expected_subject
    assert "=?utf-8?" in raw.decode("ascii", errors="replace")  # the header is RFC 2047-encoded UTF-8
    assert message.get_content_charset() == "utf-8"
    text = message.get_content()
    assert "原因：请补充竣工验收材料" in text
    assert "https://luoshi.erqi.example.gov.cn/reports/1/edit/" in text
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")


def test_an_unreachable_mail_server_leaves_the_email_waiting_for_a_retry(
    immediate_queue, reporter, settings, django_capture_on_commit_callbacks
):
    from notifications.tests.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reporter)

    delivery = Delivery.objects.get(channel="email")
    assert delivery.status == "retrying"
    assert delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()


def test_nothing_leaves_the_app_when_the_write_rolls_back(smtp_server, immediate_queue, reporter):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(reporter)
        raise RuntimeError("the service failed after notifying")
    # The on-commit queueing never ran (pytest's outer transaction commits nothing either way, so
    # check the queue directly: no delivery row survived, no message reached the server).
    assert Delivery.objects.count() == 0
    assert smtp_server.messages == []


# --- robots ----------------------------------------------------------------------------------------


def _hook(users, receiver, *, kind, secret="", fmt="markdown", path="/robot/send?access_token=tok"):
    return webhook_create(
        actor=users["sysadmin"],
        unit=Unit.objects.get(code="zjj"),
        kind=kind,
        url=receiver.url + path,
        secret=secret,
        message_format=fmt,
    )


def test_a_wecom_robot_receives_one_markdown_message_naming_every_recipient(
    robot_receiver, immediate_queue, users, reporter, django_capture_on_commit_callbacks
):
    _hook(users, robot_receiver, kind="wecom", path="/cgi-bin/webhook/send?key=abc-123")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[reporter, users["zjj_head"], users["fgw_reporter"]],
            kind="order.issued",
            title="督办单：T005 老旧小区改造提升",
            body="请于5个工作日内书面反馈。",
            url="/supervision/orders/7/",
        )

    # One message for 区住建局's group (two of its people), none for 区发改委 (no robot).
    assert len(robot_receiver.requests) == 1
    request = robot_receiver.requests[0]
    assert request["query"] == {"key": "abc-123"}
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = request["json"]
    assert set(body) == {"msgtype", "markdown"}
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**督办单：T005 老旧小区改造提升**")
    assert "> 请于5个工作日内书面反馈。" in content
    assert "(http://127.0.0.1:8000/supervision/orders/7/)" in content
    assert "区住建局填报员（演示）" in content and "区住建局负责人（演示）" in content
    assert "区发改委" not in content
    assert len(content.encode()) <= 4096
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.status == "sent"
    assert "abc-123" not in delivery.target  # the robot key is a secret: never in the log


def test_a_wecom_text_message_mentions_people_by_mobile(
    robot_receiver, immediate_queue, users, reporter, django_capture_on_commit_callbacks
):
    _hook(users, robot_receiver, kind="wecom", fmt="text", path="/cgi-bin/webhook/send?key=k")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reporter)
    body = robot_receiver.requests[0]["json"]
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert body["text"]["content"].startswith("报送被退回：T005 老旧小区改造提升\n")


def test_a_signed_dingtalk_robot_accepts_the_signature(
    robot_receiver, immediate_queue, users, reporter, django_capture_on_commit_callbacks
):
    robot_receiver.secret = SECRET
    _hook(users, robot_receiver, kind="dingtalk", secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reporter)

    request = robot_receiver.requests[0]
    assert request["sign_ok"] is True
    assert request["query"]["access_token"] == "tok"
    body = request["json"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "报送被退回：T005 老旧小区改造提升"
    assert body["markdown"]["text"].startswith("#### 报送被退回：T005 老旧小区改造提升")
    assert "@13800000001" in body["markdown"]["text"]
    assert body["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    assert Delivery.objects.get(channel="webhook").status == "sent"


def test_a_wrong_dingtalk_secret_is_a_failed_attempt_with_the_robots_answer(
    robot_receiver, immediate_queue, users, reporter, django_capture_on_commit_callbacks
):
    robot_receiver.secret = SECRET
    _hook(users, robot_receiver, kind="dingtalk", secret="SEC" + "0" * 64)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reporter)
    assert robot_receiver.requests[0]["sign_ok"] is False
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.status == "retrying"
    assert "310000" in delivery.last_error and "sign not match" in delivery.last_error


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_failing_robot_with_exponential_back_off(robot_receiver, run_worker, settings):
    """The real queue (django-tasks database backend) and its real worker: 500, 500, then accepted.

    Committed transactions, as in production: the worker checks its connection between tasks, which
    it may not do inside a test's wrapping transaction on PostgreSQL.
    """
    from accounts.models import User
    from org.demo import load_demo_organisation

    load_demo_organisation()  # transactional tests start from the committed demo data, or recreate it
    reporter = User.objects.get(username="zjj_reporter")
    reporter.email, reporter.phone = "zjj-reporter@erqi.example.gov.cn", "13800000001"
    reporter.save(update_fields=["email", "phone"])
    settings.LUOSHI_NOTIFY_EMAIL = False
    settings.LUOSHI_NOTIFY_RETRY_BASE_SECONDS = 60
    robot_receiver.secret = SECRET
    robot_receiver.script = [500, 500]
    _hook({"sysadmin": User.objects.get(username="sysadmin")}, robot_receiver, kind="dingtalk", secret=SECRET)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _notify(reporter)  # autocommit: queued on commit, at once
        assert robot_receiver.requests == []  # queued, not sent in the request

        run_worker()
        delivery = Delivery.objects.get(channel="webhook")
        assert (len(robot_receiver.requests), delivery.status, delivery.attempts) == (1, "retrying", 1)
        assert "HTTP 500" in delivery.last_error
        assert delivery.next_attempt_at == start + timedelta(seconds=60)

        clock.shift(timedelta(seconds=30))
        run_worker()  # not due yet: the worker leaves it
        assert len(robot_receiver.requests) == 1

        clock.shift(timedelta(seconds=31))
        run_worker()
        delivery.refresh_from_db()
        assert (len(robot_receiver.requests), delivery.status, delivery.attempts) == (2, "retrying", 2)
        assert delivery.next_attempt_at == start + timedelta(seconds=61 + 120)  # twice the pause

        clock.shift(timedelta(seconds=120))
        run_worker()
        delivery.refresh_from_db()
        assert (len(robot_receiver.requests), delivery.status, delivery.attempts) == (3, "sent", 3)
        assert delivery.last_error == ""
    assert all(r["sign_ok"] for r in robot_receiver.requests)
    assert len({r["raw"] for r in robot_receiver.requests}) == 1  # the same message each time


def test_the_admin_sees_a_delivery_that_gave_up_and_can_send_it_again(
    robot_receiver, immediate_queue, users, reporter, client_as, settings, django_capture_on_commit_callbacks
):
    settings.LUOSHI_NOTIFY_MAX_ATTEMPTS = 1
    robot_receiver.script = [500, 500]
    _hook(users, robot_receiver, kind="wecom", path="/cgi-bin/webhook/send?key=k")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(reporter)
    delivery = Delivery.objects.get(channel="webhook")
    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)

    page = client_as("sysadmin").get("/notifications/webhooks/")
    html = page.content.decode()
    assert "HTTP 500" in html and "报送被退回" in html
    assert f'data-testid="retry-{delivery.pk}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=users["sysadmin"], delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)  # the receiver still answers 500
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=users["sysadmin"], delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert len(robot_receiver.requests) == 3


def test_an_inactive_robot_gets_nothing(robot_receiver, immediate_queue, users, reporter):
    hook = _hook(users, robot_receiver, kind="wecom", path="/cgi-bin/webhook/send?key=k")
    UnitWebhook.objects.filter(pk=hook.pk).update(is_active=False)
    _notify(reporter)
    assert not Delivery.objects.filter(channel="webhook").exists()
