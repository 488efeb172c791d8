from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Perm
from audit.forms import AuditFilterForm
from audit.selectors import audit_event_list, audit_object_types, audit_verbs
from audit.services import audit_record
from core.access import require_perm
from core.xlsx import XLSX_MIME, build_table_xlsx


@require_perm(Perm.AUDIT_READ)
def event_list_view(request):
    form = AuditFilterForm(request.GET or None)
    events = audit_event_list(form.to_filter()).select_related(None)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # Reading the log is itself audited; recorded before the page's rows are read, so it heads the list.
    audit_record(
        actor=request.user,
        verb="audit.view",
        object_type="audit.auditevent",
        after={**form.to_filter().__dict__, "page": page.number},
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "verbs": audit_verbs(),
            "object_types": audit_object_types(),
        },
    )


@require_perm(Perm.AUDIT_READ)
def event_export_view(request):
    form = AuditFilterForm(request.GET or None)
    flt = form.to_filter()
    events = audit_event_list(flt)
    rows = (
        [
            e.id,
            timezone.localtime(e.at),
            e.actor_username,
            e.verb,
            e.object_type,
            e.object_id,
            e.object_repr,
            _json_text(e.before),
            _json_text(e.after),
            e.ip,
            e.chain,
            e.hash,
        ]
        for e in events.iterator(chunk_size=2000)
    )
    headers = [
        _("No."),
        _("Time"),
        _("User"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Before"),
        _("After"),
        _("IP address"),
        _("Chain"),
        _("Hash"),
    ]
    content = build_table_xlsx(
        title=_("Audit log"), headers=headers, rows=rows, widths=[8, 20, 14, 20, 16, 10, 20, 30, 30, 15, 6, 20]
    )
    # Reading the log out is itself an auditable act.
    audit_record(actor=request.user, verb="audit.export", object_type="audit.auditevent", after=flt.__dict__)
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.xlsx"'
    return response


def _json_text(value) -> str:
    if value in (None, {}, []):
        return ""
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)
