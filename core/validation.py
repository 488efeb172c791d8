"""The one input check shared by forms, API schemas and importers: text, numbers, lengths. Pure: no Django import.

A check returns None (fine) or a `Problem` (a code and the limit it broke). Each caller words the
problem with `problem_text` (forms and API: the field's label or name; importers: row and column),
so the rule lives here once and every entry point refuses the same inputs:

- text: no control characters (C0 other than tab, newline, carriage return; DEL) and no lone
  surrogates (JSON's "\\ud800" decodes to one; PostgreSQL cannot store NUL nor a lone surrogate),
  at most the column's length;
- numbers: finite, and inside the column's range: a numeric(20,4) column holds |x| < 10^16, so
  10^16 is refused before the database overflows; integers inside the column's integer range.
"""

import math
import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

# Tab, newline and carriage return are ordinary text (pasted cells, multi-line narratives).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# The widest numeric column (numeric(20,4)) and PostgreSQL's integer: the defaults when no column is known.
DEFAULT_MAX_DIGITS, DEFAULT_DECIMAL_PLACES = 20, 4
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
SMALLINT_MAX = 2**15 - 1


class Problem(NamedTuple):
    code: str  # control_chars | too_long | not_finite | out_of_range | not_a_number
    limit: object = None


def gettext_noop(message: str) -> str:
    """Marks msgids for makemessages; the caller translates (this module imports no Django)."""
    return message


MESSAGES = {
    "control_chars": gettext_noop("%(field)s contains control characters (such as NUL): remove them."),
    "too_long": gettext_noop("%(field)s is too long: at most %(limit)s characters."),
    "not_finite": gettext_noop("%(field)s must be a finite number."),
    "out_of_range": gettext_noop("%(field)s is out of range: it must be below %(limit)s in absolute value."),
    "not_a_number": gettext_noop("%(field)s is not a number."),
    "null": gettext_noop("%(field)s cannot be null."),
}


def text_problem(value: str, *, max_length: int | None = None) -> Problem | None:
    if _CONTROL.search(value):
        return Problem("control_chars")
    if max_length is not None and len(value) > max_length:
        return Problem("too_long", max_length)
    return None


def decimal_limit(max_digits: int | None, decimal_places: int | None) -> Decimal:
    """The smallest absolute value a numeric(max_digits, decimal_places) column cannot hold."""
    digits = DEFAULT_MAX_DIGITS if max_digits is None else max_digits
    places = DEFAULT_DECIMAL_PLACES if decimal_places is None else decimal_places
    return Decimal(10) ** (digits - places)


def number_problem(
    value: object, *, max_digits: int | None = None, decimal_places: int | None = None
) -> Problem | None:
    """A Decimal, float or numeric string against a numeric column (the widest one by default)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return Problem("not_finite")
        value = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            return Problem("not_a_number")
    elif isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal):
        return None
    if not value.is_finite():
        return Problem("not_finite")
    limit = decimal_limit(max_digits, decimal_places)
    if abs(value) >= limit:
        return Problem("out_of_range", _plain(limit))
    return None


def integer_problem(value: int, *, minimum: int = INT_MIN, maximum: int = INT_MAX) -> Problem | None:
    if isinstance(value, bool):
        return None
    if not minimum <= value <= maximum:
        return Problem("out_of_range", maximum + 1)
    return None


def value_problem(value: object, *, max_length: int | None = None) -> Problem | None:
    """Any scalar against the default column rules: text, number (widest numeric), integer (int4)."""
    if isinstance(value, str):
        return text_problem(value, max_length=max_length)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return integer_problem(value)
    if isinstance(value, float | Decimal):
        return number_problem(value)
    return None


def _plain(limit: Decimal) -> str:
    """10^16 as 10000000000000000, not 1E+16: users read it."""
    return format(limit, "f")


def problem_text(problem: Problem, field: str) -> str:
    """The problem in the active language, naming the field (a label, a parameter name, or "row 5, column 单位")."""
    from django.utils.translation import gettext

    return gettext(MESSAGES[problem.code]) % {"field": field, "limit": problem.limit}
