"""Evaluation pages: periods and league tables, unit sheets, appeals, schemes, adjustments, bulletins."""

import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import Perm
from core.access import out_of_scope, require_perm
from core.errors import ServiceError
from core.files import serve_upload
from core.forms import error_text
from core.jobs import job_start
from core.views_helpers import button_post, form_post
from evaluation import jobs as bulletin_jobs
from evaluation import selectors, services
from evaluation.compute import period_compute
from evaluation.forms import AdjustmentForm, AppealDecisionForm, AppealForm, BulletinForm, ComponentsForm, PeriodForm
from evaluation.jobs import bulletin_job_params
from evaluation.models import Adjustment, Appeal, EvaluationFile, Scheme
from evaluation.sources import source_choices

READERS = (Perm.BUSINESS_READ_ALL, Perm.REPORT_APPROVE)


@require_perm(*READERS)
def period_list_view(request):
    office = selectors.is_office(request.user)
    periods = list(selectors.periods_for_user(request.user)[:60])
    form = PeriodForm(request.POST or None) if office else None
    context = {"periods": periods, "office": office, "form": form}
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        return form_post(
            request,
            form,
            lambda d: services.period_open(
                actor=request.user,
                scheme=d["scheme"],
                kind=d["kind"],
                start=d["start"],
                end=d["end"],
                label=d["label"],
                year_mode=d["year_mode"] or "months",
            ),  # fmt: skip
            success=_("Period opened."),
            redirect_to=lambda p: reverse("evaluation:period", args=[p.pk]),
            invalid=lambda f: render(request, "evaluation/period_list.html", {**context, "form": f}, status=400),
        )
    return render(request, "evaluation/period_list.html", context)


@require_perm(*READERS)
def period_detail_view(request, pk):
    period = selectors.period_get_for_user(request.user, pk)
    office = selectors.is_office(request.user)
    version = request.GET.get("version", "")
    version_n = int(version) if version.isdigit() and 0 < int(version) <= period.version else period.version
    preview = None
    if not period.is_published and office:
        preview = period_compute(period)
    table = selectors.league_table(period, version=version_n) if period.is_published else []
    first = table[0].rows[0] if table and table[0].rows else None
    labels = {c.key: c.label for c in period.scheme.components.all()}
    appeals = list(selectors.appeals_for_user(request.user, period).prefetch_related("files"))
    for a in appeals:
        a.component_label = labels.get(a.component_key, a.component_key)
    context = {
        "period": period,
        "header": [c for c in first.components if c["weight"]] if first else [],
        "office": office,
        "preview": preview,
        "table": table,
        "version": version_n,
        "versions": selectors.versions(period),
        "components": list(period.scheme.components.all()),
        "appeals": appeals,
        "decision_form": AppealDecisionForm() if office else None,
        "can_appeal": period.is_published and request.user.has_luoshi_perm(Perm.REPORT_APPROVE),
        "deadline": services.appeal_deadline(period) if period.is_published else None,
        "today": timezone.localdate(),
    }
    return render(request, "evaluation/period_detail.html", context)


@require_POST
@require_perm(Perm.PLAN_EDIT)
def period_publish_view(request, pk):
    period = selectors.period_get_for_user(request.user, pk)
    return button_post(request, lambda: services.period_publish(actor=request.user, period=period),
                       success=_("Published."), redirect_to=reverse("evaluation:period", args=[pk]))  # fmt: skip


@require_perm(*READERS)
def unit_sheet_view(request, pk, unit_pk):
    period = selectors.period_get_for_user(request.user, pk)
    if not (selectors.reads_all(request.user) or request.user.unit_id == unit_pk):
        raise out_of_scope(Scheme, unit_pk)
    version = request.GET.get("version", "")
    row = selectors.unit_sheet(period, unit_pk, version=int(version) if version.isdigit() else None)
    if row is None:
        raise out_of_scope(Scheme, unit_pk)
    return render(request, "evaluation/sheet.html", {"period": period, "row": row})


@require_perm(Perm.REPORT_APPROVE)
def appeal_create_view(request, pk):
    period = selectors.period_get_for_user(request.user, pk)
    row = selectors.unit_sheet(period, request.user.unit_id) if request.user.unit_id else None
    if row is None:
        raise out_of_scope(Scheme, pk)
    components = [c for c in row.components if c["weight"]]
    form = AppealForm(request.POST or None, request.FILES or None, components=components)
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.appeal_create(
                actor=request.user,
                period=period,
                component_key=d["component_key"],
                reason=d["reason"],
                files=d["evidence"],
            ),  # fmt: skip
            success=_("Appeal sent."),
            redirect_to=reverse("evaluation:period", args=[pk]),
            invalid=lambda f: render(
                request, "evaluation/appeal_form.html", {"form": f, "period": period, "row": row}, status=400
            ),  # fmt: skip
        )
    return render(request, "evaluation/appeal_form.html", {"form": form, "period": period, "row": row,
                  "deadline": services.appeal_deadline(period)})  # fmt: skip


@require_POST
@require_perm(Perm.PLAN_EDIT)
def appeal_decide_view(request, pk):
    appeal = get_object_or_404(Appeal, pk=pk)
    form = AppealDecisionForm(request.POST)
    back = reverse("evaluation:period", args=[appeal.period_id])
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect(back)
    d = form.cleaned_data
    return button_post(
        request,
        lambda: services.appeal_decide(
            actor=request.user,
            appeal=appeal,
            uphold=d["decision"] == "uphold",
            note=d["note"],
            corrected_points=d["corrected_points"],
        ),  # fmt: skip
        success=_("Decided."),
        redirect_to=back,
    )


@require_perm(Perm.PLAN_EDIT)
def scheme_list_view(request):
    schemes = Scheme.objects.prefetch_related("components", "groups__units")
    return render(request, "evaluation/scheme_list.html", {"schemes": schemes})


