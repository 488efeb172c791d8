from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import uploads
from core.forms import CheckedForm, CheckedModelForm, choice_field
from core.measures import all_measures
from core.validation import INT_MAX
from org.models import LeaderPost, Unit
from plans.messages import milestone_error_text
from plans.milestones import MilestoneLine, format_milestones, parse_milestones
from plans.models import DimensionTag, Plan, PlanNode, Task
from plans.selectors import TaskFilter
from plans.services import TaskData
from plans.textdates import format_number

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def unit_choices():
    return Unit.objects.filter(is_active=True).order_by("sort_key")


class PlanForm(CheckedModelForm):
    class Meta:
        model = Plan
        fields = [
            "year",
            "title",
            "status",
            "cadence",
            "stagger_workdays",
            "lag_yellow_percent",
            "lag_red_percent",
            "source_text",
        ]
        widgets = {"source_text": forms.Textarea(attrs={"rows": 10})}

    def clean(self):
        data = super().clean()
        yellow, red = data.get("lag_yellow_percent"), data.get("lag_red_percent")
        if yellow is not None and red is not None and not 0 <= yellow <= red <= 100:
            self.add_error("lag_red_percent", _("Thresholds must satisfy 0 ≤ yellow ≤ red ≤ 100."))
        return data

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year between 2000 and 2100."))
        return year


