"""When a supervision order's response is late: its level and who is reminded. Pure: no Django import.

SPEC §8: a late response escalates the order 催办 (reminder) → 督办 (order) →
通报 (public notice), and reminders climb the chain of responsibility,
reporter → unit head → responsible leader → supervision office, as lateness
grows. Lateness is counted in **working days** after the response due date
(`WorkCalendar.workdays_between(due, today)`): a response due on Friday
2021-09-30 is 0 working days late on the National Day holiday and 1 working
day late on Saturday 2021-10-09, a make-up working day.

`decide` answers for one order on one day from plain data; the service
`supervision.services.order_escalate` applies the answer (raises the level,
notifies the people of each rung once) and the nightly sweep calls it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Protocol


class Kind(StrEnum):
    """The order's kind, which is also its escalation level (ordered: each is stronger than the last)."""

    REMINDER = "reminder"  # 催办
    ORDER = "order"  # 督办
    NOTICE = "notice"  # 通报


LEVELS = (Kind.REMINDER, Kind.ORDER, Kind.NOTICE)
# The terms printed on official documents, whatever the user's language.
KIND_CHINESE = {Kind.REMINDER: "催办", Kind.ORDER: "督办", Kind.NOTICE: "通报"}


class Rung(IntEnum):
    """The chain of responsibility, lowest first; a reminder reaches every rung up to the one lateness reached."""

    REPORTER = 1  # the unit's reporters (单位填报员)
    UNIT_HEAD = 2  # the unit head (单位负责人)
    LEADER = 3  # the responsible leader of the order's tasks (责任领导, the post's holder)
    OFFICE = 4  # the supervision office (督查室)


class WorkdayCounter(Protocol):
    """What `decide` needs from `core.workdays.WorkCalendar`."""

    def workdays_between(self, start: dt.date, end: dt.date) -> int: ...


@dataclass(frozen=True)
class Thresholds:
    """Working days late at which each rung is reminded and each level is reached (settings.SUPERVISION_ESCALATION).

    Defaults: the reporter on the first working day after the due date, the unit
    head from the 3rd, the responsible leader from the 5th, the office from the
    8th; the order becomes at least 督办 from the 3rd and 通报 from the 8th. A
    due-date reminder goes out `due_reminder` working days before the due date.
    """

    reporter: int = 1
    unit_head: int = 3
    leader: int = 5
    office: int = 8
    to_order: int = 3
    to_notice: int = 8
    due_reminder: int = 1

    def __post_init__(self) -> None:
        rungs = (self.reporter, self.unit_head, self.leader, self.office)
        if rungs[0] < 1 or any(a > b for a, b in zip(rungs, rungs[1:], strict=False)):
            raise ValueError(f"rung thresholds must be ≥ 1 and non-decreasing: {rungs}")
        if self.to_order < 1 or self.to_order > self.to_notice:
            raise ValueError(f"level thresholds must be ≥ 1 and non-decreasing: {self.to_order}, {self.to_notice}")
        if self.due_reminder < 0:
            raise ValueError(f"due_reminder must be ≥ 0: {self.due_reminder}")

    @classmethod
    def from_mapping(cls, values: dict[str, int] | None) -> Thresholds:
        """From a settings dict; unknown keys are an error (a typo must not silently keep a default)."""
        values = dict(values or {})
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown escalation thresholds: {sorted(unknown)}")
        return cls(**{k: int(v) for k, v in values.items()})

    def rung_for(self, workdays_late: int) -> Rung | None:
        reached = None
        for rung, threshold in (
            (Rung.REPORTER, self.reporter),
            (Rung.UNIT_HEAD, self.unit_head),
            (Rung.LEADER, self.leader),
            (Rung.OFFICE, self.office),
        ):
            if workdays_late >= threshold:
                reached = rung
        return reached

    def level_for(self, workdays_late: int) -> Kind | None:
        if workdays_late >= self.to_notice:
            return Kind.NOTICE
        if workdays_late >= self.to_order:
            return Kind.ORDER
        return None


@dataclass(frozen=True)
class Decision:
    workdays_late: int  # 0 when the response is not late (or late only by days off)
    level: Kind  # the level the order should have now: never lower than it was issued with
    rung: Rung | None  # the highest rung reminded now, None when not late
    recipients: tuple[Rung, ...]  # every rung up to `rung`, lowest first

    @property
    def is_late(self) -> bool:
        return self.rung is not None


def stronger(a: Kind, b: Kind) -> Kind:
    """The stronger of two levels (催办 < 督办 < 通报)."""
    return a if LEVELS.index(Kind(a)) >= LEVELS.index(Kind(b)) else b


def decide(
    *, issued_kind: Kind | str, due: dt.date, today: dt.date, calendar: WorkdayCounter, thresholds: Thresholds
) -> Decision:
    """The level and the reminded rungs of an unanswered order due on `due`, as of `today`.

    The level is the stronger of the issued kind and the one lateness reached, so
    an order issued as 通报 stays 通报, and escalation never lowers a level.
    """
    issued = Kind(issued_kind)
    late = max(calendar.workdays_between(due, today), 0) if today > due else 0
    rung = thresholds.rung_for(late)
    reached = thresholds.level_for(late)
    level = stronger(issued, reached) if reached else issued
    recipients = tuple(r for r in Rung if rung is not None and r <= rung)
    return Decision(workdays_late=late, level=level, rung=rung, recipients=recipients)


def due_soon(*, due: dt.date, today: dt.date, calendar: WorkdayCounter, thresholds: Thresholds) -> bool:
    """True from `due_reminder` working days before the due date through the due date itself."""
    return today <= due and calendar.workdays_between(today, due) <= thresholds.due_reminder
