"""Indicator pages (指标): the catalogue, an indicator's detail (chart, history, derived figures), the writes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from core.access import require_perm
from core.views_helpers import button_post, form_post
from indicators import selectors, services
from indicators.forms import CatalogueFilterForm, IndicatorForm, ReturnForm, TargetForm, ValueForm
from indicators.models import Indicator

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1


@require_perm(*READ)
def catalogue_view(request):
    """指标目录: latest value, target, completion, light and a sparkline per indicator; filters."""
    form = CatalogueFilterForm(request.GET or None)
    f = selectors.CatalogueFilter(page=_page(request.GET.get("page", "")), as_of=getattr(request, "as_of", None))
    if form.is_valid():
        data = form.cleaned_data
        f.q, f.frequency = data["q"], data["frequency"]
        f.tag = data["tag"].pk if data["tag"] else None
        f.unit = data["unit"].pk if data["unit"] else None
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
        },  # fmt: skip
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
        "approvable": {
            v.pk
            for v in detail.history
            if v.state == "pending" and v.superseded_at is None and services.can_approve(user, v)
        },  # fmt: skip
        "value_form": forms.get("value_form") or ValueForm(initial={"unit": indicator.shown_unit, "kind": "estimate"}),
        "target_form": forms.get("target_form") or TargetForm(initial={"unit": indicator.shown_unit}),
        "return_form": ReturnForm(),
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
