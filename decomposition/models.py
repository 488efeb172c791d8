from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DecompositionDraft(models.Model):
    """分解草稿: the proposal extracted from a plan document, kept between review steps.

    One draft per plan, shared by the office staff: the document text and the proposed items as
    JSON rows (see `decomposition.proposal` for the row fields). Extracting another document
    replaces it; what was accepted is remembered in `AcceptedItem`, not here.
    """

    class State(models.TextChoices):
        REVIEW = "review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="decomposition_draft")
    source_name = models.CharField(_("source"), max_length=200, blank=True)  # file name; blank for pasted text
    source_kind = models.CharField(max_length=10, default="paste")  # paste | txt | docx | pdf
    # The document as read (line endings normalised): row offsets index it.
    text = models.TextField(_("document text"))
    commitments = models.JSONField(default=list)
    achievements = models.JSONField(default=list)
    next_row = models.PositiveIntegerField(default=1)  # row ids c1, a2 … are never reused within a draft
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REVIEW)
    extract_ms = models.PositiveIntegerField(default=0)  # how long the extractor took, shown on the page
    # Bumped on every write; writes lock the row, so two office users' edits to one draft never lose each other.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("decomposition draft")
        verbose_name_plural = _("decomposition drafts")

    def __str__(self) -> str:
        return f"{self.plan} ({len(self.commitments)} + {len(self.achievements)})"

    def row(self, row_id: str) -> tuple[str, dict] | None:
        for kind, rows in (("commitment", self.commitments), ("achievement", self.achievements)):
            for row in rows:
                if row["id"] == row_id:
                    return kind, row
        return None


class Indicator(models.Model):
    """指标: a measured quantity of the district (地区生产总值, 新增城镇就业), in its base unit (元, 人, %).

    Minimal for now: what the decomposition of a work report records as achievements.
    """

    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit of measure"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "unit"]
        constraints = [models.UniqueConstraint(fields=["name", "unit"], name="indicator_unique_name_unit")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class IndicatorValue(models.Model):
    """指标值: an indicator's value for a period (2020, 2016-2020), final or an estimate (预计)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.CharField(_("period"), max_length=20)
    value = models.DecimalField(_("value"), max_digits=28, decimal_places=6)
    is_estimate = models.BooleanField(_("estimate"), default=False)
    source_quote = models.TextField(_("source quote"), blank=True)
    # The plan whose document reported it, and where (offset into plan.source_text).
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_offset = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period"]
        constraints = [
            # One estimate and one final figure per indicator and period: accepting the same report
            # twice, or two reports quoting the same figure, cannot record it twice.
            models.UniqueConstraint(
                fields=["indicator", "period", "is_estimate"], name="indicatorvalue_unique_period_estimate"
            )
        ]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}"


class AcceptedItem(models.Model):
    """An accepted proposal item: accepting the same document again finds it and creates nothing.

    `key` is the item's quote (without layout whitespace) and its occurrence number in the
    document (`decomposition.proposal.item_keys`), so it survives re-pasting with other line breaks.
    """

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment")
        ACHIEVEMENT = "achievement", _("Achievement")

    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=64)
    quote = models.TextField()
    task = models.ForeignKey("plans.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    indicator_value = models.ForeignKey(
        IndicatorValue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "key"], name="accepteditem_unique_key")]
        verbose_name = _("accepted item")
        verbose_name_plural = _("accepted items")

    def __str__(self) -> str:
        return f"{self.kind} {self.quote[:40]}"
