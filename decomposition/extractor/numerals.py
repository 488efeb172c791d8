"""Numbers written in Arabic digits or Chinese numerals (十四, 两, 三千五百, 一百零五).

Hand-written rather than a dependency: plan texts only use small counts, and the parser must reject
digit runs that are names, not numbers (二七区, “十四五”), which general converters happily accept.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10**4, "亿": 10**8}


def parse_chinese_integer(text: str) -> int | None:
    """Value of a Chinese numeral, or None when the characters do not form one (二七, 十四五)."""
    if not text:
        return None
    total = 0
    section = 0
    digit: int | None = None
    last_small_unit = 10**4
    after_zero = False
    for char in text:
        if char in ("零", "〇"):
            if digit is not None:
                return None  # 二〇二一 is a year read digit by digit, not a count
            after_zero = True
            continue
        if char in CHINESE_DIGITS:
            if digit is not None:
                return None  # two digits in a row: 十四五, 二七
            digit = CHINESE_DIGITS[char]
            after_zero = False
            continue
        if char in _SMALL_UNITS:
            unit = _SMALL_UNITS[char]
            if unit >= last_small_unit or after_zero:
                return None
            if digit is None:
                if unit != 10 or section:
                    return None
                digit = 1  # 十四 reads as 一十四
            section += digit * unit
            digit = None
            last_small_unit = unit
            continue
        if char in _LARGE_UNITS:
            section += digit or 0
            if not section:
                return None
            total += section * _LARGE_UNITS[char]
            section, digit, last_small_unit = 0, None, 10**4
            continue
        return None
    return total + section + (digit or 0)


def parse_number(text: str) -> Decimal | None:
    """Value of an Arabic (``12``, ``4.32``) or Chinese (``十四``) number."""
    if text and text[0].isdigit():
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    value = parse_chinese_integer(text)
    return None if value is None else Decimal(value)
