from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import LoginForm, PasswordChangeForm, PasswordResetForm, RoleForm, UserCreateForm, UserEditForm
from accounts.lockout import active_lockouts, address_throttled
from accounts.models import ROLE_CHOICES, AdminRequest
from accounts.roles import Perm
from accounts.selectors import (
    admin_request_get_for_user,
    admin_requests_for,
    live_token_get,
    live_tokens,
    user_get_for_admin,
    user_list,
    user_takeover_guarded,
)
from core.access import require_perm
from core.errors import ServiceError
from core.forms import add_service_error
from core.middleware import client_ip
from core.views_helpers import button_post, form_post


def lockout_message() -> str:
    return _("Too many wrong passwords: this account is locked for 15 minutes. Try again later.")


def address_lockout_message() -> str:
    return _("Too many failed logins from your network address: logins from it are paused for 15 minutes.")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this when a login is locked: JSON for the API, the login page otherwise."""
    message = address_lockout_message() if address_throttled(client_ip(request)) else lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "accounts/login.html", {"form": LoginForm(request), "lockout": message}, status=403)


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
            return redirect("workbench:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password})


@require_perm()
def token_list_view(request):
    """The user's own API tokens with last use; each can be revoked here."""
    return render(request, "accounts/token_list.html", {"tokens": live_tokens(request.user)})


@require_perm()
@require_http_methods(["POST"])
def token_revoke_view(request, pk: int):
    services.token_revoke(actor=request.user, token=live_token_get(request.user, pk))
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:token_list")


@require_perm(Perm.USER_READ)
def user_list_view(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(user_list(q=q), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@require_perm(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_create_view(request):
    form = UserCreateForm(request.POST or None)

    def page(form):
        return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        lambda d: services.user_create(actor=request.user, **d),
        success=lambda user: _("User %(name)s was created. A security admin grants the roles.") % {"name": user},
        redirect_to="accounts:user_list",
        invalid=page,
    )


@require_perm(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_edit_view(request, pk: int):
    user = user_get_for_admin(request.user, pk, perm=Perm.USER_MANAGE)
    initial = {f: getattr(user, f) for f in ("display_name", "unit", "email", "phone", "is_active")}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Deactivating an admin account is a request for a second admin duty's approval (三员分立);
        # the other fields are saved now.
        ask = user.is_active and not data["is_active"] and user_takeover_guarded(user)
        try:
            services.user_update(actor=request.user, user=user, **{**data, "is_active": data["is_active"] or ask})
            if ask:
                services.admin_request_create(actor=request.user, target=user, kind=AdminRequest.Kind.DEACTIVATE)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if ask:
                messages.info(request, _("Saved. The deactivation takes effect once another admin duty approves it."))
            else:
                messages.success(request, _("Saved."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": user.username, "target": user})


@require_perm(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_password_view(request, pk: int):
    user = user_get_for_admin(request.user, pk, perm=Perm.USER_MANAGE)
    if user.pk == request.user.pk:
        # One's own password is changed with the current one, on the password page.
        return redirect("accounts:password_change")
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password"]
        guarded = user_takeover_guarded(user)
        try:
            if guarded:
                services.admin_request_create(
                    actor=request.user, target=user, kind=AdminRequest.Kind.PASSWORD_RESET, password=password
                )
            else:
                services.user_set_password(actor=request.user, user=user, password=password)
        except ServiceError as exc:
            exc.field = exc.field or "password"
            add_service_error(form, exc)
        else:
            if guarded:
                messages.info(
                    request, _("The reset of %(name)s waits for another admin duty's approval.") % {"name": user}
                )
            else:
                messages.success(
                    request, _("The password of %(name)s was reset; it must be changed at next login.") % {"name": user}
                )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("Reset password"), "target": user})


@require_perm(Perm.USER_MANAGE, Perm.ADMIN_APPROVE)
def admin_request_list_view(request):
    page = Paginator(admin_requests_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/admin_request_list.html", {"page": page})


@require_perm(Perm.ADMIN_APPROVE)
@require_http_methods(["POST"])
def admin_request_decide_view(request, pk: int):
    admin_request = admin_request_get_for_user(request.user, pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("accounts:admin_request_list")
    return button_post(
        request,
        lambda: services.admin_request_decide(actor=request.user, request=admin_request, approve=decision == "approve"),
        success=_("Approved: it took effect.") if decision == "approve" else _("Rejected."),
        redirect_to="accounts:admin_request_list",
    )


@require_perm(Perm.LOCKOUT_MANAGE)
def lockout_list_view(request):
    return render(request, "accounts/lockout_list.html", {"lockouts": active_lockouts()})


@require_perm(Perm.LOCKOUT_MANAGE)
@require_http_methods(["POST"])
def lockout_unlock_view(request):
    return button_post(
        request,
        lambda: services.lockout_lift(
            actor=request.user,
            username=request.POST.get("username", "")[:150],
            ip_address=request.POST.get("ip_address", "")[:45],
        ),
        success=_("Unlocked."),
        redirect_to="accounts:lockout_list",
    )


@require_perm(Perm.ROLE_GRANT)
@require_http_methods(["GET", "POST"])
def user_roles_view(request, pk: int):
    user = user_get_for_admin(request.user, pk, perm=Perm.ROLE_GRANT)
    form = RoleForm(request.POST or None)

    def save(d: dict) -> None:
        if d["action"] == "grant":
            services.role_grant(actor=request.user, user=user, role=d["role"])
        else:
            services.role_revoke(actor=request.user, user=user, role=d["role"])

    def page(form, status=200):
        held = set(user.role_grants.values_list("role", flat=True))
        roles = [{"code": code, "label": label, "held": code in held} for code, label in ROLE_CHOICES]
        context = {"form": form, "target": user, "roles": roles}
        return render(request, "accounts/user_roles.html", context, status=status)

    if request.method != "POST":
        return page(form)
    return form_post(
        request,
        form,
        save,
        success=_("Roles updated."),
        redirect_to=reverse("accounts:user_roles", args=[user.pk]),
        invalid=lambda form: page(form, status=400),
    )
