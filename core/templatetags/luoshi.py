from django import template

from core import numbers

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }}: dictionary lookup with a variable key."""
    if mapping is None:
        return ""
    return mapping.get(key, "")


@register.filter
def num(value):
    """A number without trailing zeros or exponent: 248.0000 → 248, 3.50 → 3.5; None → —; text unchanged."""
    return numbers.plain(value)


@register.filter
def cn_amount(value, unit=""):
    """{{ task.target_value|cn_amount:task.target_unit }}: 12000 个 → 1.2万个, 35000 万元 → 3.5亿元."""
    return numbers.cn_amount(value, unit or "")


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
    """A computed figure to at most `digits` decimals, without trailing zeros: 30.46 → 30.5, 30.0 → 30."""
    return numbers.plain(value, int(digits))


@register.filter
def likelihood_label(judgement):
    """The translated label of an engine judgement's likelihood (很有把握 … / Highly likely …)."""
    from reports.labels import LIKELIHOOD_LABELS

    return LIKELIHOOD_LABELS.get(judgement.likelihood, "") if judgement else ""


@register.simple_tag
def task_code(task, plan_choice=None):
    """A task's code, with its plan where several plans are shown at once ("2021·T005"): codes repeat
    from plan to plan."""
    if plan_choice is not None and plan_choice.mixed:
        return f"{plan_choice.label(task.plan_id)}·{task.code}"
    return task.code


@register.filter
def plan_label(plan_choice, plan_id):
    """The plan's short name followed by "·" where plans mix, else nothing."""
    if plan_choice is None or not plan_choice.mixed or not plan_id:
        return ""
    return f"{plan_choice.label(plan_id)}·"
