"""评价考核: scoring schemes, periods, league tables, appeals (申诉), and the 督查通报 bulletin.

A scheme (考核方案) per year has unit groups scored separately (分类考核) and components (a source
with a weight and a rule, see `evaluation.scoring`). A period (月/季/年) is computed as often as the
office likes (preview); publishing stores its score rows — with each component's input and the rows
it came from — so later edits do not move published scores. An upheld appeal re-publishes the period
as a new version; older versions stay. See docs/evaluation.md and docs/bulletin.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Scheme(models.Model):
    """考核方案: one year's scoring rules. Locked once a period using it is published; then revised as a copy."""

    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveSmallIntegerField(default=1)
    total = models.DecimalField(_("total points"), max_digits=6, decimal_places=2, default=100)
    bonus_cap = models.DecimalField(_("bonus cap"), max_digits=6, decimal_places=2, default=5)
    # Share of a task's weight a yellow light earns (green 1, red 0).
    yellow_credit = models.DecimalField(_("credit for a yellow light"), max_digits=4, decimal_places=2, default=0.6)
    late_credit = models.DecimalField(_("credit for a late report"), max_digits=4, decimal_places=2, default=0.5)
    appeal_workdays = models.PositiveSmallIntegerField(_("appeal window (working days)"), default=5)
    locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="scheme_year_version")]
        verbose_name = _("scoring scheme")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class UnitGroup(models.Model):
    """考核类别: units ranked against each other (departments, sub-districts)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(default=0)
    units = models.ManyToManyField("org.Unit", related_name="+", verbose_name=_("units"))

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Component(models.Model):
    """One scored item: a source (built-in, or a registered measure `measure:<key>`), a weight and a rule."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="components")
    key = models.SlugField(max_length=40)
    label = models.CharField(_("name"), max_length=50)
    source = models.CharField(_("source"), max_length=80)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    rule = models.JSONField(_("rule"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="component_scheme_key")]

    def __str__(self) -> str:
        return self.label


class Period(models.Model):
    """考核期: a month (月通报), quarter (季评比) or year (年考核) scored with a scheme."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    class YearMode(models.TextChoices):
        MONTHS = "months", _("Weighted months")
        OWN = "own", _("Own computation")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="periods")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.MONTH)
    year_mode = models.CharField(max_length=8, choices=YearMode.choices, default=YearMode.MONTHS)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    label = models.CharField(_("name"), max_length=40)
    version = models.PositiveSmallIntegerField(default=0)  # 0: never published
    published_at = models.DateTimeField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)  # first publication: the appeal window runs from it
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-end", "kind"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind", "start"], name="period_scheme_kind_start")]
        verbose_name = _("evaluation period")

    def __str__(self) -> str:
        return self.label

    @property
    def is_published(self) -> bool:
        return self.version > 0


class ScoreRow(models.Model):
    """A unit's published score in one version of a period, frozen: component points with their inputs and links."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="rows")
    version = models.PositiveSmallIntegerField()
    group = models.ForeignKey(UnitGroup, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField()
    rank_change = models.IntegerField(null=True)
    bonus = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    deduction = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    # [{key, label, weight, points, input, detail, rows: [{label, url}]}] as of the period's end.
    components = models.JSONField(default=list)
    adjusted_by_appeal = models.BooleanField(default=False)

    class Meta:
        ordering = ["group__order", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version", "unit"], name="scorerow_period_version_unit")
        ]
        indexes = [models.Index(fields=["period", "version", "group"], name="scorerow_table_idx")]

    def __str__(self) -> str:
        return f"{self.period_id} v{self.version} {self.unit_id}: {self.total}"


def evaluation_file_path(instance: "EvaluationFile", filename: str) -> str:
    return f"evaluation/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Adjustment(models.Model):
    """加分 / 扣分: points the office adds or deducts with a reason and evidence; counts once a second user approves."""

    class Kind(models.TextChoices):
        BONUS = "bonus", _("Bonus points (加分)")
        DEDUCTION = "deduction", _("Deduction (扣分)")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    day = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points}"


class Appeal(models.Model):
    """申诉: a unit head's objection to one component of his unit's published score."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for decision")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="appeals")
    version = models.PositiveSmallIntegerField()  # the version appealed against
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    component_key = models.SlugField(_("component"), max_length=40)
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    corrected_points = models.DecimalField(_("corrected points"), max_digits=6, decimal_places=2, null=True)
    decision_note = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    republished_version = models.PositiveSmallIntegerField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.unit} {self.component_key}"


class EvaluationFile(models.Model):
    """Evidence of an adjustment or an appeal; served only through an access-checked view."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.CASCADE, null=True, related_name="files")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, null=True, related_name="files")
    file = models.FileField(upload_to=evaluation_file_path, max_length=200)
    thumbnail = models.FileField(max_length=200, blank=True)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    extension = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class BulletinSequence(models.Model):
    """The last bulletin issue number (期号) of a year; its row lock keeps numbers gap-free."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Bulletin(models.Model):
    """督查通报: an issued monthly bulletin, its .docx and the data it was built from."""

    year = models.PositiveSmallIntegerField()
    seq = models.PositiveIntegerField()
    month = models.DateField()  # first day of the month reported on
    plan_id = models.PositiveIntegerField(null=True, blank=True)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, null=True, related_name="bulletins")
    issuer = models.CharField(_("issuer"), max_length=60)
    title = models.CharField(_("title"), max_length=120)
    opening = models.TextField(_("opening paragraph"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    issued_on = models.DateField()
    data = models.JSONField(default=dict)
    file = models.FileField(max_length=200)
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    # The units the bulletin names (lagging tasks, league table, 通报): their heads may download it.
    units = models.ManyToManyField("org.Unit", related_name="+")

    class Meta:
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="bulletin_year_seq")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.seq}期"

    # For core.files.serve_upload.
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    thumbnail = None

    @property
    def original_name(self) -> str:
        return f"督查通报{self.year}年第{self.seq}期.docx"
