"""The proposal as editable rows: built from the extractor's output, edited cell by cell. Pure: no Django.

A draft stores two lists of plain dicts (JSON rows), so they survive reloads and every office user
sees the same draft:

commitment row  id ("c3"), quote (verbatim, fixed), start/end (offsets of the quote in the document
                text), title (the task name, first the quote), target_value (decimal text or None),
                unit, object, deadline (ISO date), modality ("must" | "strive"), area (heading title
                or None), areas (the heading path, outermost first), milestone (True for a dated
                commitment without a number: a task done or not done), post, lead (ids or None),
                co_units (ids), task (id once accepted), origin ("extracted" | "added")
achievement row id ("a5"), quote, start, end, indicator, value (decimal text or None, base units),
                unit, period ("2020", "2016-2020"), estimate (bool), value_id (id once accepted), origin

Edits are checked here and refused with a code (`RowError`); the app turns codes into messages.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from core.numbers import cn_amount, plain
from decomposition.extractor import Achievement, Commitment, Milestone, Proposal, extract

COMMITMENT = "commitment"
ACHIEVEMENT = "achievement"
KINDS = (COMMITMENT, ACHIEVEMENT)
PREFIX = {COMMITMENT: "c", ACHIEVEMENT: "a"}

# What the office may edit, per kind (the quote and its offsets stay as extracted).
COMMITMENT_FIELDS = ("title", "target_value", "unit", "object", "deadline", "modality", "area")
ACHIEVEMENT_FIELDS = ("indicator", "value", "unit", "period", "estimate")
MAX_LENGTHS = {"title": 300, "unit": 20, "object": 200, "area": 300, "indicator": 200, "period": 20}
_PERIOD = re.compile(r"^(19|20)\d{2}(?:-(19|20)\d{2})?$")
_WHITESPACE = re.compile(r"\s+")
# What the database columns hold: Task.target_value (20 digits, 4 after the point) and
# IndicatorValue.value (28 digits, 6 after the point).
LIMITS = {"target_value": (Decimal("1e16"), 4), "value": (Decimal("1e22"), 6)}


class RowError(ValueError):
    """A refused cell edit: `field` names the cell, `code` the reason."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


# --- from the extractor ----------------------------------------------------------------------------


def number_text(value: int | float | Decimal | None) -> str | None:
    """A number as exact decimal text without exponent or trailing zeros: 60 → "60", 1.67 → "1.67"."""
    return None if value is None else plain(value, None)


def commitment_row(item: Commitment, row_id: str, *, origin: str = "extracted") -> dict:
    return {
        "id": row_id,
        "quote": item.quote,
        "start": item.original_start,
        "end": item.original_end,
        "title": item.quote[: MAX_LENGTHS["title"]],
        "target_value": number_text(item.target_value),
        "unit": item.unit[: MAX_LENGTHS["unit"]],
        "object": item.object[: MAX_LENGTHS["object"]],
        "deadline": item.deadline.isoformat(),
        "modality": item.modality,
        "area": item.area,
        "areas": list(item.areas),
        "milestone": False,
        "post": None,
        "lead": None,
        "co_units": [],
        "task": None,
        "origin": origin,
    }


def milestone_row(item: Milestone, row_id: str) -> dict:
    """A qualitative dated commitment as a commitment row without a target (a done / not done task)."""
    return {
        "id": row_id,
        "quote": item.quote,
        "start": item.original_start,
        "end": item.original_end,
        "title": item.title[: MAX_LENGTHS["title"]],
        "target_value": None,
        "unit": "",
        "object": named_object(item.title)[: MAX_LENGTHS["object"]],
        "deadline": item.deadline.isoformat(),
        "modality": item.modality,
        "area": item.area,
        "areas": list(item.areas),
        "milestone": True,
        "post": None,
        "lead": None,
        "co_units": [],
        "task": None,
        "origin": "extracted",
    }


_DEADLINE_WORDS = re.compile(
    r"力争|争取|确保|年内|年底前|上半年|下半年|\d{1,2}月(?:底前|底|末|前)|[一二三四1-4]季度(?:末)?(?:前)?"
)


def named_object(title: str) -> str:
    """What a milestone delivers: its title without deadline and modal words."""
    return _DEADLINE_WORDS.sub("", title).strip(" ,;:、")


def achievement_row(item: Achievement, row_id: str, *, origin: str = "extracted") -> dict:
    return {
        "id": row_id,
        "quote": item.quote,
        "start": item.original_start,
        "end": item.original_end,
        "indicator": item.indicator[: MAX_LENGTHS["indicator"]],
        "value": number_text(item.value),
        "unit": item.unit[: MAX_LENGTHS["unit"]],
        "period": item.period,
        "estimate": item.estimate,
        "value_id": None,
        "origin": origin,
    }


