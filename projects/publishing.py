"""Major projects on the public portal, the map and the wall screen (core.publishing's registries).

Registered by `ProjectsConfig.ready()`, so portal, maps and workbench stay generic (they import no
projects code). What a citizen may read of a project (`project_facts`): its type (shown as the area),
core blocks, plain state, stage progress and completion time, and its stages' planned dates. Never
passed: the code, owner (建设单位), lead unit, responsible leader, amounts, 形象进度 texts, problems,
meetings, evidence. The public title, summary, notes and photos are written and chosen by the office
in the portal (a photo is re-encoded there before it is published).
"""

from datetime import date

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from accounts.roles import Perm
from core.numbers import cn_amount
from core.publishing import (
    CandidatePhoto,
    MapPoint,
    MapQuery,
    MapSource,
    PublicFacts,
    PublicKind,
    WallPanel,
    plain_state,
    register_map_source,
    register_public_kind,
    register_wall_panel,
)
from plans.models import DimensionTag
from projects import selectors
from projects.models import Project, ProjectPhoto, ProjectReport, ProjectStatus
from projects.status import ensure_stored, statuses_on

# Investment completion (completed / planned by the day) below these is yellow / red on the wall,
# the default type thresholds (lag of 10 % / 25 %).
WALL_YELLOW_BELOW, WALL_RED_BELOW = 0.90, 0.75


# --- the public portal --------------------------------------------------------------------------------


def project_facts(ids: list[int], day: date) -> dict[int, PublicFacts]:
    projects = list(Project.objects.filter(pk__in=ids).select_related("type").prefetch_related("tags"))
    if not projects:
        return {}
    statuses = statuses_on(day, projects)
    facts = {}
    for p in projects:
        s = statuses.get(p.pk)
        stages = p.stage_names
        reached = s.stage_index if s else -1
        blocks = sorted(((t.pk, t.name) for t in p.tags.all() if t.kind == DimensionTag.Kind.BLOCK), key=lambda b: b[1])
        facts[p.pk] = PublicFacts(
            area=p.type.name,
            blocks=tuple(name for _pk, name in blocks),
            block_ids=tuple(pk for pk, _name in blocks),
            state=plain_state(
                done=bool(s and s.finished),
                behind=bool(s and (s.light == "red" or s.late_stages)),
            ),
            # Stages reached of the type's stages: what a passer-by sees (签约 … 竣工/投产), not money.
            progress=min(max((reached + 1) / len(stages), 0.0), 1.0) if stages else None,
            deadline=p.completion_due,
        )
    return facts


def project_milestones(pk: int) -> list[tuple[date, str]]:
    """The stage timeline: each stage at the day it was reached (recorded), else at its planned day."""
    today = timezone.localdate()
    rows = []
    for st in Project.objects.get(pk=pk).stages.order_by("index"):
        if st.reached_on and st.recorded_on and st.recorded_on <= today:
            rows.append((st.reached_on, _t("%(stage)s (reached)") % {"stage": st.name}))
        elif st.planned_on:
            rows.append((st.planned_on, _t("%(stage)s (planned)") % {"stage": st.name}))
    return sorted(rows, key=lambda r: r[0])


def project_photos(pk: int) -> list[CandidatePhoto]:
    """The photos of the project's approved monthly reports (the office picks; the portal re-encodes)."""

    def reader(photo: ProjectPhoto):
        def read() -> bytes:
            with photo.file.open("rb") as handle:
                return handle.read()

        return read

    photos = ProjectPhoto.objects.filter(
        report__project_id=pk, report__state=ProjectReport.State.APPROVED
    ).select_related("report")
    return [
        CandidatePhoto(
            ref=f"project_photo:{ph.pk}",
            label=f"{ph.report.month:%Y-%m} {ph.original_name}",
            read=reader(ph),
            preview_url=reverse("projects:photo", args=[ph.pk]) + "?thumb=1",
        )
        for ph in photos.order_by("report__month", "pk")
    ]


# --- the map ------------------------------------------------------------------------------------------


