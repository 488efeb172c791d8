"""Reads shared by the evaluation pages, the API and the bulletin: periods, league tables, sheets, appeals."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import Perm
from core.access import out_of_scope
from evaluation.models import Appeal, Bulletin, Period, ScoreRow


def is_office(user: User) -> bool:
    return user.has_luoshi_perm(Perm.PLAN_EDIT)


def reads_all(user: User) -> bool:
    return user.has_luoshi_perm(Perm.BUSINESS_READ_ALL)


def periods_for_user(user: User) -> QuerySet[Period]:
    """The office sees every period (drafts to preview); others the published ones."""
    qs = Period.objects.select_related("scheme").order_by("-end", "kind")
    return qs if is_office(user) else qs.filter(version__gt=0)


def period_get_for_user(user: User, pk: int) -> Period:
    period = periods_for_user(user).filter(pk=pk).first()
    if period is None:
        raise out_of_scope(Period, pk)
    return period


@dataclass
class TableGroup:
    name: str
    rows: list[ScoreRow]


def league_table(period: Period, *, version: int | None = None) -> list[TableGroup]:
    """The published table of a period (its latest version unless given), per unit group, by rank."""
    rows = (
        ScoreRow.objects.filter(period=period, version=version or period.version)
        .select_related("unit", "group")
        .order_by("group__order", "group_id", "rank", "unit__sort_key")
    )
    groups: dict[int, TableGroup] = {}
    for r in rows:
        groups.setdefault(r.group_id, TableGroup(r.group.name, [])).rows.append(r)
    return list(groups.values())


def versions(period: Period) -> list[int]:
    return list(range(period.version, 0, -1))


def unit_sheet(period: Period, unit_id: int, *, version: int | None = None) -> ScoreRow | None:
    return (
        ScoreRow.objects.filter(period=period, version=version or period.version, unit_id=unit_id)
        .select_related("unit", "group")
        .first()
    )


def appeals_for_user(user: User, period: Period) -> QuerySet[Appeal]:
    qs = Appeal.objects.filter(period=period).select_related("unit", "created_by", "decided_by")
    if reads_all(user):
        return qs
    return qs.filter(unit_id=user.unit_id) if user.unit_id else qs.none()


def appeal_get_for_user(user: User, pk: int) -> Appeal:
    appeal = Appeal.objects.filter(pk=pk).select_related("period__scheme", "unit").first()
    if appeal is None or not (reads_all(user) or appeal.unit_id == user.unit_id):
        raise out_of_scope(Appeal, pk)
    return appeal


def bulletins_for_user(user: User) -> QuerySet[Bulletin]:
    """Leaders and the office read every bulletin; a unit only those that name it."""
    qs = Bulletin.objects.order_by("-year", "-seq")
    if reads_all(user):
        return qs
    return qs.filter(units=user.unit_id) if user.unit_id else qs.none()


def bulletin_get_for_user(user: User, pk: int) -> Bulletin:
    bulletin = bulletins_for_user(user).filter(pk=pk).first()
    if bulletin is None:
        raise out_of_scope(Bulletin, pk)
    return bulletin
