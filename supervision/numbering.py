"""Supervision order numbers (文号), e.g. 二七督〔2021〕12号. Pure: no Django import.

The official form (GB/T 9704-2012 §7.2.4): the issuer's short prefix, the year
in hexagonal brackets 〔〕 (U+3014/U+3015, not 【】 or []), the sequence number
with no leading zeros, then 号. The sequence restarts at 1 each year and has no
gaps; `supervision.services.orders._next_sequence` allocates it under a row lock.
"""

import re

_NUMBER = re.compile(r"^(?P<prefix>.+?)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


def format_number(prefix: str, year: int, seq: int) -> str:
    if seq < 1:
        raise ValueError(f"sequence numbers start at 1: {seq}")
    return f"{prefix}〔{year}〕{seq}号"


def parse_number(text: str) -> tuple[str, int, int] | None:
    """(prefix, year, seq) of a well-formed number, else None."""
    match = _NUMBER.match(text.strip())
    if match is None:
        return None
    return match["prefix"], int(match["year"]), int(match["seq"])
