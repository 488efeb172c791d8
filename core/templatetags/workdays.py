from django import template

from core.workcalendar import DAY_SOURCE_LABELS

register = template.Library()


@register.filter
def day_source(value) -> str:
    """{{ day.source|day_source }}: where a calendar day's answer came from, in words (not `package`)."""
    return str(DAY_SOURCE_LABELS.get(value, value))
