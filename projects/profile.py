"""The monthly investment profile (月度投资计划): 12 monthly figures ↔ the 12 cumulative shares a project stores.

Pure (no Django): the register form and the ledger (重点项目台账) both read and write it through here.
"""

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

MONTHS = 12
SEPARATORS = re.compile(r"[\s,，、;；]+")
# Percentages are shown rounded to 0.01, so 12 of them may sum to 100 ± 0.06 (e.g. 12 × 8.33 = 99.96): a profile
# shown by the form or exported in the ledger must come back accepted. The shares are divided by the true sum.
PERCENT_TOLERANCE = Decimal("0.1")


def percents_sum_to_100(figures: Sequence[Decimal]) -> bool:
    return abs(sum(figures, Decimal(0)) - 100) <= PERCENT_TOLERANCE


def parse_figures(text: str) -> list[Decimal] | None:
    """The figures typed in one cell or field ("5 5 10 …", "5、5、10", "5%"), or None if one is not a number."""
    parts = [p for p in SEPARATORS.split(text.strip()) if p]
    try:
        figures = [Decimal(p.rstrip("%％")) for p in parts]
    except InvalidOperation:
        return None
    return figures if all(f.is_finite() for f in figures) else None


def cumulative_shares(figures: Sequence[Decimal]) -> list[float]:
    """12 non-negative monthly figures (not all zero) → 12 cumulative shares, non-decreasing, ending at exactly 1."""
    total = sum(figures, Decimal(0))
    running, shares = Decimal(0), []
    for figure in figures:
        running += figure
        shares.append(round(float(running / total), 6))
    shares[-1] = 1.0
    return shares


def monthly_percents(shares: Sequence[float]) -> list[float]:
    """Stored cumulative shares → the monthly percentages the office typed (rounded to 0.01)."""
    return [round((b - a) * 100, 2) for a, b in zip([0.0, *shares[:-1]], shares, strict=True)]


def percents_text(shares: Sequence[float], separator: str = " ") -> str:
    """The monthly percentages as one line ("" for no profile: linear)."""
    if len(shares) != MONTHS:
        return ""
    return separator.join(f"{p:g}" for p in monthly_percents(shares))
