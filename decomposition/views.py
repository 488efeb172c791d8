"""The decomposition pages (分解): paste or upload → review the highlighted proposal → edit, assign 三定 → accept.

Cell edits, per-row 三定 and dropping a row are htmx requests answered with small fragments; adding a
row, bulk 三定 and accepting are plain form posts that come back to the page.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Perm
from audit.services import audit_record
from core.access import require_perm
from core.errors import ServiceError
from core.forms import error_text
from core.xlsx import XLSX_MIME
from decomposition import services
from decomposition.forms import (
    AddRowForm,
    AssignForm,
    DutiesUploadForm,
    ExtractForm,
    RowAssignForm,
    post_choices,
    unit_choices,
)
from decomposition.messages import duty_error_line, row_error
from decomposition.proposal import ACHIEVEMENT_FIELDS, COMMITMENT_FIELDS, commitment_problems, readable_amount
from decomposition.selectors import (
    area_choices,
    document_segments,
    draft_for_plan,
    draft_ledger_rows,
    draft_rows,
    duty_rows,
    plan_text_segments,
    row_suggestions,
)
from org.services import duties_import
from plans.ledger import build_task_ledger_xlsx
from plans.models import Plan
from plans.selectors import plan_get_for_user

READ = (Perm.BUSINESS_READ_ALL, Perm.BUSINESS_READ_UNIT)


def _is_htmx(request) -> bool:
    return bool(getattr(request, "htmx", False))


def _page_url(plan: Plan, anchor: str = "") -> str:
    return reverse("decomposition:draft", kwargs={"pk": plan.pk}) + (f"#{anchor}" if anchor else "")


def _draft_or_404(plan: Plan):
    draft = draft_for_plan(plan)
    if draft is None:
        raise Http404
    return draft


# --- the page --------------------------------------------------------------------------------------


@require_perm(Perm.PLAN_EDIT)
@require_GET
def draft_view(request, pk: int):
    """The review page, or the paste/upload form when the plan has no draft yet (or `?new=1`)."""
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = draft_for_plan(plan)
    if draft is None or request.GET.get("new"):
        initial = {"text": plan.source_text} if plan.source_text and draft is None else None
        return _input_page(request, plan, draft, ExtractForm(initial=initial))
    return _review_page(request, plan, draft)


def _input_page(request, plan, draft, form, status=200):
    return render(request, "decomposition/input.html", {"plan": plan, "draft": draft, "form": form}, status=status)


def _review_page(request, plan, draft, *, problems=None, status=200):
    commitments, achievements = draft_rows(draft)
    if problems is None and any(r["accepted"] for r in commitments):
        # after a partial accept, the rows left as drafts show what they still miss
        problems = [
            p for row in draft.commitments if not row.get("task") for p in commitment_problems(row, plan_year=plan.year)
        ]
    row_problems: dict[str, list[str]] = {}
    for problem in problems or []:
        row_problems.setdefault(problem.row_id, []).append(row_error(problem.code))
    for row in [*commitments, *achievements]:
        row["problems"] = row_problems.get(row["id"], [])
    suggestions = row_suggestions(draft, commitments)
    for row in commitments:
        row["suggestion"] = suggestions.get(row["id"])
        row["path"] = row.get("areas") or []
    pending = [r for r in commitments if not r["accepted"]]
    context = {
        "plan": plan,
        "draft": draft,
        "segments": document_segments(draft),
        "commitments": commitments,
        "achievements": achievements,
        "pending_commitments": len(pending),
        "pending_achievements": len([r for r in achievements if not r["accepted"]]),
        "areas": area_choices(plan, draft),
        "posts": list(post_choices()),
        "units": list(unit_choices()),
        "assign_form": AssignForm(row_ids=[r["id"] for r in pending]),
        "problem_count": len(problems or []),
        "milestones": [r for r in commitments if r.get("milestone")],
        "suggested": len(suggestions),
    }
    return render(request, "decomposition/review.html", context, status=status)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def extract_view(request, pk: int):
    plan = plan_get_for_user(request.user, pk, write=True)
    form = ExtractForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        try:
            draft = services.draft_extract(
                actor=request.user,
                plan=plan,
                text=d["text"],
                source_name=d["source_name"],
                source_kind=d["source_kind"],
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Proposed %(c)d commitments and %(a)d achievements. Review them, then accept.")
                % {"c": len(draft.commitments), "a": len(draft.achievements)},
            )
            return redirect(_page_url(plan))
    return _input_page(request, plan, draft_for_plan(plan), form, status=400)


# --- editing rows ----------------------------------------------------------------------------------


# A refused cell edit answers 422 (not 400): django-htmx's debug script replaces the whole page with
# 400 responses under DEBUG, and the page's script lets htmx show 422 in the row.
REFUSED = 422


def _row_status(request, plan, row_id: str, *, error: str = "", row: dict | None = None, status: int = 200):
    """The small status beside a row after an htmx edit ("saved" or the error); plain posts go back to the page."""
    if _is_htmx(request):
        context = {"row_id": row_id, "error": error, "row": row, "plan": plan, "readable": None}
        if row is not None and "value" in row:
            context["readable"] = readable_amount(row.get("value"), row.get("unit") or "")
        return render(request, "decomposition/_row_status.html", context, status=status)
    if error:
        messages.error(request, error)
    return redirect(_page_url(plan, f"row-{row_id}"))


@require_perm(Perm.PLAN_EDIT)
@require_POST
def row_update_view(request, pk: int):
    """Edit cells of one row: the posted fields among the row's editable ones."""
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    row_id = request.POST.get("row", "")
    editable = set(COMMITMENT_FIELDS) | set(ACHIEVEMENT_FIELDS)
    changes = {name: request.POST.get(name) for name in request.POST if name in editable}
    if "estimate" in request.POST.getlist("fields"):
        changes.setdefault("estimate", False)  # an unchecked checkbox sends nothing
    try:
        row = services.draft_row_update(actor=request.user, draft=draft, row_id=row_id, changes=changes)
    except ServiceError as exc:
        return _row_status(request, plan, row_id, error=exc.message, status=REFUSED)
    return _row_status(request, plan, row_id, row=row)


