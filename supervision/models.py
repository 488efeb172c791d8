"""Supervision (督查督办): orders, leader instructions, site inspections and rectifications.

Every write goes through `supervision.services` (audited, notifying); reads and
access scope through `supervision.selectors`. See docs/supervision.md.
"""

import operator
from functools import reduce

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import done_after
from supervision.escalation import Kind


class OrderKind(models.TextChoices):
    """催办 < 督办 < 通报: the kind an order is issued with, and the level it escalates to."""

    REMINDER = Kind.REMINDER.value, _("Reminder (催办)")
    ORDER = Kind.ORDER.value, _("Order (督办)")
    NOTICE = Kind.NOTICE.value, _("Public notice (通报)")


class OrderSequence(models.Model):
    """The last order number used in a year. Its row lock makes numbers gap-free under concurrent issues."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class SupervisionOrder(models.Model):
    """督办单: the office's order to a unit on one or several tasks, answered by a due date in working days.

    issued → acknowledged (签收) → responded (反馈) → verified (核验) → closed; the
    office may send a response back (returned), and the unit responds again. A
    late response escalates `level` 催办 → 督办 → 通报 (`kind` keeps what was issued).
    """

    class State(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESPONDED = "responded", _("Responded")
        RETURNED = "returned", _("Sent back")
        VERIFIED = "verified", _("Verified")
        CLOSED = "closed", _("Completed and closed")

    # Waiting for the unit: these are reminded and escalated when late.
    OPEN_STATES = (State.ISSUED, State.ACKNOWLEDGED, State.RETURNED)

    number = models.CharField(_("number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices, default=OrderKind.REMINDER)
    level = models.CharField(_("level"), max_length=10, choices=OrderKind.choices, default=OrderKind.REMINDER)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="supervision_orders", verbose_name=_("addressed to")
    )
    # What the order is about: OrderTarget rows (tasks, projects, requests … any registered target kind).
    content = models.TextField(_("content"))
    requirements = models.TextField(_("requirements"), blank=True)
    issued_on = models.DateField(_("issued on"))
    due_date = models.DateField(_("response due"))
    response_workdays = models.PositiveSmallIntegerField(_("working days to respond"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # The first response decides lateness: a response sent back and answered again was still on time.
    first_responded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for sending back"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-seq"]
        constraints = [
            # The backstop of gap-free numbering: one number per year and sequence, whatever happens.
            models.UniqueConstraint(fields=["year", "seq"], name="order_unique_year_seq"),
        ]
        indexes = [
            # A unit's orders (督办 list, the inbox counts).
            models.Index(fields=["unit", "state"], name="order_unit_state_idx"),
            # The nightly sweep: open orders by due date.
            models.Index(fields=["state", "due_date"], name="order_state_due_idx"),
        ]
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def responded_late(self) -> bool:
        return done_after(self.first_responded_at, self.due_date)

    def target_objects(self) -> list:
        """The supervised objects, in the order they were linked (prefetch `target_links__target`)."""
        return [link.target for link in self.target_links.all() if link.target is not None]


class TargetLink(models.Model):
    """A generic link to one supervised object (督查对象): its content type and id (supervision.targets)."""

    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")

    class Meta:
        abstract = True
        ordering = ["id"]


class OrderTarget(TargetLink):
    """One object an order is about; an order covers one or several, of any kind."""

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="target_links")

    class Meta(TargetLink.Meta):
        constraints = [models.UniqueConstraint(fields=["order", "target_type", "target_id"], name="ordertarget_unique")]
        # "Orders on this object" (task page, project page, the cockpit's marks).
        indexes = [models.Index(fields=["target_type", "target_id"], name="ordertarget_object_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.target_type_id}:{self.target_id}"


class DecidedAnswer(models.Model):
    """A unit's answer the office (or a leader) then accepts or sends back: who sent it when, and the
    decision on it. OrderResponse and FollowUpAnswer differ only in what they answer."""

    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["submitted_at", "id"]


class OrderResponse(DecidedAnswer):
    """反馈: the unit's answer to an order, with evidence; the office accepts it or sends it back."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Sent back")

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="responses")
    text = models.TextField(_("response"))
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)

    class Meta(DecidedAnswer.Meta):
        verbose_name = _("order response")
        verbose_name_plural = _("order responses")

    def __str__(self) -> str:
        return f"{self.order} {self.submitted_at:%Y-%m-%d}"


class OrderEscalation(models.Model):
    """One rung of the chain reminded about a late response (reporter, unit head, leader, office).

    One row per order, due date and rung: the sweep records a rung once, so running
    it twice (or two sweeps at once) reminds nobody twice.
    """

    order = models.ForeignKey(SupervisionOrder, on_delete=models.CASCADE, related_name="escalations")
    due_date = models.DateField()
    rung = models.PositiveSmallIntegerField()  # supervision.escalation.Rung
    day = models.DateField()
    workdays_late = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=OrderKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "rung"]
        constraints = [
            models.UniqueConstraint(fields=["order", "due_date", "rung"], name="escalation_unique_order_due_rung")
        ]

    def __str__(self) -> str:
        return f"{self.order} rung {self.rung} on {self.day}"


# What an instruction is on: exactly one of these is set (target_type goes with target_id).
INSTRUCTION_ON = ("target_type", "report", "order", "finding")


