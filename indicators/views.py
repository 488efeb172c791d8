"""Indicator pages (指标): the catalogue, an indicator's detail (chart, history, derived figures), the writes."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.errors import ServiceError
from core.forms import add_service_error
from core.imports import import_queued
from core.views_helpers import button_post, form_post
from core.xlsx import XLSX_MIME
from indicators import selectors, services
from indicators.forms import (
    CatalogueFilterForm,
    IndicatorForm,
    IndicatorLedgerImportForm,
    MergeForm,
    ReturnForm,
    TargetForm,
    ValueForm,
)
from indicators.ledger import build_indicator_ledger_xlsx
from indicators.ledger_import import JOB, import_summary, ledger_import
from indicators.models import CockpitIndicator, Indicator

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


def _filter(request) -> tuple[CatalogueFilterForm, selectors.CatalogueFilter]:
    form = CatalogueFilterForm(request.GET or None)
    f = selectors.CatalogueFilter(page=_page(request.GET.get("page", "")), as_of=getattr(request, "as_of", None))
    if form.is_valid():
        data = form.cleaned_data
        f.q, f.frequency = data["q"], data["frequency"]
        f.tag = data["tag"].pk if data["tag"] else None
        f.unit = data["unit"].pk if data["unit"] else None
    return form, f


@require_perm(*READ)
def catalogue_view(request):
    """指标目录: latest value, target, completion, light and a sparkline per indicator; filters."""
    form, f = _filter(request)
    page, rows = selectors.catalogue(request.user, f)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "indicators/catalogue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_edit": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
            "can_import": request.user.has_luoshi_perm(Perm.PLAN_EDIT)
            or request.user.has_luoshi_perm(Perm.REPORT_DRAFT),
            "year": _year(request),
        },
    )


def _detail_context(request, indicator: Indicator, **forms) -> dict:
    as_of = getattr(request, "as_of", None)
    detail = selectors.indicator_detail(indicator, as_of)
    user = request.user
    return {
        "ind": indicator,
        "d": detail,
        "summary": selectors.summarise([indicator], as_of)[0],
        "chart": selectors.chart_data(detail),
        "can_enter": services.can_enter(user, indicator) and not indicator.measure_key,
        "can_edit": user.has_luoshi_perm(Perm.PLAN_EDIT),
        "on_cockpit": CockpitIndicator.objects.filter(indicator=indicator).exists(),
        "approvable": {
            v.pk
            for v in detail.history
            if v.state == "pending" and v.superseded_at is None and services.can_approve(user, v)
        },  # fmt: skip
        "value_form": forms.get("value_form") or ValueForm(initial={"unit": indicator.shown_unit, "kind": "estimate"}),
        "target_form": forms.get("target_form") or TargetForm(initial={"unit": indicator.shown_unit}),
        "return_form": ReturnForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
    }


@require_perm(*READ)
def detail_view(request, pk: int):
    indicator = selectors.indicator_get_for_user(request.user, pk)
    return render(request, "indicators/detail.html", _detail_context(request, indicator))


@require_perm(Perm.PLAN_EDIT, Perm.REPORT_DRAFT)
@require_POST
def value_enter_view(request, pk: int):
    indicator = selectors.indicator_get_for_user(request.user, pk)
    form = ValueForm(request.POST)
    return form_post(
        request,
        form,
        lambda d: services.value_enter(actor=request.user, indicator=indicator, **d),
        success=_("Value recorded."),
        redirect_to=reverse("indicators:detail", args=[pk]),
        invalid=lambda f: render(
            request, "indicators/detail.html", _detail_context(request, indicator, value_form=f), status=400
        ),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def target_set_view(request, pk: int):
    indicator = selectors.indicator_get_for_user(request.user, pk)
    form = TargetForm(request.POST)
    return form_post(
        request,
        form,
        lambda d: services.target_set(actor=request.user, indicator=indicator, **d),
        success=_("Target saved."),
        redirect_to=reverse("indicators:detail", args=[pk]),
        invalid=lambda f: render(
            request, "indicators/detail.html", _detail_context(request, indicator, target_form=f), status=400
        ),
    )


@require_perm(Perm.PLAN_EDIT, Perm.REPORT_APPROVE)
@require_POST
def value_approve_view(request, pk: int):
    value = selectors.value_get_for_user(request.user, pk)
    return button_post(
        request,
        lambda: services.value_approve(actor=request.user, value=value),
        success=_("Value approved."),
        redirect_to=reverse("indicators:detail", args=[value.indicator_id]),
    )


@require_perm(Perm.PLAN_EDIT, Perm.REPORT_APPROVE)
@require_POST
def value_return_view(request, pk: int):
    value = selectors.value_get_for_user(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for returning the value."))
        return redirect("indicators:detail", value.indicator_id)
    return button_post(
        request,
        lambda: services.value_return(actor=request.user, value=value, reason=form.cleaned_data["reason"]),
        success=_("Value returned."),
        redirect_to=reverse("indicators:detail", args=[value.indicator_id]),
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def indicator_form_view(request, pk: int | None = None):
    """The catalogue entry (office): name, units, frequency, direction, price basis, source, tags, measure."""
    indicator = selectors.indicator_get_for_user(request.user, pk) if pk else None
    initial = {}
    if indicator is not None:
        initial = {f: getattr(indicator, f) for f in services.IndicatorData.FIELDS if f != "is_demo"}
        initial["tags"] = list(indicator.tags.all())
    form = IndicatorForm(request.POST or None, initial=initial)

    def write(d: dict):
        data = services.IndicatorData(**d, is_demo=indicator.is_demo if indicator else False)
        if indicator is None:
            return services.indicator_create(actor=request.user, data=data)
        return services.indicator_update(actor=request.user, indicator=indicator, data=data)

    page = {"title": str(indicator) if indicator else _("New indicator"), "back": "indicators:catalogue"}
    if request.method == "POST":
        return form_post(
            request,
            form,
            write,
            success=_("Indicator saved."),
            redirect_to=lambda ind: reverse("indicators:detail", args=[ind.pk]),
            invalid=lambda f: render(request, "core/form_page.html", {**page, "form": f}, status=400),
        )
    return render(request, "core/form_page.html", {**page, "form": form})


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 1949 <= int(raw) <= 2100:
        return int(raw)
    # The latest year with values (a statistics ledger is usually last year's), capped by the as-of day.
    as_of = getattr(request, "as_of", None) or timezone.localdate()
    latest = selectors.latest_value_year(request.user)
    return min(latest, as_of.year) if latest else as_of.year


@require_perm(*READ)
def ledger_export_view(request):
    """指标台账 of a year (?year=2021, the catalogue's filters): indicators × periods, one row per kind."""
    _form, f = _filter(request)
    year = _year(request)
    periods, rows = selectors.ledger_periods_and_rows(request.user, f, year)
    content = build_indicator_ledger_xlsx(periods, rows, title=_("Indicator ledger %(year)s") % {"year": year})
    audit_record(actor=request.user, verb="indicator.export", object_type="indicators", after=request.GET.dict())
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="indicator-ledger-{year}.xlsx"'
    return response


@require_perm(Perm.PLAN_EDIT, Perm.REPORT_DRAFT)
@require_http_methods(["GET", "POST"])
def ledger_import_view(request):
    """Import the ledger back: all values or none, errors by row and column."""
    form = IndicatorLedgerImportForm(request.POST or None, request.FILES or None)
    outcome, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                # A large ledger goes to the queue (core/imports.py): the same importer, all values or none.
                queued = import_queued(request, kind=JOB, upload=upload, data=data)
                if queued is not None:
                    return queued
                outcome = ledger_import(actor=request.user, data=data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                if outcome.ok:
                    messages.success(request, import_summary(outcome))
                    return redirect("indicators:catalogue")
        status = 400
    return render(request, "indicators/import.html", {"form": form, "outcome": outcome}, status=status)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def cockpit_choose_view(request, pk: int):
    """Show the indicator on the cockpit panel, or take it off (the office's list)."""
    indicator = selectors.indicator_get_for_user(request.user, pk)
    shown = request.POST.get("shown") == "1"
    return button_post(
        request,
        lambda: services.cockpit_choose(actor=request.user, indicator=indicator, shown=shown),
        success=_("Shown on the cockpit.") if shown else _("Taken off the cockpit."),
        redirect_to=reverse("indicators:detail", args=[pk]),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def cockpit_move_view(request, pk: int):
    """Move the indicator up or down the cockpit panel (the office's order)."""
    indicator = selectors.indicator_get_for_user(request.user, pk)
    up = request.POST.get("direction") != "down"
    return button_post(
        request,
        lambda: services.cockpit_move(actor=request.user, indicator=indicator, up=up),
        success=_("Cockpit order saved."),
        redirect_to=reverse("reports:cockpit"),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def merge_view(request, pk: int):
    """Merge an indicator flagged new into an existing one (its values move over; audited)."""
    indicator = selectors.indicator_get_for_user(request.user, pk)
    form = MergeForm(request.POST)
    return form_post(
        request,
        form,
        lambda d: services.indicator_merge(actor=request.user, source=indicator, into=d["into"]),
        success=_("Indicator merged."),
        redirect_to=lambda into: reverse("indicators:detail", args=[into.pk]),
        invalid=lambda f: render(
            request, "indicators/detail.html", _detail_context(request, indicator, merge_form=f), status=400
        ),
    )
