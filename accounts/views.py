from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import LoginForm, PasswordChangeForm, PasswordResetForm, RoleForm, UserCreateForm, UserEditForm
from accounts.models import ROLE_CHOICES
from accounts.roles import Perm
from accounts.selectors import user_get_for_admin, user_list
from core.access import require_perm
from core.errors import ServiceError
from core.forms import add_service_error


def lockout_message() -> str:
    return _("Too many wrong passwords: this account is locked for 15 minutes. Try again later.")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when an account is locked: JSON for the API, the login page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=403)
    return render(
        request, "accounts/login.html", {"form": LoginForm(request), "lockout": lockout_message()}, status=403
    )


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_http_methods(["POST"])
def logout_view(request):
    return auth_views.LogoutView.as_view()(request)


@require_perm()
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=request.user, password=form.cleaned_data["new_password1"]
            )
        except ServiceError as exc:
            exc.field = "new_password1"
            add_service_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


@require_perm(Perm.USER_READ)
def user_list_view(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(user_list(q=q), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@require_perm(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_create_view(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("User %(name)s was created. A security admin grants the roles.") % {"name": user}
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@require_perm(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_edit_view(request, pk: int):
    user = user_get_for_admin(request.user, pk, perm=Perm.USER_MANAGE)
    initial = {f: getattr(user, f) for f in ("display_name", "unit", "email", "phone", "is_active")}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(actor=request.user, user=user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": user.username, "target": user})


@require_perm(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_password_view(request, pk: int):
    user = user_get_for_admin(request.user, pk, perm=Perm.USER_MANAGE)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The password of %(name)s was reset.") % {"name": user})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("Reset password"), "target": user})


@require_perm(Perm.ROLE_GRANT)
@require_http_methods(["GET", "POST"])
def user_roles_view(request, pk: int):
    user = user_get_for_admin(request.user, pk, perm=Perm.ROLE_GRANT)
    form = RoleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            action, role = form.cleaned_data["action"], form.cleaned_data["role"]
            try:
                if action == "grant":
                    services.role_grant(actor=request.user, user=user, role=role)
                else:
                    services.role_revoke(actor=request.user, user=user, role=role)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Roles updated."))
                return redirect("accounts:user_roles", pk=user.pk)
        status = 400
    held = set(user.role_grants.values_list("role", flat=True))
    roles = [{"code": code, "label": label, "held": code in held} for code, label in ROLE_CHOICES]
    return render(request, "accounts/user_roles.html", {"form": form, "target": user, "roles": roles}, status=status)
