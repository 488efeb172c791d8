"""重大项目 (三定四推五落实): register, monthly investment reports, stages, problem lists, coordination meetings.

三定 = a fixed responsible leader (post), lead unit and completion time; 四推 = pushed through regular
routines (monthly reports, the scheduling list, coordination meetings); 五落实 = carried through to
completion. Investment amounts are in 万元 (ten thousand yuan), as district ledgers write them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models import ReviewedReport

DEFAULT_STAGES = ["签约", "拿地", "开工", "主体完工", "竣工/投产"]


def default_stages() -> list[str]:
    return list(DEFAULT_STAGES)


class ProjectType(models.Model):
    """项目类型: an editable list (产业 / 基础设施 / 民生 / 生态 / 城市更新 …) with its stages and thresholds."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100)
    stages = models.JSONField(_("stages"), default=default_stages)
    # Which stage counts as started (开工) and as finished (竣工/投产), by index into `stages`.
    start_stage = models.PositiveSmallIntegerField(_("start stage"), default=2)
    finish_stage = models.PositiveSmallIntegerField(_("finish stage"), default=4)
    lag_yellow_percent = models.FloatField(_("yellow when investment lags by (%)"), default=10.0)
    lag_red_percent = models.FloatField(_("red when investment lags by (%)"), default=25.0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("project type")
        verbose_name_plural = _("project types")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """重大项目: one major project with its 三定 (leader post, lead unit, completion time)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial key project")
        CITY = "city", _("City key project")
        DISTRICT = "district", _("District key project")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.ForeignKey(ProjectType, on_delete=models.PROTECT, related_name="projects", verbose_name=_("type"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.DISTRICT)
    owner = models.CharField(_("owner (建设单位)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    tags = models.ManyToManyField("plans.DimensionTag", blank=True, related_name="projects", verbose_name=_("tags"))
    total_investment = models.DecimalField(_("total investment (万元)"), max_digits=16, decimal_places=2)
    plan_year = models.PositiveSmallIntegerField(_("plan year"))
    annual_plan = models.DecimalField(_("annual planned investment (万元)"), max_digits=16, decimal_places=2)
    # Planned cumulative share of the annual plan at each month end (12 numbers 0..1); empty = linear.
    monthly_profile = models.JSONField(_("monthly profile"), default=list, blank=True)
    leader_post = models.ForeignKey(
        "org.LeaderPost", on_delete=models.PROTECT, related_name="projects", verbose_name=_("responsible leader")
    )
    lead_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="led_projects", verbose_name=_("lead unit")
    )
    co_units = models.ManyToManyField(
        "org.Unit", blank=True, related_name="cooperated_projects", verbose_name=_("co-operating units")
    )
    completion_due = models.DateField(_("completion time"))
    tasks = models.ManyToManyField("plans.Task", blank=True, related_name="projects", verbose_name=_("plan tasks"))
    # The furthest stage reached as recorded today (denormalised for lists; as-of reads ProjectStage).
    stage_index = models.SmallIntegerField(default=-1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["lead_unit", "code"], name="project_unit_code_idx")]
        verbose_name = _("major project")
        verbose_name_plural = _("major projects")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def stage_names(self) -> list[str]:
        return list(self.type.stages)

    @property
    def stage_label(self) -> str:
        names = self.stage_names
        return names[self.stage_index] if 0 <= self.stage_index < len(names) else ""


class ProjectStage(models.Model):
    """A project's stage (签约 / 拿地 / 开工 / 主体完工 / 竣工投产): planned date, and when it was reached.

    `reached_on` is the day the stage was reached (from an approved monthly report) and `recorded_on` the
    day that became known (the approval), so an as-of view never sees a stage recorded later.
    """

    class Role(models.TextChoices):
        NONE = "", _("Other")
        START = "start", _("Start of construction")
        FINISH = "finish", _("Completion")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stages")
    index = models.PositiveSmallIntegerField()
    name = models.CharField(_("stage"), max_length=40)
    role = models.CharField(max_length=6, choices=Role.choices, blank=True, default="")
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    recorded_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["project_id", "index"]
        constraints = [models.UniqueConstraint(fields=["project", "index"], name="projectstage_unique_index")]
        indexes = [models.Index(fields=["role", "planned_on"], name="projectstage_role_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.name}"


class ProjectReport(ReviewedReport):
    """月报: the lead unit's monthly investment report; same states as a progress report (draft → submitted →
    approved / returned), drafted by the unit's reporter and approved by its head."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="project_reports")
    month = models.DateField(_("month"))  # the month's last day (the period end)
    amount_month = models.DecimalField(_("completed this month (万元)"), max_digits=16, decimal_places=2, default=0)
    amount_year = models.DecimalField(
        _("completed this year, cumulative (万元)"), max_digits=16, decimal_places=2, default=0
    )
    progress_text = models.TextField(_("image progress (形象进度)"), blank=True)
    stage_index = models.SmallIntegerField(_("stage reached"), null=True, blank=True)
    stage_reached_on = models.DateField(_("stage reached on"), null=True, blank=True)
    stage_evidence = models.TextField(_("stage evidence"), blank=True)

    class Meta:
        ordering = ["-month", "project_id"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="projectreport_unique_month")]
        indexes = [
            models.Index(fields=["project", "state", "month"], name="projectreport_state_idx"),
            models.Index(fields=["unit", "state"], name="projectreport_unit_state_idx"),
            # The cockpit's investment curve: a year's approved months summed as known on a day,
            # from the index alone (a city's ~50 000 rows: 38 ms instead of 70).
            models.Index(
                fields=["month"],
                include=["approved_at", "amount_month"],
                condition=models.Q(state="approved"),
                name="projreport_approved_month_idx",
            ),
        ]
        verbose_name = _("monthly investment report")
        verbose_name_plural = _("monthly investment reports")

    def __str__(self) -> str:
        return f"{self.project.code} {self.month:%Y-%m}"


