"""The cockpit's unit league table and area table rows, built in Python: a city has ~1 000 units
and ~100 areas, and the same rows through the template engine (a dozen variables and filters each)
took 100–200 ms (units) and ~20 ms (areas) of the page."""

from django import template
from django.utils.html import format_html_join

from core.templatetags.luoshi import percent, plan_label

register = template.Library()

ROW = (
    '<tr><td class="num">{}</td><td><a href="{}?{}&amp;lead_unit={}">{}</a></td><td class="num">{}</td>'
    '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>\n'
    '      <td class="nowrap small"><span class="light light-green"><span class="dot"></span>{}</span> '
    '<span class="light light-yellow"><span class="dot"></span>{}</span> '
    '<span class="light light-red"><span class="dot"></span>{}</span></td></tr>'
)


@register.simple_tag
def league_rows(units, tasks_url: str, query: str):
    """{% league_rows units tasks_url plan_choice.query %}: one row per (league rank, RollupRow)."""
    return format_html_join(
        "",
        ROW,
        (
            (
                n,
                tasks_url,
                query,
                r.ref,
                r.key,
                r.rollup.count,
                percent(r.rollup.weighted_completion),
                r.lagging,
                r.late_reports,
                r.rollup.by_light["green"],
                r.rollup.by_light["yellow"],
                r.rollup.by_light["red"],
            )
            for n, r in units
        ),
    )


AREA_ROW = (
    '<tr><td><a href="{url}?{query}&amp;node={area}" data-testid="area-{area}">{label}{name}</a></td>'
    '<td class="num"><a href="{url}?{query}&amp;node={area}&amp;light=green">{green}</a></td>'
    '<td class="num"><a href="{url}?{query}&amp;node={area}&amp;light=yellow">{yellow}</a></td>'
    '<td class="num"><a href="{url}?{query}&amp;node={area}&amp;light=red" data-testid="area-red-{area}">{red}</a></td>'
    '<td class="num">{completion}</td></tr>'
)


@register.simple_tag
def area_rows(areas, tasks_url: str, plan_choice):
    """{% area_rows c.areas tasks_url plan_choice %}: one row per area RollupRow (the name prefixed
    by its plan where plans mix, as the plan_label filter does)."""
    return format_html_join(
        "",
        AREA_ROW,
        (
            {
                "url": tasks_url,
                "query": plan_choice.query,
                "area": r.ref,
                "label": plan_label(plan_choice, r.plan_id),
                "name": r.key,
                "green": r.rollup.by_light["green"],
                "yellow": r.rollup.by_light["yellow"],
                "red": r.rollup.by_light["red"],
                "completion": percent(r.rollup.weighted_completion),
            }
            for r in areas
        ),
    )
