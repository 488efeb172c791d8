"""Dates and numbers as people type them in Chinese ledgers. Pure: no Django import.

2021-12-31, 2021/12/31, 2021.12.31, 2021年12月31日, 20211231; full-width digits too.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from core.numbers import plain

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class BadDate(ValueError):
    pass


class BadNumber(ValueError):
    pass


def normalise(text: str) -> str:
    """Full-width digits and punctuation to half-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalise(str(value))
    match = _DATE.match(text) or _COMPACT.match(text)
    if not match:
        raise BadDate(text)
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:  # 2021-02-30
        raise BadDate(text) from exc


def parse_number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise BadNumber(str(value))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = normalise(str(value)).replace(",", "").replace(" ", "")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise BadNumber(text) from exc
    if not number.is_finite():
        raise BadNumber(str(value))
    return number


def format_date_zh(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def format_number(value: Decimal | None) -> str:
    """2480.0000 → '2480', 3.5000 → '3.5' (None → ''): core.numbers.plain, the one number formatter."""
    return "" if value is None else plain(value)
