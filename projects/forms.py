"""Forms of the projects pages (all through core.forms.CheckedForm: control characters and ranges refused)."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm, CheckedModelForm, PlainDecimalField
from org.models import LeaderPost, Unit
from plans.forms import DATE_WIDGET, TaskSearchWidget
from plans.models import DimensionTag, Task
from projects import profile
from projects.models import DEFAULT_STAGES, Project, ProjectProblem, ProjectType

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


MAX_STAGES = 10  # a type has 2 to 10 stages (project_type_save)


class ProjectForm(CheckedModelForm):
    """新建/编辑项目: one project's register, typed by the office (the ledger import writes the same fields).

    The monthly profile is typed as 12 monthly figures — percentages summing to 100, or amounts (万元)
    summing to the annual plan — and stored as 12 cumulative shares; empty means linear over the year.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    profile_kind = forms.ChoiceField(
        label=_("Monthly profile given as"),
        choices=[("percent", _("Shares of the annual plan (%)")), ("amount", _("Amounts (万元)"))],
        initial="percent",
    )
    profile = forms.CharField(
        label=_("Monthly profile (optional)"),
        required=False,
        max_length=400,
        help_text=_("12 figures, January to December, separated by spaces or commas; empty = spread evenly."),
    )

    class Meta:
        model = Project
        fields = [
            "code", "name", "type", "level", "owner", "address", "longitude", "latitude", "tags",
            "total_investment", "plan_year", "annual_plan", "leader_post", "lead_unit", "co_units",
            "completion_due", "tasks",
        ]  # fmt: skip
        widgets = {
            "completion_due": DATE_WIDGET,
            "tasks": TaskSearchWidget,
            "tags": forms.CheckboxSelectMultiple,
            "co_units": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "tags": DimensionTag.objects.order_by("kind", "rank", "name"),
            "leader_post": LeaderPost.objects.filter(is_active=True),
            "lead_unit": Unit.objects.filter(is_active=True),
            "co_units": Unit.objects.filter(is_active=True),
            "tasks": Task.objects.all(),
        }
        for name, queryset in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        for name in ("co_units", "tags", "tasks"):
            self.fields[name].required = False
        project = self.instance if self.instance.pk else None
        kind = project.type if project is not None else ProjectType.objects.order_by("rank", "name").first()
        self.stage_names = list(kind.stages) if kind is not None else list(DEFAULT_STAGES)
        planned = {s.index: s.planned_on for s in project.stages.all()} if project is not None else {}
        for index, name in enumerate(self.stage_names[:MAX_STAGES]):
            self.fields[f"stage_{index}"] = forms.DateField(
                label=_("Planned date: %(stage)s") % {"stage": name},
                required=False,
                initial=planned.get(index),
                widget=DATE_WIDGET,
            )
        self.order_fields(
            ["code", "name", "type", "level", "owner", "address", "longitude", "latitude", "total_investment",
             "plan_year", "annual_plan", "profile_kind", "profile"]
            + [f"stage_{i}" for i in range(len(self.stage_names[:MAX_STAGES]))]
            + ["leader_post", "lead_unit", "completion_due", "co_units", "tags", "tasks", "version"]
        )  # fmt: skip
        if project is None:
            self.fields["plan_year"].initial = timezone.localdate().year
            self.fields["type"].initial = kind.pk if kind is not None else None
        if project is not None:
            self.fields["version"].initial = project.version
            self.fields["profile"].initial = profile.percents_text([float(x) for x in project.monthly_profile or []])

    def stage_fields(self) -> list:
        return [self[f"stage_{i}"] for i in range(len(self.stage_names[:MAX_STAGES]))]

    def clean(self):
        data = super().clean()
        data["stage_dates"] = [data.get(f"stage_{i}") for i in range(len(self.stage_names[:MAX_STAGES]))]
        data["monthly_profile"] = self._profile(data)
        return data

    def _profile(self, data: dict) -> list[float]:
        text = (data.get("profile") or "").strip()
        if not text:
            return []
        figures = profile.parse_figures(text)
        if figures is None:
            self.add_error("profile", _("The monthly profile holds numbers only."))
            return []
        if len(figures) != profile.MONTHS or any(f < 0 for f in figures):
            message = _("Give 12 figures, one per month, none negative (%(n)s given).")
            self.add_error("profile", message % {"n": len(figures)})
            return []
        total = sum(figures, Decimal(0))
        if data.get("profile_kind") == "amount":
            annual = data.get("annual_plan")
            if annual is None:
                return []
            if abs(total - annual) > Decimal("0.01"):
                self.add_error(
                    "profile",
                    _("The 12 monthly amounts sum to %(sum)s 万元, not the annual plan %(plan)s 万元.")
                    % {"sum": f"{total:f}", "plan": f"{annual:f}"},
                )
                return []
        elif not profile.percents_sum_to_100(figures):
            self.add_error("profile", _("The 12 monthly shares sum to %(sum)s %%, not 100 %%.") % {"sum": f"{total:f}"})
            return []
        if total == 0:
            self.add_error("profile", _("The monthly profile cannot be all zero."))
            return []
        return profile.cumulative_shares(figures)
