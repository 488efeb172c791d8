"""Pages of enterprise assistance: directory, firm, visit and request forms, request page, queue, overview,
figure rows, ledgers. Thin: parse, check access, call one service or selector, render."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Perm
from core.access import require_perm
from core.errors import ServiceError
from core.files import serve_upload
from core.imports import counts_summary, import_queued
from core.measures import get_measure
from core.views_helpers import form_post
from enterprises import figures, forms, ledger, selectors, services
from enterprises.models import AssistanceRequest, Outcome, Policy, RequestCategory, SizeClass, VisitPhoto
from plans.models import DimensionTag
from supervision.forms import uploads as form_uploads

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@require_perm(*READ)
def enterprise_list_view(request):
    """企业名录: filters and search by name or credit code."""
    f = selectors.EnterpriseFilter(
        q=request.GET.get("q", "")[:100],
        industry=request.GET.get("industry", "")[:60],
        size=request.GET.get("size", "") if request.GET.get("size") in SizeClass.values else "",
        subdistrict=_int(request.GET.get("subdistrict")),
        block=_int(request.GET.get("block")),
    )
    page = Paginator(selectors.enterprise_list(request.user, f), 50).get_page(request.GET.get("page"))
    rule = selectors.contact_rule(request.user)
    rows = [(e, rule.contact(e)) for e in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "page": page,
            "rows": rows,
            "f": f,
            "industries": selectors.industries(),
            "sizes": SizeClass.choices,
            "blocks": DimensionTag.objects.filter(kind=DimensionTag.Kind.BLOCK),
            "query": query.urlencode(),
            "is_office": selectors.is_office(request.user),
        },
    )


def _enterprise_data(d: dict, officer=None) -> services.EnterpriseData:
    return services.EnterpriseData(
        name=d["name"],
        credit_code=d["credit_code"],
        industry=d["industry"],
        size=d["size"],
        subdistrict=d["subdistrict"],
        block=d["block"],
        address=d["address"],
        latitude=d["latitude"],
        longitude=d["longitude"],
        contact_name=d["contact_name"],
        contact_phone=d["contact_phone"],
        officer=officer,
        officer_unit=d["officer_unit"],
        leader_post=d["leader_post"],
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def enterprise_create_view(request):
    form = forms.EnterpriseForm(request.POST or None)

    def page(form, status=200):
        return render(request, "enterprises/form.html", {"form": form, "title": _("New enterprise")}, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.enterprise_create(actor=request.user, data=_enterprise_data(d)),
        success=_("Enterprise added."),
        redirect_to=lambda firm: reverse("enterprises:detail", kwargs={"pk": firm.pk}),
        invalid=lambda f: page(f, 400),
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def enterprise_edit_view(request, pk: int):
    firm = selectors.enterprise_get_for_user(request.user, pk)
    initial = {f: getattr(firm, f) for f in services.FIRM_FIELDS if f != "officer"}
    form = forms.EnterpriseForm(request.POST or None, initial=initial)

    def page(form, status=200):
        context = {"form": form, "title": _("Edit the enterprise"), "firm": firm}
        return render(request, "enterprises/form.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.enterprise_update(
            actor=request.user, enterprise=firm, data=_enterprise_data(d, officer=firm.officer)
        ),
        success=_("Saved."),
        redirect_to=reverse("enterprises:detail", kwargs={"pk": firm.pk}),
        invalid=lambda f: page(f, 400),
    )


@require_perm(*READ)
def enterprise_detail_view(request, pk: int):
    firm = selectors.enterprise_get_for_user(request.user, pk)
    name, phone, clear = selectors.contact_rule(request.user).contact(firm)
    user = request.user
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "firm": firm,
            "contact": {"name": name, "phone": phone, "clear": clear},
            "visits": selectors.visit_list(firm),
            "requests": selectors.request_list(user, enterprise_id=firm.pk),
            "can_record": services.serves(user, firm),
            "can_edit": selectors.is_office(user),
        },
    )


@require_perm(*READ)
@require_http_methods(["GET", "POST"])
def visit_create_view(request, pk: int):
    firm = selectors.enterprise_get_for_user(request.user, pk)
    if not services.serves(request.user, firm):
        raise PermissionDenied
    form = forms.VisitForm(request.POST or None, request.FILES or None, initial={"visited_on": timezone.localdate()})

    def page(form, status=200):
        context = {"form": form, "title": _("Record a visit"), "firm": firm, "multipart": True}
        return render(request, "enterprises/form.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.visit_record(
            actor=request.user,
            enterprise=firm,
            visited_on=d["visited_on"],
            policies=list(d["policies"]),
            services=d["services"],
            factors=d["factors"],
            notes=d["notes"],
            photos=form_uploads(d["photos"]),
        ),
        success=_("Visit recorded."),
        redirect_to=reverse("enterprises:detail", kwargs={"pk": firm.pk}),
        invalid=lambda f: page(f, 400),
    )


@require_perm(*READ)
@require_http_methods(["GET", "POST"])
def request_create_view(request, pk: int):
    firm = selectors.enterprise_get_for_user(request.user, pk)
    if not services.serves(request.user, firm):
        raise PermissionDenied
    form = forms.RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})

    def page(form, status=200):
        context = {"form": form, "title": _("Record a request"), "firm": firm}
        return render(request, "enterprises/form.html", context, status=status)

    if request.method != "POST":
        return page(form)
    visit = (
        firm.visits.filter(visited_on__lte=timezone.localdate()).first()
        if request.POST.get("channel") == "visit"
        else None
    )
    return form_post(
        request,
        form,
        lambda d: services.request_create(
            actor=request.user,
            enterprise=firm,
            category=d["category"],
            description=d["description"],
            received_on=d["received_on"],
            channel=d["channel"],
            visit=visit if visit and visit.visited_on == d["received_on"] else None,
        ),
        success=_("Request recorded."),
        redirect_to=lambda r: reverse("enterprises:request_detail", kwargs={"pk": r.pk}),
        invalid=lambda f: page(f, 400),
    )


# The request page's actions: (form class, service call). One page, one POST target, `action` names the step.
def _actions(request, req):
    user = request.user
    return {
        "assign": (forms.AssignForm, lambda d: services.request_assign(actor=user, request=req, unit=d["unit"])),
        "accept": (None, lambda d: services.request_accept(actor=user, request=req)),
        "answer": (
            forms.AnswerForm,
            lambda d: services.request_answer(actor=user, request=req, answer=d["answer"], outcome=_outcome(d)),
        ),
        "return": (forms.ReasonForm, lambda d: services.request_return(actor=user, request=req, reason=d["reason"])),
        "outcome": (
            forms.OutcomeFields,
            lambda d: services.outcome_record(actor=user, request=req, data=_outcome(d)),
        ),
        "approve": (None, lambda d: services.outcome_approve(actor=user, request=req)),
        "feedback": (
            forms.FeedbackForm,
            lambda d: services.request_feedback(actor=user, request=req, satisfied=d["satisfied"], note=d["note"]),
        ),
        "close": (forms.NoteForm, lambda d: services.request_close(actor=user, request=req, note=d["note"])),
    }


def _outcome(d: dict) -> services.OutcomeData:
    from decimal import Decimal

    return services.OutcomeData(
        jobs=d.get("jobs") or 0,
        tax_relieved=d.get("tax_relieved") or Decimal(0),
        funds=d.get("funds") or Decimal(0),
        funds_channel=d.get("funds_channel") or "",
        approval_days_saved=d.get("approval_days_saved") or 0,
        land_mu=d.get("land_mu") or Decimal(0),
    )


def _possible(user, req: AssistanceRequest) -> set[str]:
    """The steps this user may take now (the service checks again under the row lock)."""
    state, S = req.state, AssistanceRequest.State
    office = selectors.is_office(user)
    in_unit = selectors.reader_unit_id(user) == req.unit_id and req.unit_id is not None
    serves = office or (selectors.reader_unit_id(user) == req.enterprise.officer_unit_id is not None)
    steps = set()
    if office and state in (S.RECEIVED, S.RETURNED, S.ASSIGNED):
        steps.add("assign")
    if in_unit and state == S.ASSIGNED:
        steps |= {"accept", "return", "answer"}
    if in_unit and state == S.ACCEPTED:
        steps |= {"return", "answer"}
    outcome = getattr(req, "outcome", None) if hasattr(req, "outcome") else None
    if in_unit and state in (S.ANSWERED, S.CLOSED) and (outcome is None or outcome.approved_on is None):
        steps.add("outcome")
    if in_unit and user.has_luoshi_perm(Perm.REPORT_APPROVE) and outcome is not None and outcome.approved_on is None:
        steps.add("approve")
    if serves and state == S.ANSWERED:
        steps.add("feedback")
    if office and state == S.ANSWERED:
        steps.add("close")
    return steps


@require_perm(*READ)
@require_http_methods(["GET", "POST"])
def request_detail_view(request, pk: int):
    req = selectors.request_get_for_user(request.user, pk)
    try:
        outcome = req.outcome
    except Outcome.DoesNotExist:
        outcome = None
    actions = _actions(request, req)
    bound, status = {}, 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in actions:
            raise Http404
        form_class, write = actions[action]
        # Each step's form has its own prefix: several are on one page (ids and names must not collide).
        form = form_class(request.POST, prefix=action) if form_class else None
        if form is None or form.is_valid():
            try:
                write(form.cleaned_data if form else {})
            except ServiceError as exc:
                if form is None:
                    messages.error(request, exc.message)
                    return redirect("enterprises:request_detail", pk=pk)
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("enterprises:request_detail", pk=pk)
        bound[action], status = form, 400
    possible = _possible(request.user, req)
    action_forms = {
        name: bound.get(name) or (form_class(prefix=name) if form_class else None)
        for name, (form_class, _w) in actions.items()
        if name in possible
    }
    firm = req.enterprise
    name, phone, clear = selectors.contact_rule(request.user).contact(firm)
    return render(
        request,
        "enterprises/request_detail.html",
        {
            "req": req,
            "outcome": outcome,
            "forms": action_forms,
            "contact": {"name": name, "phone": phone, "clear": clear},
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_perm(*READ)
def queue_view(request):
    """待办诉求: the unit's requests waiting for it, or the office's (to assign, returned, awaiting feedback)."""
    page = Paginator(selectors.request_queue(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/queue.html",
        {"page": page, "today": timezone.localdate(), "pending": selectors.outcome_pending_for(request.user)[:50]},
    )


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = date(today.year, 1, 1)
    try:
        end = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return start, end


def _scope(request):
    from enterprises.api import summary_scope

    start, end = _period(request)
    try:
        return summary_scope(request.user, start, end, request.GET.get("scope", "district")), ""
    except ServiceError as exc:
        return summary_scope(request.user, start, max(start, end), "district"), exc.message


@require_perm(*READ)
def overview_view(request):
    """帮扶总览: the summary figures of a period and scope, each linking to its rows; a chart by category and month."""
    scope, problem = _scope(request)
    summary = figures.assistance_summary(scope)
    months = figures.by_category_month(scope)
    categories = sorted({c for _m, c, _n in months})
    month_list = sorted({m for m, _c, _n in months})
    counts = {(m, c): n for m, c, n in months}
    chart = {
        "months": month_list,
        "series": [{"name": c, "data": [counts.get((m, c), 0) for m in month_list]} for c in categories],
    }
    flags = selectors.flagged_requests(request.user) if selectors.reads_all(request.user) else None
    return render(
        request,
        "enterprises/overview.html",
        {
            "s": summary,
            "links": figures.figure_links(scope),
            "chart": chart,
            "scope_text": figures.scope_text(scope),
            "problem": problem,
            "flags": {k: (qs.count(), qs[:10]) for k, qs in flags.items()} if flags else None,
            "blocks": DimensionTag.objects.filter(kind=DimensionTag.Kind.BLOCK),
            "industries": selectors.industries(),
        },
    )


@require_perm(*READ)
def figure_rows_view(request, key: str):
    """The rows a figure counts (a bulletin's "帮扶企业N家" links here), within the reader's scope."""
    if key not in figures.FIGURE_KEYS.values():
        raise Http404
    measure = get_measure(key)
    scope, problem = _scope(request)
    rows = measure.rows(scope)
    if not selectors.reads_all(request.user):
        visible = selectors.enterprise_scope if key == "enterprises.helped" else None
        if visible is not None:
            rows = rows.filter(pk__in=visible(request.user).values("pk"))
    value = measure.value(scope)
    if key == "enterprises.helped":
        rows = rows.order_by("name", "pk")
    elif key.endswith(("requests", "closed")):
        rows = rows.select_related("enterprise", "category").order_by("-received_on", "pk")
    else:
        rows = rows.select_related("request__enterprise", "request__category").order_by("-approved_on", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/figure_rows.html",
        {
            "measure": measure,
            "value": value,
            "page": page,
            "items": [(measure.row_label(r), measure.row_url(r)) for r in page],
            "scope": scope,
            "scope_text": figures.scope_text(scope),
            "problem": problem,
            "query": urlencode(
                {"from": scope.start.isoformat(), "to": scope.end.isoformat(), "scope": figures.scope_text(scope)}
            ),
        },
    )


@require_perm(*READ)
def photo_view(request, pk: int):
    try:
        photo = VisitPhoto.objects.select_related("visit").get(pk=pk)
    except VisitPhoto.DoesNotExist:
        raise Http404 from None
    selectors.visit_get_for_user(request.user, photo.visit_id)
    return serve_upload(photo, actor=request.user, thumb=request.GET.get("thumb") == "1")


# --- ledgers --------------------------------------------------------------------------------------


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_perm(*READ)
def enterprise_export_view(request):
    return _xlsx(ledger.enterprise_export(request.user), "企业名录.xlsx")


@require_perm(*READ)
def request_ledger_view(request):
    start, end = _period(request)
    return _xlsx(ledger.request_ledger_export(request.user, start=start, end=end), "诉求台账.xlsx")


@require_perm(*READ)
def outcome_export_view(request):
    scope, _problem = _scope(request)
    return _xlsx(ledger.outcome_export(request.user, scope), "帮扶成效汇总.xlsx")


def _import_page(request, *, title: str, run, kind: str, back: str):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                # A large workbook goes to the queue (core/imports.py): the same importer, all rows or none.
                queued = import_queued(request, kind=kind, upload=upload, data=data)
                if queued is not None:
                    return queued
                outcome = run(data)
            except ServiceError as exc:
                errors = [exc.message]
            else:
                if outcome.ok:
                    messages.success(request, counts_summary(outcome))
                    return redirect(back)
                errors = outcome.errors
        status = 400
    context = {"form": form, "title": title, "errors": errors, "multipart": True}
    return render(request, "enterprises/import.html", context, status=status)


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def enterprise_import_view(request):
    return _import_page(
        request,
        title=_("Import the enterprise list"),
        run=lambda data: ledger.enterprise_import(actor=request.user, data=data),
        kind=ledger.ENTERPRISE_JOB,
        back="enterprises:list",
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def request_ledger_import_view(request):
    return _import_page(
        request,
        title=_("Import the request ledger"),
        run=lambda data: ledger.request_ledger_import(actor=request.user, data=data),
        kind=ledger.REQUEST_JOB,
        back="enterprises:overview",
    )


# --- the editable lists ---------------------------------------------------------------------------


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def lists_view(request):
    """The office's lists: request categories (name, working days to answer, in use) and the policy catalogue."""
    categories = list(RequestCategory.objects.order_by("rank", "pk"))
    bound: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        user = request.user
        if action.startswith("category-") or action == "category-new":
            category = next((c for c in categories if f"category-{c.pk}" == action), None)
            if action != "category-new" and category is None:
                raise Http404
            form = forms.CategoryForm(request.POST, prefix=action)

            def write(d, category=category):
                return services.category_save(
                    actor=user, category=category, name=d["name"], due_workdays=d["due_workdays"],
                    is_active=d["is_active"] if category else True,
                )  # fmt: skip

        elif action == "policy-new":
            form = forms.PolicyForm(request.POST, prefix=action)

            def write(d, category=None):
                return services.policy_create(actor=user, title=d["title"], issuer=d["issuer"])

        elif action.startswith("policy-toggle-") and action[14:].isdigit():
            policy = Policy.objects.filter(pk=int(action[14:])).first()
            if policy is None:
                raise Http404
            services.policy_set_active(actor=user, policy=policy, is_active=not policy.is_active)
            messages.success(request, _("Saved."))
            return redirect("enterprises:lists")
        else:
            raise Http404
        if form.is_valid():
            try:
                write(form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("enterprises:lists")
        bound[action], status = form, 400
    rows = [
        (c, bound.get(f"category-{c.pk}") or forms.CategoryForm(
            prefix=f"category-{c.pk}",
            initial={"name": c.name, "due_workdays": c.due_workdays, "is_active": c.is_active},
        ))
        for c in categories
    ]  # fmt: skip
    context = {
        "rows": rows,
        "new_category": bound.get("category-new") or forms.CategoryForm(prefix="category-new"),
        "policies": Policy.objects.order_by("-is_active", "title"),
        "new_policy": bound.get("policy-new") or forms.PolicyForm(prefix="policy-new"),
    }
    return render(request, "enterprises/lists.html", context, status=status)
