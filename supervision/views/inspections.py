"""Pages of 实地督查 and 整改: inspections, findings and rectification items. Thin: parse, check, call, render."""

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from core.access import require_perm
from core.errors import ServiceError
from core.views_helpers import button_post, form_post
from core.workcalendar import work_calendar
from supervision import services
from supervision.forms import (
    FindingForm,
    InspectionForm,
    PhotosForm,
    ReasonForm,
    RectificationForm,
    RectificationReportForm,
    TargetRefsField,
    uploads,
)
from supervision.models import Rectification
from supervision.selectors import (
    finding_get_for_user,
    inspection_get_for_user,
    inspection_list,
    rectification_counts,
    rectification_get_for_user,
    rectification_list,
)
from supervision.targets import lead_unit, target_resolve, target_view
from supervision.views.common import READ, UNIT_ROLES, in_unit


@require_perm(Perm.BUSINESS_READ_ALL)
def inspection_list_view(request):
    page = Paginator(inspection_list(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/inspection_list.html",
        {"page": page, "can_record": request.user.has_luoshi_perm(Perm.PLAN_EDIT)},
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def inspection_create_view(request):
    initial = {"inspected_on": timezone.localdate()}
    refs = [request.GET["target"]] if request.method == "GET" and request.GET.get("target") else []
    if refs:
        initial["targets"] = " ".join(refs)
    form = InspectionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        refs = TargetRefsField.split(request.POST.get("targets", ""))
    try:
        # ?target=<kind>:<id>: a visit to that object (validated and access-checked like any target).
        targets = [target_view(target_resolve(request.user, ref, field="targets")) for ref in refs]
    except ServiceError as exc:
        return HttpResponseBadRequest(exc.message)

    def page(form, status=200):
        return render(request, "supervision/inspection_form.html", {"form": form, "targets": targets}, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.inspection_record(
            actor=request.user,
            inspected_on=d["inspected_on"],
            inspectors=d["inspectors"],
            place=d["place"],
            tasks=list(d["tasks"]),
            targets=[target_resolve(request.user, ref, field="targets") for ref in d["targets"]],
            summary=d["summary"],
            latitude=d["latitude"],
            longitude=d["longitude"],
            photos=uploads(d["photos"]),
        ),
        success=_("Inspection recorded."),
        redirect_to=lambda inspection: _inspection(inspection.pk),
        invalid=lambda form: page(form, status=400),
    )


def _inspection(pk: int) -> str:
    return reverse("supervision:inspection_detail", kwargs={"pk": pk})


def _rectification(pk: int) -> str:
    return reverse("supervision:rectification_detail", kwargs={"pk": pk})


def _lead_unit_id(obj) -> int | None:
    if obj is None:
        return None
    unit = lead_unit(obj)
    return unit.pk if unit else None


def _inspection_page(request, inspection, *, status: int = 200, **forms):
    findings = list(inspection.findings.all())
    deadline = work_calendar().add_workdays(timezone.localdate(), 10)
    # One form per finding without a rectification (distinct field ids); a refused one comes back with its errors.
    # The unit starts as the lead unit of the finding's task (the office changes it when someone else must act).
    rectification_forms = {
        f.pk: RectificationForm(
            initial={"deadline": deadline, "unit": _lead_unit_id(f.target)},
            auto_id=f"id_rect{f.pk}_%s",
        )
        for f in findings
        if not hasattr(f, "rectification")
    }
    if forms.get("rectification_form") is not None:
        rectification_forms[forms["rectification_finding"]] = forms["rectification_form"]
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": findings,
            "photos": [a for a in inspection.attachments.all()],
            "can_edit": request.user.has_luoshi_perm(Perm.PLAN_EDIT),
            "can_instruct": request.user.has_luoshi_perm(Perm.INSTRUCTION_WRITE),
            "photos_form": forms.get("photos_form") or PhotosForm(),
            "finding_form": forms.get("finding_form") or FindingForm(visited=inspection.target_objects()),
            "rectification_forms": rectification_forms,
            "rectification_finding": forms.get("rectification_finding"),
        },
        status=status,
    )


@require_perm(Perm.BUSINESS_READ_ALL)
def inspection_detail_view(request, pk: int):
    return _inspection_page(request, inspection_get_for_user(request.user, pk))


