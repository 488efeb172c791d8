"""Writes on notifications: notify people, mark read, configure unit webhooks, deliver.

The contract other apps code against (supervision, reports, the nightly sweep)::

    notify(*, recipients: Iterable[User], kind: str, title: str, body: str = "", url: str = "",
           obj: Model | None = None, dedupe_key: str = "") -> list[Notification]

- Creates one in-app `Notification` (the inbox, the bell) per **active** recipient; a person named
  twice in `recipients` gets one. Returns the rows created now.
- `kind` is a short code: "report.due", "report.late", "report.submitted", "report.returned",
  "report.approved", "order.issued", "order.due", "order.late", "order.escalated",
  "instruction.received", "followup.answered", "task.changed" (any short dotted code is accepted;
  the inbox shows a label for the known ones).
- `title` and `body` are shown as given (translate them before calling); `url` is a path on this site
  ("/reports/12/"), made absolute for e-mail and robots with settings.LUOSHI_SITE_URL.
- `obj` names the object the event is about (stored as app_label.model + pk, like the audit log).
- `dedupe_key`: when given, the same (recipient, dedupe_key) is never notified twice, even by two
  sweeps at once (a unique constraint decides); recipients already notified are skipped and not
  returned. The nightly sweep relies on this: key it by object and period, e.g.
  f"report.due:{task.pk}:{unit.pk}:{period_end}".
- Delivery on the other channels is queued, never done in the request: an e-mail to each new
  recipient with an address, and one robot message per unit webhook of the recipients' units
  (naming the recipients). The queueing runs on commit of the caller's transaction
  (`transaction.on_commit`), so a rolled-back write notifies nobody outside the app.
- Call it inside the caller's service transaction, after audit_record.

Following (SPEC §8): the `Follow` table is generic (any object: a task, a project …) and so are its
services, `notifications.follows` (`follow_toggle`, `follow_set`, `followers_notify`, each given the
kind's `visible_to(user)` rule); `plans.follows` is the task-shaped wrapper (who may read a task is a
plans rule). Report events and the nightly report reminders: `reports.notices`, `reports.reminders`.
For the nightly sweep here: `deliveries_requeue()` (queue again deliveries whose enqueue was lost).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from notifications.models import Delivery, Notification, UnitWebhook
from notifications.robots import redact_url

logger = logging.getLogger(__name__)

WEBHOOK_FIELDS = ["unit", "kind", "url", "secret", "message_format", "is_active"]


def _object_ref(obj: Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


# No savepoint: notify runs inside the caller's transaction (a submission, an approval) and an error
# must abort it anyway; a savepoint costs two round trips per call.
@transaction.atomic(savepoint=False)
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: Model | None = None,
    dedupe_key: str = "",
) -> list[Notification]:
    """One in-app notification per active recipient, deliveries queued on commit (see the module docstring)."""
    people: dict[int, User] = {}
    for person in recipients:
        if person is not None and person.pk and person.is_active:
            people.setdefault(person.pk, person)
    if not people:
        return []
    object_type, object_id = _object_ref(obj)
    title, dedupe_key = title[:200], dedupe_key[:200]

    def row(person) -> Notification:
        return Notification(
            recipient=person,
            kind=kind[:40],
            title=title,
            body=body,
            url=url[:500],
            object_type=object_type,
            object_id=object_id,
            dedupe_key=dedupe_key,
        )

    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient_id__in=people, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        created = []
        for pk, person in people.items():
            if pk in already:
                continue
            try:
                # A savepoint per row: a concurrent sweep that inserted the same key first wins, we skip.
                with transaction.atomic():
                    note = row(person)
                    note.save()
            except IntegrityError:
                continue
            created.append(note)
    else:
        created = Notification.objects.bulk_create([row(p) for p in people.values()])
    deliveries = _plan_deliveries(created)
    if deliveries:
        ids = [d.pk for d in deliveries]
        # robust: a queue that cannot be reached must not fail the write that notified;
        # the delivery rows stay pending and `notifications_requeue` picks them up.
        transaction.on_commit(lambda: deliveries_enqueue(ids), robust=True)
    return created


def _plan_deliveries(created: list[Notification]) -> list[Delivery]:
    """The outside deliveries for freshly created notifications: e-mails and one robot message per unit webhook."""
    if not created:
        return []
    now = timezone.now()
    rows: list[Delivery] = []
    if getattr(settings, "LUOSHI_NOTIFY_EMAIL", True):
        for note in created:
            address = (note.recipient.email or "").strip()
            if address:
                rows.append(
                    Delivery(channel=Delivery.Channel.EMAIL, notification=note, target=address, next_attempt_at=now)
                )
    by_unit: dict[int, list[Notification]] = defaultdict(list)
    for note in created:
        if note.recipient.unit_id:
            by_unit[note.recipient.unit_id].append(note)
    if by_unit:
        for hook in UnitWebhook.objects.filter(unit_id__in=by_unit, is_active=True).order_by("pk"):
            notes = by_unit[hook.unit_id]
            rows.append(
                Delivery(
                    channel=Delivery.Channel.WEBHOOK,
                    notification=notes[0],
                    webhook=hook,
                    target=redact_url(hook.url),
                    mentions=[{"name": str(n.recipient), "phone": (n.recipient.phone or "").strip()} for n in notes],
                    next_attempt_at=now,
                )
            )
    return Delivery.objects.bulk_create(rows) if rows else []


def deliveries_enqueue(ids: Iterable[int], *, run_after: datetime | None = None) -> None:
    """Hand deliveries to the background queue (django-tasks). Never sends anything itself."""
    from notifications.tasks import deliver

    task = deliver
    if run_after is not None:
        if not deliver.get_backend().supports_defer:
            return  # an immediate backend cannot wait: `notifications_requeue` retries when due
        task = deliver.using(run_after=run_after)
    for pk in ids:
        task.enqueue(pk)


def deliveries_requeue(*, now: datetime | None = None) -> int:
    """Queue again every pending or retrying delivery whose next attempt is due (lost enqueues, a queue outage).

    Safe to run often: an attempt claims its delivery first, so a delivery queued twice is sent once.
    """
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(
            status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING], next_attempt_at__lte=now
        ).values_list("pk", flat=True)
    )
    deliveries_enqueue(ids)
    return len(ids)


# --- delivery attempts (run by the queue worker) -------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after the n-th failed attempt: base, 2×base, 4×base … capped."""
    base = settings.LUOSHI_NOTIFY_RETRY_BASE_SECONDS
    cap = settings.LUOSHI_NOTIFY_RETRY_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for one attempt, or None when it is done or not yet due.

    The claim is its own short transaction: the network call happens outside any lock (SQLite's write
    lock is database-wide), and a lease in next_attempt_at keeps a second worker away meanwhile.
    """
    now = timezone.now()
    with transaction.atomic():
        try:
            delivery = (
                # of=self: PostgreSQL cannot lock the nullable side (webhook) of the outer join.
                Delivery.objects.select_for_update(of=("self",))
                .select_related("notification__recipient", "webhook")
                .get(pk=delivery_id)
            )
        except Delivery.DoesNotExist:
            return None
        if delivery.status not in (Delivery.Status.PENDING, Delivery.Status.RETRYING):
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=settings.LUOSHI_NOTIFY_LEASE_SECONDS)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    return delivery


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one delivery once; on failure schedule the next try with back-off, or give up after the last."""
    from notifications import channels

    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            channels.send_email(delivery)
        else:
            if delivery.webhook is None or not delivery.webhook.is_active:
                raise channels.DeliveryError(_("The webhook was removed or switched off."))
            channels.send_webhook(delivery)
    except channels.DeliveryError as exc:
        return _record_failure(delivery, str(exc))
    except Exception as exc:  # noqa: BLE001  (any bug or network oddity is a failed attempt, logged, retried)
        logger.exception("delivery %s failed", delivery.pk)
        return _record_failure(delivery, f"{type(exc).__name__}: {exc}")
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=now, last_error="", next_attempt_at=None, updated_at=now
    )
    delivery.status, delivery.sent_at, delivery.next_attempt_at = Delivery.Status.SENT, now, None
    return delivery


