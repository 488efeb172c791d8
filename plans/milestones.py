"""Milestones (节点) as one line each: `2021年3月31日 40 一季度完成40个`. Pure: no Django import.

The same text is typed in the task form and written in the ledger's 推进措施/节点
column, so the ledger round-trips. A line is: a date, then optionally a planned
cumulative value, then optionally a description; separated by spaces, ：or :.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.validation import number_problem
from plans.textdates import BadDate, BadNumber, format_date_zh, format_number, normalise, parse_date, parse_number

_LINE = re.compile(r"^(?P<date>\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)\s*[:：]?\s*(?P<rest>.*)$")
# The Milestone columns: description varchar(200), planned_value numeric(20,4).
DESCRIPTION_MAX_LENGTH, VALUE_DIGITS, VALUE_PLACES = 200, 20, 4
_VALUE = re.compile(r"^(?P<value>-?\d+(?:\.\d+)?)(?:\s+|$|(?=[^\d.]))(?P<desc>.*)$")


@dataclass(frozen=True)
class MilestoneLine:
    date: date
    planned_value: Decimal | None
    description: str


@dataclass(frozen=True)
class MilestoneError:
    line: int  # 1-based
    code: (
        str  # "bad_date" | "bad_line" | "negative" | "not_increasing" | "after_deadline" | "too_long" | "out_of_range"
    )
    text: str


def parse_milestones(text: str, *, deadline: date | None = None) -> tuple[list[MilestoneLine], list[MilestoneError]]:
    lines: list[MilestoneLine] = []
    errors: list[MilestoneError] = []
    for number, raw in enumerate(normalise(text or "").splitlines(), start=1):
        raw = raw.strip().lstrip("•·-").strip()
        if not raw:
            continue
        match = _LINE.match(raw)
        if not match:
            errors.append(MilestoneError(number, "bad_line", raw))
            continue
        try:
            when = parse_date(match["date"])
        except BadDate:
            errors.append(MilestoneError(number, "bad_date", match["date"]))
            continue
        rest = match["rest"].strip()
        value = None
        value_match = _VALUE.match(rest)
        if value_match:
            try:
                value = parse_number(value_match["value"])
            except BadNumber:
                value = None
            rest = value_match["desc"].strip()
        if value is not None and value < 0:
            errors.append(MilestoneError(number, "negative", raw))
            continue
        if value is not None and number_problem(value, max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES):
            errors.append(MilestoneError(number, "out_of_range", raw))
            continue
        if len(rest) > DESCRIPTION_MAX_LENGTH:
            errors.append(MilestoneError(number, "too_long", str(DESCRIPTION_MAX_LENGTH)))
            continue
        if deadline is not None and when > deadline:
            errors.append(MilestoneError(number, "after_deadline", raw))
            continue
        lines.append(MilestoneLine(when, value, rest))
    lines.sort(key=lambda m: m.date)
    valued = [m.planned_value for m in lines if m.planned_value is not None]
    if any(b < a for a, b in zip(valued, valued[1:], strict=False)):
        errors.append(MilestoneError(0, "not_increasing", ""))
    return lines, errors


def format_milestones(lines: list[MilestoneLine]) -> str:
    out = []
    for m in sorted(lines, key=lambda m: m.date):
        parts = [format_date_zh(m.date)]
        if m.planned_value is not None:
            parts.append(format_number(m.planned_value))
        if m.description:
            parts.append(m.description)
        out.append(" ".join(parts))
    return "\n".join(out)


def date_order_problem(start: date, deadline: date, milestone_dates: Iterable[date] = ()) -> str | None:
    """The one rule on a task's dates: start ≤ every milestone ≤ deadline (so start ≤ deadline).

    Returns None, or the code of the first broken part: "deadline_before_start",
    "milestone_before_start", "milestone_after_deadline". The services refuse with
    it (task form, API, change requests, ledger import); the database keeps the
    first part as a CheckConstraint on Task.
    """
    if deadline < start:
        return "deadline_before_start"
    dates = list(milestone_dates)
    if any(d < start for d in dates):
        return "milestone_before_start"
    if any(d > deadline for d in dates):
        return "milestone_after_deadline"
    return None
