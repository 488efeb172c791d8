from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """审计日志: who did what to which object, before/after, when, from where; chained by HMAC (audit/chain.py)."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # PROTECT: a user with a trail is deactivated, never deleted, so actor_id stays as hashed.
    actor_username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    verb = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    # Which key of settings.AUDIT_KEYRING sealed the event (keys rotate; old ones stay for verifying).
    key_id = models.CharField(max_length=32)
    # The chain the event was appended to (AuditChainHead.id); prev_hash is the previous event of that
    # chain. db_default: rows written before there were several chains, and raw inserts, are chain 1.
    chain = models.PositiveSmallIntegerField(default=1, db_default=1)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.verb} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The head of one chain: its newest hash and its event count; the id is the chain's number.

    There are settings.AUDIT_CHAINS of them (created on first use). A transaction appends all its
    events to one chain: it locks the first head no other transaction holds (SELECT … FOR UPDATE
    SKIP LOCKED, audit/services.py) and keeps it until commit, so two events never claim the same
    predecessor while writers on other connections use other chains. The count lets audit_verify
    notice when a chain's newest events were deleted.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain {self.id} head ({self.count} events)"
