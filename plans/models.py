from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node

from plans import treepath

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class DimensionTag(models.Model):
    """维度标签: a cross-cutting tag on plan nodes: a core block (六大核心板块), a leading industry, a spatial zone."""

    class Kind(models.TextChoices):
        BLOCK = "block", _("Core block")
        INDUSTRY = "industry", _("Leading industry")
        ZONE = "zone", _("Spatial zone")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "rank", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="dimensiontag_unique_kind_name")]
        verbose_name = _("dimension tag")
        verbose_name_plural = _("dimension tags")

    def __str__(self) -> str:
        return self.name


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


# django-stubs cannot resolve `nodes` (PlanNode's base, treebeard's MP_Node, is untyped): declared below.
class Plan(models.Model):  # type: ignore[django-manager-missing]
    """规划/年度计划: a year's plan with its as-published text and a tree of nodes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    # Plans whose tasks carry statuses (rollups, the cockpit, follows): a closed plan keeps its record.
    TRACKED_STATES = (Status.ACTIVE, Status.CLOSED)
    # Plans whose tasks may still be written on (orders, inspections pick from them).
    OPEN_STATES = (Status.DRAFT, Status.ACTIVE)

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(pgettext_lazy("plan", "title"), max_length=200)
    source_text = models.TextField(_("source text"), blank=True, help_text=_("The plan as published."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    cadence = models.CharField(_("reporting cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    # Sub-tasks report this many working days before their parent, so lower levels report first.
    stagger_workdays = models.PositiveSmallIntegerField(_("stagger (working days)"), default=1)
    lag_yellow_percent = models.DecimalField(_("yellow when lag over (%)"), max_digits=5, decimal_places=1, default=10)
    lag_red_percent = models.DecimalField(_("red when lag over (%)"), max_digits=5, decimal_places=1, default=25)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    nodes: "RelatedManager[PlanNode]"

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def is_frozen(self) -> bool:
        """Once active, targets and deadlines change only through an approved change request (SPEC §8)."""
        return self.status != self.Status.DRAFT


class PlanNode(MP_Node):
    """规划节点: vision → paths → areas → key tasks → sub-tasks, any depth, ordered by position.

    Materialised paths (django-treebeard) so a subtree is one indexed prefix
    query on SQLite and PostgreSQL alike.
    """

    class Kind(models.TextChoices):
        VISION = "vision", _("Vision")
        PATH = "path", _("Development path")
        AREA = "area", _("Action area")
        KEY_TASK = "key_task", _("Key task")
        SUB_TASK = "sub_task", _("Sub-task")

    # Annotated by hand: django-stubs does not treat a subclass of the untyped MP_Node as a model.
    plan: "models.ForeignKey[Plan, Plan]" = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes")
    kind: "models.CharField[str, str]" = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title: "models.CharField[str, str]" = models.CharField(pgettext_lazy("plan", "title"), max_length=300)
    tags: "models.ManyToManyField[DimensionTag, models.Model]" = models.ManyToManyField(
        DimensionTag, blank=True, related_name="nodes", verbose_name=_("tags")
    )

    steplen = treepath.STEPLEN
    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("plan node")
        verbose_name_plural = _("plan nodes")

    def __str__(self) -> str:
        return self.title

    @property
    def is_task(self) -> bool:
        return self.kind in (self.Kind.KEY_TASK, self.Kind.SUB_TASK)


class TaskQuerySet(models.QuerySet["Task"]):
    def alive(self) -> "TaskQuerySet":
        return self.filter(is_deleted=False)

    def with_plan(self, *related: str) -> "TaskQuerySet":
        """select_related the plan, without its source text (the whole published plan, tens of KB that
        every task row would otherwise carry), and any other relations."""
        return self.select_related("plan", *related).defer("plan__source_text")


class Task(models.Model):
    """任务: a plan node with a measurable commitment and its 三定 (leader, lead unit, deadline).

    Fields fixed for the year (target, 三定, deadline) live here; what is
    reported each period lives in progress reports. `baseline_*` keep the
    original commitment once the plan is active; later values come only from
    approved change requests.
    """

    class Modality(models.TextChoices):
        MUST = "must", _("Must (确保)")
        STRIVE = "strive", _("Strive (力争)")

    node = models.OneToOneField(PlanNode, on_delete=models.PROTECT, related_name="task")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks")
    # The ledger code (任务编号): how a re-imported spreadsheet row finds its task.
    code = models.CharField(_("task code"), max_length=30)
    object = models.CharField(_("object"), max_length=200, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_unit = models.CharField(_("unit of measure"), max_length=20, blank=True)
    start_date = models.DateField(_("start date"))
    deadline = models.DateField(_("deadline"))
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices, default=Modality.MUST)
    measures = models.TextField(_("measures"), blank=True)
    source_quote = models.TextField(_("source quote"), blank=True)
    # Character offset of the quote in plan.source_text, so the task links back to its sentence.
    source_offset = models.PositiveIntegerField(null=True, blank=True)
    responsible_post = models.ForeignKey(
        "org.LeaderPost",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("responsible leader"),
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tasks",
        verbose_name=_("lead unit"),
    )
    co_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="co_tasks", verbose_name=_("co-operating units")
    )
    baseline_target_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_deadline = models.DateField(null=True, blank=True)
    # Weight in rollups' weighted completion (default equal); the office may weigh major tasks more.
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    # 核验: the office verified the task complete on this date (the engine's "done" needs it).
    verified_on = models.DateField(_("verified complete on"), null=True, blank=True)
    # 数值来自记录: a task bound to a computed measure (core.measures) takes its actual from records, not reports.
    measure_key = models.CharField(_("measure"), max_length=60, blank=True, default="")
    measure_params = models.JSONField(_("measure parameters"), default=dict, blank=True)
    # Optimistic concurrency: every write bumps it; a write that names an older version is refused.
    version = models.PositiveIntegerField(default=1)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_unique_plan_code"),
            # The backstop of plans.milestones.date_order_problem (the services refuse with a message first):
            # a task ending before it starts has no reporting period, so the inbox would offer a dead form.
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("start_date")), name="task_deadline_after_start"
            ),
        ]
        indexes = [
            # The task list: a plan's live tasks by deadline, and a unit's tasks.
            models.Index(fields=["plan", "is_deleted", "deadline"], name="task_plan_live_deadline_idx"),
            models.Index(fields=["lead_unit", "is_deleted"], name="task_lead_unit_idx"),
            # The cockpit's 50 red / overdue tasks with the earliest deadlines of any day: walked in
            # deadline order, each probed for its interval, stopping at 50 (0.4 ms; a top-N sort of
            # the city's ~5 000 red tasks took 88 ms).
            models.Index(
                fields=["deadline", "code"], condition=models.Q(is_deleted=False), name="task_live_deadline_code_idx"
            ),
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return f"{self.code} {self.node.title}"

    @property
    def title(self) -> str:
        return self.node.title

    @property
    def is_rebaselined(self) -> bool:
        return (self.baseline_target_value is not None and self.baseline_target_value != self.target_value) or (
            self.baseline_deadline is not None and self.baseline_deadline != self.deadline
        )


class Milestone(models.Model):
    """节点: a dated point of the planned trajectory (cumulative value, or a description)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    planned_value = models.DecimalField(_("planned cumulative value"), max_digits=20, decimal_places=4, null=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return f"{self.date} {self.planned_value or ''} {self.description}".strip()


class TaskChangeRequest(models.Model):
    """申请调整: a request to change a task's target or deadline once its plan is active (rebaselining)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="change_requests")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    old_target_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    old_deadline = models.DateField()
    new_target_value = models.DecimalField(
        _("new target value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    evidence = models.FileField(_("evidence"), upload_to="change-requests/%Y/%m/", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"{self.task.code} {self.get_status_display()}"
