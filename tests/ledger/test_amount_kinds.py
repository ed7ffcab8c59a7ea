"""What kind of bad amount was typed: the counter says what to do instead
(a refund is a reversal), in the cashier's language, from the error's kind."""

from __future__ import annotations

import pytest

from ledger.errors import (
    AmountTooLarge,
    InvalidAmount,
    NegativeAmount,
    TooManyDecimals,
    ZeroAmount,
)
from ledger.money import parse_amount

MAX_SALE = 100_000_000  # 1,000,000.00


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("-5", NegativeAmount),
        ("-0.01", NegativeAmount),
        ("-1,000.50", NegativeAmount),
        ("0", ZeroAmount),
        ("0.00", ZeroAmount),
        ("๐", ZeroAmount),
        ("2.505", TooManyDecimals),
        ("1000000.01", AmountTooLarge),
    ],
)
def test_each_kind_of_bad_amount_has_its_own_error(typed: str, kind: type) -> None:
    with pytest.raises(kind) as info:
        parse_amount(typed, max_minor=MAX_SALE)
    assert info.value.code == "invalid_amount"  # scripts keep reading one code


@pytest.mark.parametrize(
    "typed", ["1e3", "1E3", "+5", "1.2.3", "--5", "-1e3", "5-", "1_000", "๑e๓", "0x10"]
)
def test_exponents_signs_and_odd_text_are_not_amounts(typed: str) -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount(typed, max_minor=MAX_SALE)
    assert type(info.value) is InvalidAmount
    assert "is not an amount" in info.value.message
    assert info.value.details["value"] == typed


def test_a_negative_amount_says_a_refund_is_a_reversal() -> None:
    with pytest.raises(NegativeAmount) as info:
        parse_amount("-5")
    assert "refund is a reversal" in info.value.message
    assert info.value.details == {"value": "-5"}


def test_too_large_carries_the_amount_and_the_limit() -> None:
    with pytest.raises(AmountTooLarge) as info:
        parse_amount("2,000,000", max_minor=MAX_SALE)
    assert (
        info.value.details.items() >= {"amount_minor": 200_000_000, "max_minor": MAX_SALE}.items()
    )


def test_a_long_paste_is_echoed_short() -> None:
    with pytest.raises(InvalidAmount) as info:
        parse_amount("9" * 5000)
    assert len(info.value.details["value"]) < 40


@pytest.mark.parametrize(
    ("typed", "minor"), [("1,000.50", 100050), ("๑,๐๐๐.๕๐", 100050), ("1000.5", 100050)]
)
def test_thousands_separators_and_thai_digits_are_amounts(typed: str, minor: int) -> None:
    assert parse_amount(typed, max_minor=MAX_SALE) == minor