class Instruction(models.Model):
    """领导批示: a leader's note on a supervised object (a task, a project … any target kind), a progress
    report, an order or an inspection finding (exactly one of them)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="instructions", verbose_name=_("leader")
    )
    text = models.TextField(_("instruction"))
    # The supervised object (supervision.targets), when the instruction is on one rather than on a record.
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_object = GenericForeignKey("target_type", "target_id")
    report = models.ForeignKey(
        "reports.ProgressReport", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(SupervisionOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    finding = models.ForeignKey("Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (
                        Q(**{f"{p}__isnull": p != one for p in INSTRUCTION_ON})
                        & (Q(target_id__isnull=False) if one == "target_type" else Q(target_id__isnull=True))
                        for one in INSTRUCTION_ON
                    ),
                ),
                name="instruction_exactly_one_target",
            )
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="instruction_author_idx"),
            models.Index(fields=["target_type", "target_id"], name="instruction_object_idx"),
        ]
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def target(self):
        """What the instruction is on: the supervised object, or the report, order or finding."""
        if self.target_type_id:
            return self.target_object
        return self.report or self.order or self.finding


class FollowUp(models.Model):
    """批示办理: what an instruction asks of the owning unit, answered by a due date.

    open → answered → accepted, or → returned (sent back with a reason and a new due date) →
    answered again. Every answer and decision is a `FollowUpAnswer` row, so the history stays;
    `answer`/`answered_*` repeat the latest answer for lists and the API.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting answer")
        ANSWERED = "answered", _("Answered")
        RETURNED = "returned", _("Sent back")
        ACCEPTED = "accepted", _("Accepted")

    # Waiting for the unit.
    OPEN_STATES = (State.OPEN, State.RETURNED)

    instruction = models.OneToOneField(Instruction, on_delete=models.CASCADE, related_name="followup")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="followups", verbose_name=_("unit"))
    due_date = models.DateField(_("answer due"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="followup_unit_state_idx")]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.unit} {self.due_date}"

    @property
    def answered_late(self) -> bool:
        return done_after(self.answered_at, self.due_date)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class FollowUpAnswer(DecidedAnswer):
    """One answer of the unit to an instruction, with evidence; the office or the leader accepts or returns it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Sent back")

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"))
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)

    class Meta(DecidedAnswer.Meta):
        verbose_name = _("instruction answer")
        verbose_name_plural = _("instruction answers")

    def __str__(self) -> str:
        return f"{self.followup} {self.submitted_at:%Y-%m-%d}"


class Inspection(models.Model):
    """实地督查: a site visit by the office (the offline half of 智慧督查), with photos and findings."""

    class CoordinatesSource(models.TextChoices):
        NONE = "", _("None")
        TYPED = "typed", _("Typed")
        PHOTO = "photo", _("From a photo's GPS")

    inspected_on = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    place = models.CharField(_("place"), max_length=200)
    # WGS-84 decimal degrees, as typed or as the phone wrote them into the photo's EXIF.
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    coordinates_source = models.CharField(max_length=5, choices=CoordinatesSource.choices, blank=True, default="")
    # The objects visited: InspectionTarget rows (tasks, projects … any registered target kind).
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.place}"

    def target_objects(self) -> list:
        return [link.target for link in self.target_links.all() if link.target is not None]


class InspectionTarget(TargetLink):
    """One object visited on an inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="target_links")

    class Meta(TargetLink.Meta):
        constraints = [
            models.UniqueConstraint(fields=["inspection", "target_type", "target_id"], name="inspectiontarget_unique")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="inspectiontarget_object_idx")]

    def __str__(self) -> str:
        return f"{self.inspection_id} → {self.target_type_id}:{self.target_id}"


class Finding(models.Model):
    """督查发现: one problem seen at an inspection; it may open a rectification item."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    # The supervised object the problem is about (supervision.targets), if any.
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="finding_object_idx")]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.text[:40]


class Rectification(models.Model):
    """整改: a finding assigned to a unit with a deadline, tracked like a task: reported, verified, closed."""

    class State(models.TextChoices):
        OPEN = "open", _("To rectify")
        REPORTED = "reported", _("Reported done")
        RETURNED = "returned", _("Sent back")
        VERIFIED = "verified", _("Verified")
        CLOSED = "closed", _("Closed out")

    OPEN_STATES = (State.OPEN, State.RETURNED)

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="rectification")
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="rectifications", verbose_name=_("unit")
    )
    requirement = models.TextField(_("what to rectify"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    report = models.TextField(_("what was done"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(_("reason for sending back"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="rectification_unit_state_idx"),
            models.Index(fields=["state", "deadline"], name="rectification_state_dl_idx"),
        ]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return f"{self.unit} {self.deadline}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Content-addressed names: no user-chosen path ever reaches the storage backend.
    return f"supervision/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


ATTACHMENT_PARENTS = ("response", "answer", "inspection", "rectification")


class Attachment(models.Model):
    """A photo or document on an order response, an instruction answer, an inspection or a rectification.

    Served only through `supervision:file`, after the same access check as its parent.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        DOCUMENT = "document", _("Document")

    class Stage(models.TextChoices):
        NONE = "", "—"
        BEFORE = "before", _("Before rectification")
        AFTER = "after", _("After rectification")

    response = models.ForeignKey(
        OrderResponse, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    answer = models.ForeignKey(
        FollowUpAnswer, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    stage = models.CharField(max_length=6, choices=Stage.choices, blank=True, default="")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(upload_to="supervision/thumbs/", max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    extension = models.CharField(max_length=10)
    # Where the photo was taken, from its EXIF GPS block (None for documents and photos without one).
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=reduce(
                    operator.or_,
                    (Q(**{f"{p}__isnull": p != parent for p in ATTACHMENT_PARENTS}) for parent in ATTACHMENT_PARENTS),
                ),
                name="attachment_exactly_one_parent",
            )
        ]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name
