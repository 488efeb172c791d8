"""指标 (数据应用体系): the catalogue, values per period (estimate 预计 / preliminary 快报 / final 年报), targets.

Values are stored in the indicator's base unit (元, 人, 平方米, %) and remember the unit they were
entered in, so 773亿元 is stored as 77 300 000 000 元 and shown back as 773亿元. A value is never
edited in place: a revision is a new row, and approving it supersedes the previous approved row of the
same kind (kept, with who entered it and when), so the history and the as-of views stay exact.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    """指标: a measured quantity of the district (地区生产总值, 固定资产投资增速), in its base unit."""

    class Frequency(models.TextChoices):
        MONTH = "month", _("Monthly (月)")
        QUARTER = "quarter", _("Quarterly (季)")
        YEAR = "year", _("Annual (年)")

    class Accumulation(models.TextChoices):
        CUMULATIVE = "cumulative", _("Cumulative to date (累计)")
        PERIOD = "period", _("Period value (当期)")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class PriceBasis(models.TextChoices):
        NONE = "", _("Not money")
        CURRENT = "current", _("Current prices (现价)")
        COMPARABLE = "comparable", _("Comparable prices (可比价)")

    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit of measure"), max_length=20, blank=True)  # the base unit values are stored in
    display_unit = models.CharField(_("display unit"), max_length=20, blank=True)  # 亿元 for an indicator in 元
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.YEAR)
    accumulation = models.CharField(
        _("accumulation"), max_length=10, choices=Accumulation.choices, default=Accumulation.PERIOD
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    price_basis = models.CharField(_("price basis"), max_length=10, choices=PriceBasis.choices, blank=True)
    source_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    definition = models.TextField(_("definition"), blank=True)
    tags = models.ManyToManyField("plans.DimensionTag", blank=True, related_name="+", verbose_name=_("tags"))
    # A computed indicator (计算指标) takes its values from a registered measure (core.measures), not typing.
    measure_key = models.CharField(_("measure"), max_length=80, blank=True)
    # The measure's own narrowing, "object=老旧小区;…" (names the measure declares in Measure.params).
    measure_params = models.CharField(_("measure parameters"), max_length=200, blank=True)
    # A name first met in a decomposition waits for the office to confirm it is a new indicator.
    # 占比: the indicator this one is a part of (规上工业增加值 of 地区生产总值); the detail shows the share per period.
    total = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts", verbose_name=_("share of")
    )
    reviewed = models.BooleanField(_("reviewed"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "unit"]
        constraints = [models.UniqueConstraint(fields=["name", "unit"], name="indicators_indicator_unique_name_unit")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.name} ({self.shown_unit})" if self.shown_unit else self.name

    @property
    def shown_unit(self) -> str:
        return self.display_unit or self.unit


class IndicatorValue(models.Model):
    """指标值: a value for a period (2021, 2021Q1, 2021-03, 2016-2020), of a kind, in the base unit."""

    class Kind(models.TextChoices):
        ESTIMATE = "estimate", _("Estimate (预计)")
        PRELIMINARY = "preliminary", _("Preliminary (快报)")
        FINAL = "final", _("Final (年报)")

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.CharField(_("period"), max_length=20)
    period_key = models.CharField(max_length=12, db_index=True)  # sortable: "2021-03-0" (see derive.Period.sort_key)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.FINAL)
    value = models.DecimalField(_("value"), max_digits=28, decimal_places=6)
    entered_unit = models.CharField(_("entered unit"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    # Derived from a stated figure (2015 = 773亿 ÷ 1.67), not stated itself: shown marked.
    derived = models.BooleanField(_("derived"), default=False)
    # "是2015年的1.67倍": the multiple the source states for this value, and of which period.
    stated_multiple = models.DecimalField(_("stated multiple"), max_digits=12, decimal_places=4, null=True, blank=True)
    multiple_base = models.CharField(_("base period"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source_quote = models.TextField(_("source quote"), blank=True)
    # The plan whose document reported it, and where (offset into plan.source_text).
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_offset = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    returned_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "period_key", "kind", "created_at"]
        indexes = [
            models.Index(fields=["indicator", "period_key"], name="indicators_value_ind_period"),
            # The current approved values, newest period first: "the latest value of each indicator on
            # the page" reads one index entry per indicator instead of its whole series.
            models.Index(
                "indicator",
                models.F("period_key").desc(),
                name="indicators_value_current",
                condition=Q(state="approved", superseded_at__isnull=True),
            ),
        ]
        constraints = [
            # One current approved and one pending value per indicator, period and kind: accepting the
            # same report twice cannot record a figure twice, and a revision waits beside the one it replaces.
            models.UniqueConstraint(
                fields=["indicator", "period", "kind", "state"],
                condition=Q(superseded_at__isnull=True, state__in=["pending", "approved"]),
                name="indicators_value_one_current",
            )
        ]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}: {self.value}"

    @property
    def is_estimate(self) -> bool:
        return self.kind == self.Kind.ESTIMATE


class IndicatorTarget(models.Model):
    """指标目标: the target for a year, or for the end of the five-year plan (十四五 2025), 确保 or 力争."""

    class Modality(models.TextChoices):
        MUST = "must", _("Must (确保)")
        STRIVE = "strive", _("Strive (力争)")

    class Horizon(models.TextChoices):
        YEAR = "year", _("Annual target")
        PLAN_END = "plan_end", _("Five-year plan end (十四五)")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices, default=Horizon.YEAR)
    modality = models.CharField(_("modality"), max_length=10, choices=Modality.choices, default=Modality.MUST)
    value = models.DecimalField(_("target"), max_digits=28, decimal_places=6)
    entered_unit = models.CharField(_("entered unit"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "year", "horizon", "modality"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "horizon", "modality"], name="indicators_target_unique"
            )
        ]
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")

    def __str__(self) -> str:
        return f"{self.indicator} {self.year} {self.get_modality_display()}: {self.value}"


class CockpitIndicator(models.Model):
    """The office's list of indicators on the cockpit panel (驾驶舱指标), in order."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["rank", "indicator__name"]
        verbose_name = _("cockpit indicator")
        verbose_name_plural = _("cockpit indicators")

    def __str__(self) -> str:
        return f"{self.rank}: {self.indicator_id}"
