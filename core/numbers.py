"""How numbers read on a page: no trailing zeros, and 万/亿 for large quantities. Pure: no Django import.

Values are stored with four decimal places (`226.0000`) and the engine computes in float
(`30.499999999`); people read `226` and `30.5`. Chinese readers expect `1.2万个` or `3.5亿元`
rather than `12000个` or `350000000元` once a quantity reaches ten thousand (万) or a hundred
million (亿). The template filters `num` and `cn_amount` (core/templatetags/luoshi.py) and the
forms' decimal fields (core.forms.PlainDecimalField) call these.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DASH = "—"
# The database keeps four decimal places; more would be float noise.
PLACES = 4
_STEPS = ((Decimal(10) ** 12, "万亿"), (Decimal(100_000_000), "亿"), (Decimal(10_000), "万"))
# Units that already carry a magnitude: 5 万元 is 50 000 元.
_UNIT_MAGNITUDES = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}


def as_decimal(value: object) -> Decimal | None:
    """The value as a finite Decimal (a float through its shortest repr), None if it is not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def plain(value: object, places: int | None = PLACES) -> str:
    """226.0000 → 226, 3.50 → 3.5, 30.499999999 → 30.5 (at most `places` decimals; None: exact), 1E+3 → 1000.

    None or "" → —; a value that is not a number (text in an audit diff) is shown unchanged.
    """
    if value is None or value == "":
        return DASH
    number = as_decimal(value)
    if number is None:
        return str(value)
    rounded = number if places is None else number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "") else text


def cn_amount(value: object, unit: str = "", places: int | None = 2) -> str:
    """A quantity with its unit, in 万 or 亿 from ten thousand on: 12000 个 → 1.2万个, 35000 万元 → 3.5亿元.

    A unit that already starts with 万 or 亿 (万元, 万人, 亿元) is read as that magnitude. Below ten
    thousand the value and unit are kept as given (0.5 万元 stays 0.5万元). Up to `places` decimals
    after scaling (None: exact). None → —. 10¹² and over reads in 万亿.
    """
    number = as_decimal(value)
    if number is None:
        return plain(value) if value not in (None, "") else DASH
    base_unit, factor = unit, Decimal(1)
    if unit[:1] in _UNIT_MAGNITUDES and len(unit) > 1:
        base_unit, factor = unit[1:], _UNIT_MAGNITUDES[unit[0]]
    total = number * factor
    for step, word in _STEPS:
        if abs(total) >= step and step >= factor:
            return f"{plain(total / step, places)}{word}{base_unit}"
    return f"{plain(number, PLACES if places is not None else None)}{unit}"