def rows_from_proposal(proposal: Proposal, *, first_id: int = 1) -> tuple[list[dict], list[dict], int]:
    """Commitment rows, achievement rows and the next free row number."""
    n = first_id
    commitments: list[dict] = []
    achievements: list[dict] = []
    # quantified and qualitative commitments in document order, so the table reads like the text
    items: list[Commitment | Milestone] = sorted(
        [*proposal.commitments, *proposal.milestones], key=lambda item: item.original_start
    )
    for item in items:
        row = commitment_row(item, f"c{n}") if isinstance(item, Commitment) else milestone_row(item, f"c{n}")
        commitments.append(row)
        n += 1
    for achievement in proposal.achievements:
        achievements.append(achievement_row(achievement, f"a{n}"))
        n += 1
    return commitments, achievements, n


def verbatim(text: str, start: int, end: int) -> str:
    """The document's words between two offsets, without layout whitespace (as the extractor quotes)."""
    return _WHITESPACE.sub("", text[start:end])


def row_from_selection(
    text: str, start: int, end: int, *, kind: str, plan_year: int, row_id: str, commitments: list[dict]
) -> dict:
    """A row for text the office selected because the extractor missed it.

    The selection alone goes through the extractor, which fills value, unit, deadline, modality or
    period when it finds a quantity there; otherwise the row starts empty for the office to fill in.
    Its area is the one of the nearest commitment above it.
    """
    if kind not in KINDS:
        raise RowError("kind", "bad_kind")
    if not (0 <= start < end <= len(text)):
        raise RowError("selection", "bad_selection")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    quote = verbatim(text, start, end)
    if not quote:
        raise RowError("selection", "bad_selection")
    found = extract(text[start:end], plan_year)
    if kind == COMMITMENT:
        above = [r for r in commitments if r["start"] <= start]
        area = max(above, key=lambda r: r["start"])["area"] if above else None
        if found.commitments:
            item = found.commitments[0]
            row = commitment_row(item, row_id, origin="added")
        else:
            row = {
                "id": row_id,
                "title": quote,
                "target_value": None,
                "unit": "",
                "object": "",
                "deadline": date(plan_year, 12, 31).isoformat(),
                "modality": "strive" if ("力争" in quote or "争取" in quote) else "must",
                "post": None,
                "lead": None,
                "co_units": [],
                "task": None,
                "origin": "added",
            }
        row.update({"quote": quote, "title": quote[: MAX_LENGTHS["title"]], "start": start, "end": end, "area": area})
        return row
    if found.achievements:
        row = achievement_row(found.achievements[0], row_id, origin="added")
    elif found.commitments:  # the office says it is past even though no date word says so
        item = found.commitments[0]
        row = {
            "id": row_id,
            "indicator": item.object,
            "value": number_text(item.target_value),
            "unit": item.unit,
            "period": str(plan_year - 1),
            "estimate": "预计" in quote,
            "value_id": None,
            "origin": "added",
        }
    else:
        row = {
            "id": row_id,
            "indicator": "",
            "value": None,
            "unit": "",
            "period": str(plan_year - 1),
            "estimate": "预计" in quote,
            "value_id": None,
            "origin": "added",
        }
    row.update({"quote": quote, "start": start, "end": end})
    return row


