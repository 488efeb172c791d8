"""The cockpit's major-projects card (a tag, so the cockpit's app need not import projects)."""

from django import template
from django.utils import timezone

from projects import fill, selectors
from projects import status as project_status

register = template.Library()


def _chart(rows: list[dict]) -> dict:
    return {
        "months": [c["month"][:7] for c in rows],
        "planned": [c["planned"] for c in rows],
        "actual": [c["actual"] for c in rows],
    }


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
    # A day many projects lack is stored by a queued job (projects/fill.py), not in this request.
    lacking = project_status.missing_count(projects, day, every_project=selectors.sees_all(user))
    if fill.queued(user, lacking):
        job = fill.project_status_fill_start(actor=user, day=day)
        return {"show": True, "request": request, "day": day, "chart": _chart(chart), "job": job, "lacking": lacking}
    red = list(selectors.project_list(user, selectors.ProjectFilters(light="red"), day)[:10])
    red_total = selectors.project_list(user, selectors.ProjectFilters(light="red"), day).count()
    stages = selectors.stage_counts(user, day)
    names = ["签约", "拿地", "开工", "主体完工", "竣工/投产"]
    return {
        "show": True,
        "request": request,
        "day": day,
        "chart": _chart(chart),
        "stages": [(i, names[i] if 0 <= i < len(names) else "—", stages.get(i, 0)) for i in range(-1, len(names))],
        "red": red,
        "red_total": red_total,
    }


@register.inclusion_tag("projects/_task_projects.html", takes_context=True)
def task_projects(context, task):
    """The projects serving a task (linked on the project), within the viewer's scope: their stage and
    completed investment as of the page's day, each linking to the project (the records behind the task)."""
    request = context["request"]
    day = getattr(request, "as_of", None) or timezone.localdate()
    rows = list(selectors.projects_for_user(request.user).filter(tasks=task).select_related("type", "lead_unit"))
    if not rows:
        return {"rows": []}
    statuses = project_status.statuses_on(day, rows)
    for p in rows:
        s = statuses.get(p.pk)
        p.row_status = s
        p.row_stage = p.type.stages[s.stage_index] if s and 0 <= s.stage_index < len(p.type.stages) else ""
    started = sum(1 for p in rows if p.row_status and p.row_status.started)
    return {"rows": rows, "started": started, "day": day}
