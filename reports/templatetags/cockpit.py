"""The cockpit's unit league table rows, built in Python: a city has ~1 000 units, and the same rows
through the template engine (a dozen variables and filters each) took 100–200 ms of the page."""

from django import template
from django.utils.html import format_html_join

from core.templatetags.luoshi import percent

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
