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
