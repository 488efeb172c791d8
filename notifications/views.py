from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from core.access import require_perm
from core.redirects import safe_next
from core.views_helpers import button_post, form_post
from notifications import selectors, services
from notifications.forms import WebhookForm
from notifications.models import Delivery, UnitWebhook

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
PAGE_SIZE = 30


@require_perm()
def inbox_view(request):
    """消息: the user's notifications, newest first; ?unread=1 shows only the unread ones."""
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for note in page.object_list:
        note.kind_label = selectors.kind_label(note.kind)
        note.is_urgent = note.kind in selectors.URGENT_KINDS
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "query": "unread=1" if unread_only else "",
        },
    )


@require_perm()
@require_POST
def read_view(request, pk: int):
    """Mark one of my notifications read; with `next`, go on to the item it is about."""
    note = selectors.notification_get_for_user(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=note)
    if request.htmx and not request.POST.get("next"):
        note.kind_label = selectors.kind_label(note.kind)
        note.is_urgent = note.kind in selectors.URGENT_KINDS
        return render(
            request,
            "notifications/_read_response.html",
            {"note": note, "unread": selectors.unread_count(request.user)},
        )
    return redirect(safe_next(request, "notifications:inbox"))


@require_perm()
@require_POST
def read_all_view(request):
    count = services.notification_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect(safe_next(request, "notifications:inbox"))


# --- system admin: unit robots and the delivery log ---------------------------------------------------


@require_perm(Perm.ORG_MANAGE)
def webhook_list_view(request):
    """通知渠道: the units' group robots, and the deliveries that failed or wait for a retry."""
    problems = selectors.delivery_list().filter(status__in=[Delivery.Status.FAILED, Delivery.Status.RETRYING])[:20]
    return render(
        request,
        "notifications/webhook_list.html",
        {"webhooks": selectors.webhook_list(), "problems": problems, "counts": selectors.delivery_counts()},
    )


@require_perm(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def webhook_form_view(request, pk: int | None = None):
    hook = get_object_or_404(UnitWebhook, pk=pk) if pk else None
    initial = (
        {f: getattr(hook, f) for f in ("unit", "kind", "url", "secret", "message_format", "is_active")}
        if hook
        else None
    )
    form = WebhookForm(request.POST or None, initial=initial)

    def save(d: dict) -> None:
        if hook:
            services.webhook_update(actor=request.user, hook=hook, **d)
        else:
            services.webhook_create(actor=request.user, **d)

    def page(form, status=200):
        title = str(hook) if hook else _("New unit robot")
        context = {"form": form, "title": title, "back": "notifications:webhook_list"}
        return render(request, "core/form_page.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        save,
        success=_("Saved."),
        redirect_to="notifications:webhook_list",
        invalid=lambda form: page(form, status=400),
    )


@require_perm(Perm.ORG_MANAGE)
@require_POST
def webhook_delete_view(request, pk: int):
    hook = get_object_or_404(UnitWebhook, pk=pk)
    services.webhook_delete(actor=request.user, hook=hook)
    messages.success(request, _("The robot was removed."))
    return redirect("notifications:webhook_list")


@require_perm(Perm.ORG_MANAGE)
@require_POST
def webhook_test_view(request, pk: int):
    hook = get_object_or_404(UnitWebhook, pk=pk)
    services.webhook_test(actor=request.user, hook=hook)
    messages.success(request, _("A test message was queued; its delivery appears in the log below."))
    return redirect("notifications:webhook_list")


@require_perm(Perm.ORG_MANAGE)
def delivery_list_view(request):
    """投递记录: every e-mail and robot message with its attempts and last error, filterable by status."""
    status = request.GET.get("status", "")
    status = status if status in Delivery.Status.values else ""
    channel = request.GET.get("channel", "")
    channel = channel if channel in Delivery.Channel.values else ""
    page = Paginator(selectors.delivery_list(status=status, channel=channel), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("channel", channel)) if v)
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": Delivery.Status.choices,
            "channels": Delivery.Channel.choices,
            "counts": selectors.delivery_counts(),
            "query": query,
        },
    )


@require_perm(Perm.ORG_MANAGE)
@require_POST
def delivery_retry_view(request, pk: int):
    delivery = selectors.delivery_get(pk)
    return button_post(
        request,
        lambda: services.delivery_retry(actor=request.user, delivery=delivery),
        success=_("Queued again."),
        redirect_to=safe_next(request, "notifications:delivery_list"),
    )
