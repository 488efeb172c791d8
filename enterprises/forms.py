from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm
from enterprises.models import AssistanceRequest, Outcome, Policy, RequestCategory, SizeClass
from org.models import LeaderPost, Unit
from plans.models import DimensionTag
from supervision.forms import DATE_WIDGET, MultipleFileField


def _units():
    return Unit.objects.filter(is_active=True).order_by("sort_key")


class EnterpriseForm(CheckedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    credit_code = forms.CharField(label=_("Unified social credit code (统一社会信用代码)"), max_length=40)
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    size = forms.ChoiceField(label=_("Size class"), choices=SizeClass.choices, initial=SizeClass.SMALL)
    subdistrict = forms.ModelChoiceField(
        label=_("Sub-district"), queryset=Unit.objects.filter(kind__in=["subdistrict", "town"]), required=False
    )
    block = forms.ModelChoiceField(
        label=_("Block"), queryset=DimensionTag.objects.filter(kind=DimensionTag.Kind.BLOCK), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    officer_unit = forms.ModelChoiceField(label=_("Service unit"), queryset=_units(), required=False)
    leader_post = forms.ModelChoiceField(
        label=_("Responsible leader (包联领导)"), queryset=LeaderPost.objects.filter(is_active=True), required=False
    )


class VisitForm(CheckedForm):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE_WIDGET)
    policies = forms.ModelMultipleChoiceField(
        label=_("Policies explained"),
        queryset=Policy.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.CharField(label=_("Services delivered"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    factors = forms.CharField(label=_("Factors delivered"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    photos = MultipleFileField(label=_("Photos"))


class RequestForm(CheckedForm):
    category = forms.ModelChoiceField(label=_("Category"), queryset=RequestCategory.objects.filter(is_active=True))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    channel = forms.ChoiceField(label=_("Channel"), choices=AssistanceRequest.Channel.choices)


class AssignForm(CheckedForm):
    unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=_units())


class ReasonForm(CheckedForm):
    reason = forms.CharField(label=_("Why it is returned"), widget=forms.Textarea(attrs={"rows": 2}))


class OutcomeFields(CheckedForm):
    jobs = forms.IntegerField(label=_("Jobs filled (persons)"), required=False, min_value=0)
    tax_relieved = forms.DecimalField(
        label=_("Tax and fees relieved (yuan)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    funds = forms.DecimalField(
        label=_("Funds provided (yuan)"), required=False, min_value=0, max_digits=16, decimal_places=2
    )
    funds_channel = forms.ChoiceField(label=_("Funds channel"), choices=Outcome.FundsChannel.choices, required=False)
    approval_days_saved = forms.IntegerField(label=_("Approval time saved (working days)"), required=False, min_value=0)
    land_mu = forms.DecimalField(label=_("Land (mu)"), required=False, min_value=0, max_digits=12, decimal_places=2)


class AnswerForm(OutcomeFields):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["answer"]


class FeedbackForm(CheckedForm):
    satisfied = forms.TypedChoiceField(
        label=_("The enterprise's feedback"),
        choices=[("1", _("Satisfied")), ("0", _("Not satisfied"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Feedback note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(CheckedForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(CheckedForm):
    file = forms.FileField(label=_("Workbook (.xlsx)"))


class CategoryForm(CheckedForm):
    name = forms.CharField(label=_("Name"), max_length=20)
    due_workdays = forms.IntegerField(label=_("Working days to answer"), min_value=1, max_value=60)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class PolicyForm(CheckedForm):
    title = forms.CharField(label=_("Policy title"), max_length=200)
    issuer = forms.CharField(label=_("Issuer"), max_length=100, required=False)
