"""Reads on notifications, follows, unit webhooks and deliveries, shared by pages, the API and the bell."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from core.access import out_of_scope
from notifications.models import Delivery, Follow, Notification, UnitWebhook

# Labels for the kinds other apps send (services.notify docstring); an unknown kind shows its code.
KIND_LABELS = {
    "report.due": _("Report due"),
    "report.late": _("Report late"),
    "report.submitted": _("Report to approve"),
    "report.returned": _("Report returned"),
    "report.approved": _("Report approved"),
    "order.issued": _("Supervision order issued"),
    "order.due": _("Order response due"),
    "order.late": _("Order response late"),
    "order.escalated": _("Order escalated"),
    "order.responded": _("Order responded"),
    "order.returned": _("Order response sent back"),
    "order.closed": _("Order closed"),
    "rectification.assigned": _("Rectification assigned"),
    "rectification.late": _("Rectification late"),
    "instruction.received": _("Instruction received"),
    "followup.answered": _("Follow-up answered"),
    "followup.accepted": _("Follow-up answer accepted"),
    "followup.returned": _("Follow-up answer sent back"),
    "task.changed": _("Followed task changed"),
    "webhook.test": _("Test message"),
}
# Kinds that ask the reader to act (shown with the warning colour in the inbox).
URGENT_KINDS = frozenset(
    {"report.late", "order.late", "order.escalated", "order.returned", "followup.returned", "rectification.late"}
)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another person's inbox)."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user) -> int:
    """The bell's number: one indexed count (notification_unread_idx)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_counts(user) -> tuple[int, int]:
    """(all, unread) of the user's notifications in one query: the inbox API's count and bell number."""
    counts = Notification.objects.filter(recipient=user).aggregate(
        total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True))
    )
    return counts["total"], counts["unread"]


def notification_get_for_user(user, pk: int) -> Notification:
    """The user's own notification, or 404 (someone else's notification does not exist for them)."""
    try:
        return Notification.objects.get(pk=pk, recipient=user)
    except Notification.DoesNotExist as exc:
        raise out_of_scope(Notification, pk) from exc


def followed_ids(user, model) -> set[int]:
    """The ids of the objects of one model (tasks, projects …) the user follows."""
    return set(Follow.objects.of_model(model).filter(user=user).values_list("target_id", flat=True))


def follower_count(obj) -> int:
    return Follow.objects.of(obj).count()


def webhook_list() -> QuerySet[UnitWebhook]:
    return UnitWebhook.objects.select_related("unit").order_by("unit__sort_key", "id")


def delivery_list(*, status: str = "", channel: str = "") -> QuerySet[Delivery]:
    """The delivery log for the system admin: failures first when no status is chosen."""
    qs = Delivery.objects.select_related("notification", "notification__recipient", "webhook__unit")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("-created_at", "-id")


def delivery_counts() -> dict[str, int]:
    """Deliveries per status, for the summary line above the log."""
    from django.db.models import Count

    counts = {s: 0 for s in Delivery.Status.values}
    for row in Delivery.objects.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def delivery_get(pk: int) -> Delivery:
    try:
        return Delivery.objects.get(pk=pk)
    except Delivery.DoesNotExist as exc:
        raise Http404 from exc
