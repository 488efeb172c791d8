"""Numbers as people read them (core/numbers.py), plain data."""

from decimal import Decimal

import pytest

from core.numbers import cn_amount, plain


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("226.0000"), "226"),
        (Decimal("4.0000"), "4"),
        (Decimal("3.5000"), "3.5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.0000"), "0"),
        (30.499999999, "30.5"),
        (248.0, "248"),
        (7, "7"),
        ("4.0000", "4"),
        ("-0.00001", "0"),
        (None, "—"),
        ("", "—"),
        ("区住建局", "区住建局"),
        (True, "True"),
    ],
)
def test_plain_drops_trailing_zeros_and_float_noise(value, text):
    assert plain(value) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("248.0000"), "个", "248个"),
        (Decimal("9999"), "个", "9999个"),
        (Decimal("12000"), "个", "1.2万个"),
        (Decimal("12345"), "元", "1.23万元"),
        (Decimal("350000000"), "元", "3.5亿元"),
        (Decimal("35000.0000"), "万元", "3.5亿元"),
        (Decimal("3.5"), "万元", "3.5万元"),
        (Decimal("0.5"), "万元", "0.5万元"),
        (Decimal("12000"), "万人", "1.2亿人"),
        (Decimal("80"), "%", "80%"),
        (Decimal("100000000"), "", "1亿"),
        (None, "个", "—"),
    ],
)
def test_cn_amount_reads_large_quantities_in_wan_and_yi(value, unit, text):
    assert cn_amount(value, unit) == text
