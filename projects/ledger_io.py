"""The 重点项目台账 and 月报 sheets against the database: export rows, import all or nothing (audited).

A large sheet is imported by the queue with progress (core/imports.py): the same functions, registered
as the jobs `project_ledger_import` and `project_monthly_import`.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from core.imports import ImportProgress, reading, register_import, writing
from org.models import LeaderPost, Unit
from plans.messages import ledger_error_text
from plans.models import DimensionTag
from projects import ledger, profile
from projects import status as project_status
from projects.models import Project, ProjectReport, ProjectType
from projects.services import ProjectFields, month_end_of, project_save
from reports.engine.investment import DEFAULT_DUE_DAYS


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def error_line(error: ledger.LedgerError) -> str:
    own = {
        "unknown_type": _("Unknown project type “%(v)s”."),
        "unknown_tag": _("Unknown core block or industry “%(v)s”."),
        "unknown_project": _("No project has the code “%(v)s”."),
        "bad_level": _("“%(v)s” must be 省重点, 市重点 or 区重点."),
        "bad_year": _("“%(v)s” is not a plan year."),
        "bad_profile": _("“%(v)s” must be 12 monthly percentages of the annual plan summing to 100, separated by 、."),
        "duplicate_month": _("Project “%(v)s” appears twice for the same month."),
        "duplicate_code": _("Project code “%(v)s” appears more than once."),
        "no_rows": _("The sheet has no project rows."),
    }
    text = own[error.code] % {"v": error.value} if error.code in own else ledger_error_text(error.code, error.value)
    if error.row == 0:
        return text
    if not error.column:
        return _("Row %(row)d: %(text)s") % {"row": error.row, "text": text}
    return _("Row %(row)d, column “%(col)s”: %(text)s") % {"row": error.row, "col": error.column, "text": text}


def vocabulary() -> ledger.Vocabulary:
    tags = DimensionTag.objects.filter(is_active=True)
    return ledger.Vocabulary(
        types=frozenset(ProjectType.objects.filter(is_active=True).values_list("name", flat=True)),
        units=frozenset(Unit.objects.filter(is_active=True).values_list("name", flat=True)),
        posts=frozenset(LeaderPost.objects.filter(is_active=True).values_list("title", flat=True)),
        blocks=frozenset(tags.filter(kind=DimensionTag.Kind.BLOCK).values_list("name", flat=True)),
        industries=frozenset(tags.filter(kind=DimensionTag.Kind.INDUSTRY).values_list("name", flat=True)),
        projects=frozenset(Project.objects.values_list("code", flat=True)),
    )


# === export =====================================================================================


def ledger_rows(projects: QuerySet[Project], day: dt.date):
    """One list per project in the ledger's column order (import columns, then this month's figures)."""
    projects = (
        projects.select_related("type", "lead_unit", "leader_post")
        .prefetch_related("co_units", "tags", "stages")
        .annotate(open_problems=Count("problems", filter=Q(problems__state="open"), distinct=True))
    )
    for chunk_start in range(0, projects.count(), 500):
        chunk = list(projects[chunk_start : chunk_start + 500])
        statuses = project_status.statuses_on(day, chunk)
        latest = {}
        for r in ProjectReport.objects.filter(
            project__in=chunk, state=ProjectReport.State.APPROVED, approved_at__date__lte=day, month__lte=day
        ).order_by("project_id", "month"):
            latest[r.project_id] = r
        for p in chunk:
            tags = list(p.tags.all())
            stages = {s.index: s.planned_on for s in p.stages.all()}
            s = statuses.get(p.pk)
            last = latest.get(p.pk)
            this_year = last.amount_year if last and last.month.year == p.plan_year else Decimal(0)
            rate = float(this_year / p.annual_plan) if p.annual_plan else None
            yield [
                p.code, p.name, p.type.name, ledger.LEVEL_LABELS.get(p.level, p.level), p.owner, p.address,
                p.longitude, p.latitude,
                "、".join(t.name for t in tags if t.kind == DimensionTag.Kind.BLOCK),
                "、".join(t.name for t in tags if t.kind == DimensionTag.Kind.INDUSTRY),
                p.total_investment, p.plan_year, p.annual_plan, p.leader_post.title, p.lead_unit.name,
                "、".join(u.name for u in p.co_units.all()), p.completion_due,
                *[stages.get(i) for i in range(ledger.STAGE_COUNT)],
                profile.percents_text([float(x) for x in p.monthly_profile or []], "、"),
                last.amount_month if last else None, this_year, f"{rate:.1%}" if rate is not None else "",
                p.type.stages[s.stage_index] if s and 0 <= s.stage_index < len(p.type.stages) else "",
                {"red": "红", "yellow": "黄", "green": "绿"}.get(s.light, "") if s else "",
                p.open_problems,
            ]  # fmt: skip


def ledger_xlsx(projects: QuerySet[Project], day: dt.date) -> bytes:
    return ledger.build_ledger_xlsx(ledger_rows(projects, day), title=f"重点项目台账（截至{day:%Y年%m月%d日}）")


# === import =====================================================================================


LEDGER_JOB, MONTHLY_JOB = "project_ledger_import", "project_monthly_import"


def may_import(user: User) -> bool:
    return user.has_luoshi_perm(Perm.PLAN_EDIT)


def _require_office(actor: User | None) -> None:
    if actor is not None and not may_import(actor):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


def import_summary(outcome: ImportOutcome) -> str:
    return _("Imported %(n)d rows.") % {"n": outcome.rows}


@transaction.atomic
def ledger_import(*, actor: User | None, data: bytes, progress: ImportProgress | None = None) -> ImportOutcome:
    """Create or update every project of the ledger, or none: any row/column error writes nothing.
    `progress` (a background job's) hears the rows checked, then the rows written."""
    _require_office(actor)
    parsed = ledger.parse_ledger(data, vocabulary(), on_row=reading(progress))
    if not parsed.ok:
        return ImportOutcome(errors=[error_line(e) for e in parsed.errors])
    types = {t.name: t for t in ProjectType.objects.all()}
    units = {u.name: u for u in Unit.objects.all()}
    posts = {p.title: p for p in LeaderPost.objects.all()}
    tags = {(t.kind, t.name): t for t in DimensionTag.objects.all()}
    codes = [r["code"] for r in parsed.rows]
    existing = {p.code: p for p in Project.objects.select_related("type").filter(code__in=codes)}
    errors: list[str] = []
    sid = transaction.savepoint()
    for row in writing(parsed.rows, progress):
        data_row = ProjectFields(
            code=row["code"], name=row["name"], type=types[row["type"]], level=row["level"],
            leader_post=posts[row["leader_post"]], lead_unit=units[row["lead_unit"]],
            total_investment=row["total_investment"], plan_year=row["plan_year"], annual_plan=row["annual_plan"],
            completion_due=row["completion_due"], owner=row["owner"], address=row["address"],
            longitude=row["longitude"], latitude=row["latitude"], co_units=[units[n] for n in row["co_units"]],
            tags=[tags[("block", n)] for n in row["block"]] + [tags[("industry", n)] for n in row["industry"]],
            stage_dates=row["stage_dates"],
        )  # fmt: skip
        current = existing.get(row["code"])
        if current is not None:
            data_row.tasks = list(current.tasks.all())
            data_row.monthly_profile = list(current.monthly_profile or [])
        if row["monthly_profile"] is not None:
            data_row.monthly_profile = row["monthly_profile"]
        try:
            project_save(actor=actor, data=data_row, project=current)
        except ServiceError as exc:
            column = ledger.LEDGER_COLUMNS.get(exc.field or "", "")
            errors.append(error_line(ledger.LedgerError(row["row"], column, "refused", exc.message)))
    if errors:
        transaction.savepoint_rollback(sid)
        return ImportOutcome(errors=errors)
    transaction.savepoint_commit(sid)
    audit_record(actor=actor, verb="project.import", object_type="projects.project", after={"rows": len(parsed.rows)})
    return ImportOutcome(rows=len(parsed.rows))


def _month_error(row: int, text: str) -> str:
    return error_line(ledger.LedgerError(row, ledger.MONTHLY_COLUMNS["month"], "refused", text))


@transaction.atomic
def monthly_import(*, actor: User, data: bytes, progress: ImportProgress | None = None) -> ImportOutcome:
    """A 月报 sheet: one month's completed investment for many projects, entered as approved by the office.

    Units send these as spreadsheets; the office imports them on their behalf, so the rows count at once
    (audited as the office's import). A month already approved for a project is a row error, not an overwrite.
    """
    _require_office(actor)
    parsed = ledger.parse_monthly(data, vocabulary(), on_row=reading(progress))
    if not parsed.ok:
        return ImportOutcome(errors=[error_line(e) for e in parsed.errors])
    projects = {p.code: p for p in Project.objects.filter(code__in=[r["code"] for r in parsed.rows])}
    errors: list[str] = []
    now = timezone.now()
    for row in parsed.rows:
        project, end = projects[row["code"]], month_end_of(row["month"])
        if end > timezone.localdate() + dt.timedelta(days=31):
            errors.append(_month_error(row["row"], _("The month is in the future.")))
        elif ProjectReport.objects.filter(project=project, month=end, state=ProjectReport.State.APPROVED).exists():
            errors.append(_month_error(row["row"], _("This month is already approved for the project.")))
    if errors:
        return ImportOutcome(errors=errors)
    for row in writing(sorted(parsed.rows, key=lambda r: r["month"]), progress):
        project, end = projects[row["code"]], month_end_of(row["month"])
        earlier = ProjectReport.objects.filter(project=project, month__year=end.year, month__lt=end).exclude(
            state=ProjectReport.State.DRAFT
        )
        cumulative = sum((r.amount_month for r in earlier), Decimal(0)) + row["amount_month"]
        ProjectReport.objects.update_or_create(
            project=project, month=end,
            defaults={
                "unit": project.lead_unit, "due_date": end + dt.timedelta(days=DEFAULT_DUE_DAYS),
                "amount_month": row["amount_month"], "amount_year": cumulative,
                "progress_text": row["progress_text"], "state": ProjectReport.State.APPROVED,
                "created_by": actor, "first_submitted_at": now,
                "submitted_at": now, "approved_at": now, "approved_by": actor,
            },
        )  # fmt: skip
        project_status.status_refresh(project=project, since=timezone.localdate())
    audit_record(
        actor=actor,
        verb="project_report.import",
        object_type="projects.projectreport",
        after={"rows": len(parsed.rows)},
    )
    return ImportOutcome(rows=len(parsed.rows))


def register() -> None:
    """Both sheets in the queue when large (core/imports.py)."""
    for kind, run in ((LEDGER_JOB, ledger_import), (MONTHLY_JOB, monthly_import)):
        register_import(kind, run=run, allowed=may_import, summary=import_summary, link="projects:list")
