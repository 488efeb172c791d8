"""The indicators panel of the wall screen (大屏): the cockpit's chosen indicators (core.publishing).

Registered by `IndicatorsConfig.ready()`; the rows are `selectors.cockpit_panel` (the office's choice,
in the viewer's scope: the kiosk reads like a leader), the latest value as of the wall's day with its
unit and period, coloured by the indicator's own light against its year's target.
"""

from django.utils.translation import gettext_lazy as _

from core.numbers import plain
from core.publishing import MapQuery, WallPanel, register_wall_panel
from indicators.selectors import cockpit_panel

WALL_ROWS = 8


def indicator_rows(query: MapQuery) -> list[tuple[str, str, str]]:
    rows = []
    for s in cockpit_panel(query.user, query.as_of)[:WALL_ROWS]:
        if s.latest is None:
            value = "—"
        else:
            value = f"{plain(s.latest_shown)}{s.indicator.shown_unit} ({s.latest.period})"
        rows.append((s.indicator.name, value, s.light.value if s.light else ""))
    return rows


def register() -> None:
    register_wall_panel(WallPanel(key="indicators", title=_("Indicators"), rows=indicator_rows))
