"""Writes on the organisation: units and leader posts. Keyword-only, atomic, audited."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record, snapshot
from core.errors import ServiceError
from org.duties import DutyParse, parse_duties
from org.models import LeaderPost, Unit, UnitDuty

UNIT_FIELDS = ["code", "name", "full_name", "kind", "parent", "is_active"]
POST_FIELDS = ["title", "rank", "portfolio", "holder", "is_active"]


def _require_manage(actor: User | None) -> None:
    if actor is not None and not actor.has_luoshi_perm(Perm.ORG_MANAGE):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")


def _check_parent(unit: Unit, parent: Unit | None) -> None:
    # Walk up from the new parent: meeting the unit itself would make a cycle.
    node = parent
    while node is not None:
        if unit.pk is not None and node.pk == unit.pk:
            raise ServiceError(_("A unit cannot be placed under itself or its own sub-units."), field="parent")
        node = node.parent


def _check_unique(model, field: str, value: str, exclude_pk: int | None, message: str) -> None:
    if model.objects.filter(**{field: value}).exclude(pk=exclude_pk).exists():
        raise ServiceError(message, field=field)


@transaction.atomic
def unit_save(
    *,
    actor: User | None,
    unit: Unit | None = None,
    code: str,
    name: str,
    full_name: str = "",
    kind: str,
    parent: Unit | None,
    is_active: bool = True,
) -> Unit:
    """Create (unit=None) or update a unit."""
    _require_manage(actor)
    creating = unit is None
    unit = unit or Unit()
    _check_unique(Unit, "code", code, unit.pk, _("A unit with this code already exists."))
    _check_unique(Unit, "name", name, unit.pk, _("A unit with this name already exists."))
    _check_parent(unit, parent)
    before = None if creating else snapshot(unit, UNIT_FIELDS)
    unit.code, unit.name, unit.full_name, unit.kind, unit.parent, unit.is_active = (
        code,
        name,
        full_name,
        kind,
        parent,
        is_active,
    )
    unit.save()
    after = snapshot(unit, UNIT_FIELDS)
    if before != after:
        audit_record(
            actor=actor, verb="unit.create" if creating else "unit.update", obj=unit, before=before, after=after
        )
    return unit


@transaction.atomic
def post_save(
    *,
    actor: User | None,
    post: LeaderPost | None = None,
    title: str,
    rank: int,
    portfolio: str = "",
    holder=None,
    is_active: bool = True,
) -> LeaderPost:
    """Create (post=None) or update a leader post and who holds it."""
    _require_manage(actor)
    creating = post is None
    post = post or LeaderPost()
    _check_unique(LeaderPost, "title", title, post.pk, _("A leader post with this title already exists."))
    before = None if creating else snapshot(post, POST_FIELDS)
    post.title, post.rank, post.portfolio, post.holder, post.is_active = title, rank, portfolio, holder, is_active
    post.save()
    after = snapshot(post, POST_FIELDS)
    if before != after:
        audit_record(
            actor=actor, verb="post.create" if creating else "post.update", obj=post, before=before, after=after
        )
    return post


@transaction.atomic
def duties_import(*, actor: User | None, data: bytes) -> DutyParse:
    """Replace the unit-responsibilities table (单位职责表) from an .xlsx: every row or none.

    The office maintains it (plan.edit); the result's errors name row and column, and nothing is
    written when there is one.
    """
    if actor is not None and not actor.has_luoshi_perm(Perm.PLAN_EDIT):
        raise ServiceError(_("You do not have permission to do this."), code="forbidden")
    units = {u.name: u for u in Unit.objects.filter(is_active=True)}
    parsed = parse_duties(data, frozenset(units))
    if parsed.errors:
        return parsed
    before = UnitDuty.objects.count()
    UnitDuty.objects.all().delete()
    duties = [
        UnitDuty(unit=units[name], keyword=keyword, position=position)
        for position, (name, keyword) in enumerate((n, k) for n, words in parsed.rows for k in words)
    ]
    UnitDuty.objects.bulk_create(duties)
    audit_record(
        actor=actor,
        verb="unit_duty.import",
        object_type="org.unitduty",
        object_repr="单位职责表",
        before={"duties": before},
        after={"units": len(parsed.rows), "duties": len(duties)},
    )
    return parsed