@require_perm(Perm.PLAN_EDIT)
def scheme_detail_view(request, pk):
    scheme = get_object_or_404(Scheme.objects.prefetch_related("components", "groups__units"), pk=pk)
    rows = [{"key": c.key, "label": c.label, "source": c.source, "weight": str(c.weight), "rule": c.rule}
            for c in scheme.components.all()]  # fmt: skip
    initial = {"components": json.dumps(rows, ensure_ascii=False, indent=1), "total": scheme.total,
               "bonus_cap": scheme.bonus_cap, "yellow_credit": scheme.yellow_credit,
               "late_credit": scheme.late_credit, "appeal_workdays": scheme.appeal_workdays}  # fmt: skip
    form = ComponentsForm(request.POST or None, initial=initial, scheme=scheme)
    context = {"scheme": scheme, "form": form, "sources": source_choices()}
    if request.method == "POST":
        settings_names = ("total", "bonus_cap", "yellow_credit", "late_credit", "appeal_workdays")
        return form_post(
            request,
            form,
            lambda d: services.scheme_update(
                actor=request.user,
                scheme=scheme,
                components=d["components"],
                settings={k: d[k] for k in settings_names},
                groups=form.group_units(),
            ),  # fmt: skip
            success=_("Scheme saved."),
            redirect_to=reverse("evaluation:scheme", args=[pk]),
            invalid=lambda f: render(request, "evaluation/scheme_detail.html", {**context, "form": f}, status=400),
        )
    return render(request, "evaluation/scheme_detail.html", context)


@require_POST
@require_perm(Perm.PLAN_EDIT)
def scheme_revise_view(request, pk):
    scheme = get_object_or_404(Scheme, pk=pk)
    copy = services.scheme_revise(actor=request.user, scheme=scheme)
    messages.success(request, _("Version %(v)s created; edit it here.") % {"v": copy.version})
    return redirect("evaluation:scheme", pk=copy.pk)


@require_perm(Perm.PLAN_EDIT)
def adjustment_list_view(request):
    form = AdjustmentForm(request.POST or None, request.FILES or None)
    items = Adjustment.objects.select_related("unit", "created_by", "decided_by")[:100]
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.adjustment_create(
                actor=request.user,
                unit=d["unit"],
                kind=d["kind"],
                points=Decimal(d["points"]),
                day=d["day"],
                reason=d["reason"],
                files=d["evidence"],
            ),  # fmt: skip
            success=_("Recorded; a second office user approves it."),
            redirect_to="evaluation:adjustments",
            invalid=lambda f: render(request, "evaluation/adjustments.html", {"form": f, "items": items}, status=400),
        )
    return render(request, "evaluation/adjustments.html", {"form": form, "items": items})


@require_perm(Perm.BUSINESS_READ_ALL)
def adjustment_detail_view(request, pk):
    item = get_object_or_404(Adjustment.objects.select_related("unit", "created_by", "decided_by"), pk=pk)
    return render(request, "evaluation/adjustment_detail.html",
                  {"item": item, "office": selectors.is_office(request.user)})  # fmt: skip


@require_POST
@require_perm(Perm.PLAN_EDIT)
def adjustment_decide_view(request, pk):
    item = get_object_or_404(Adjustment, pk=pk)
    approve = request.POST.get("decision") == "approve"
    return button_post(
        request,
        lambda: services.adjustment_decide(actor=request.user, adjustment=item, approve=approve),
        success=_("Decided."),
        redirect_to=reverse("evaluation:adjustment", args=[pk]),
    )


@require_perm(*READERS)
def file_view(request, pk):
    f = get_object_or_404(EvaluationFile.objects.select_related("appeal", "adjustment"), pk=pk)
    if f.appeal is not None:
        selectors.appeal_get_for_user(request.user, f.appeal_id)
    elif not selectors.reads_all(request.user):
        raise out_of_scope(EvaluationFile, pk)
    return serve_upload(f, actor=request.user)


@require_perm(*READERS)
def bulletin_list_view(request):
    office = selectors.is_office(request.user)
    form = BulletinForm(request.POST or None) if office else None
    bulletins = list(selectors.bulletins_for_user(request.user)[:50])
    context = {"bulletins": bulletins, "form": form, "office": office}
    if request.method == "POST":
        if not office or form is None:
            raise PermissionDenied
        # Issued by the queue (evaluation/jobs.py): the job's page follows it and links back here.
        return form_post(
            request,
            form,
            lambda d: job_start(actor=request.user, kind=bulletin_jobs.ISSUE, params=bulletin_job_params(d)),
            success=_("The bulletin is being issued in the background."),
            redirect_to=lambda job: reverse("workbench:job_detail", args=[job.pk]),
            invalid=lambda f: render(request, "evaluation/bulletins.html", {**context, "form": f}, status=400),
        )
    return render(request, "evaluation/bulletins.html", context)


@require_POST
@require_perm(Perm.PLAN_EDIT)
def bulletin_draft_view(request):
    """The bulletin as it would be issued now, numbered 第0期, nothing stored (to read before issuing): built
    by the queue, its .docx the job's file."""
    form = BulletinForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect("evaluation:bulletins")
    try:
        job = job_start(actor=request.user, kind=bulletin_jobs.DRAFT, params=bulletin_job_params(form.cleaned_data))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:bulletins")
    return redirect("workbench:job_detail", pk=job.pk)


@require_perm(*READERS)
def bulletin_download_view(request, pk):
    bulletin = selectors.bulletin_get_for_user(request.user, pk)
    response = serve_upload(bulletin, actor=request.user)
    response["Content-Disposition"] = response["Content-Disposition"].replace("inline", "attachment")
    return response
