"""Reads on the audit log, shared by the page, the export and the API."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    verb: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_event_list(f: AuditFilter) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.order_by("-id")
    if f.actor:
        qs = qs.filter(actor_username__iexact=f.actor)
    if f.verb:
        qs = qs.filter(verb=f.verb)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.date_from:
        qs = qs.filter(at__gte=_local_midnight(f.date_from))
    if f.date_to:
        # Inclusive of the whole last day, in Asia/Shanghai.
        qs = qs.filter(at__lt=_local_midnight(f.date_to + timedelta(days=1)))
    return qs


def audit_verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("verb").values_list("verb", flat=True).distinct())


def audit_object_types() -> list[str]:
    return list(AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct())
