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
        "indicators.IndicatorValue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "key"], name="accepteditem_unique_key")]
        verbose_name = _("accepted item")
        verbose_name_plural = _("accepted items")

    def __str__(self) -> str:
        return f"{self.kind} {self.quote[:40]}"
