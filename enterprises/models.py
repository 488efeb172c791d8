"""企业帮扶 (三送一强: 送政策、送服务、送要素、强信心; 五个一): enterprises, visits, requests, outcomes.

Every write goes through `enterprises.services` (audited); reads, access scope and the contact
masking rule through `enterprises.selectors`; the summary figures are computed measures
(`enterprises.figures`). See docs/enterprises.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SizeClass(models.TextChoices):
    LARGE = "large", _("Large (大)")
    MEDIUM = "medium", _("Medium (中)")
    SMALL = "small", _("Small (小)")
    MICRO = "micro", _("Micro (微)")


class Enterprise(models.Model):
    """企业: a firm the district serves, identified by its 统一社会信用代码 (checked by enterprises.creditcode).

    The contact person and phone are personal data: shown only to the office and the units that
    serve the firm or handle one of its requests (`selectors.contact_rule`), masked elsewhere.
    """

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True, db_index=True)
    size = models.CharField(_("size class"), max_length=8, choices=SizeClass.choices, default=SizeClass.SMALL)
    subdistrict = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sub-district")
    )
    block = models.ForeignKey(
        "plans.DimensionTag", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("block")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service officer (包联干部)"),
    )
    officer_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="served_enterprises",
        verbose_name=_("service unit"),
    )
    # 包联领导 (the 五个一 mechanism's responsible leader): reminded when a request of the firm is late.
    leader_post = models.ForeignKey(
        "org.LeaderPost",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible leader (包联领导)"),
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class Policy(models.Model):
    """政策目录: a policy the office keeps in its catalogue, explained to firms on visits (送政策)."""

    title = models.CharField(_("title"), max_length=200, unique=True)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    """走访: an officer's visit to a firm and what was delivered (policies, services, factors).

    `delivered` is set by the service from the three (one rule: `services.visit_delivered`) so the
    summary's "enterprises helped" needs no join through the policies.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    officer_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    policies = models.ManyToManyField(Policy, blank=True, related_name="visits", verbose_name=_("policies explained"))
    services = models.TextField(_("services delivered"), blank=True)
    factors = models.TextField(_("factors delivered"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    delivered = models.BooleanField(default=False)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        # Covering the summary's "enterprises helped" (delivered visits of a period, their firms).
        indexes = [models.Index(fields=["delivered", "visited_on", "enterprise"], name="visit_delivered_day_idx")]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on}"


def visit_photo_path(instance, filename: str) -> str:
    return f"enterprises/{filename}"


class VisitPhoto(models.Model):
    """A photo of a visit, stored through core.uploads and served after the visit's access check."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=visit_photo_path, max_length=200)
    thumbnail = models.FileField(upload_to="enterprises/thumbs/", max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class RequestCategory(models.Model):
    """诉求类别: 用工, 资金, 税费, 审批, 用地, 用能, 物流, 其他 — an editable list, each with its days to answer."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    due_workdays = models.PositiveSmallIntegerField(_("working days to answer"), default=10)
    rank = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")

    def __str__(self) -> str:
        return self.name


class AssistanceRequest(models.Model):
    """诉求: a firm's request, handed to a unit (转办) and answered by a due date in working days.

    received → assigned → accepted (by the unit) → answered → closed on the firm's satisfied feedback;
    "not satisfied" sends it back to the unit (accepted, `reopened` +1); the unit may return a wrongly
    assigned request to the office (returned, with a reason), which assigns it again.
    """

    class State(models.TextChoices):
        # With a context: "Received", "Closed" mean other things elsewhere (已受理 here, not 受理; 已办结, not 已关闭).
        RECEIVED = "received", pgettext_lazy("assistance request state", "Received")
        ASSIGNED = "assigned", pgettext_lazy("assistance request state", "Assigned")
        ACCEPTED = "accepted", pgettext_lazy("assistance request state", "Accepted by the unit")
        RETURNED = "returned", pgettext_lazy("assistance request state", "Returned to the office")
        ANSWERED = "answered", pgettext_lazy("assistance request state", "Answered")
        CLOSED = "closed", pgettext_lazy("assistance request state", "Closed")

    class Channel(models.TextChoices):
        VISIT = "visit", _("Visit")
        HOTLINE = "hotline", _("Hotline")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    class Feedback(models.TextChoices):
        NONE = "", "—"
        SATISFIED = "satisfied", _("Satisfied")
        NOT_SATISFIED = "not_satisfied", _("Not satisfied")

    # Waiting for the handling unit: reminded and escalated when past due.
    UNIT_STATES = (State.ASSIGNED, State.ACCEPTED)
    OFFICE_STATES = (State.RECEIVED, State.RETURNED)

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="requests")
    category = models.ForeignKey(RequestCategory, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"))
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.VISIT)
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests")
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_requests",
        verbose_name=_("handling unit"),
    )
    due_date = models.DateField(_("due"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RECEIVED)
    answer = models.TextField(_("answer"), blank=True)
    # The first answer decides punctuality (a reopened request answered again was still on time or not).
    first_answered_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    feedback = models.CharField(_("feedback"), max_length=14, choices=Feedback.choices, blank=True, default="")
    feedback_note = models.TextField(_("feedback note"), blank=True)
    reopened = models.PositiveSmallIntegerField(default=0)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # Another open or recent request of the same firm in the same category (重复诉求), flagged for the office.
    repeat_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "state"], name="req_unit_state_idx"),
            models.Index(fields=["received_on"], name="req_received_idx"),
            # Covering indexes of the summary (city for a year in one index range each, docs/enterprises.md).
            models.Index(fields=["state", "closed_on", "enterprise", "feedback"], name="req_closed_cover_idx"),
            models.Index(fields=["first_answered_on", "due_date"], name="req_answered_cover_idx"),
            models.Index(fields=["state", "due_date"], name="req_state_due_idx"),
            models.Index(fields=["enterprise", "category"], name="req_firm_cat_idx"),
        ]
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.category}"

    @property
    def answered_late(self) -> bool:
        return self.first_answered_on is not None and self.first_answered_on > self.due_date


class Outcome(models.Model):
    """成效: what an answered request achieved, in numbers, counted once the handling unit's head approves it.

    jobs filled (人), tax and fees relieved (元), funds provided (元, with the channel), approval time
    saved (working days), land (亩). All non-negative.
    """

    class FundsChannel(models.TextChoices):
        NONE = "", "—"
        LOAN = "loan", _("Loan")
        SUBSIDY = "subsidy", _("Subsidy")
        FUND = "fund", _("Fund")

    request = models.OneToOneField(AssistanceRequest, on_delete=models.CASCADE, related_name="outcome")
    jobs = models.PositiveIntegerField(_("jobs filled (persons)"), default=0)
    tax_relieved = models.DecimalField(_("tax and fees relieved (yuan)"), max_digits=16, decimal_places=2, default=0)
    funds = models.DecimalField(_("funds provided (yuan)"), max_digits=16, decimal_places=2, default=0)
    funds_channel = models.CharField(
        _("funds channel"), max_length=8, choices=FundsChannel.choices, blank=True, default=""
    )
    approval_days_saved = models.PositiveIntegerField(_("approval time saved (working days)"), default=0)
    land_mu = models.DecimalField(_("land (mu)"), max_digits=12, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The day it counts in the summary (None: not approved yet, not counted).
    approved_on = models.DateField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        # Covering the summary's sums (approved in a period): no table rows read for the city figures.
        indexes = [
            models.Index(fields=["approved_on", "jobs", "tax_relieved", "funds"], name="outcome_approved_cover_idx")
        ]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self) -> str:
        return f"{self.request_id}"
