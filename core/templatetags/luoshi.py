from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }}: dictionary lookup with a variable key."""
    if mapping is None:
        return ""
    return mapping.get(key, "")


@register.filter
def num(value):
    """A decimal without trailing zeros or exponent: 248.0000 → 248, 3.50 → 3.5; None → —."""
    from decimal import Decimal

    if value is None or value == "":
        return "—"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return text


@register.inclusion_tag("core/_light.html")
def light(result, computed: bool = False):
    """A coloured dot with its label (readable without colour) for a status result's light."""
    from reports.labels import LIGHT_LABELS, STATUS_LABELS

    if result is None:
        return {"value": None}
    value = result.computed_light if computed else result.light
    return {"value": value.value, "label": LIGHT_LABELS[value], "status": STATUS_LABELS[result.status]}


@register.filter
def status_label(result):
    from reports.labels import STATUS_LABELS

    return STATUS_LABELS[result.status] if result is not None else ""


@register.filter
def reason_labels(result):
    from reports.labels import REASON_LABELS

    return [REASON_LABELS[r] for r in result.reasons] if result is not None else []


@register.filter
def stale_label(kind):
    from reports.labels import STALE_LABELS

    return STALE_LABELS.get(kind, kind)


@register.filter
def percent(value, digits: int = 0):
    """0.734 → 73% (None → —)."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f}%"


@register.filter
def round_num(value, digits: int = 1):
    if value is None:
        return "—"
    text = f"{float(value):.{int(digits)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def likelihood_label(judgement):
    """The translated label of an engine judgement's likelihood (很有把握 … / Highly likely …)."""
    from reports.labels import LIKELIHOOD_LABELS

    return LIKELIHOOD_LABELS.get(judgement.likelihood, "") if judgement else ""