# --- editing ---------------------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | None:
    """A cell's number: blank → None; full-width digits and thousands separators accepted."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "").strip()
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise RowError("", "not_a_number")
    if not number.is_finite():
        raise RowError("", "not_a_number")
    return number


def fits(field: str, number: Decimal) -> bool:
    """Whether a number fits the database column of `field` (no silent rounding, no overflow)."""
    limit, decimals = LIMITS[field]
    exponent = number.normalize().as_tuple().exponent
    # NaN and infinities have a letter for an exponent: they never fit a column.
    return isinstance(exponent, int) and abs(number) < limit and exponent >= -decimals


def clean_value(kind: str, field: str, raw: object, *, plan_year: int) -> object:
    """The stored value for one edited cell, or `RowError`."""
    fields = COMMITMENT_FIELDS if kind == COMMITMENT else ACHIEVEMENT_FIELDS
    if field not in fields:
        raise RowError(field, "unknown_field")
    if field == "estimate":
        return raw in (True, "1", "true", "on", "yes", "estimate")
    text = str(raw if raw is not None else "").strip()
    if field in ("target_value", "value"):
        try:
            number = parse_decimal(text)
        except RowError:
            raise RowError(field, "not_a_number")
        if number is None:
            return None
        if number < 0:
            raise RowError(field, "negative")
        if not fits(field, number):
            raise RowError(field, "too_precise")
        return number_text(number)
    if field == "deadline":
        try:
            deadline = date.fromisoformat(text)
        except ValueError:
            raise RowError(field, "bad_date")
        if deadline < date(plan_year, 1, 1):
            raise RowError(field, "deadline_before_plan_year")
        return deadline.isoformat()
    if field == "modality":
        if text not in ("must", "strive"):
            raise RowError(field, "bad_modality")
        return text
    if len(text) > MAX_LENGTHS.get(field, 300):
        raise RowError(field, "too_long")
    if field == "title" and not text:
        raise RowError(field, "required")
    if field == "period" and not _PERIOD.match(text):
        raise RowError(field, "bad_period")
    if field == "area":
        return text or None
    return text


def apply_edit(row: dict, kind: str, changes: dict[str, object], *, plan_year: int) -> dict:
    """A copy of `row` with the edited cells; all or none (the first bad cell raises `RowError`)."""
    if row.get("task") or row.get("value_id"):
        raise RowError("", "accepted")
    updated = dict(row)
    for field, raw in changes.items():
        updated[field] = clean_value(kind, field, raw, plan_year=plan_year)
    return updated


# --- accepting -------------------------------------------------------------------------------------


_QUOTE_FORMS = str.maketrans("「」『』", "“”‘’")


def quote_key(quote: str) -> str:
    """The quote without whitespace or quotation-mark variants: how an item is recognised again."""
    return _WHITESPACE.sub("", quote).translate(_QUOTE_FORMS)


def item_keys(rows: list[dict], kind: str) -> dict[str, str]:
    """row id → a stable key: the quote plus its occurrence number in document order.

    Pasting the same document again (with other line breaks or spacing) gives the same keys, so
    accepting it again finds what was already accepted instead of creating it twice.
    """
    seen: Counter[str] = Counter()
    keys = {}
    for row in sorted(rows, key=lambda r: (r["start"], r["end"])):
        quote = quote_key(row["quote"])
        keys[row["id"]] = hashlib.sha256(f"{kind}\n{quote}\n{seen[quote]}".encode()).hexdigest()
        seen[quote] += 1
    return keys


@dataclass(frozen=True)
class RowProblem:
    row_id: str
    field: str
    code: str


def commitment_problems(row: dict, *, plan_year: int) -> list[RowProblem]:
    """What stops a commitment row from becoming a task (三定 included)."""
    problems = []

    def need(condition: bool, field: str, code: str) -> None:
        if not condition:
            problems.append(RowProblem(row["id"], field, code))

    need(bool((row.get("title") or "").strip()), "title", "required")
    need(row.get("target_value") is not None or bool(row.get("milestone")), "target_value", "target_required")
    target = row.get("target_value")
    need(target is None or fits("target_value", Decimal(target)), "target_value", "too_precise")
    need(row.get("target_value") is None or bool((row.get("unit") or "").strip()), "unit", "unit_required")
    need(bool(row.get("area")), "area", "area_required")
    need(row.get("post") is not None, "post", "post_required")
    need(row.get("lead") is not None, "lead", "lead_required")
    need(row.get("lead") is None or row["lead"] not in (row.get("co_units") or []), "co_units", "lead_in_co_units")
    try:
        need(date.fromisoformat(row["deadline"]) >= date(plan_year, 1, 1), "deadline", "deadline_before_plan_year")
    except (KeyError, TypeError, ValueError):
        problems.append(RowProblem(row["id"], "deadline", "bad_date"))
    return problems


def achievement_problems(row: dict) -> list[RowProblem]:
    problems = []
    if not (row.get("indicator") or "").strip():
        problems.append(RowProblem(row["id"], "indicator", "required"))
    if row.get("value") is None:
        problems.append(RowProblem(row["id"], "value", "value_required"))
    elif not fits("value", Decimal(row["value"])):
        problems.append(RowProblem(row["id"], "value", "too_precise"))
    if not _PERIOD.match(row.get("period") or ""):
        problems.append(RowProblem(row["id"], "period", "bad_period"))
    return problems


def find_quote(text: str, quote: str, *, near: int = 0) -> int | None:
    """Where `quote` starts in `text`, ignoring layout whitespace; the occurrence nearest `near`."""
    chars = [c for c in quote if not c.isspace()]
    if not chars:
        return None
    pattern = re.compile(r"\s*".join(re.escape(c) for c in chars))
    starts = [m.start() for m in pattern.finditer(text)]
    if not starts:
        return None
    return min(starts, key=lambda s: abs(s - near))


def quote_end(text: str, start: int, quote: str) -> int:
    """The end offset of `quote` read from `start` in `text`, skipping layout whitespace."""
    position = start
    for char in quote:
        if char.isspace():
            continue
        while position < len(text) and text[position].isspace() and text[position] != char:
            position += 1
        if position >= len(text) or text[position] != char:
            break
        position += 1
    return position


# --- showing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    start: int
    text: str
    row_id: str | None = None
    kind: str = ""


def segments(text: str, marks: list[tuple[int, int, str, str]]) -> list[Segment]:
    """The text cut into plain and highlighted pieces; `marks` are (start, end, row id, kind).

    Highlights never overlap: one that starts inside an earlier one is clipped to start after it.
    """
    pieces: list[Segment] = []
    position = 0
    for start, end, row_id, kind in sorted(marks):
        start = max(start, position)
        end = min(end, len(text))
        if start >= end:
            continue
        if start > position:
            pieces.append(Segment(position, text[position:start]))
        pieces.append(Segment(start, text[start:end], row_id, kind))
        position = end
    if position < len(text):
        pieces.append(Segment(position, text[position:]))
    return pieces


def readable_amount(value: str | None, unit: str) -> str:
    """A base-unit figure as people write it: 77300000000 元 → 773亿元, 55800 人 → 5.58万人."""
    return "" if value is None else cn_amount(value, unit, places=None)