def photo_path(instance: "ProjectPhoto", filename: str) -> str:
    return f"projects/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class ProjectPhoto(models.Model):
    """现场照片: a photo (or document) on a monthly report; served only through an access-checked view."""

    report = models.ForeignKey(ProjectReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(upload_to="projects/thumbs/", max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    extension = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ProjectProblem(models.Model):
    """问题清单: a problem blocking a project, the unit that must solve it by a working-day deadline, and how.

    Open problems past their deadline escalate like orders: a reminder to the solving unit's head, then
    to the project's responsible leader, then a supervision order (`escalation_level` 1, 2, 3).
    """

    class Category(models.TextChoices):
        APPROVAL = "approval", _("Approvals")
        LAND = "land", _("Land")
        FUNDING = "funding", _("Funding")
        DEMOLITION = "demolition", _("Demolition")
        UTILITIES = "utilities", _("Utilities")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("problem"))
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="project_problems", verbose_name=_("unit to solve it")
    )
    raised_on = models.DateField(_("raised on"))
    workdays = models.PositiveSmallIntegerField(_("working days to solve"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state", "deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="projectproblem_open_idx")]
        verbose_name = _("project problem")
        verbose_name_plural = _("project problems")

    def __str__(self) -> str:
        return f"{self.project.code} {self.get_category_display()}"


class CoordinationMeeting(models.Model):
    """调度会: a coordination meeting on projects, chaired by a leader post, with decisions assigned to units."""

    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    chair = models.ForeignKey(
        "org.LeaderPost", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chair")
    )
    notes = models.TextField(_("notes"), blank=True)
    problems = models.ManyToManyField(ProjectProblem, blank=True, related_name="meetings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class MeetingDecision(models.Model):
    """会议议定事项: one decision of a coordination meeting, assigned to a unit with a due date."""

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="decisions")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="decisions")
    problem = models.ForeignKey(ProjectProblem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("decision"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ProjectStatus(models.Model):
    """项目状态快照: `reports.engine.project_evaluate` for one project as of one day, stored (a cache, never a
    source), so filtered lists and rollups of a city's 10 000 projects read rows. Deleted for a project from
    the first day a change affects (projects.status.status_refresh)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stored_statuses")
    day = models.DateField()
    light = models.CharField(max_length=6)
    stage_index = models.SmallIntegerField(default=-1)
    started = models.BooleanField(default=False)
    finished = models.BooleanField(default=False)
    start_due = models.BooleanField(default=False)  # planned to start on or before the day
    finish_due = models.BooleanField(default=False)
    late_stages = models.CharField(max_length=40, blank=True)
    planned = models.FloatField(default=0)
    actual = models.FloatField(default=0)
    lag_percent = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "project"], name="projectstatus_unique_day")]
        indexes = [models.Index(fields=["day", "light"], name="projectstatus_day_light_idx")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.day} {self.light}"