@require_perm(Perm.PLAN_EDIT)
@require_POST
def inspection_photos_view(request, pk: int):
    inspection = inspection_get_for_user(request.user, pk)
    return form_post(
        request,
        PhotosForm(request.POST, request.FILES),
        lambda d: services.inspection_add_photos(
            actor=request.user, inspection=inspection, photos=uploads(d["photos"])
        ),
        success=_("Photos added."),
        redirect_to=_inspection(inspection.pk),
        invalid=lambda form: _inspection_page(
            request, inspection_get_for_user(request.user, pk), status=400, photos_form=form
        ),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def finding_add_view(request, pk: int):
    inspection = inspection_get_for_user(request.user, pk)
    return form_post(
        request,
        FindingForm(request.POST, visited=inspection.target_objects()),
        lambda d: services.finding_add(actor=request.user, inspection=inspection, text=d["text"], target=d["target"]),
        success=_("Finding recorded."),
        redirect_to=_inspection(inspection.pk),
        invalid=lambda form: _inspection_page(request, inspection, status=400, finding_form=form),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_open_view(request, pk: int):
    finding = finding_get_for_user(request.user, pk)
    return form_post(
        request,
        RectificationForm(request.POST, request.FILES, auto_id=f"id_rect{finding.pk}_%s"),
        lambda d: services.rectification_open(
            actor=request.user,
            finding=finding,
            unit=d["unit"],
            deadline=d["deadline"],
            requirement=d["requirement"],
            photos=uploads(d["photos"]),
        ),
        success=lambda item: _("Rectification assigned to %(unit)s.") % {"unit": item.unit},
        redirect_to=lambda item: _rectification(item.pk),
        invalid=lambda form: _inspection_page(
            request,
            inspection_get_for_user(request.user, finding.inspection_id),
            status=400,
            rectification_form=form,
            rectification_finding=finding.pk,
        ),
    )


@require_perm(*READ)
def rectification_list_view(request):
    show = request.GET.get("show", "open")
    show = show if show in ("open", "reported", "done", "all") else "open"
    page = Paginator(rectification_list(request.user, show=show), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/rectification_list.html",
        {"page": page, "show": show, "counts": rectification_counts(request.user), "today": timezone.localdate()},
    )


def _rectification_page(request, item: Rectification, *, status: int = 200, report_form=None, return_form=None):
    office = request.user.has_luoshi_perm(Perm.PLAN_EDIT)
    attachments = list(item.attachments.all())
    return render(
        request,
        "supervision/rectification_detail.html",
        {
            "item": item,
            "before": [a for a in attachments if a.stage == "before"],
            "after": [a for a in attachments if a.stage == "after"],
            "today": timezone.localdate(),
            "can_report": in_unit(request.user, item.unit_id) and item.is_open,
            "can_decide": office and item.state == Rectification.State.REPORTED,
            "can_close": office and item.state == Rectification.State.VERIFIED,
            "report_form": report_form or RectificationReportForm(),
            "return_form": return_form or ReasonForm(),
        },
        status=status,
    )


@require_perm(*READ)
def rectification_detail_view(request, pk: int):
    return _rectification_page(request, rectification_get_for_user(request.user, pk))


@require_perm(*UNIT_ROLES)
@require_POST
def rectification_report_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    return form_post(
        request,
        RectificationReportForm(request.POST, request.FILES),
        lambda d: services.rectification_report(
            actor=request.user, item=item, text=d["text"], photos=uploads(d["photos"])
        ),
        success=_("Rectification reported to the supervision office."),
        redirect_to=_rectification(item.pk),
        invalid=lambda form: _rectification_page(
            request, rectification_get_for_user(request.user, pk), status=400, report_form=form
        ),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_verify_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    return button_post(
        request,
        lambda: services.rectification_verify(actor=request.user, item=item),
        success=_("Rectification verified."),
        redirect_to=_rectification(item.pk),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_return_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    return form_post(
        request,
        ReasonForm(request.POST),
        lambda d: services.rectification_return(actor=request.user, item=item, reason=d["reason"]),
        success=_("The report was sent back to the unit."),
        redirect_to=_rectification(item.pk),
        invalid=lambda form: _rectification_page(
            request, rectification_get_for_user(request.user, pk), status=400, return_form=form
        ),
    )


@require_perm(Perm.PLAN_EDIT)
@require_POST
def rectification_close_view(request, pk: int):
    item = rectification_get_for_user(request.user, pk)
    return button_post(
        request,
        lambda: services.rectification_close(actor=request.user, item=item),
        success=_("Rectification closed."),
        redirect_to=_rectification(item.pk),
    )
