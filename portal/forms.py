from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm
from core.publishing import get_public_kind, public_kinds
from plans.forms import TaskSearchWidget
from plans.models import Task

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.node.title}"


class AddTasksForm(CheckedForm):
    """Tasks to put on the portal: each becomes a draft with its title, to be written for the public."""

    tasks = TaskField(label=_("Tasks"), queryset=Task.objects.none(), widget=TaskSearchWidget)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = Task.objects.filter(is_deleted=False).select_related("node", "plan")


class ItemTextForm(CheckedForm):
    title = forms.CharField(label=_("Public title"), max_length=120)
    summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=_("Written for citizens: what is promised, where and by when. No names, no internal problems."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class UpdateForm(CheckedForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    text = forms.CharField(
        label=_("Public progress note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000})
    )


class PhotoForm(CheckedForm):
    source_ref = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if not data.get("photo") and not data.get("source_ref"):
            raise forms.ValidationError(_("Choose one of this item's photos or upload one."))
        return data


class AddByCodeForm(CheckedForm):
    """Records of another kind (major projects: 项目编号) to put on the portal, one code a line; every code
    must be known (the first unknown one is named with its line) or nothing is added."""

    kind = forms.ChoiceField(label=_("Kind"), choices=())
    codes = forms.CharField(
        label=_("Codes"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 4000}),
        help_text=_("One code a line, e.g. a project's code."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.label) for k in public_kinds() if k.draft_by_code]

    def clean(self):
        data = super().clean()
        kind, text = data.get("kind"), data.get("codes") or ""
        if not kind:
            return data
        finder = get_public_kind(kind).draft_by_code
        drafts = []
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.strip()
            if not code:
                continue
            found = finder(code) if finder else None
            if found is None:
                self.add_error(
                    "codes", _("Line %(n)s: no record has the code “%(code)s”.") % {"n": number, "code": code[:40]}
                )
                return data
            drafts.append(found)
        if not drafts:
            self.add_error("codes", _("Give at least one code."))
        data["drafts"] = drafts
        return data