@require_perm(Perm.PLAN_EDIT)
@require_POST
def row_assign_view(request, pk: int):
    """三定 of one row from its own selects and co-unit boxes."""
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    row_id = request.POST.get("row", "")
    form = RowAssignForm(request.POST)
    if not form.is_valid():
        return _row_status(request, plan, row_id, error=row_error("unknown_unit"), status=REFUSED)
    d = form.cleaned_data
    try:
        row = services.draft_row_assign(
            actor=request.user,
            draft=draft,
            row_id=row_id,
            post=d["post"],
            lead_unit=d["lead"],
            co_units=list(d["co_units"]),
        )
    except ServiceError as exc:
        return _row_status(request, plan, row_id, error=exc.message, status=REFUSED)
    return _row_status(request, plan, row_id, row={**row, "co_names": [u.name for u in d["co_units"]]})


@require_perm(Perm.PLAN_EDIT)
@require_POST
def row_delete_view(request, pk: int):
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    row_id = request.POST.get("row", "")
    found = draft.row(row_id)
    try:
        services.draft_row_delete(actor=request.user, draft=draft, row_id=row_id)
    except ServiceError as exc:
        return _row_status(request, plan, row_id, error=exc.message, status=REFUSED)
    if _is_htmx(request):
        draft.refresh_from_db()
        kind, row = found
        context = {"row": row, "text": draft.text[row["start"] : row["end"]], "draft": draft}
        return render(request, "decomposition/_row_deleted.html", context)
    messages.success(request, _("Removed from the proposal."))
    return redirect(_page_url(plan, "proposal"))


