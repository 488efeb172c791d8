"""REST API for the caller's own notifications, as the pages show them (task follows: plans.api)."""

from datetime import datetime

from django.core.paginator import Paginator
from ninja import Query, Router, Status

from accounts.roles import Perm
from core.api import In, Out
from notifications import selectors, services
from notifications.models import Notification

router = Router(tags=["notifications"])
READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


class NotificationOut(Out):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    object_type: str
    object_id: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Out):
    count: int
    unread: int
    page: int
    page_size: int
    results: list[NotificationOut]


class InboxQuery(In):
    unread: bool = False
    page: int = 1
    page_size: int = 30


class ReadAllOut(Out):
    marked: int
    unread: int


class ErrorOut(Out):
    detail: str
    field: str | None = None


def notification_out(note: Notification) -> dict:
    return {
        "id": note.pk,
        "kind": note.kind,
        "kind_label": selectors.kind_label(note.kind),
        "title": note.title,
        "body": note.body,
        "url": note.url,
        "object_type": note.object_type,
        "object_id": note.object_id,
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


@router.get("/notifications", response=NotificationPage)
def notification_list(request, query: Query[InboxQuery]):
    """The caller's notifications, newest first; `unread=true` for the unread ones only. Every user has an inbox."""
    page_size = max(1, min(query.page_size, 100))
    total, unread = selectors.inbox_counts(request.user)
    paginator = Paginator(selectors.inbox(request.user, unread_only=query.unread), page_size)
    # Known from the one count query above: the paginator need not count again (Monday's surge polls this).
    paginator.count = unread if query.unread else total
    page = paginator.get_page(query.page)
    return {
        "count": paginator.count,
        "unread": unread,
        "page": page.number,
        "page_size": page_size,
        "results": [notification_out(n) for n in page.object_list],
    }


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, 404: ErrorOut})
def notification_read(request, notification_id: int):
    """Mark one of the caller's notifications read (idempotent); someone else's is 404."""
    note = selectors.notification_get_for_user(request.user, notification_id)
    return notification_out(services.notification_mark_read(actor=request.user, notification=note))


@router.post("/notifications/read-all", response={200: ReadAllOut})
def notification_read_all(request):
    """Mark every unread notification of the caller read."""
    marked = services.notification_mark_all_read(actor=request.user)
    return Status(200, {"marked": marked, "unread": selectors.unread_count(request.user)})
