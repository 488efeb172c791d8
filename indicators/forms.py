"""Forms of the indicator pages: filters, a value, a target, the catalogue entry."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.forms import CheckedForm
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from org.models import Unit
from plans.models import DimensionTag


class CatalogueFilterForm(CheckedForm):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=DimensionTag.objects.filter(is_active=True), required=False)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.all(), required=False)
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=[("", "—"), *Indicator.Frequency.choices], required=False
    )


class ValueForm(CheckedForm):
    # Text, not a number field: the service reads "1,234.5" and names the field when it is not a number.
    period = forms.CharField(label=_("Period"), max_length=20, help_text=_("2021, 2021Q1, 2021-03 or 2016-2020"))
    value = forms.CharField(label=_("Value"), max_length=40)
    unit = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=IndicatorValue.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReturnForm(CheckedForm):
    reason = forms.CharField(label=_("Reason for return"), max_length=500)


class TargetForm(CheckedForm):
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    value = forms.CharField(label=_("Target"), max_length=40)
    unit = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    modality = forms.ChoiceField(label=_("Modality"), choices=IndicatorTarget.Modality.choices)
    horizon = forms.ChoiceField(label=_("Horizon"), choices=IndicatorTarget.Horizon.choices)


class IndicatorForm(CheckedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Base unit"), max_length=20, required=False, help_text=_("元, 人, 平方米, %"))
    display_unit = forms.CharField(label=_("Display unit"), max_length=20, required=False, help_text=_("亿元, 万人"))
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Indicator.Frequency.choices)
    accumulation = forms.ChoiceField(label=_("Accumulation"), choices=Indicator.Accumulation.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Indicator.Direction.choices)
    price_basis = forms.ChoiceField(label=_("Price basis"), choices=Indicator.PriceBasis.choices, required=False)
    source_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.all(), required=False)
    definition = forms.CharField(label=_("Definition"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    measure_key = forms.CharField(label=_("Measure (computed indicator)"), max_length=80, required=False)
    measure_params = forms.CharField(
        label=_("Measure parameters"), max_length=200, required=False, help_text=_("object=老旧小区")
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=DimensionTag.objects.filter(is_active=True), required=False
    )
    total = forms.ModelChoiceField(
        label=_("Share of (total indicator)"),
        queryset=Indicator.objects.order_by("name"),
        required=False,
        help_text=_("The indicator this one is a part of, in the same unit: the page shows the share per period."),
    )
    reviewed = forms.BooleanField(label=_("Reviewed"), required=False, initial=True)


class MergeForm(CheckedForm):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Indicator.objects.filter(reviewed=True).order_by("name"),
        error_messages={"required": _("Choose the indicator to merge into.")},
    )


class IndicatorLedgerImportForm(CheckedForm):
    file = forms.FileField(
        label=_("Indicator ledger (.xlsx)"),
        error_messages={"required": _("Choose the .xlsx file to import."), "empty": _("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > uploads.max_bytes():
            raise forms.ValidationError(uploads.refusal_message("too_large"))
        return upload
