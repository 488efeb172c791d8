from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm


class ZoneImportForm(CheckedForm):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_(
            "A FeatureCollection of Polygons in WGS-84; each feature named (properties.name) like a core block."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json,application/json"}),
    )


class LocationForm(CheckedForm):
    """Typed WGS-84 coordinates, or a click on the map (the outline's datum, converted back before storing)."""

    latitude = forms.DecimalField(label=_("Latitude (WGS-84)"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude (WGS-84)"), max_digits=9, decimal_places=6, required=False)
    map_x = forms.FloatField(required=False, widget=forms.HiddenInput)
    map_y = forms.FloatField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        typed = data.get("latitude") is not None and data.get("longitude") is not None
        clicked = data.get("map_x") is not None and data.get("map_y") is not None
        if not typed and not clicked:
            raise forms.ValidationError(_("Click on the map or type the latitude and longitude."))
        return data
