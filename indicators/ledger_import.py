"""Import of the indicator ledger (指标台账): all or nothing, errors by row and column.

The pure module (indicators.ledger) reads and checks the cells; here every cell is checked against the
database (indicator by name and unit, unit conversion, period against the frequency, a final entered
once, the actor's right to enter) before anything is written. Then each value goes through
`value_enter` (audited; a reporter's values wait for the head's approval) inside one transaction.

A large ledger is imported by the queue with progress (core/imports.py): the same function, registered as
the job `indicator_ledger_import`.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Perm
from audit.services import audit_record
from core.errors import ServiceError
from core.imports import ImportProgress, reading, register_import, writing
from indicators import derive, ledger
from indicators.messages import ledger_error_line
from indicators.models import Indicator, IndicatorValue
from indicators.services import STORED, can_enter, value_enter
from plans.ledger import LedgerError


@dataclass
class ImportOutcome:
    created: int = 0
    unchanged: int = 0
    rows: int = 0  # the ledger's rows whose values were imported
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _check(actor: User | None, cells: list[ledger.CellIn]) -> tuple[list[LedgerError], list[tuple]]:
    names = {c.name for c in cells}
    indicators: dict[str, list[Indicator]] = {}
    for ind in Indicator.objects.filter(name__in=names):
        indicators.setdefault(ind.name, []).append(ind)
    current = {
        (v.indicator_id, v.period, v.kind): v
        for v in IndicatorValue.objects.filter(
            indicator__name__in=names, superseded_at__isnull=True, state__in=["pending", "approved"]
        )
    }
    errors: list[LedgerError] = []
    writes: list[tuple] = []
    for c in cells:
        unit_base = derive.base_unit(c.unit)
        found = [i for i in indicators.get(c.name, []) if not c.unit or i.unit == unit_base]
        if not found:
            known = indicators.get(c.name)
            code = "unit_mismatch" if known else "unknown_indicator"
            errors.append(LedgerError(c.row, "计量单位" if known else "指标名称", code, c.unit if known else c.name))
            continue
        ind = found[0]
        if actor is not None and not can_enter(actor, ind):
            errors.append(LedgerError(c.row, "指标名称", "not_yours", c.name))
            continue
        if ind.measure_key:
            errors.append(LedgerError(c.row, "指标名称", "computed", c.name))
            continue
        if not derive.period_fits(derive.parse_period(c.period), ind.frequency):
            errors.append(LedgerError(c.row, c.column, "period_frequency", c.period))
            continue
        stored = (derive.to_base(c.value, c.unit or ind.shown_unit, ind.unit)).quantize(STORED)
        existing = current.get((ind.pk, c.period, c.kind))
        if existing is not None and existing.value == stored:
            writes.append((ind, c, None))  # unchanged
            continue
        if existing is not None and c.kind == IndicatorValue.Kind.FINAL:
            errors.append(LedgerError(c.row, c.column, "duplicate_final", c.period))
            continue
        writes.append((ind, c, stored))
    return errors, writes


JOB = "indicator_ledger_import"


def may_import(user: User) -> bool:
    """The page's rule; which indicators a reporter may enter is checked row by row (`can_enter`)."""
    return user.has_luoshi_perm(Perm.PLAN_EDIT) or user.has_luoshi_perm(Perm.REPORT_DRAFT)


def import_summary(outcome: ImportOutcome) -> str:
    return _("Imported: %(c)d values recorded, %(n)d unchanged.") % {"c": outcome.created, "n": outcome.unchanged}


def ledger_import(*, actor: User | None, data: bytes, progress: ImportProgress | None = None) -> ImportOutcome:
    """Import every value of the ledger, or none; the outcome lists the errors by row and column.
    `progress` (a background job's) hears the rows read, then the values written."""
    parsed = ledger.parse_indicator_ledger(data, on_row=reading(progress))
    outcome = ImportOutcome()
    if not parsed.ok:
        outcome.errors = [ledger_error_line(e) for e in parsed.errors]
        return outcome
    errors, writes = _check(actor, parsed.cells)
    if errors:
        outcome.errors = [ledger_error_line(e) for e in errors]
        return outcome
    try:
        with transaction.atomic():
            for ind, cell, stored in writing(writes, progress):
                if stored is None:
                    outcome.unchanged += 1
                    continue
                value_enter(actor=actor, indicator=ind, period=cell.period, value=cell.value,
                            unit=cell.unit or ind.shown_unit, kind=cell.kind)  # fmt: skip
                outcome.created += 1
            audit_record(actor=actor, verb="indicator.ledger_import", object_type="indicators",
                         after={"created": outcome.created, "unchanged": outcome.unchanged})  # fmt: skip
    except ServiceError as exc:  # a race since the checks: nothing was written
        outcome.created = outcome.unchanged = 0
        outcome.errors = [exc.message]
        return outcome
    outcome.rows = len({cell.row for cell in parsed.cells})
    return outcome


def register() -> None:
    """A large ledger in the queue (core/imports.py)."""
    register_import(JOB, run=ledger_import, allowed=may_import, summary=import_summary, link="indicators:catalogue")
