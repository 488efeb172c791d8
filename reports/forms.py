from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm, CheckedModelForm, PlainDecimalField
from core.models import WorkdayOverride
from reports.models import Judgement


class ReportForm(CheckedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    value = PlainDecimalField(label=_("Cumulative value"), required=False, min_value=0, max_digits=20, decimal_places=4)
    narrative = forms.CharField(label=_("Progress"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label=_("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(CheckedForm):
    reason = forms.CharField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(CheckedForm):
    file = forms.FileField(label=_("Evidence file"), error_messages={"empty": _("The file is empty.")})


class JudgementForm(CheckedForm):
    likelihood = forms.ChoiceField(label=_("Likelihood of delivery"), choices=Judgement.Likelihood.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    recorded_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class WorkdayOverrideForm(CheckedModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_workday", "name", "source", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
