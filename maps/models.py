"""地图: items by location and by core block, on an offline district map.

`Zone` holds a polygon the office imported (a core block 六大核心板块, linked to its dimension tag, or
another zone); `Location` the WGS-84 position of an item that has none of its own (tasks; inspections
keep theirs on the inspection, projects will keep theirs on the project).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Zone(models.Model):
    """板块/片区: a named polygon (GeoJSON geometry in WGS-84), a core block when `tag` is set."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    tag = models.OneToOneField(
        "plans.DimensionTag", on_delete=models.SET_NULL, null=True, blank=True, related_name="zone"
    )
    geometry = models.JSONField()  # {"type": "Polygon" | "MultiPolygon", "coordinates": ...}, checked by maps.geo
    is_demo = models.BooleanField(default=False)  # approximate shapes drawn for the demo
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """The position of an item of a kind that has no coordinates of its own (WGS-84 decimal degrees)."""

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed")
        MAP = "map", _("Clicked on the map")

    kind = models.CharField(max_length=30)
    object_id = models.PositiveIntegerField()
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    source = models.CharField(max_length=5, choices=Source.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="location_unique_kind_object")]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.latitude},{self.longitude}"
