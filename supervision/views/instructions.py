"""Pages of 领导批示: instructions and the unit's follow-up answers. Thin: parse, check, call, render."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Perm
from core.access import require_perm
from core.errors import ServiceError
from core.forms import add_service_error
from core.views_helpers import form_post
from core.workcalendar import work_calendar
from reports.selectors import report_get_for_user
from supervision import services
from supervision.forms import (
    AnswerForm,
    AnswerReturnForm,
    InstructionForm,
    VerifyForm,
    uploads,
)
from supervision.models import FollowUp
from supervision.selectors import (
    finding_get_for_user,
    followup_get_for_user,
    followup_history,
    instruction_counts,
    instruction_get_for_user,
    instruction_list,
    order_get_for_user,
)
from supervision.targets import parse_target, target_get_for_user, target_view
from supervision.views.common import READ, UNIT_ROLES, in_unit


@require_perm(*READ)
def instruction_list_view(request):
    """我的批示 (a leader's own, with answer states), all instructions (office), or my unit's follow-ups."""
    user = request.user
    is_leader = user.has_luoshi_perm(Perm.INSTRUCTION_WRITE)
    mine = is_leader and request.GET.get("all") != "1"
    state = request.GET.get("state", "")
    state = state if state in FollowUp.State.values else ""
    page = Paginator(instruction_list(user, mine=mine, state=state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/instruction_list.html",
        {
            "page": page,
            "mine": mine,
            "is_leader": is_leader,
            "state": state,
            "counts": instruction_counts(user, mine=mine),
            "today": timezone.localdate(),
        },
    )


# Supervision records an instruction can be on; every other key is a target kind (supervision.targets).
INSTRUCTION_RECORDS: dict[str, Callable[[Any, int], Any]] = {
    "report": report_get_for_user,
    "order": order_get_for_user,
    "finding": finding_get_for_user,
}


@require_perm(Perm.INSTRUCTION_WRITE)
def instruction_new_view(request):
    """?target=<kind>:<id> → the instruction form on that object (unknown kind 400, outside scope 404)."""
    try:
        key, pk = parse_target(request.GET.get("target", ""))
    except ServiceError as exc:
        return HttpResponseBadRequest(exc.message)
    target_get_for_user(request.user, key, pk)
    return redirect("supervision:instruction_create", target=key, pk=pk)


@require_perm(Perm.INSTRUCTION_WRITE)
@require_http_methods(["GET", "POST"])
def instruction_create_view(request, target: str, pk: int):
    """A leader writes an instruction on a supervised object of any kind (a task, a project …), a report, an
    order or a finding (each access-checked as usual)."""
    if target in INSTRUCTION_RECORDS:
        obj = INSTRUCTION_RECORDS[target](request.user, pk)
        on = {target: obj}
    else:
        try:
            obj = target_get_for_user(request.user, target, pk)
        except LookupError:
            raise Http404 from None
        on = {"target": obj}
    default_unit = services.instruction_unit(**on)
    due = work_calendar().add_workdays(timezone.localdate(), settings.SUPERVISION_RESPONSE_WORKDAYS)
    form = InstructionForm(request.POST or None, initial={"unit": default_unit, "due_date": due})

    def page(form, status=200):
        context = {"form": form, "target": obj, "target_key": target, "target_link": _link(obj)}
        return render(request, "supervision/instruction_form.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.instruction_create(
            actor=request.user, text=d["text"], due_date=d["due_date"], unit=d["unit"], **on
        ),
        success=lambda instruction: (
            _("Instruction sent; %(unit)s must answer it.") % {"unit": instruction.followup.unit}
        ),
        redirect_to=lambda instruction: _detail(instruction.pk),
        invalid=lambda form: page(form, status=400),
    )


def _link(obj):
    try:
        return target_view(obj)
    except LookupError:
        return None


def _detail(pk: int) -> str:
    return reverse("supervision:instruction_detail", kwargs={"pk": pk})


def _instruction_page(request, instruction, *, status: int = 200, answer_form=None, return_form=None):
    followup = instruction.followup
    return render(
        request,
        "supervision/instruction_detail.html",
        {
            "instruction": instruction,
            "followup": followup,
            "answers": followup_history(followup),
            "today": timezone.localdate(),
            "can_answer": in_unit(request.user, followup.unit_id) and followup.is_open,
            "can_decide": followup.state == FollowUp.State.ANSWERED
            and services.followup_may_decide(request.user, followup),
            "answer_form": answer_form or AnswerForm(),
            "return_form": return_form or AnswerReturnForm(),
            "issuer": settings.SUPERVISION_ISSUER_NAME,
        },
        status=status,
    )


@require_perm(*READ)
def instruction_detail_view(request, pk: int):
    return _instruction_page(request, instruction_get_for_user(request.user, pk))


@require_perm(*UNIT_ROLES)
@require_POST
def followup_answer_view(request, pk: int):
    followup = followup_get_for_user(request.user, pk)
    return form_post(
        request,
        AnswerForm(request.POST, request.FILES),
        lambda d: services.followup_answer(
            actor=request.user, followup=followup, answer=d["answer"], files=uploads(d["files"])
        ),
        success=_("Answer sent to the leader."),
        redirect_to=_detail(followup.instruction_id),
        invalid=lambda form: _instruction_page(
            request, instruction_get_for_user(request.user, followup.instruction_id), status=400, answer_form=form
        ),
    )


@require_perm(Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
@require_POST
def followup_accept_view(request, pk: int):
    followup = followup_get_for_user(request.user, pk)
    form = VerifyForm(request.POST)
    form.is_valid()
    try:
        services.followup_accept(actor=request.user, followup=followup, note=form.cleaned_data.get("note", ""))
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Answer accepted."))
    return redirect("supervision:instruction_detail", pk=followup.instruction_id)


@require_perm(Perm.PLAN_EDIT, Perm.INSTRUCTION_WRITE)
@require_POST
def followup_return_view(request, pk: int):
    followup = followup_get_for_user(request.user, pk)
    form = AnswerReturnForm(request.POST)
    if form.is_valid():
        try:
            services.followup_return(actor=request.user, followup=followup, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied from exc
            add_service_error(form, exc)
        else:
            messages.success(request, _("The answer was sent back to the unit."))
            return redirect("supervision:instruction_detail", pk=followup.instruction_id)
    instruction = instruction_get_for_user(request.user, followup.instruction_id)
    return _instruction_page(request, instruction, status=400, return_form=form)
