"""民生实事 public portal: what the office publishes for citizens, nothing internal.

An item is a record of a publishable kind (`core.publishing`: tasks now, projects later) that the
office chose to show. Everything a citizen reads is either written here by the office for the public
(title, summary, dated progress notes, selected photos re-encoded without metadata) or computed from
the record as `PublicFacts` (area, blocks, progress, plain state, milestones). Internal texts never
reach the portal: there is no field through which they could.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicItem(models.Model):
    """民生实事: one published (or drafted) public item."""

    kind = models.CharField(_("kind"), max_length=30)  # a key of core.publishing's registry
    object_id = models.PositiveIntegerField()
    title = models.CharField(_("public title"), max_length=120)
    summary = models.TextField(_("public summary"), max_length=2000, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "object_id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="publicitem_unique_kind_object")]
        indexes = [models.Index(fields=["is_published", "year"], name="publicitem_published_year_idx")]
        verbose_name = _("public item")
        verbose_name_plural = _("public items")

    def __str__(self) -> str:
        return self.title


class PublicUpdate(models.Model):
    """A dated public progress note, written by the office for citizens (not the unit's narrative)."""

    item = models.ForeignKey(PublicItem, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"))
    text = models.TextField(_("public progress note"), max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("public update")
        verbose_name_plural = _("public updates")

    def __str__(self) -> str:
        return f"{self.date} {self.text[:30]}"


class PublicPhoto(models.Model):
    """A photo selected for publication: a re-encoded copy (no EXIF, no GPS, no camera data)."""

    item = models.ForeignKey(PublicItem, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(max_length=200)
    thumbnail = models.FileField(max_length=200, blank=True)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    # Where the original came from ("evidence:12", "upload"), so the same photo is not published twice.
    source_ref = models.CharField(max_length=40)
    content_type = models.CharField(max_length=50, default="image/jpeg")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("public photo")
        verbose_name_plural = _("public photos")

    def __str__(self) -> str:
        return self.caption or f"photo {self.pk}"