@require_perm(Perm.PLAN_EDIT)
@require_POST
def row_add_view(request, pk: int):
    """Add an item the extractor missed, from text selected in the document."""
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    form = AddRowForm(request.POST)
    if not form.is_valid():
        messages.error(request, row_error("bad_selection"))
        return redirect(_page_url(plan))
    d = form.cleaned_data
    try:
        row = services.draft_row_add(actor=request.user, draft=draft, kind=d["kind"], start=d["start"], end=d["end"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_page_url(plan))
    messages.success(request, _("Added to the proposal: “%(q)s”.") % {"q": row["quote"]})
    return redirect(_page_url(plan, f"row-{row['id']}"))


@require_perm(Perm.PLAN_EDIT)
@require_POST
def assign_view(request, pk: int):
    """三定 for many rows at once: the checked rows get the chosen leader, lead unit and co-units."""
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    form = AssignForm(request.POST, row_ids=[r["id"] for r in draft.commitments])
    if not form.is_valid():
        messages.error(request, error_text(form))
        return redirect(_page_url(plan, "proposal"))
    d = form.cleaned_data
    try:
        changed = services.draft_assign(
            actor=request.user,
            draft=draft,
            row_ids=d["rows"],
            post=d["post"],
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]) or None,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("三定 assigned to %(n)d rows.") % {"n": changed})
    return redirect(_page_url(plan, "proposal"))


@require_perm(Perm.PLAN_EDIT)
@require_POST
def accept_view(request, pk: int):
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    try:
        outcome = services.draft_accept(actor=request.user, draft=draft)
    except services.AcceptRefused as exc:
        messages.error(request, exc.message)
        return _review_page(request, plan, draft_for_plan(plan), problems=exc.problems, status=400)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_page_url(plan))
    messages.success(
        request,
        _(
            "Accepted: %(t)d tasks created (%(te)d already in the plan), "
            "%(v)d indicator values recorded (%(ve)d already recorded)."
        )
        % {
            "t": outcome.tasks_created,
            "te": outcome.tasks_existing,
            "v": outcome.values_created,
            "ve": outcome.values_existing,
        },
    )
    if outcome.areas_created:
        messages.info(request, _("New areas added to the plan: %(a)s.") % {"a": "、".join(outcome.areas_created)})
    if outcome.rows_remaining:
        messages.warning(
            request,
            _("%(n)d rows remain in the draft: they still miss what is marked on them (三定, target, area …).")
            % {"n": outcome.rows_remaining},
        )
    return redirect(_page_url(plan))


@require_perm(Perm.PLAN_EDIT)
@require_GET
def export_view(request, pk: int):
    """The proposal as the usual 任务分解表, to circulate before accepting."""
    plan = plan_get_for_user(request.user, pk, write=True)
    draft = _draft_or_404(plan)
    content = build_task_ledger_xlsx(draft_ledger_rows(draft))
    audit_record(actor=request.user, verb="decompositiondraft.export", obj=draft)
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="decomposition-{plan.pk}-{stamp}.xlsx"'
    return response


# --- the plan text, with each task's sentence ------------------------------------------------------


@require_perm(*READ)
@require_GET
def plan_text_view(request, pk: int):
    """The plan as published with the sentence of every task highlighted: where a task's source link leads."""
    plan = plan_get_for_user(request.user, pk)
    return render(
        request, "decomposition/plan_text.html", {"plan": plan, "segments": plan_text_segments(plan, request.user)}
    )


@require_perm(Perm.PLAN_EDIT)
@require_http_methods(["GET", "POST"])
def duties_view(request):
    """单位职责表: the keywords each unit answers for, replaced from an .xlsx (all rows or none)."""
    errors: list[str] = []
    form = DutiesUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        parsed = duties_import(actor=request.user, data=data)
        if parsed.errors:
            errors = [duty_error_line(e.row, e.column, e.code, e.value) for e in parsed.errors]
        else:
            messages.success(request, _("Unit responsibilities replaced: %(n)d units.") % {"n": len(parsed.rows)})
            return redirect("decomposition:duties")
    status = 400 if errors else 200
    context = {"form": form, "errors": errors, "rows": duty_rows()}
    return render(request, "decomposition/duties.html", context, status=status)
