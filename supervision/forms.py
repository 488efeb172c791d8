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


class TargetRefsField(forms.CharField):
    """Supervised objects other than tasks, as "<kind>:<id>" separated by spaces (hidden; the view resolves
    each with the user's access check, supervision.targets.target_resolve)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def clean(self, value):
        # The text is checked as text (control characters, length), then split into refs.
        return self.split(super().clean(value))

    @staticmethod
    def split(value) -> list[str]:
        return [ref for ref in str(value or "").replace(",", " ").split() if ref]


class OrderForm(CheckedForm):
    tasks = TaskChoiceField(label=_("Tasks"), queryset=Task.objects.none(), widget=TaskSearchWidget, required=False)
    targets = TargetRefsField()
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

    def target_refs(self) -> list[str]:
        """The raw "<kind>:<id>" refs posted (before validation), to show the objects again on an error."""
        return TargetRefsField.split(self.data.get("targets", "")) if self.is_bound else []

    def clean(self):
        data = super().clean()
        if not data.get("tasks") and not data.get("targets"):
            self.add_error("tasks", _("Choose at least one task or other object to supervise."))
        return data


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
    targets = TargetRefsField()
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = task_choices()


class PhotosForm(CheckedForm):
    photos = MultipleFileField(label=_("Photos"))


class FindingForm(CheckedForm):
    """A finding, about one of the objects the inspection visited (or none). `cleaned_data["target"]` is the
    object itself."""

    text = forms.CharField(label=_("Finding"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.ChoiceField(label=_("About"), required=False)

    def __init__(self, data=None, *args, visited=(), **kwargs):
        if data is not None and "target" not in data and str(data.get("task", "")).isdigit():
            data = data.copy()  # the older form posted a task id as "task"
            data["target"] = f"task:{data['task']}"
        super().__init__(data, *args, **kwargs)
        from supervision.targets import target_ref, target_view

        self._visited = {"{}:{}".format(*target_ref(obj)): obj for obj in visited}
        self.fields["target"].choices = [("", "—")] + [(ref, target_view(o).title) for ref, o in self._visited.items()]

    def clean_target(self):
        return self._visited.get(self.cleaned_data.get("target") or "")


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