def _record_failure(delivery: Delivery, error: str) -> Delivery:
    now = timezone.now()
    delivery.last_error = error[:2000]
    if delivery.attempts >= settings.LUOSHI_NOTIFY_MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        logger.warning("delivery %s gave up after %s attempts: %s", delivery.pk, delivery.attempts, error)
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status, last_error=delivery.last_error, next_attempt_at=delivery.next_attempt_at, updated_at=now
    )
    if delivery.status == Delivery.Status.RETRYING:
        deliveries_enqueue([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery


@transaction.atomic
def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """The system admin sends a failed (or waiting) delivery again now, with a fresh set of attempts."""
    if not actor.has_luoshi_perm(Perm.ORG_MANAGE):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status == Delivery.Status.SENT:
        raise ServiceError(_("This message was already delivered."), code="sent")
    before = {"status": locked.status, "attempts": locked.attempts}
    locked.status, locked.attempts, locked.next_attempt_at = Delivery.Status.PENDING, 0, timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(actor=actor, verb="delivery.retry", obj=locked, before=before, after={"status": locked.status})
    pk = locked.pk
    transaction.on_commit(lambda: deliveries_enqueue([pk]), robust=True)
    return locked


# --- the inbox ------------------------------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (idempotent). Not audited: reading is not a change of record."""
    if notification.recipient_id != actor.pk:
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    if notification.read_at is None:
        now = timezone.now()
        # Conditional update: two tabs marking the same notification keep the first read time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


# --- unit webhooks (configured by the system admin) -----------------------------------------------


def _webhook_snapshot(hook: UnitWebhook) -> dict:
    # The URL's query holds the robot's token: the audit log keeps the address without it.
    return {
        "unit": hook.unit_id,
        "kind": hook.kind,
        "url": redact_url(hook.url),
        "signed": bool(hook.secret),
        "message_format": hook.message_format,
        "is_active": hook.is_active,
    }


def _check_admin(actor) -> None:
    if not actor.has_luoshi_perm(Perm.ORG_MANAGE):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


def webhook_url_problem(url: str) -> str | None:
    """A message for the form when the URL cannot be a robot webhook, else None."""
    from notifications import robots

    problem = robots.url_problem(url)
    if problem == "scheme":
        return _("The webhook address must start with http:// or https://.")
    if problem:
        return _("Enter a complete webhook address, as the robot's settings page shows it.")
    return None


def _validate_webhook(*, kind: str, url: str, secret: str, message_format: str) -> None:
    from notifications import robots

    if kind not in UnitWebhook.Kind.values:
        raise ServiceError(_("Choose WeCom or DingTalk."), field="kind")
    if message_format not in UnitWebhook.Format.values:
        raise ServiceError(_("Choose Markdown or plain text."), field="message_format")
    problem = webhook_url_problem(url)
    if problem:
        raise ServiceError(problem, field="url")
    if secret:
        if kind != UnitWebhook.Kind.DINGTALK:
            raise ServiceError(_("Only a DingTalk robot takes a signing secret."), field="secret")
        if not robots.is_dingtalk_secret(secret):
            raise ServiceError(
                _("A DingTalk signing secret is SEC followed by letters and digits, as the robot's page shows it."),
                field="secret",
            )


@transaction.atomic
def webhook_create(
    *,
    actor,
    unit,
    kind: str,
    url: str,
    secret: str = "",
    message_format: str = UnitWebhook.Format.MARKDOWN,
    is_active: bool = True,
) -> UnitWebhook:
    """Configure a unit's group robot (system admin)."""
    _check_admin(actor)
    url, secret = url.strip(), secret.strip()
    _validate_webhook(kind=kind, url=url, secret=secret, message_format=message_format)
    hook = UnitWebhook.objects.create(
        unit=unit, kind=kind, url=url, secret=secret, message_format=message_format, is_active=is_active
    )
    audit_record(actor=actor, verb="webhook.create", obj=hook, after=_webhook_snapshot(hook))
    return hook


@transaction.atomic
def webhook_update(
    *,
    actor,
    hook: UnitWebhook,
    unit,
    kind: str,
    url: str,
    secret: str = "",
    message_format: str = UnitWebhook.Format.MARKDOWN,
    is_active: bool = True,
) -> UnitWebhook:
    _check_admin(actor)
    url, secret = url.strip(), secret.strip()
    _validate_webhook(kind=kind, url=url, secret=secret, message_format=message_format)
    hook = UnitWebhook.objects.select_for_update().get(pk=hook.pk)
    before = _webhook_snapshot(hook)
    hook.unit, hook.kind, hook.url, hook.secret = unit, kind, url, secret
    hook.message_format, hook.is_active = message_format, is_active
    hook.save(update_fields=[*WEBHOOK_FIELDS, "updated_at"])
    audit_record(actor=actor, verb="webhook.update", obj=hook, before=before, after=_webhook_snapshot(hook))
    return hook


@transaction.atomic
def webhook_delete(*, actor, hook: UnitWebhook) -> None:
    _check_admin(actor)
    audit_record(actor=actor, verb="webhook.delete", obj=hook, before=_webhook_snapshot(hook))
    hook.delete()


@transaction.atomic
def webhook_test(*, actor, hook: UnitWebhook) -> Delivery:
    """Queue a test message to the robot, so the admin sees it arrive (or the error) on the delivery list."""
    _check_admin(actor)
    note = Notification.objects.create(
        recipient=actor,
        kind="webhook.test",
        title=_("Test message from Luoshi"),
        body=_("If this message appears in the group, the robot of %(unit)s is set up correctly.")
        % {"unit": hook.unit},
        url="",
        object_type=hook._meta.label_lower,
        object_id=str(hook.pk),
        read_at=timezone.now(),  # the admin's own copy is only the log's anchor, not news
    )
    delivery = Delivery.objects.create(
        channel=Delivery.Channel.WEBHOOK,
        notification=note,
        webhook=hook,
        target=redact_url(hook.url),
        mentions=[],
        next_attempt_at=timezone.now(),
    )
    audit_record(actor=actor, verb="webhook.test", obj=hook, after={"delivery": delivery.pk})
    pk = delivery.pk
    transaction.on_commit(lambda: deliveries_enqueue([pk]), robust=True)
    return delivery
