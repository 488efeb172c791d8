from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import ROLE_CHOICES
from core.forms import CheckedForm, InputChecks
from org.models import Unit


class LoginForm(InputChecks, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. After 5 wrong attempts the account is locked for 15 minutes."),
        "inactive": _("This account is disabled."),
    }


class PasswordChangeForm(CheckedForm):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, strip=False)
    new_password1 = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(label=_("New password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is wrong."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Unit.objects.filter(is_active=True).order_by("sort_key"), **kwargs)


class UserCreateForm(CheckedForm):
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]+$",
        error_messages={"invalid": _("Use letters, digits, '_', '.' or '-' only.")},
    )
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    unit = UnitChoiceField(label=_("Unit"), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)


class UserEditForm(CheckedForm):
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    unit = UnitChoiceField(label=_("Unit"), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class PasswordResetForm(CheckedForm):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, strip=False)


class RoleForm(CheckedForm):
    action = forms.ChoiceField(choices=[("grant", "grant"), ("revoke", "revoke")])
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
