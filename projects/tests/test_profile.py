"""The monthly profile's pure conversions (projects/profile.py), with plain data and Hypothesis."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from projects import profile

figures_12 = st.lists(
    st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False),
    min_size=12,
    max_size=12,
).filter(lambda fs: sum(fs) > 0)


@given(figures_12)
def test_cumulative_shares_rise_to_exactly_one(figures):
    shares = profile.cumulative_shares(figures)
    assert len(shares) == 12 and shares[-1] == 1.0
    assert shares == sorted(shares) and all(0 <= s <= 1 for s in shares)


@given(figures_12)
def test_shown_percentages_come_back_accepted(figures):
    # What the form shows and the ledger exports must be accepted when sent back unchanged.
    shown = profile.percents_text(profile.cumulative_shares(figures))
    parsed = profile.parse_figures(shown)
    assert parsed is not None and len(parsed) == 12 and profile.percents_sum_to_100(parsed)


def test_parse_figures():
    assert profile.parse_figures("5、5，10 20%;60") == [Decimal(5), Decimal(5), Decimal(10), Decimal(20), Decimal(60)]
    assert profile.parse_figures("5 x") is None
    assert profile.parse_figures("5 NaN") is None
    assert not profile.percents_sum_to_100([Decimal(9)] * 12)
    assert profile.percents_text([]) == ""
