from collections.abc import Sequence

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm
from decomposition.documents import (
    DocumentRejected,
    check_pasted_text,
    read_document,
)
from decomposition.messages import PASTE_ERRORS, document_error
from org.models import LeaderPost, Unit


def unit_choices():
    return Unit.objects.filter(is_active=True).order_by("sort_key")


def post_choices():
    return LeaderPost.objects.filter(is_active=True)


class ExtractForm(CheckedForm):
    """Paste the text or upload a file; a file, when given, wins. Cleans into `text`, `source_name`, `source_kind`."""

    text = forms.CharField(
        label=_("Plan text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "placeholder": _("Paste the plan text here …")}),
    )
    file = forms.FileField(
        label=_("Or upload a document"),
        required=False,
        help_text=_(".txt (UTF-8 or GB18030), .docx or .pdf with a text layer; at most 20 MB."),
        error_messages={"empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf,text/plain,application/pdf"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if self.errors:
            return data
        try:
            if upload:
                # Checked before reading: the size is known without loading the file.
                if upload.size > settings.UPLOAD_MAX_BYTES:
                    raise DocumentRejected("too_large")
                document = read_document(upload.read(), upload.name or "", max_bytes=settings.UPLOAD_MAX_BYTES)
                data.update(text=document.text, source_name=upload.name or "", source_kind=document.kind)
            else:
                data.update(text=check_pasted_text(data.get("text") or ""), source_name="", source_kind="paste")
        except DocumentRejected as exc:
            if upload:
                self.add_error("file", document_error(exc.code))
            else:
                code = exc.code
                self.add_error("text", PASTE_ERRORS[code]() if code in PASTE_ERRORS else document_error(code))
        return data


class AssignForm(CheckedForm):
    """三定 for the checked rows; a blank choice leaves that field of the rows as it is."""

    rows = forms.MultipleChoiceField(required=False)  # choices set from the draft
    post = forms.ModelChoiceField(label=_("Responsible leader"), queryset=LeaderPost.objects.none(), required=False)
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-operating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, row_ids: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        rows, post, lead_unit, co_units = (self.fields[k] for k in ("rows", "post", "lead_unit", "co_units"))
        assert isinstance(rows, forms.MultipleChoiceField)
        assert isinstance(post, forms.ModelChoiceField) and isinstance(lead_unit, forms.ModelChoiceField)
        assert isinstance(co_units, forms.ModelMultipleChoiceField)
        rows.choices = [(r, r) for r in row_ids]
        post.queryset = post_choices()
        lead_unit.queryset = unit_choices()
        co_units.queryset = unit_choices()
        post.empty_label = lead_unit.empty_label = "—"


class RowAssignForm(CheckedForm):
    """三定 of one row as its own selects send it (blank clears)."""

    post = forms.ModelChoiceField(queryset=LeaderPost.objects.none(), required=False)
    lead = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = post_choices()
        self.fields["lead"].queryset = unit_choices()
        self.fields["co_units"].queryset = unit_choices()


class AddRowForm(CheckedForm):
    kind = forms.ChoiceField(choices=[("commitment", "commitment"), ("achievement", "achievement")])
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)


class DutiesUploadForm(CheckedForm):
    """The unit-responsibilities workbook (单位职责表: 单位 | 职责关键词)."""

    file = forms.FileField(
        label=_("Unit responsibilities workbook (.xlsx)"),
        help_text=_("Columns 单位 and 职责关键词 (keywords separated by 、). It replaces the whole table."),
        error_messages={"empty": _("The file is empty."), "required": _("Choose an .xlsx file.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
