"""Writes of the evaluation app: schemes, publishing, adjustments (加分/扣分) and appeals (申诉). Audited.

Refusals are `ServiceError`s with a Chinese message naming the field; a refused write leaves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm, Role
from accounts.selectors import role_holders
from audit.services import audit_record
from core import uploads
from core.errors import ServiceError
from core.workcalendar import work_calendar
from evaluation import scoring
from evaluation.compute import period_compute, pure_scheme
from evaluation.models import Adjustment, Appeal, Component, EvaluationFile, Period, Scheme, ScoreRow, UnitGroup
from evaluation.sources import source_function
from notifications.services import notify
from org.models import Unit


def _problems_error(problems: list[scoring.Problem]) -> ServiceError:
    text = "；".join(p.text(_) for p in problems)
    return ServiceError(text, field=problems[0].field if problems[0].field in ("weights",) else "components")


def _clean_components(rows: Sequence[dict[str, Any]]) -> list[Component]:
    """Components from plain dicts (key, label, source, weight, rule), shape-checked before the scheme rules."""
    out = []
    for i, row in enumerate(rows, start=1):
        label = str(row.get("label") or "").strip() or str(row.get("key") or i)
        try:
            weight = Decimal(str(row.get("weight")))
            rule = scoring.Rule.from_data(row.get("rule") or {})
        except (InvalidOperation, ValueError, KeyError, IndexError, TypeError):
            raise ServiceError(_("Component %(label)s: the weight or the rule is not valid.") % {"label": label},
                               field="components") from None  # fmt: skip
        source = str(row.get("source") or "")
        try:
            source_function(source)
        except LookupError:
            raise ServiceError(_("Component %(label)s names an unknown source %(source)s.") % {
                "label": label, "source": source}, field="components") from None  # fmt: skip
        out.append(Component(key=str(row.get("key") or f"c{i}"), label=label, source=source, weight=weight,
                             rule=rule.to_data(), order=i))  # fmt: skip
    return out


def _check(scheme: Scheme, components: list[Component]) -> None:
    problems = scoring.scheme_problems(pure_scheme(scheme, components))
    if problems:
        raise _problems_error(problems)


@transaction.atomic
def scheme_create(
    *,
    actor: User,
    year: int,
    name: str,
    components: Sequence[dict[str, Any]],
    groups: Sequence[tuple[str, Iterable[int]]],
    total: Decimal = Decimal(100),
    bonus_cap: Decimal = Decimal(5),
    appeal_workdays: int = 5,
) -> Scheme:
    """A new draft scheme (the next version of the year's scheme), validated before anything is saved."""
    last = Scheme.objects.filter(year=year).order_by("-version").first()
    scheme = Scheme(year=year, name=name, version=(last.version + 1) if last else 1, total=total,
                    bonus_cap=bonus_cap, appeal_workdays=appeal_workdays)  # fmt: skip
    comps = _clean_components(components)
    _check(scheme, comps)
    if not groups:
        raise ServiceError(_("A scheme needs at least one unit group."), field="groups")
    scheme.save()
    for c in comps:
        c.scheme = scheme
    Component.objects.bulk_create(comps)
    for order, (group_name, unit_ids) in enumerate(groups):
        group = UnitGroup.objects.create(scheme=scheme, name=group_name, order=order)
        group.units.set(list(unit_ids))
    audit_record(actor=actor, verb="scheme.create", obj=scheme, after=_scheme_data(scheme))
    return scheme


def _scheme_data(scheme: Scheme) -> dict[str, Any]:
    return {
        "year": scheme.year,
        "version": scheme.version,
        "total": str(scheme.total),
        "settings": [str(scheme.bonus_cap), str(scheme.yellow_credit), str(scheme.late_credit), scheme.appeal_workdays],
        "components": [
            {"key": c.key, "source": c.source, "weight": str(c.weight), "rule": c.rule} for c in scheme.components.all()
        ],
        "groups": {g.name: sorted(g.units.values_list("pk", flat=True)) for g in scheme.groups.all()},
    }


@transaction.atomic
def scheme_update(
    *,
    actor: User,
    scheme: Scheme,
    components: Sequence[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    groups: dict[int, list[int]] | None = None,
) -> Scheme:
    """Replace a draft scheme's components (and its settings, its groups' units); a scheme a published
    period used is revised as a new version instead."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.locked:
        raise ServiceError(_("This scheme is used by a published period; revise it as a new version."),
                           field="components")  # fmt: skip
    before = _scheme_data(scheme)
    fields = ["total", "bonus_cap", "yellow_credit", "late_credit", "appeal_workdays"]
    for name, value in (settings or {}).items():
        if name in fields:
            setattr(scheme, name, value)
    comps = _clean_components(components)
    _check(scheme, comps)
    scheme.save(update_fields=fields)
    for group in scheme.groups.filter(pk__in=list((groups or {}).keys())):
        group.units.set((groups or {})[group.pk])
    scheme.components.all().delete()
    for c in comps:
        c.scheme = scheme
    Component.objects.bulk_create(comps)
    audit_record(actor=actor, verb="scheme.update", obj=scheme, before=before, after=_scheme_data(scheme))
    return scheme


@transaction.atomic
def scheme_revise(*, actor: User, scheme: Scheme) -> Scheme:
    """The next version of a scheme as an editable copy (components, groups, settings); the old one stays
    with the periods it scored."""
    last = Scheme.objects.filter(year=scheme.year).order_by("-version").first()
    assert last is not None
    copy = Scheme.objects.create(
        year=scheme.year, name=scheme.name, version=last.version + 1, total=scheme.total, bonus_cap=scheme.bonus_cap,
        yellow_credit=scheme.yellow_credit, late_credit=scheme.late_credit, appeal_workdays=scheme.appeal_workdays,
    )  # fmt: skip
    Component.objects.bulk_create(
        Component(scheme=copy, key=c.key, label=c.label, source=c.source, weight=c.weight, rule=c.rule, order=c.order)
        for c in scheme.components.all()
    )
    for g in scheme.groups.prefetch_related("units"):
        group = UnitGroup.objects.create(scheme=copy, name=g.name, order=g.order)
        group.units.set(list(g.units.all()))
    audit_record(
        actor=actor, verb="scheme.revise", obj=copy, after={"from_version": scheme.version, **_scheme_data(copy)}
    )
    return copy


@transaction.atomic
def scheme_group_set(*, actor: User, group: UnitGroup, unit_ids: Iterable[int]) -> UnitGroup:
    """Which units a group ranks (分类考核); fixed once the scheme is locked."""
    if group.scheme.locked:
        raise ServiceError(_("This scheme is used by a published period; revise it as a new version."), field="units")
    before = sorted(group.units.values_list("pk", flat=True))
    group.units.set(list(unit_ids))
    audit_record(actor=actor, verb="scheme.group_set", obj=group.scheme, before={group.name: before},
                 after={group.name: sorted(group.units.values_list("pk", flat=True))})  # fmt: skip
    return group


@transaction.atomic
def period_open(
    *, actor: User, scheme: Scheme, kind: str, start: date, end: date, label: str, year_mode: str = "months"
) -> Period:
    """A period to score (the month, quarter or year from `start` to `end`); the same one again is returned."""
    if end < start:
        raise ServiceError(_("The period ends before it starts."), field="end")
    if start.year != scheme.year or end.year != scheme.year:
        raise ServiceError(_("The period lies outside the scheme's year %(year)s.") % {"year": scheme.year},
                           field="start")  # fmt: skip
    period, created = Period.objects.get_or_create(
        scheme=scheme, kind=kind, start=start, defaults={"end": end, "label": label.strip(), "year_mode": year_mode}
    )
    if created:
        audit_record(actor=actor, verb="period.open", obj=period, after={"label": label, "kind": kind})
    return period


def _store_rows(period: Period, version: int, rows: list, adjusted: set[int]) -> None:
    ScoreRow.objects.bulk_create(
        [
            ScoreRow(
                period=period,
                version=version,
                group=r.group,
                unit=r.unit,
                total=r.score.total,
                rank=r.score.rank,
                rank_change=r.rank_change,
                bonus=r.score.bonus,
                deduction=r.score.deduction,
                components=r.components,
                adjusted_by_appeal=r.unit.pk in adjusted,
            )
            for r in rows
        ],
        batch_size=500,
    )


@transaction.atomic
def period_publish(*, actor: User, period: Period) -> Period:
    """Freeze the period: its rows (inputs and links as of the period's end) are stored as version 1."""
    period = Period.objects.select_for_update().select_related("scheme").get(pk=period.pk)
    if period.is_published:
        raise ServiceError(_("%(period)s is already published.") % {"period": period.label}, field="period")
    if period.end >= timezone.localdate():
        raise ServiceError(_("%(period)s has not ended yet.") % {"period": period.label}, field="period")
    # The stored details are part of the frozen record: worded in the site's language, whoever publishes.
    with translation.override(settings.LANGUAGE_CODE):
        rows = period_compute(period)
    _store_rows(period, 1, rows, set())
    period.version, period.published_at, period.published_by = 1, timezone.now(), actor
    period.published_on = timezone.localdate()
    period.save(update_fields=["version", "published_at", "published_by", "published_on"])
    Scheme.objects.filter(pk=period.scheme_id).update(locked=True)
    audit_record(actor=actor, verb="period.publish", obj=period,
                 after={"version": 1, "rows": len(rows), "label": period.label})  # fmt: skip
    heads = role_holders(Role.UNIT_HEAD, unit_ids={r.unit.pk for r in rows})
    notify(recipients=heads, kind="evaluation.published", title=_("%(period)s scores published") % {
        "period": period.label}, url=reverse("evaluation:period", args=[period.pk]), obj=period)  # fmt: skip
    return period


def appeal_deadline(period: Period) -> date:
    assert period.published_on is not None
    return work_calendar().add_workdays(period.published_on, period.scheme.appeal_workdays)


def _store_files(files: Iterable, *, actor: User, **owner: Any) -> None:
    checked = uploads.validate_uploads(files, kind=uploads.EVIDENCE)
    for c in checked:
        stored = uploads.store_upload(c, folder="evaluation")
        EvaluationFile.objects.create(file=stored.name, original_name=c.name, content_type=c.content_type,
                                      size=c.size, sha256=c.sha256, extension=c.extension, uploaded_by=actor,
                                      **owner)  # fmt: skip


@uploads.atomic
def appeal_create(
    *,
    actor: User,
    period: Period,
    component_key: str,
    reason: str,
    files: Iterable = (),
    unit_id: int | None = None,
    today: date | None = None,
) -> Appeal:
    """申诉 by a unit head on his own unit's published score, within the window of working days."""
    today = today or timezone.localdate()
    if not actor.has_luoshi_perm(Perm.REPORT_APPROVE) or actor.unit_id is None:
        raise ServiceError(_("Only a unit head may appeal his unit's score."), field="unit")
    if unit_id is not None and unit_id != actor.unit_id:
        raise ServiceError(_("You may appeal only your own unit's score."), field="unit")
    if not period.is_published:
        raise ServiceError(_("%(period)s is not published.") % {"period": period.label}, field="period")
    row = ScoreRow.objects.filter(period=period, version=period.version, unit_id=actor.unit_id).first()
    if row is None:
        raise ServiceError(_("Your unit has no score in %(period)s.") % {"period": period.label}, field="unit")
    deadline = appeal_deadline(period)
    if today > deadline:
        raise ServiceError(_("The appeal window closed on %(day)s.") % {"day": f"{deadline:%Y年%-m月%-d日}"},
                           field="period")  # fmt: skip
    if component_key not in {c["key"] for c in row.components}:
        raise ServiceError(_("Choose the component you appeal."), field="component_key")
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Give the reason of the appeal."), field="reason")
    if Appeal.objects.filter(period=period, unit_id=actor.unit_id, component_key=component_key,
                             state=Appeal.State.PENDING).exists():  # fmt: skip
        raise ServiceError(_("This component already has an appeal waiting for decision."), field="component_key")
    appeal = Appeal.objects.create(period=period, version=period.version, unit_id=actor.unit_id,
                                   component_key=component_key, reason=reason, created_by=actor)  # fmt: skip
    _store_files(files, actor=actor, appeal=appeal)
    audit_record(actor=actor, verb="appeal.create", obj=appeal, after={"component": component_key, "reason": reason})
    notify(recipients=role_holders(Role.OFFICE), kind="evaluation.appeal",
           title=_("Appeal on %(period)s: %(unit)s") % {"period": period.label, "unit": row.unit.name},
           url=reverse("evaluation:period", args=[period.pk]), obj=appeal)  # fmt: skip
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: User, appeal: Appeal, uphold: bool, note: str, corrected_points: Decimal | None = None
) -> Appeal:
    """Uphold (the component's points corrected, the period re-published as a new version) or reject (reason)."""
    appeal = Appeal.objects.select_for_update().select_related("period__scheme", "unit").get(pk=appeal.pk)
    if appeal.state != Appeal.State.PENDING:
        raise ServiceError(_("This appeal is already decided."), field="decision")
    note = note.strip()
    if not note:
        raise ServiceError(_("Give the reason of the decision."), field="note")
    period = Period.objects.select_for_update().get(pk=appeal.period_id)
    if uphold:
        if corrected_points is None:
            raise ServiceError(_("Enter the corrected points."), field="corrected_points")
        _republish(period, appeal, Decimal(corrected_points))
        appeal.state, appeal.corrected_points, appeal.republished_version = (
            Appeal.State.UPHELD, corrected_points, period.version)  # fmt: skip
    else:
        appeal.state = Appeal.State.REJECTED
    appeal.decision_note, appeal.decided_by, appeal.decided_at = note, actor, timezone.now()
    appeal.save(update_fields=["state", "corrected_points", "republished_version", "decision_note", "decided_by",
                               "decided_at"])  # fmt: skip
    audit_record(actor=actor, verb="appeal.decide", obj=appeal,
                 after={"state": appeal.state, "note": note, "points": str(corrected_points or ""),
                        "version": period.version})  # fmt: skip
    notify(recipients=role_holders(Role.UNIT_HEAD, unit_ids=[appeal.unit_id]), kind="evaluation.appeal_decided",
           title=_("Your appeal on %(period)s: %(state)s") % {"period": period.label,
                                                             "state": appeal.get_state_display()},
           body=note, url=reverse("evaluation:period", args=[period.pk]), obj=appeal)  # fmt: skip
    return appeal


def _republish(period: Period, appeal: Appeal, points: Decimal) -> None:
    """A new version: the current rows copied, the appealed component set to `points`, totals and ranks again."""
    current = list(ScoreRow.objects.filter(period=period, version=period.version).select_related("unit", "group"))
    row = next(r for r in current if r.unit_id == appeal.unit_id)
    comp = next((c for c in row.components if c["key"] == appeal.component_key), None)
    if comp is None or comp["weight"] == "":
        raise ServiceError(_("This component cannot be corrected by points."), field="corrected_points")
    if not Decimal(0) <= points <= Decimal(comp["weight"]):
        raise ServiceError(_("The corrected points must lie between 0 and %(w)s.") % {"w": comp["weight"]},
                           field="corrected_points")  # fmt: skip
    delta = points - Decimal(comp["points"])
    comp["points"], comp["appeal"] = str(scoring.q2(points)), appeal.pk
    row.total = scoring.q2(Decimal(row.total) + delta)
    version = period.version + 1
    by_group: dict[int, list[ScoreRow]] = {}
    for r in current:
        by_group.setdefault(r.group_id, []).append(r)
    new_rows = []
    for rows in by_group.values():
        ranked = scoring.rank(
            scoring.UnitScore(r.unit_id, r.unit.sort_key, {}, Decimal(0), Decimal(0), Decimal(r.total)) for r in rows
        )
        ranks = {s.unit_id: s.rank for s in ranked}
        for r in rows:
            change = r.rank_change
            if change is not None:
                change += r.rank - ranks[r.unit_id]  # the previous period's rank stays what it was
            adjusted = r.adjusted_by_appeal or r.unit_id == appeal.unit_id
            new_rows.append(ScoreRow(period=period, version=version, group_id=r.group_id, unit_id=r.unit_id,
                                     total=r.total, rank=ranks[r.unit_id], rank_change=change, bonus=r.bonus,
                                     deduction=r.deduction, components=r.components,
                                     adjusted_by_appeal=adjusted))  # fmt: skip
    ScoreRow.objects.bulk_create(new_rows, batch_size=500)
    period.version = version
    period.published_at = timezone.now()
    period.save(update_fields=["version", "published_at"])


@uploads.atomic
def adjustment_create(
    *, actor: User, unit: Unit, kind: str, points: Decimal, day: date, reason: str, files: Iterable = ()
) -> Adjustment:
    """加分/扣分 with a reason and evidence; counts only once another office user approves it."""
    if points <= 0:
        raise ServiceError(_("Points must be positive."), field="points")
    if not reason.strip():
        raise ServiceError(_("Give the reason."), field="reason")
    adj = Adjustment.objects.create(unit=unit, kind=kind, points=points, day=day, reason=reason.strip(),
                                    created_by=actor)  # fmt: skip
    _store_files(files, actor=actor, adjustment=adj)
    audit_record(actor=actor, verb="adjustment.create", obj=adj,
                 after={"unit": unit.name, "kind": kind, "points": str(points), "reason": reason})  # fmt: skip
    return adj


@transaction.atomic
def adjustment_decide(*, actor: User, adjustment: Adjustment, approve: bool) -> Adjustment:
    adj = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adj.state != Adjustment.State.PENDING:
        raise ServiceError(_("This record is already decided."), field="decision")
    if adj.created_by_id == actor.pk:
        raise ServiceError(_("A second office user approves bonus points and deductions."), field="decision")
    adj.state = Adjustment.State.APPROVED if approve else Adjustment.State.REJECTED
    adj.decided_by, adj.decided_at = actor, timezone.now()
    adj.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(actor=actor, verb="adjustment.decide", obj=adj, after={"state": adj.state})
    return adj
