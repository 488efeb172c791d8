"""Forms of the projects pages (all through core.forms.CheckedForm: control characters and ranges refused)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm, PlainDecimalField
from org.models import LeaderPost, Unit
from plans.models import DimensionTag
from projects.models import ProjectProblem, ProjectType

LIGHTS = [("", _("Any light")), ("red", _("Red")), ("yellow", _("Yellow")), ("green", _("Green"))]


class ProjectFilterForm(CheckedForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ModelChoiceField(label=_("Type"), queryset=ProjectType.objects.all(), required=False)
    block = forms.ModelChoiceField(
        label=_("Core block"), queryset=DimensionTag.objects.filter(kind=DimensionTag.Kind.BLOCK), required=False
    )
    industry = forms.ModelChoiceField(
        label=_("Leading industry"),
        queryset=DimensionTag.objects.filter(kind=DimensionTag.Kind.INDUSTRY),
        required=False,
    )
    stage = forms.TypedChoiceField(
        label=_("Stage reached"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any stage")), ("-1", _("None yet"))]
        + [(str(i), name) for i, name in enumerate(["签约", "拿地", "开工", "主体完工", "竣工/投产"])],
    )
    light = forms.ChoiceField(label=_("Light"), choices=LIGHTS, required=False)
    unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.all(), required=False)
    leader = forms.ModelChoiceField(label=_("Responsible leader"), queryset=LeaderPost.objects.all(), required=False)


class MonthlyReportForm(CheckedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    month = forms.DateField(label=_("Month (any day of it)"), widget=forms.DateInput(attrs={"type": "date"}))
    amount_month = PlainDecimalField(
        label=_("Completed this month (万元)"), max_digits=16, decimal_places=2, min_value=0
    )
    progress_text = forms.CharField(
        label=_("Image progress (形象进度)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )
    stage_index = forms.TypedChoiceField(
        label=_("Stage reached this month"), required=False, coerce=int, empty_value=None
    )
    stage_reached_on = forms.DateField(
        label=_("Stage reached on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stage_evidence = forms.CharField(label=_("Stage evidence"), required=False, max_length=1000)
    photos = forms.FileField(
        label=_("Site photos"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args, stages: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage_index"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("No new stage"))] + [(str(i), name) for i, name in enumerate(stages)]


class ReturnForm(CheckedForm):
    reason = forms.CharField(label=_("Reason for return"), max_length=1000)


class ProblemForm(CheckedForm):
    category = forms.ChoiceField(label=_("Category"), choices=ProjectProblem.Category.choices)
    description = forms.CharField(label=_("Problem"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.ModelChoiceField(label=_("Unit to solve it"), queryset=Unit.objects.filter(is_active=True))
    workdays = forms.IntegerField(label=_("Working days to solve"), min_value=1, max_value=250, initial=10)


class ResolveForm(CheckedForm):
    resolution = forms.CharField(label=_("Resolution"), max_length=2000)


class LedgerImportForm(CheckedForm):
    file = forms.FileField(label=_("Ledger (.xlsx)"))
    kind = forms.ChoiceField(
        label=_("Sheet"),
        choices=[("ledger", _("Project ledger (重点项目台账)")), ("monthly", _("Monthly investment sheet (月报)"))],
    )


class RollupForm(CheckedForm):
    by = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=[
            ("block", _("Core block")), ("industry", _("Leading industry")), ("type", _("Type")),
            ("level", _("Level")), ("unit", _("Lead unit")), ("leader", _("Responsible leader")),
        ],
    )  # fmt: skip


class MeetingForm(CheckedForm):
    """调度会 record: decisions one per line as 项目编号｜议定事项｜责任单位｜期限(可空)."""

    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=LeaderPost.objects.filter(is_active=True), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(
        label=_("Decisions"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One per line: project code | decision | unit | due date (optional), "
            "e.g. XM-001 | 协调用地手续 | 区发改委 | 2021-06-30"
        ),
    )


class ProjectTypeForm(CheckedForm):
    name = forms.CharField(label=_("Name"), max_length=40)
    stages = forms.CharField(
        label=_("Stages"),
        max_length=400,
        help_text=_("In order, separated by 、 e.g. 签约、拿地、开工、主体完工、竣工/投产"),
    )
    start_stage = forms.IntegerField(label=_("Start stage (number, from 1)"), min_value=1, max_value=10)
    finish_stage = forms.IntegerField(label=_("Finish stage (number, from 1)"), min_value=1, max_value=10)
    lag_yellow_percent = forms.FloatField(label=_("Yellow when investment lags by (%)"), min_value=0, max_value=100)
    lag_red_percent = forms.FloatField(label=_("Red when investment lags by (%)"), min_value=0, max_value=100)
