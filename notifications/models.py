"""Notifications (通知): the in-app inbox, follows, unit webhooks and the delivery log.

One `Notification` row per person and event is the inbox; `Delivery` rows are
the same event on the other channels (e-mail, a unit's group robot), each
tried by the background queue with exponential back-off until sent or given up.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """通知: one event for one person (报送到期, 退回, 督办单下发 …), read or unread."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    # A short code such as "report.returned" or "order.escalated" (see services.KINDS).
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    # Where the event is handled in the app: a path on this site ("/reports/12/").
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The object the event is about, like the audit log names it (app_label.model + pk).
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # The nightly sweep notifies "report X due for period P" every night it runs; the key makes it once.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    # Not columns: set by the inbox views for display (selectors.kind_label, selectors.URGENT_KINDS).
    kind_label: str
    is_urgent: bool

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Idempotence of notify(dedupe_key=…) under concurrent sweeps: the database refuses the second row.
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_unique_dedupe"
            )
        ]
        indexes = [
            # The bell on every page: count of a person's unread notifications.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The inbox list: a person's newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class FollowQuerySet(models.QuerySet["Follow"]):
    def of(self, obj) -> "FollowQuerySet":
        """The follows of one object (a task, a project …)."""
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk)

    def of_model(self, model) -> "FollowQuerySet":
        """The follows of every object of one model (`.values("target_id")` for a semi-join)."""
        return self.filter(target_type=ContentType.objects.get_for_model(model))


class Follow(models.Model):
    """关注: a person follows an object (a task, a project, any model) and hears when it changes (SPEC §8).

    Generic (content type + id), so every kind of followed object shares one table and one set of
    services (`notifications.follows`); who may read an object, and so follow it, is its own app's rule,
    passed in by that app (`plans.follows` for tasks). Tasks are only ever soft-deleted, so no follow
    is left pointing at nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="follow_unique_user_target")
        ]
        # The followers of one object (notify them, count them).
        indexes = [models.Index(fields=["target_type", "target_id"], name="follow_target_idx")]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.target_type_id}:{self.target_id}"


class UnitWebhook(models.Model):
    """单位群机器人: a WeCom (企业微信) or DingTalk (钉钉) group robot that hears its unit's notifications."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom robot")
        DINGTALK = "dingtalk", _("DingTalk robot")

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        TEXT = "text", _("Plain text")

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    message_format = models.CharField(
        _("message format"), max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )
    # DingTalk "加签" secret (SEC…): when set, each call is signed with timestamp + HMAC-SHA256.
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__sort_key", "id"]
        verbose_name = _("unit webhook")
        verbose_name_plural = _("unit webhooks")

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"


class Delivery(models.Model):
    """投递记录: one notification on one outside channel (an e-mail, a robot message) and its attempts."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # E-mail: the notification of its one recipient. Webhook: the first of the unit's notifications
    # for the event (one robot message per unit and event, naming every recipient).
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    webhook = models.ForeignKey(
        UnitWebhook, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    # The e-mail address, or the webhook URL without its query string (tokens are not logged).
    target = models.CharField(_("target"), max_length=500)
    # Webhook: the people the robot message names (display names), frozen at notify time.
    mentions = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The retry sweep and the admin's failure list: deliveries by status and due time.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next_idx"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.channel} {self.target} {self.status}"
