"""The "project" and "project_problem" supervision target kinds (督查对象), registered in ProjectsConfig.ready().

An order, an instruction or an inspection can be about a project or one of its problems, through
supervision's one generic target; the access rules are the projects' own (projects.selectors).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Perm
from projects.models import Project, ProjectProblem
from projects.selectors import projects_for_user
from supervision.targets import TargetKind, register_target_kind


def _project_units(project: Project) -> list:
    return [project.lead_unit, *(u for u in project.co_units.all() if u.pk != project.lead_unit_id)]


def _leaders(project: Project) -> list[User]:
    return list(User.objects.filter(is_active=True, leader_posts=project.leader_post_id, leader_posts__is_active=True))


def problems_for_user(user: User) -> QuerySet[ProjectProblem]:
    """A problem is visible with its project, and to the unit that must solve it."""
    if not user.is_authenticated:
        return ProjectProblem.objects.none()
    if user.has_luoshi_perm(Perm.BUSINESS_READ_ALL):
        return ProjectProblem.objects.all()
    visible = projects_for_user(user).filter(pk=OuterRef("project_id"))
    own = Q(unit_id=user.unit_id) if user.unit_id and user.has_luoshi_perm(Perm.BUSINESS_READ_UNIT) else Q(pk=None)
    return ProjectProblem.objects.filter(Exists(visible) | own)


def _problem_title(problem: ProjectProblem) -> str:
    return f"{problem.project.code} {problem.get_category_display()}：{problem.description[:40]}"


def register_project_kinds() -> None:
    register_target_kind(
        TargetKind(
            key="project",
            model=Project,
            label=_("Major project"),
            visible_to=projects_for_user,
            units=_project_units,
            title=lambda p: f"{p.code} {p.name}",
            url=lambda p: reverse("projects:detail", kwargs={"pk": p.pk}),
            leaders=_leaders,
            select_related=("lead_unit",),
        )
    )
    register_target_kind(
        TargetKind(
            key="project_problem",
            model=ProjectProblem,
            label=_("Project problem"),
            visible_to=problems_for_user,
            units=lambda problem: [problem.unit],
            title=_problem_title,
            url=lambda problem: (
                reverse("projects:detail", kwargs={"pk": problem.project_id}) + f"#problem-{problem.pk}"
            ),
            leaders=lambda problem: _leaders(problem.project),
            select_related=("project", "unit"),
        )
    )
