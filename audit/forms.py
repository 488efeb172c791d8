from django import forms
from django.utils.translation import gettext_lazy as _

from audit.selectors import AuditFilter
from core.forms import CheckedForm


class AuditFilterForm(CheckedForm):
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    verb = forms.CharField(label=_("Action"), required=False, max_length=60)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilter(**{k: v for k, v in data.items() if v not in (None, "")})
