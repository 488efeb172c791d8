"""The project register: create and edit projects (the office), their stages."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from org.models import LeaderPost, Unit
from plans.models import DimensionTag, Task
from projects import status as project_status
from projects.models import (
    Project,
    ProjectStage,
    ProjectType,
)
from projects.services.common import _forbidden

# === the register ===============================================================================


@dataclass
class ProjectFields:
    """What the office types (or the ledger carries) for one project."""

    code: str
    name: str
    type: ProjectType
    level: str
    leader_post: LeaderPost
    lead_unit: Unit
    total_investment: Decimal
    plan_year: int
    annual_plan: Decimal
    completion_due: dt.date
    owner: str = ""
    address: str = ""
    longitude: Decimal | None = None
    latitude: Decimal | None = None
    co_units: Sequence[Unit] = ()
    tags: Sequence[DimensionTag] = ()
    tasks: Sequence[Task] = ()
    stage_dates: Sequence[dt.date | None] = ()
    monthly_profile: Sequence[float] = field(default_factory=list)


SCALAR_FIELDS = (
    "code", "name", "type", "level", "leader_post", "lead_unit", "total_investment", "plan_year",
    "annual_plan", "completion_due", "owner", "address", "longitude", "latitude",
)  # fmt: skip


def _check_fields(data: ProjectFields) -> None:
    if not data.code.strip():
        raise ServiceError(_("Give the project code."), field="code")
    if not data.name.strip():
        raise ServiceError(_("Give the project name."), field="name")
    if data.level not in Project.Level.values:
        raise ServiceError(_("Choose a level."), field="level")
    if data.total_investment < 0:
        raise ServiceError(_("The total investment cannot be negative."), field="total_investment")
    if data.annual_plan < 0:
        raise ServiceError(_("The annual planned investment cannot be negative."), field="annual_plan")
    if data.annual_plan > data.total_investment:
        raise ServiceError(_("The annual plan cannot exceed the total investment."), field="annual_plan")
    if len(data.stage_dates) > len(data.type.stages):
        raise ServiceError(_("More stage dates than the type has stages."), field="stage_dates")
    dates = [d for d in data.stage_dates if d is not None]
    if dates != sorted(dates):
        raise ServiceError(_("Stage dates must follow the order of the stages."), field="stage_dates")
    profile = list(data.monthly_profile)
    if profile and (
        len(profile) != 12 or any(not 0 <= x <= 1 for x in profile) or profile != sorted(profile) or profile[-1] != 1
    ):
        raise ServiceError(
            _("The monthly profile has 12 cumulative shares between 0 and 1, not decreasing, ending at 1."),
            field="monthly_profile",
        )
    if (data.longitude is None) != (data.latitude is None):
        raise ServiceError(_("Give both longitude and latitude, or neither."), field="longitude")
    if (
        data.longitude is not None
        and data.latitude is not None
        and not (-180 <= data.longitude <= 180 and -90 <= data.latitude <= 90)
    ):
        raise ServiceError(_("The coordinates are out of range."), field="longitude")


def _snapshot(project: Project) -> dict:
    return {
        "code": project.code,
        "name": project.name,
        "type": project.type_id,
        "lead_unit": project.lead_unit_id,
        "leader_post": project.leader_post_id,
        "annual_plan": project.annual_plan,
        "completion_due": project.completion_due,
    }


def _write_stages(project: Project, dates: Sequence[dt.date | None]) -> None:
    kind = project.type
    existing = {s.index: s for s in project.stages.all()}
    for index, name in enumerate(kind.stages):
        planned = dates[index] if index < len(dates) else None
        role = (
            ProjectStage.Role.START
            if index == kind.start_stage
            else ProjectStage.Role.FINISH
            if index == kind.finish_stage
            else ProjectStage.Role.NONE
        )
        stage = existing.pop(index, None)
        if stage is None:
            ProjectStage.objects.create(project=project, index=index, name=name, role=role, planned_on=planned)
        else:
            stage.name, stage.role, stage.planned_on = name, role, planned
            stage.save(update_fields=["name", "role", "planned_on"])
    ProjectStage.objects.filter(pk__in=[s.pk for s in existing.values()], reached_on__isnull=True).delete()


@transaction.atomic
def project_save(*, actor: User | None, data: ProjectFields, project: Project | None = None) -> Project:
    """Create a project or replace its register fields (the office: plan.edit; None = a loader)."""
    if actor is not None and not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise _forbidden()
    _check_fields(data)
    clash = Project.objects.filter(code=data.code.strip())
    if project is not None:
        clash = clash.exclude(pk=project.pk)
    if clash.exists():
        raise ServiceError(_("Another project has the code %(code)s.") % {"code": data.code}, field="code")
    before = _snapshot(project) if project is not None else None
    if project is None:
        project = Project()
    for name in SCALAR_FIELDS:
        setattr(project, name, getattr(data, name))
    project.code, project.name = data.code.strip(), data.name.strip()
    project.monthly_profile = list(data.monthly_profile)
    if project.pk is None:
        project.save()
    else:
        project.version += 1
        project.save(update_fields=[*SCALAR_FIELDS, "monthly_profile", "version", "updated_at"])
    project.co_units.set(data.co_units)
    project.tags.set(data.tags)
    project.tasks.set(data.tasks)
    _write_stages(project, data.stage_dates)
    project_status.status_refresh(project=project, since=None)
    audit_record(
        actor=actor, verb="project.update" if before else "project.create", obj=project, before=before,
        after=_snapshot(project),
    )  # fmt: skip
    return project


@transaction.atomic
def project_type_save(
    *, actor: User, kind: ProjectType | None, name: str, stages: Sequence[str], start_stage: int, finish_stage: int,
    lag_yellow_percent: float, lag_red_percent: float,
) -> ProjectType:  # fmt: skip
    """Create or edit a project type (the office): its stages and its warning thresholds.

    A change of thresholds or stages changes every light of its projects on every day: their stored
    statuses are dropped and recomputed on the next read.
    """
    if not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise _forbidden()
    names = [s.strip() for s in stages if s.strip()]
    if not name.strip():
        raise ServiceError(_("Give the type a name."), field="name")
    if not 2 <= len(names) <= 10 or len(set(names)) != len(names):
        raise ServiceError(_("Give between 2 and 10 different stages."), field="stages")
    if not 0 <= start_stage < finish_stage < len(names):
        raise ServiceError(_("The start stage must come before the finish stage, both among the stages."),
                           field="start_stage")  # fmt: skip
    if not 0 <= lag_yellow_percent <= lag_red_percent <= 100:
        raise ServiceError(_("Thresholds: 0 ≤ yellow ≤ red ≤ 100."), field="lag_red_percent")
    clash = ProjectType.objects.filter(name=name.strip())
    if kind is not None:
        clash = clash.exclude(pk=kind.pk)
    if clash.exists():
        raise ServiceError(_("Another type has this name."), field="name")
    before = (
        None
        if kind is None
        else {"stages": kind.stages, "yellow": kind.lag_yellow_percent, "red": kind.lag_red_percent}
    )
    kind = kind or ProjectType()
    kind.name, kind.stages, kind.start_stage, kind.finish_stage = name.strip(), names, start_stage, finish_stage
    kind.lag_yellow_percent, kind.lag_red_percent = lag_yellow_percent, lag_red_percent
    kind.save()
    for project in kind.projects.all():
        _write_stages(project, [s.planned_on for s in project.stages.order_by("index")])
        project_status.status_refresh(project=project, since=None)
    audit_record(
        actor=actor, verb="project_type.save", obj=kind, before=before,
        after={"stages": names, "yellow": lag_yellow_percent, "red": lag_red_percent},
    )  # fmt: skip
    return kind


@transaction.atomic
def project_create(*, actor: User, data: ProjectFields) -> Project:
    """The office registers one project through the page (新建项目); the ledger import uses `project_save`."""
    return project_save(actor=actor, data=data)


@transaction.atomic
def project_update(*, actor: User, project: Project, data: ProjectFields, version: int | None) -> Project:
    """The office edits one project's register (编辑项目).

    `version` is the one the form was opened on: when someone saved the project in between (the office or a
    ledger import), the write is refused rather than silently overwriting their change.
    """
    current = Project.objects.select_for_update().get(pk=project.pk)
    if version is not None and version != current.version:
        raise ServiceError(
            _("Someone else changed this project while you were editing it; reload the page and try again."),
            code="conflict",
        )
    return project_save(actor=actor, data=data, project=current)