class NodeForm(CheckedForm):
    title = forms.CharField(label=pgettext_lazy("plan", "Title"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, label) for k, label in PlanNode.Kind.choices if k in ("vision", "path", "area")],
        required=False,
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=DimensionTag.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TagForm(CheckedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DimensionTag.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    rank = forms.IntegerField(label=_("Rank"), min_value=0, max_value=32767, initial=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class NodeChoiceField(forms.ModelChoiceField):
    """Plan nodes indented by depth, so the list reads as the tree."""

    def label_from_instance(self, obj: PlanNode) -> str:
        return "　" * (obj.depth - 1) + obj.title


class TaskForm(CheckedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Task"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    parent = NodeChoiceField(label=_("Under"), queryset=PlanNode.objects.none(), required=False)
    code = forms.CharField(
        label=_("Task code"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to number it automatically (T001, T002 …)."),
    )
    target_value = forms.DecimalField(
        label=_("Target value"), required=False, min_value=0, max_digits=20, decimal_places=4
    )
    target_unit = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    object = forms.CharField(label=_("Object"), max_length=200, required=False)
    modality = forms.ChoiceField(label=_("Modality"), choices=Task.Modality.choices, initial=Task.Modality.MUST)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE_WIDGET)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_WIDGET)
    responsible_post = forms.ModelChoiceField(label=_("Responsible leader"), queryset=LeaderPost.objects.none())
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-operating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: date, planned cumulative value, description. E.g. 2021年3月31日 40 一季度完成40个"),
    )
    weight = forms.DecimalField(
        label=_("Weight"),
        required=False,
        min_value=0,
        max_value=1000,
        max_digits=6,
        decimal_places=2,
        initial=1,
        help_text=_("Weight in rollups' weighted completion (default 1)."),
    )
    measures = forms.CharField(label=_("Measures"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source_quote = forms.CharField(label=_("Source quote"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=DimensionTag.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    measure_key = forms.ChoiceField(
        label=_("Value from records"),
        required=False,
        help_text=_("Bind the task to a computed measure: its actual then follows the records, no reports are due."),
    )
    measure_params = forms.CharField(
        label=_("Measure parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: name=value. E.g. stage=开工 and task=T012"),
    )

    def __init__(self, *args, plan: Plan, task: Task | None = None, **kwargs):
        self.plan, self.task = plan, task
        if task is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(task)
        super().__init__(*args, **kwargs)
        choice_field(self, "responsible_post").queryset = LeaderPost.objects.filter(is_active=True)
        choice_field(self, "lead_unit").queryset = unit_choices()
        choice_field(self, "co_units").queryset = unit_choices()
        choice_field(self, "tags").queryset = DimensionTag.objects.filter(is_active=True)
        self.fields["measure_key"].choices = [("", _("None: from progress reports"))] + [  # type: ignore[attr-defined]
            (m.key, f"{m.label}（{m.key}）") for m in all_measures()
        ]
        if task is None:
            choice_field(self, "parent").queryset = plan.nodes.exclude(kind__in=["vision", "path"]).order_by("path")
            self.fields["parent"].required = True
            del self.fields["version"]
        else:
            del self.fields["parent"]
            del self.fields["code"]
            if plan.is_frozen:
                for name in ("target_value", "deadline"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("The plan is active: change it through a change request.")

    @staticmethod
    def initial_for(task: Task) -> dict:
        return {
            "version": task.version,
            "title": task.node.title,
            "target_value": format_number(task.target_value) or None,
            "target_unit": task.target_unit,
            "object": task.object,
            "modality": task.modality,
            "start_date": task.start_date,
            "deadline": task.deadline,
            "responsible_post": task.responsible_post,
            "lead_unit": task.lead_unit,
            "co_units": list(task.co_units.all()),
            "measures": task.measures,
            "weight": format_number(task.weight),
            "source_quote": task.source_quote,
            "tags": list(task.node.tags.all()),
            "milestones": format_milestones([_line(m) for m in task.milestones.all()]),
            "measure_key": task.measure_key,
            "measure_params": "\n".join(f"{k}={v}" for k, v in (task.measure_params or {}).items()),
        }

    def clean_measure_params(self) -> dict[str, str]:
        params: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data.get("measure_params", "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip() or not value.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write name=value, e.g. stage=开工.") % {"n": n}, code="measure_param_line"
                )
            params[name.strip()] = value.strip()
        return params

    def clean_milestones(self):
        deadline = self.cleaned_data.get("deadline") or (self.task.deadline if self.task else None)
        lines, errors = parse_milestones(self.cleaned_data.get("milestones", ""), deadline=deadline)
        if errors:
            raise forms.ValidationError([milestone_error_text(e.code, e.text, e.line) for e in errors])
        return lines

    def to_data(self) -> TaskData:
        d = self.cleaned_data
        return TaskData(
            title=d["title"],
            deadline=d["deadline"],
            start_date=d.get("start_date"),
            target_value=d.get("target_value"),
            target_unit=d.get("target_unit", ""),
            object=d.get("object", ""),
            modality=d["modality"],
            measures=d.get("measures", ""),
            source_quote=d.get("source_quote", ""),
            responsible_post=d["responsible_post"],
            lead_unit=d["lead_unit"],
            co_units=list(d.get("co_units") or []),
            milestones=d.get("milestones") or [],
            tags=list(d.get("tags") or []),
            weight=weight if (weight := d.get("weight")) is not None else Decimal(1),
            measure_key=d.get("measure_key", ""),
            measure_params=d.get("measure_params") or {},
        )


def _line(m) -> MilestoneLine:
    return MilestoneLine(m.date, m.planned_value, m.description)


class ChangeRequestForm(CheckedForm):
    new_target_value = forms.DecimalField(
        label=_("New target value"), required=False, min_value=0, max_digits=20, decimal_places=4
    )
    new_deadline = forms.DateField(label=_("New deadline"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=_("Evidence"), required=False)  # checked by the service (core.uploads)


class DecisionForm(CheckedForm):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LedgerImportForm(CheckedForm):
    file = forms.FileField(
        label=_("Task ledger (.xlsx)"),
        error_messages={"required": _("Choose the .xlsx file to import."), "empty": _("The file is empty.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > uploads.max_bytes():
            raise forms.ValidationError(uploads.refusal_message("too_large"))
        return upload


class TaskSearchWidget(forms.SelectMultiple):
    """A task picker that searches as you type (plans:task_pick, htmx) instead of listing every
    task: the chosen tasks as ticked boxes, a search box, and the matches of what was typed."""

    template_name = "plans/widgets/task_search.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # A re-rendered form shows what was sent: ids beyond the database's integer match no task.
        ids = [int(v) for v in value or [] if str(v).isdigit() and int(v) <= INT_MAX]
        context["widget"]["chosen"] = (
            Task.objects.filter(pk__in=ids).select_related("node", "plan").order_by("plan__year", "code") if ids else []
        )
        context["widget"]["search_url"] = reverse("plans:task_pick")
        context["widget"]["plans"] = Plan.objects.exclude(status=Plan.Status.CLOSED)
        return context

    def optgroups(self, name, value, attrs=None):
        return []  # never render every task as an option


class TaskFilterForm(CheckedForm):
    """The task list's filters; the plans come from the plan picker (plans.selectors.PlanChoice)."""

    node = forms.ModelChoiceField(
        label=_("Plan node"),
        queryset=PlanNode.objects.exclude(kind__in=["key_task", "sub_task"]).order_by("plan_id", "path"),
        required=False,
    )
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none(), required=False)
    co_unit = forms.ModelChoiceField(label=_("Co-operating unit"), queryset=Unit.objects.none(), required=False)
    leader_post = forms.ModelChoiceField(
        label=_("Responsible leader"), queryset=LeaderPost.objects.all(), required=False
    )
    block = forms.ModelChoiceField(
        label=_("Core block"), queryset=DimensionTag.objects.filter(kind="block"), required=False
    )
    industry = forms.ModelChoiceField(
        label=_("Leading industry"), queryset=DimensionTag.objects.filter(kind="industry"), required=False
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=[("", "—"), *Task.Modality.choices], required=False)
    deadline_from = forms.DateField(label=_("Deadline from"), required=False, widget=DATE_WIDGET)
    deadline_to = forms.DateField(label=_("Deadline to"), required=False, widget=DATE_WIDGET)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[])
    light = forms.ChoiceField(label=_("Light"), required=False, choices=[])
    q = forms.CharField(label=_("Text"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("code", _("Code")),
            ("deadline", _("Deadline ↑")),
            ("-deadline", _("Deadline ↓")),
            ("title", _("Task")),
            ("lead_unit", _("Lead unit")),
            ("target", _("Target value")),
        ],
    )

    def __init__(self, *args, plan_choice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = unit_choices()
        self.fields["co_unit"].queryset = unit_choices()
        if plan_choice is not None:
            # Only the chosen plans' nodes, named with their plan where plans mix.
            self.fields["node"].queryset = self.fields["node"].queryset.filter(plan_id__in=plan_choice.ids)
            prefix = (lambda n: f"{plan_choice.label(n.plan_id)}·") if plan_choice.mixed else (lambda n: "")
        else:
            prefix = lambda n: ""  # noqa: E731
        self.fields["node"].label_from_instance = lambda n: "　" * (n.depth - 1) + prefix(n) + n.title
        from reports.labels import LIGHT_LABELS, STATUS_LABELS

        self.fields["status"].choices = [("", "—"), *((k.value, v) for k, v in STATUS_LABELS.items())]
        self.fields["light"].choices = [("", "—"), *((k.value, v) for k, v in LIGHT_LABELS.items())]
        for name in ("node", "lead_unit", "co_unit", "leader_post", "block", "industry"):
            self.fields[name].empty_label = "—"

    def to_filter(self) -> TaskFilter:
        if not self.is_valid():
            return TaskFilter()
        d = self.cleaned_data
        return TaskFilter(
            node=d["node"].pk if d.get("node") else None,
            lead_unit=d["lead_unit"].pk if d.get("lead_unit") else None,
            co_unit=d["co_unit"].pk if d.get("co_unit") else None,
            leader_post=d["leader_post"].pk if d.get("leader_post") else None,
            block=d["block"].pk if d.get("block") else None,
            industry=d["industry"].pk if d.get("industry") else None,
            modality=d.get("modality") or "",
            deadline_from=d.get("deadline_from"),
            deadline_to=d.get("deadline_to"),
            q=(d.get("q") or "").strip(),
            sort=d.get("sort") or "code",
        )
