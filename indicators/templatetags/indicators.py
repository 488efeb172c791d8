"""Template helpers of the indicator pages and the cockpit panel (the cockpit lives below this app:
it loads this library, so reports never imports indicators)."""

from django import template
from django.utils.html import format_html

from accounts.roles import Perm
from indicators import selectors

register = template.Library()
WIDTH, HEIGHT = 90, 22


@register.simple_tag
def sparkline(values: list[float]):
    """A small inline SVG of the last values (no script, so the catalogue stays one request)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = WIDTH / (len(values) - 1)
    ys = [HEIGHT - 2 - (v - low) / span * (HEIGHT - 4) for v in values]
    points = " ".join(f"{i * step:.1f},{y:.1f}" for i, y in enumerate(ys))
    return format_html(
        '<svg class="spark" width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true">'
        '<polyline fill="none" stroke="#1f5fa8" stroke-width="1.5" points="{}"/></svg>',
        WIDTH, HEIGHT, WIDTH, HEIGHT, points,
    )  # fmt: skip


@register.inclusion_tag("indicators/_cockpit_panel.html", takes_context=True)
def indicator_panel(context):
    """The cockpit's indicator panel: the office's chosen indicators as of the cockpit's day."""
    request = context["request"]
    rows = selectors.cockpit_panel(request.user, getattr(request, "as_of", None))
    can_order = request.user.has_luoshi_perm(Perm.PLAN_EDIT)
    return {"rows": rows, "request": request, "can_order": can_order, "csrf_token": context.get("csrf_token")}


@register.filter
def kind_class(kind: str) -> str:
    return {"estimate": "chip-warn", "preliminary": "chip", "final": "chip-green"}.get(kind, "chip")


@register.filter
def light_label(light) -> object:
    from reports.labels import LIGHT_LABELS

    return LIGHT_LABELS.get(light, "") if light else ""


@register.filter
def rate(value) -> str:
    """A percentage figure (already in percent) to one decimal with its sign: 7.26 → +7.3%; None → —."""
    return f"{value:+.1f}%" if isinstance(value, int | float) else "—"


@register.filter
def times(value) -> str:
    return f"{value:.2f}×" if isinstance(value, int | float) else "—"


@register.filter
def shown_in(value, indicator) -> object:
    """A base-unit value in the indicator's display unit."""
    return selectors.shown(indicator, value)


@register.filter
def kind_label(kind: str) -> str:
    from indicators.models import IndicatorValue

    return str(IndicatorValue.Kind(kind).label) if kind in IndicatorValue.Kind.values else ""
