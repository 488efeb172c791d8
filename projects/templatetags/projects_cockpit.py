"""The cockpit's major-projects card (a tag, so the cockpit's app need not import projects)."""

from django import template
from django.utils import timezone

from projects import selectors

register = template.Library()


@register.inclusion_tag("projects/_cockpit.html", takes_context=True)
def projects_cockpit(context):
    """Investment planned vs completed by month this year, counts by stage, and red projects, for the viewer."""
    request = context["request"]
    user = request.user
    day = getattr(request, "as_of", None) or timezone.localdate()
    projects = selectors.projects_for_user(user)
    if not projects.exists():
        return {"show": False}
    chart = selectors.investment_by_month(projects, day.year, day)
    red = list(selectors.project_list(user, selectors.ProjectFilters(light="red"), day)[:10])
    red_total = selectors.project_list(user, selectors.ProjectFilters(light="red"), day).count()
    stages = selectors.stage_counts(user, day)
    names = ["签约", "拿地", "开工", "主体完工", "竣工/投产"]
    return {
        "show": True,
        "request": request,
        "day": day,
        "chart": {
            "months": [c["month"][:7] for c in chart],
            "planned": [c["planned"] for c in chart],
            "actual": [c["actual"] for c in chart],
        },
        "stages": [(i, names[i] if 0 <= i < len(names) else "—", stages.get(i, 0)) for i in range(-1, len(names))],
        "red": red,
        "red_total": red_total,
    }
