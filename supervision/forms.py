from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm
from core.uploads import MESSAGES as UPLOAD_MESSAGES
from org.models import Unit
from plans.forms import TaskSearchWidget
from plans.models import Plan, Task
from supervision.models import OrderKind
from supervision.orderdoc import MAX_CONTENT, MAX_REQUIREMENTS
from supervision.services import MAX_FILES, MAX_RESPONSE_WORKDAYS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (a phone camera or a drag of many photos). Content is checked by the service."""

    def __init__(self, *args, accept: str = "image/*", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(UPLOAD_MESSAGES["too_many_files"] % {"n": MAX_FILES})
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def uploads(files) -> list:
    """The uploaded files as they are: the service checks them (core.uploads) without reading them whole."""
    return list(files or [])


def unit_choices():
    return Unit.objects.filter(is_active=True).order_by("sort_key")


def task_choices():
    return (
        Task.objects.alive()
        .filter(plan__status__in=Plan.OPEN_STATES)
        .select_related("node")
        .order_by("plan__year", "code")
    )


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.node.title}"


class OrderForm(CheckedForm):
    tasks = TaskChoiceField(label=_("Tasks"), queryset=Task.objects.none(), widget=TaskSearchWidget)
    unit = forms.ModelChoiceField(label=_("Addressed to (主送单位)"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=OrderKind.choices)
    content = forms.CharField(
        label=_("Content"), max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_CONTENT})
    )
    requirements = forms.CharField(
        label=_("Requirements"),
        required=False,
        max_length=MAX_REQUIREMENTS,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_REQUIREMENTS}),
    )
    response_workdays = forms.IntegerField(
        label=_("Working days to respond"),
        min_value=1,
        max_value=MAX_RESPONSE_WORKDAYS,
        required=False,
        help_text=_("Counted from the issue date, skipping weekends and statutory holidays (调休 respected)."),
    )
    due_date = forms.DateField(
        label=_("Or a response due date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Must be a working day; leave empty to count the working days above."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = task_choices()
        self.fields["unit"].queryset = unit_choices()


class RespondForm(CheckedForm):
    text = forms.CharField(label=_("Response"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Evidence"), accept="image/*,.pdf,.doc,.docx,.xls,.xlsx")  # type: ignore[assignment]  # a form field named "files": the metaclass takes it off the class


class VerifyForm(CheckedForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(CheckedForm):
    reason = forms.CharField(
        label=_("Reason for sending back"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(ReasonForm):
    due_date = forms.DateField(
        label=_("New response due date"),
        required=False,
        widget=DATE_WIDGET,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # From the setting the service counts with, so the page states the real number of working days.
        self.fields["due_date"].help_text = _("Empty: %(n)d working days from today.") % {
            "n": settings.SUPERVISION_RETURN_WORKDAYS
        }


class InstructionForm(CheckedForm):
    text = forms.CharField(label=_("Instruction"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    unit = forms.ModelChoiceField(label=_("Unit that answers"), queryset=Unit.objects.none(), required=False)
    due_date = forms.DateField(label=_("Answer due"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices()


class AnswerForm(CheckedForm):
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Evidence"), accept="image/*,.pdf,.doc,.docx,.xls,.xlsx")  # type: ignore[assignment]  # a form field named "files": the metaclass takes it off the class


class AnswerReturnForm(CheckedForm):
    reason = forms.CharField(
        label=_("Reason for sending back"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("The unit answers again within %(n)d working days.") % {
            "n": settings.SUPERVISION_RETURN_WORKDAYS
        }


class InspectionForm(CheckedForm):
    inspected_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=_("Leave both empty to take them from the first photo that carries GPS data."),
    )
    tasks = TaskChoiceField(
        label=_("Tasks visited"),
        queryset=Task.objects.none(),
        required=False,
        widget=TaskSearchWidget,
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = task_choices()


class PhotosForm(CheckedForm):
    photos = MultipleFileField(label=_("Photos"))


class FindingForm(CheckedForm):
    text = forms.CharField(label=_("Finding"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    task = forms.ModelChoiceField(label=_("Task"), queryset=Task.objects.none(), required=False)

    def __init__(self, *args, tasks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks if tasks is not None else task_choices()
        self.fields["task"].label_from_instance = lambda t: f"{t.code} {t.node.title}"


class RectificationForm(CheckedForm):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)
    requirement = forms.CharField(label=_("What to rectify"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("Photos before"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_choices()


class RectificationReportForm(CheckedForm):
    text = forms.CharField(label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos after"))
