"""Sending one delivery: an e-mail through Django's e-mail backend, or a robot message over HTTP.

Called only by the queue worker (services.delivery_attempt); a failure raises DeliveryError with a
message for the administrator's delivery list, and the caller schedules the retry.
"""

import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from notifications import robots
from notifications.models import Delivery


class DeliveryError(Exception):
    """The channel refused or could not be reached; the text goes to Delivery.last_error."""


def absolute_url(path: str) -> str:
    if not path or "://" in path:
        return path
    return str(settings.LUOSHI_SITE_URL).rstrip("/") + "/" + path.lstrip("/")


def send_email(delivery: Delivery) -> None:
    note = delivery.notification
    # The e-mail is written in the district's language, whatever language the sender's screen used.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Luoshi] %(title)s") % {"title": note.title}
        lines = [note.title, ""]
        if note.body:
            lines += [note.body, ""]
        if note.url:
            lines += [_("Open in Luoshi: %(url)s") % {"url": absolute_url(note.url)}, ""]
        lines.append(_("This message was sent by Luoshi; your inbox in the app lists every notification."))
    message = EmailMessage(
        subject=subject.replace("\n", " ")[:200],
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.target],
    )
    try:
        sent = message.send(fail_silently=False)
    except Exception as exc:  # smtplib, socket and TLS errors all mean: try again later
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if sent != 1:
        raise DeliveryError("the e-mail backend accepted no message")


def robot_message(delivery: Delivery) -> robots.RobotMessage:
    note = delivery.notification
    with translation.override(settings.LANGUAGE_CODE):
        label = _("Open in Luoshi")
    return robots.RobotMessage(
        title=note.title,
        body=note.body,
        link=absolute_url(note.url),
        link_label=str(label),
        names=[m.get("name", "") for m in delivery.mentions if m.get("name")],
        phones=[m["phone"] for m in delivery.mentions if m.get("phone")],
    )


def send_webhook(delivery: Delivery) -> None:
    hook = delivery.webhook
    if hook is None:  # the robot was removed after the delivery was queued
        raise DeliveryError("no robot for this delivery")
    body = robots.encode(robots.payload(hook.kind, robot_message(delivery), fmt=hook.message_format))
    url = hook.url
    if hook.kind == robots.DINGTALK and hook.secret:
        url = robots.signed_url(url, hook.secret, int(time.time() * 1000))
    if robots.url_problem(url):  # checked on save too; a file: or ftp: URL must never reach urlopen
        raise DeliveryError(f"not an http(s) URL: {robots.redact_url(url)}")
    request = urllib.request.Request(  # noqa: S310  (http(s) only, checked just above)
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.LUOSHI_NOTIFY_WEBHOOK_TIMEOUT) as response:  # noqa: S310  (http(s) only, checked on save)
            error = robots.response_error(response.status, response.read(64 * 1024))
    except urllib.error.HTTPError as exc:
        error = robots.response_error(exc.code, exc.read(64 * 1024) if exc.fp else b"")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        error = f"{type(exc).__name__}: {reason}"
    if error:
        raise DeliveryError(error)
