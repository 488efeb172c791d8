from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Perm
from core.access import require_perm
from core.errors import ServiceError
from core.forms import add_service_error
from org import services
from org.forms import PostForm, UnitForm
from org.models import LeaderPost, Unit
from org.selectors import post_list, unit_tree_rows


@require_perm(Perm.ORG_READ)
def unit_list_view(request):
    return render(request, "org/unit_list.html", {"rows": unit_tree_rows()})


@require_perm(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def unit_form_view(request, pk: int | None = None):
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    initial = (
        {f: getattr(unit, f) for f in ("code", "name", "full_name", "kind", "parent", "is_active")} if unit else None
    )
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_save(actor=request.user, unit=unit, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:unit_list")
    title = unit.name if unit else _("New unit")
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": "org:unit_list"})


@require_perm(Perm.ORG_READ)
def post_list_view(request):
    return render(request, "org/post_list.html", {"posts": post_list()})


@require_perm(Perm.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def post_form_view(request, pk: int | None = None):
    post = get_object_or_404(LeaderPost, pk=pk) if pk else None
    initial = {f: getattr(post, f) for f in ("title", "rank", "portfolio", "holder", "is_active")} if post else None
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_save(actor=request.user, post=post, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:post_list")
    title = post.title if post else _("New leader post")
    return render(request, "core/form_page.html", {"form": form, "title": title, "back": "org:post_list"})
