"""Forms of the evaluation pages: appeal, decision, adjustment, scheme components, bulletin."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm
from evaluation.models import Adjustment, Period, Scheme
from org.models import Unit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class AppealForm(CheckedForm):
    component_key = forms.ChoiceField(label=_("Component"))
    reason = forms.CharField(label=_("Reason of the appeal"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    evidence = MultipleFileField(label=_("Evidence"))

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component_key"].choices = [(c["key"], f"{c['label']}（{c['points']}）") for c in components]


class AppealDecisionForm(CheckedForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("uphold", _("Uphold")), ("reject", _("Reject"))])
    corrected_points = forms.DecimalField(
        label=_("Corrected points"), required=False, max_digits=6, decimal_places=2,
        widget=forms.NumberInput(
            attrs={"placeholder": _("Corrected points"), "step": "0.01", "aria-label": _("Corrected points")}
        ),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Reason of the decision"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Reason of the decision"),
                                     "aria-label": _("Reason of the decision")}),
    )  # fmt: skip


class AdjustmentForm(CheckedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    kind = forms.ChoiceField(label=_("Kind"), choices=Adjustment.Kind.choices)
    points = forms.DecimalField(label=_("Points"), max_digits=5, decimal_places=2, min_value=0)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason of the points"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    evidence = MultipleFileField(label=_("Evidence"))


class ComponentsForm(CheckedForm):
    total = forms.DecimalField(label=_("Total points"), max_digits=6, decimal_places=2, min_value=1)
    bonus_cap = forms.DecimalField(label=_("Bonus cap"), max_digits=6, decimal_places=2, min_value=0)
    yellow_credit = forms.DecimalField(label=_("Credit for a yellow light"), max_digits=4, decimal_places=2,
                                       min_value=0, max_value=1)  # fmt: skip
    late_credit = forms.DecimalField(label=_("Credit for a late report"), max_digits=4, decimal_places=2,
                                     min_value=0, max_value=1)  # fmt: skip
    appeal_workdays = forms.IntegerField(label=_("Appeal window (working days)"), min_value=1, max_value=30)
    components = forms.CharField(
        label=_("Components (JSON)"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
        max_length=20000,
        help_text=_(
            'One object per component: key, label, source, weight, rule ({"kind": "linear", "low", "high"} · '
            '{"kind": "banded", "bands": [[from, to, share], …]} · {"kind": "deduction", "per_event", "cap"}).'
        ),
    )  # fmt: skip

    def clean_components(self):
        try:
            rows = json.loads(self.cleaned_data["components"])
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(e)s") % {"e": exc}) from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise forms.ValidationError(_("A list of components is expected."))
        return rows

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        # 分类考核: one unit list per group, editable until the scheme is used.
        self.groups = list(scheme.groups.prefetch_related("units")) if scheme else []
        for g in self.groups:
            self.fields[f"group_{g.pk}"] = forms.ModelMultipleChoiceField(
                label=g.name, queryset=Unit.objects.filter(is_active=True), required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
                initial=[u.pk for u in g.units.all()],
            )  # fmt: skip

    def group_units(self) -> dict[int, list[int]]:
        return {g.pk: [u.pk for u in self.cleaned_data[f"group_{g.pk}"]] for g in self.groups}


class PeriodForm(CheckedForm):
    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.all())
    kind = forms.ChoiceField(label=_("Kind"), choices=Period.Kind.choices)
    year_mode = forms.ChoiceField(label=_("A year is"), choices=Period.YearMode.choices, required=False)
    start = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    label = forms.CharField(label=_("Name"), max_length=40)


class BulletinForm(CheckedForm):
    month = forms.CharField(label=_("Month (YYYY-MM)"), max_length=7)
    title = forms.CharField(label=_("Bulletin title"), max_length=120, required=False)
    opening = forms.CharField(label=_("Opening paragraph"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000)  # fmt: skip
    remarks = forms.CharField(label=_("Remarks"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000)  # fmt: skip