def project_points(query: MapQuery) -> list[MapPoint]:
    """The viewer's projects with coordinates, coloured by the project light on the day (not plan-scoped:
    a project belongs to its investment year, not to a plan)."""
    projects = list(
        selectors.projects_for_user(query.user)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .select_related("type", "lead_unit")
        .prefetch_related("tags")
    )
    if not projects:
        return []
    statuses = statuses_on(query.as_of, projects)
    return [
        MapPoint(
            kind="project",
            pk=p.pk,
            title=f"{p.code} {p.name}",
            lat=float(str(p.latitude)),
            lng=float(str(p.longitude)),
            light=statuses[p.pk].light if p.pk in statuses else "",
            url=reverse("projects:detail", args=[p.pk]),
            detail=p.lead_unit.name,
            block_ids=tuple(t.pk for t in p.tags.all() if t.kind == DimensionTag.Kind.BLOCK),
        )
        for p in projects
    ]


# --- the wall screen ----------------------------------------------------------------------------------


def _rate_light(rate: float | None) -> str:
    if rate is None:
        return ""
    return "red" if rate < WALL_RED_BELOW else "yellow" if rate < WALL_YELLOW_BELOW else "green"


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def investment_rows(query: MapQuery) -> list[tuple[str, str, str]]:
    """项目投资: projects, planned and completed investment to the day, completion, 开工率, 投产率, red."""
    projects = selectors.projects_for_user(query.user)
    if not projects.exists():
        return []
    day = query.as_of
    # The office, leaders and the kiosk see the whole register: two counts tell the day is complete.
    ensure_stored(projects, day, every_project=query.user.has_luoshi_perm(Perm.BUSINESS_READ_ALL))
    stored = ProjectStatus.objects.filter(day=day, project__in=projects)
    totals = stored.aggregate(planned=Sum("planned"), actual=Sum("actual"))
    counts = {
        "n": stored.count(),
        "red": stored.filter(light="red").count(),
        "started": stored.filter(started=True).count(),
        "start_due": stored.filter(start_due=True).count(),
        "finished": stored.filter(finished=True).count(),
        "finish_due": stored.filter(finish_due=True).count(),
    }
    planned, actual = totals["planned"] or 0.0, totals["actual"] or 0.0
    rate = actual / planned if planned else None
    start_rate = counts["started"] / counts["start_due"] if counts["start_due"] else None
    finish_rate = counts["finished"] / counts["finish_due"] if counts["finish_due"] else None
    return [
        (_t("Projects"), str(counts["n"]), ""),
        (_t("Planned investment to date"), cn_amount(round(planned, 2), "万元"), ""),
        (_t("Completed investment"), cn_amount(round(actual, 2), "万元"), _rate_light(rate)),
        (_t("Investment completion"), _pct(rate), _rate_light(rate)),
        (_t("Start rate (开工率)"), _pct(start_rate), _rate_light(start_rate)),
        (_t("Completion rate (投产率)"), _pct(finish_rate), _rate_light(finish_rate)),
        (_t("Red projects"), str(counts["red"]), "red" if counts["red"] else "green"),
    ]


def project_draft(code: str) -> tuple[int, str, int] | None:
    """The portal's office adds a project by its code: its id, a first public title (its name, to be
    rewritten for citizens) and its plan year."""
    found = Project.objects.filter(code=code).values_list("pk", "name", "plan_year").first()
    return (found[0], found[1][:120], found[2]) if found else None


def register() -> None:
    register_public_kind(
        PublicKind(
            key="project",
            label=_("Project"),
            facts=project_facts,
            exists=lambda pk: Project.objects.filter(pk=pk).exists(),
            internal_url=lambda pk: reverse("projects:detail", args=[pk]),
            internal_title=lambda pk: str(Project.objects.get(pk=pk)),
            photos=project_photos,
            milestones=project_milestones,
            draft_by_code=project_draft,
        )
    )
    register_map_source(MapSource("project", _("Major projects"), project_points))
    register_wall_panel(WallPanel(key="investment", title=_("Project investment"), rows=investment_rows))
